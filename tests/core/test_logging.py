import logging
import sys

import pytest

from parcours.core.logging import RedactPersonalData, redact


def test_nir_email_and_phone_are_masked():
    text = redact(
        "import: NIR 180033147687268 / 180032A123456 mail jean.dupont@example.org tel 06 12 34 56 78"
    )
    assert "180033147687268" not in text and "180032A123456" not in text
    assert "jean.dupont@example.org" not in text and "06 12 34 56 78" not in text
    assert text.count("[NIR masqué]") == 2
    assert "[e-mail masqué]" in text and "[téléphone masqué]" in text


def test_ordinary_numbers_are_kept():
    assert (
        redact("dossier 1234567, 100000 dossiers en 12.5 s") == "dossier 1234567, 100000 dossiers en 12.5 s"
    )


def test_the_filter_rewrites_formatted_records():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "personne %s", ("180033147687268",), None)
    assert RedactPersonalData().filter(record) is True
    assert record.getMessage() == "personne [NIR masqué]"


@pytest.mark.parametrize(
    "text",
    [
        "NIR 1 84 12 75 123 456 78 reçu",
        "NIR 1 84 12 75 123 456 reçu",
        "NIR 2 85 05 2A 350 123 reçu",
        "NIR 184127512345678 reçu",
    ],
)
def test_grouped_nirs_are_masked(text):
    assert redact(text) == "NIR [NIR masqué] reçu"


@pytest.mark.parametrize(
    "phone",
    [
        "06 12 34 56 78",
        "0612345678",
        "06.12.34.56.78",
        "+33 6 12 34 56 78",
        "+33612345678",
        "0033 6 12 34 56 78",
        "+33 (0)6 12 34 56 78",
    ],
)
def test_french_phone_numbers_are_masked(phone):
    assert redact(f"appel au {phone} manqué") == "appel au [téléphone masqué] manqué"


def test_request_lines_keep_the_path_only():
    line = '"GET /personnes/?q=dupont+jean&birth_date=1984-02-17 HTTP/1.1" 200 1234'
    assert redact(line) == '"GET /personnes/ HTTP/1.1" 200 1234'
    assert redact('"POST /api/v1/personnes/recherche?page=2 HTTP/1.1" 200 80') == (
        '"POST /api/v1/personnes/recherche HTTP/1.1" 200 80'
    )
    assert redact("Not Found: /personnes/9/") == "Not Found: /personnes/9/"


def test_exceptions_keep_their_type_and_stack_never_their_message():
    def import_row(row):
        try:
            raise KeyError(row["name"])
        except KeyError as error:
            raise ValueError(f"ligne 3 : {row['name']}, {row['address']}") from error

    row = {"name": "DUPONT Jeanne", "address": "12 rue des Lilas"}
    try:
        import_row(row)
    except ValueError:
        record = logging.LogRecord(
            "x", logging.ERROR, __file__, 1, "Import %s en échec", (5,), sys.exc_info()
        )
    RedactPersonalData().filter(record)
    text = logging.Formatter().format(record)

    assert "DUPONT" not in text and "Lilas" not in text
    assert text.startswith("Import 5 en échec\nTraceback (most recent call last):")
    assert "KeyError: [message masqué]" in text and text.endswith("ValueError: [message masqué]")
    assert "The above exception was the direct cause of the following exception:" in text
    assert "in import_row" in text


def test_every_handler_of_the_settings_carries_the_filter():
    from django.conf import settings

    handlers = settings.LOGGING["handlers"]
    assert {"console", "django.server"} <= set(handlers)
    for name, handler in handlers.items():
        assert "redact" in handler.get("filters", []), name
    assert settings.LOGGING["loggers"]["django"]["handlers"] == []  # Django's own: replaced
    for name in ("", "django", "django.request", "django.server", "parcours"):
        logger = logging.getLogger(name)
        while logger is not None:
            for handler in logger.handlers:
                if handler.name:  # configured by the settings (pytest adds nameless ones)
                    assert any(isinstance(f, RedactPersonalData) for f in handler.filters), (name, handler)
            logger = logger.parent if logger.propagate else None


def test_runserver_request_log_writes_the_path_only():
    logger = logging.getLogger("django.server")
    (handler,) = [h for h in logger.handlers if h.name == "django.server"]
    record = logger.makeRecord(
        "django.server",
        logging.INFO,
        __file__,
        1,
        '"%s" %s %s',
        ("GET /personnes/?q=184127512345678 HTTP/1.1", "200", "1234"),
        None,
        extra={"status_code": 200, "server_time": "01/Dec/2026 10:00:00"},
    )
    assert handler.filter(record)
    line = handler.format(record)
    assert "GET /personnes/ HTTP/1.1" in line and "?" not in line and "1841275" not in line


def test_gunicorn_access_log_writes_the_path_only():
    from parcours import gunicorn_conf

    fmt = gunicorn_conf.access_log_format
    assert "%(U)s" in fmt
    assert not {"%(r)s", "%(q)s", "%(f)s"} & {atom for atom in ("%(r)s", "%(q)s", "%(f)s") if atom in fmt}
    atoms = {"h": "127.0.0.1", "t": "[01/Dec/2026:10:00:00 +0100]", "m": "GET", "U": "/personnes/"}
    atoms |= {"H": "HTTP/1.1", "s": "200", "B": 1234, "M": 12, "q": "q=184127512345678"}
    assert fmt % atoms == '127.0.0.1 [01/Dec/2026:10:00:00 +0100] "GET /personnes/ HTTP/1.1" 200 1234 12ms'
    config = gunicorn_conf.logconfig_dict
    for name, handler in config["handlers"].items():
        assert "redact" in handler["filters"], name
    assert config["filters"]["redact"]["()"] == "parcours.core.logging.RedactPersonalData"
    for name in ("gunicorn.error", "gunicorn.access"):
        assert config["loggers"][name]["propagate"] is False
