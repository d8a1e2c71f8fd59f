"""The disk fills up while the import page stores an upload under var/imports.

The agent reads a French message saying so, and nothing is left half-done: no import batch,
no partial file (nor the file already stored when the mapping file is the one that no longer
fits). Two ways to fill the disk: a write that fails with ENOSPC after the first chunk, and,
when the test may mount one (root), a real 2 MB filesystem under VAR_DIR."""

from __future__ import annotations

import errno
import os
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from parcours.imports import background
from parcours.imports.models import ImportBatch
from tests.accounts.factories import AgentFactory

pytestmark = pytest.mark.django_db

CSV = b"nom;prenom;date_naissance\n" + b"MARTIN;Claire;1980-01-01\n" * 120_000  # about 3 MB
MAPPING = b'[columns]\nlast_name = "nom"\n'


@pytest.fixture
def admin_client(client, settings, tmp_path, departement):
    settings.PARCOURS_IMPORTS_SYNC = True
    settings.PARCOURS_DEMO = True  # lets otp_exempt agents past the second factor
    settings.VAR_DIR = tmp_path
    client.force_login(AgentFactory(role="administrateur", otp_exempt=True))
    return client


def _upload(client, *, mapping: bool = False):
    data = {"kind": "people", "file_format": "csv", "file": SimpleUploadedFile("beneficiaires.csv", CSV)}
    if mapping:
        data["mapping"] = SimpleUploadedFile("colonnes.toml", MAPPING)
    return client.post(reverse("imports:index"), data)


def _stored_files(var_dir) -> list[str]:
    imports = os.path.join(var_dir, "imports")
    return sorted(os.listdir(imports)) if os.path.isdir(imports) else []


def _assert_refused_cleanly(response, var_dir) -> None:
    assert response.status_code == 200
    assert "espace disque" in response.content.decode()
    assert ImportBatch.objects.count() == 0
    assert _stored_files(var_dir) == []


def _filling_up(after_files: int, writes: int):
    """An `open_private` whose file number `after_files` (from 0) fails after `writes` writes."""
    real_open = background.open_private
    opened = []

    def fake_open(path, mode="wb", **kwargs):
        real = real_open(path, mode, **kwargs)
        opened.append(path)
        if len(opened) - 1 < after_files:
            return real
        original_write, calls = real.write, []

        def write(data):
            calls.append(len(data))
            if len(calls) > writes:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            return original_write(data)

        real.write = write
        return real

    return fake_open


# The file fails half-written; or the mapping file fails, after the file was stored.
@pytest.mark.parametrize("mapping, failing, writes", [(False, 0, 1), (True, 0, 1), (True, 1, 0)])
def test_a_write_failing_for_lack_of_space_leaves_nothing(
    admin_client, settings, monkeypatch, mapping, failing, writes
):
    monkeypatch.setattr(background, "open_private", _filling_up(after_files=failing, writes=writes))

    response = _upload(admin_client, mapping=mapping)

    _assert_refused_cleanly(response, settings.VAR_DIR)


@pytest.fixture
def tiny_filesystem(tmp_path):
    """A 2 MB tmpfs, mounted for the test (skipped where mounting is not allowed)."""
    mountpoint = tmp_path / "tiny"
    mountpoint.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mountpoint)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"mount refused: {mounted.stderr.decode().strip()}")
    try:
        yield mountpoint
    finally:
        subprocess.run(["umount", str(mountpoint)], check=True)


def test_a_full_filesystem_leaves_nothing(admin_client, settings, tiny_filesystem):
    settings.VAR_DIR = tiny_filesystem

    response = _upload(admin_client)

    _assert_refused_cleanly(response, tiny_filesystem)
    usage = os.statvfs(tiny_filesystem)
    assert usage.f_bfree == usage.f_blocks, "the partial file's blocks were not given back"
