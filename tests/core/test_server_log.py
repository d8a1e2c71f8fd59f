"""The server log: one line per request, a 403 or 404 without traceback, no library chatter.

Requests go through runserver's own request handler (`WSGIRequestHandler`, fed a raw HTTP
request in memory), and what the handlers configured by the settings would print is read from
their streams: the exact lines an operator sees."""

import io
import logging
from contextlib import contextmanager

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.servers.basehttp import WSGIRequestHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from parcours.accounts.models import Role
from parcours.core.logging import OmitClientErrors, RedactPersonalData
from tests.accounts.factories import AgentFactory
from tests.conftest import login_verified

pytestmark = pytest.mark.django_db


class _Stub:
    def __init__(self, **kwargs):
        self.__dict__.update(kwargs)


class _Unclosable(io.BytesIO):
    def close(self):
        pass


@contextmanager
def server_output():
    """What the settings' handlers (root's console, django.server's) print meanwhile."""
    captured = io.StringIO()
    handlers = [h for h in logging.getLogger().handlers if h.name]
    handlers += [h for h in logging.getLogger("django.server").handlers if h.name]
    previous = [h.setStream(captured) for h in handlers]
    try:
        yield captured
    finally:
        for handler, stream in zip(handlers, previous, strict=True):
            handler.setStream(stream)


def serve(path: str, cookies: str = "") -> str:
    """Serve one GET through runserver's request handler; the log lines it prints."""
    raw = f"GET {path} HTTP/1.1\r\nHost: localhost\r\n"
    if cookies:
        raw += f"Cookie: {cookies}\r\n"
    rfile = io.BytesIO((raw + "\r\n").encode())
    wfile = _Unclosable()
    request = _Stub(
        makefile=lambda mode, *args, **kwargs: rfile if mode == "rb" else wfile, sendall=wfile.write
    )
    server = _Stub(base_environ={}, get_app=WSGIHandler)
    # As Django's test client does: the test's transaction keeps its database connection.
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    try:
        with server_output() as captured:
            WSGIRequestHandler(request, ("127.0.0.1", 50000), server)
    finally:
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)
    return captured.getvalue()


def _cookies(client) -> str:
    return "; ".join(f"{name}={morsel.value}" for name, morsel in client.cookies.items())


def test_a_refusal_prints_one_line_without_traceback(client, departement):
    agent = AgentFactory(role=Role.ACCUEIL)
    login_verified(client, agent)
    # An ordinary refusal: an accueil agent opens the audit log.
    lines = serve("/audit/?agent=2", _cookies(client)).splitlines()
    assert len(lines) == 1, lines
    assert '"GET /audit/ HTTP/1.1" 403' in lines[0]
    assert "Traceback" not in lines[0] and "PermissionDenied" not in lines[0]


def test_a_missing_page_prints_one_line(client, departement):
    lines = serve("/nulle-part/").splitlines()
    assert len(lines) == 1 and '"GET /nulle-part/ HTTP/1.1" 404' in lines[0], lines


def test_an_ordinary_page_prints_one_line(client, departement):
    lines = serve("/comptes/connexion/").splitlines()
    assert len(lines) == 1 and '"GET /comptes/connexion/ HTTP/1.1" 200' in lines[0], lines


def test_server_errors_keep_their_line_and_stack():
    keep = OmitClientErrors()
    record = logging.LogRecord(
        "django.request", logging.ERROR, __file__, 1, "Internal Server Error", (), None
    )
    record.status_code = 500
    assert keep.filter(record)
    record.status_code = 404
    assert not keep.filter(record)
    no_status = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "x", (), None)
    assert keep.filter(no_status)


def test_pdf_libraries_are_quiet_below_warning():
    with server_output() as captured:
        for name in ("weasyprint", "weasyprint.progress", "fontTools.subset", "fontTools.ttLib.ttFont"):
            logging.getLogger(name).info("subsetting glyphs")
        logging.getLogger("fontTools.subset").warning("glyph missing")
    lines = captured.getvalue().splitlines()
    assert len(lines) == 1 and lines[0].endswith("WARNING fontTools.subset glyph missing"), lines


def test_every_handler_still_redacts():
    for logger in (logging.getLogger(), logging.getLogger("django.server")):
        for handler in logger.handlers:
            if handler.name:
                assert any(isinstance(f, RedactPersonalData) for f in handler.filters), handler
