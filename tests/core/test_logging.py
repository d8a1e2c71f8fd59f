import logging

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
