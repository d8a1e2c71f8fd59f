"""Reading a CNAF flux in a second process while the import applies it.

Reading (libxml2's streaming XSD validation and the mapping of each dossier to a dict) costs
about as much as applying the dossiers to the database, and the two need not wait for each
other: `FluxReader` starts `python -m parcours.rsa.flux_reader`, which runs `cnaf.read_flux`
into a spool file shared with the importer, and reports on its standard output, one JSON
object per line:

    {"header": {...}}                        the IdentificationFlux fields, as soon as read
    {"progress": N, "offset": BYTES}         N dossiers are in the spool, up to BYTES
    {"done": N, "offset": BYTES}             the whole file is valid
    {"rejected": "message", "line": L}       the file is rejected (nothing may be kept)

The importer applies dossiers as soon as they are in the spool, but `validated` stays false
until "done": the import runner keeps everything in one uncommitted transaction until then,
so that a file rejected at its last line changes nothing.

The spool is an anonymous temporary file: the child writes it through an inherited file
descriptor, the parent reads it with `os.pread`, and it disappears with both processes, even
after a `kill -9`. The child stops at its next report when the parent is gone (broken pipe).
"""

from __future__ import annotations

import argparse
import json
import marshal
import os
import select
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from parcours.rsa import cnaf

READ_BLOCK = 1 << 20


class FluxReader:
    """The parent's side: starts the reading process and gives back its dossiers in order."""

    def __init__(self, path: str | Path, departement: str):
        self.spool = tempfile.TemporaryFile(prefix="parcours-flux-")  # noqa: SIM115 (closed by close())
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "parcours.rsa.flux_reader",
                str(path),
                "--departement",
                departement,
                "--spool-fd",
                str(self.spool.fileno()),
            ],
            stdout=subprocess.PIPE,
            pass_fds=(self.spool.fileno(),),
        )
        self.header: dict | None = None
        self.available = 0  # bytes of the spool that hold whole dossiers
        self.done = False
        self.rejected: cnaf.FluxRejected | None = None
        self._pending = b""

    # -- messages ------------------------------------------------------------------------
    def _handle(self, message: dict) -> None:
        if "header" in message:
            self.header = message["header"]
        elif "rejected" in message:
            self.rejected = cnaf.FluxRejected(message["rejected"], message.get("line"))
        else:
            self.available = message["offset"]
            self.done = "done" in message

    def _receive(self) -> bool:
        """Read what the pipe holds (waiting for something if it is empty); False at its end."""
        data = os.read(self.process.stdout.fileno(), 65536)
        if not data:
            return False
        self._pending += data
        *lines, self._pending = self._pending.split(b"\n")
        for line in lines:
            if line:
                self._handle(json.loads(line))
        return True

    def _wait_for_more(self) -> None:
        if not self._receive():
            code = self.process.wait()
            if self.rejected is None and not self.done:
                raise RuntimeError(f"Le processus de lecture du flux s'est arrêté (code {code}).")

    def _raise_if_rejected(self) -> None:
        if self.rejected is not None:
            raise self.rejected

    def wait_for_header(self) -> dict:
        """The IdentificationFlux fields; raises FluxRejected if the file fails before them."""
        while self.header is None:
            self._raise_if_rejected()
            self._wait_for_more()
        return self.header

    @property
    def validated(self) -> bool:
        """Whether the whole file has been read and found valid (raises FluxRejected if not)."""
        fd = self.process.stdout.fileno()
        while not self.done and self.rejected is None and select.select([fd], [], [], 0)[0]:
            if not self._receive():
                break
        self._raise_if_rejected()
        return self.done

    # -- dossiers ------------------------------------------------------------------------
    def dossiers(self) -> Iterator[dict]:
        """Every dossier of the file, in order, as soon as it is in the spool; raises
        FluxRejected when the reading process rejects the file."""
        fd = self.spool.fileno()
        offset = 0
        buffer = b""
        while True:
            self._raise_if_rejected()
            if offset + len(buffer) < self.available:
                size = min(READ_BLOCK, self.available - offset - len(buffer))
                buffer += os.pread(fd, size, offset + len(buffer))
            position = 0
            while len(buffer) - position >= 4:
                end = position + 4 + int.from_bytes(buffer[position : position + 4], "little")
                if end > len(buffer):
                    break
                yield marshal.loads(buffer[position + 4 : end])  # noqa: S302 (our own spool)
                position = end
            buffer = buffer[position:]
            offset += position
            if offset + len(buffer) >= self.available:
                if self.done:
                    self._raise_if_rejected()
                    return
                self._wait_for_more()

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self.process.stdout.close()
        self.spool.close()


# -- the child's side --------------------------------------------------------------------
def _send(message: dict) -> None:
    sys.stdout.write(json.dumps(message, default=str) + "\n")
    sys.stdout.flush()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Lecture d'un flux CNAF pour l'import (processus fils).")
    parser.add_argument("path")
    parser.add_argument("--departement", required=True)
    parser.add_argument(
        "--spool-fd", type=int, help="Descripteur du fichier tampon (par défaut : un fichier temporaire)."
    )
    args = parser.parse_args(argv)
    if args.spool_fd is None:
        spool_file = tempfile.TemporaryFile(prefix="parcours-flux-")  # noqa: SIM115 (closed below)
        args.spool_fd = os.dup(spool_file.fileno())
        spool_file.close()
    with os.fdopen(args.spool_fd, "wb", buffering=READ_BLOCK) as spool:
        try:
            header = cnaf.read_flux(
                args.path,
                departement=args.departement,
                spool=spool,
                on_header=lambda fields: _send({"header": fields}),
                on_progress=lambda count: _send({"progress": count, "offset": spool.tell()}),
            )
        except cnaf.FluxRejected as rejected:
            _send({"rejected": rejected.message, "line": rejected.line})
            return 0
        except BrokenPipeError:
            return 1  # the importer is gone
        spool.flush()
        _send({"done": header.count, "offset": spool.tell()})
    return 0


if __name__ == "__main__":
    sys.exit(main())
