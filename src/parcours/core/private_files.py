"""Files holding personal data (uploaded imports, letters, mails, SMS logs): readable by the
server's user only, whatever the process's umask.

Folders are 0700 and files 0600, set when a file is opened, so that a file or folder made
before (or by hand) is closed too. `parcours.core.retention` deletes them after their time.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO

FILE_MODE = 0o600
DIRECTORY_MODE = 0o700


def private_directory(path: str | os.PathLike) -> Path:
    """Create `path` (and its parents) if needed, and make it 0700."""
    path = Path(path)
    path.mkdir(mode=DIRECTORY_MODE, parents=True, exist_ok=True)
    path.chmod(DIRECTORY_MODE)
    return path


def open_private(path: str | os.PathLike, mode: str = "wb", encoding: str | None = None) -> IO:
    """Open `path` for writing ("w", "wb") or appending ("a", "ab"), created 0600 in a 0700 folder.

    The file never exists with wider rights, not even for an instant: it is created with them."""
    if mode.rstrip("b") not in {"w", "a"}:
        raise ValueError(f"open_private writes or appends, it does not open in mode {mode!r}.")
    path = Path(path)
    private_directory(path.parent)
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if mode.startswith("a") else os.O_TRUNC)
    descriptor = os.open(path, flags, FILE_MODE)
    try:
        os.fchmod(descriptor, FILE_MODE)  # a file made earlier with other rights
        return os.fdopen(descriptor, mode, encoding=encoding)
    except BaseException:
        os.close(descriptor)
        raise


def write_private(path: str | os.PathLike, data: bytes) -> Path:
    """Write `data` to `path` (replacing it), readable by its owner only."""
    with open_private(path, "wb") as out:
        out.write(data)
    return Path(path)
