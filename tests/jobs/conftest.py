import atexit
import os
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from parcours.jobs.models import RomeAppellation, RomeCode
from parcours.jobs.rome import load_reference

OPENFISCA_BIN = Path(__file__).resolve().parents[2] / ".venv-openfisca" / "bin" / "openfisca"


@pytest.fixture(autouse=True)
def rome_reference(db):
    """The ROME reference, loaded by a data migration; reloaded if a flushing test emptied it."""
    if not RomeAppellation.objects.exists():
        load_reference(RomeCode, RomeAppellation)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/spec", timeout=2):  # noqa: S310
            return True
    except OSError:
        return False


class _Service:
    """The OpenFisca process this test session started, if any (started early, see below)."""

    process: subprocess.Popen | None = None
    url: str | None = None


def _start_service() -> None:
    if _Service.process is not None or not OPENFISCA_BIN.exists():
        return
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    _Service.process = subprocess.Popen(
        [
            str(OPENFISCA_BIN),
            "serve",
            "--country-package",
            "openfisca_france",
            "--port",
            str(port),
            "--workers",
            "1",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _Service.url = f"http://127.0.0.1:{port}"
    atexit.register(_stop_service)


def _stop_service() -> None:
    if _Service.process is not None and _Service.process.poll() is None:
        _Service.process.terminate()
        _Service.process.wait(timeout=30)


def _configured_url() -> str | None:
    configured = os.environ.get("OPENFISCA_URL", "").rstrip("/")
    return configured if configured and _answers(configured) else None


def pytest_collection_modifyitems(session, config, items):
    """Loading OpenFisca-France takes 15–40 s: start it as soon as the golden tests are collected,
    so that it boots while the other tests run."""
    if (
        any("openfisca_service" in getattr(item, "fixturenames", ()) for item in items)
        and not _configured_url()
    ):
        _start_service()


@pytest.fixture(scope="session")
def openfisca_service():
    """The URL of a running OpenFisca-France Web API: OPENFISCA_URL if it answers, else the one
    started from .venv-openfisca (`make openfisca-install`); the tests are skipped otherwise."""
    configured = _configured_url()
    if configured:
        yield configured
        return
    if not OPENFISCA_BIN.exists():
        pytest.skip("OpenFisca n'est pas installé (.venv-openfisca absent : make openfisca-install).")
    _start_service()
    deadline = time.monotonic() + 180
    while not _answers(_Service.url):
        if _Service.process.poll() is not None or time.monotonic() > deadline:
            pytest.fail("Le service OpenFisca n'a pas démarré.")
        time.sleep(0.5)
    yield _Service.url
    _stop_service()
