"""The check of the run's logs (tests/log_check.py) finds what it must, and only that."""

import logging
from types import SimpleNamespace

import pytest

from tests.log_check import RUN, Identifiers, LineCollector, LogLeakCheck, leaks, masked_excerpt
from tests.people.factories import PersonFactory

NIR = "1840675123456"


def _person(**fields):
    values = {"nir": "", "email": "", "phone": "", "last_name": "", "birth_name": "", "address": ""}
    return SimpleNamespace(**{**values, **fields})


@pytest.fixture
def identifiers():
    found = Identifiers()
    found.add(
        _person(
            nir=f"{NIR}42",
            email="Jeanne.Dupont@example.org",
            phone="06 12 34 56 78",
            last_name="Dupont-Moreau",
            birth_name="Lefebvre",
            address="12 rue des Lilas",
        )
    )
    found.add(_person(last_name="Roy", nir="2850559350123"))  # a 3-letter name is not searched
    return found


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        (f"import: personne {NIR} en erreur", "NIR"),
        ("import: personne 1 84 06 75 123 456 42 en erreur", "NIR"),
        ("import: personne 1-84-06-75-123-456 en erreur", "NIR"),
        ("envoi à jeanne.dupont@EXAMPLE.org refusé", "e-mail"),
        ("SMS au +33 6 12 34 56 78 refusé", "téléphone"),
        ("SMS au 612345678 refusé", "téléphone"),
        ("doublon : DUPONT-MOREAU Jeanne", "nom"),
        ("nom de naissance lefebvre", "nom"),
        ("courrier au 12  Rue des LILAS", "adresse"),
    ],
)
def test_each_identifier_is_found_in_a_synthetic_line(identifiers, line, kind):
    found = leaks(line, identifiers)
    assert [k for k, _, _ in found] == [kind]
    excerpt = masked_excerpt(line, found)
    assert f"[{kind}]" in excerpt
    assert "dupont" not in excerpt.lower() and "lilas" not in excerpt.lower() and "84" not in excerpt


@pytest.mark.parametrize(
    "line",
    [
        "GET /personnes/42/ 200",
        "Dupontel, Moreau et Lefebvres ne sont pas des noms de la personne",  # whole words only
        "Roy ne compte que 3 lettres",
        "dossier 1234567, 100000 dossiers en 12.5 s",
        "2850559350124 n'est pas le NIR d'une personne créée",
    ],
)
def test_other_lines_are_not_reported(identifiers, line):
    assert leaks(line, identifiers) == []


def test_a_run_reports_the_logger_and_a_masked_line():
    check = LogLeakCheck()
    check.identifiers.add(_person(last_name="Vasseur", nir=NIR))
    check.collector = LineCollector(logging.INFO)
    # Loggers of their own, out of the logging tree: nothing is written for real.
    imports, request = logging.Logger("parcours.imports"), logging.Logger("django.request")
    for logger in (imports, request):
        logger.addHandler(check.collector)
    imports.warning("Import 5 : %s Hélène en doublon", "VASSEUR")
    imports.warning("Import 5 : NIR %s en doublon", NIR)  # masked by the redaction filter
    imports.info("Import 5 terminé")
    imports.debug("Vasseur")  # below the level written in production
    request.warning("Not Found: /personnes/9/")

    assert check.offenders() == [
        "parcours.imports (nom) : WARNING parcours.imports Import 5 : [nom] Hélène en doublon"
    ]


@pytest.mark.django_db
def test_the_check_is_running_in_this_session():
    assert RUN.collector is not None
    assert RUN.collector in logging.getLogger().handlers
    assert RUN.collector in logging.getLogger("django.server").handlers
    person = PersonFactory(last_name="Vérifiée", email="verifiee@example.org", phone="0320000000")
    assert person.nir[:13] in RUN.identifiers.nirs and "320000000" in RUN.identifiers.phones
    assert leaks("Vérifiée", RUN.identifiers)
