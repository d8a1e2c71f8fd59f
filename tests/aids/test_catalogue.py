"""The catalogue's versioning (`aids.catalogue`): an edit creates a new version when applications
point to the current one — they keep theirs —, edits in place otherwise; validation in French;
the demo catalogue's loader is idempotent."""

import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from parcours.aids import catalogue, workflows
from parcours.aids.models import Envelope, Scheme, SchemeVersion
from tests.aids.factories import EnvelopeFactory, SchemeVersionFactory, deposited, instructor
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db


def data(version: SchemeVersion, **changes) -> dict:
    values = {name: getattr(version, name) for name in catalogue.VERSION_FIELDS}
    return {**values, **changes}


def test_edit_without_applications_changes_the_version_in_place():
    version = SchemeVersionFactory(number=1)
    saved, created = catalogue.save_version(version.scheme, data(version, amount=Decimal("450")), by=None)
    assert (created, saved.pk, saved.number) == (False, version.pk, 1)
    assert SchemeVersion.objects.get(pk=version.pk).ceiling == Decimal("450")


def test_open_application_keeps_its_version_after_an_edit():
    version = SchemeVersionFactory(number=1, rules=[{"kind": "age", "min": 16, "max": 25}])
    EnvelopeFactory(scheme=version.scheme)
    person = PersonFactory(birth_date=datetime.date(2006, 5, 1))  # 20 years old
    application = deposited(person, version.scheme, requested_amount=Decimal("480"))
    start = datetime.date(2026, 6, 1)
    new, created = catalogue.save_version(
        version.scheme,
        data(version, valid_from=start, amount=Decimal("300"), rules=[{"kind": "age", "min": 18, "max": 19}]),
        by=None,
    )
    assert created and new.number == 2
    version.refresh_from_db()
    assert version.valid_until == datetime.date(2026, 5, 31)
    application.refresh_from_db()
    assert application.version_id == version.pk
    assert application.version.ceiling == Decimal("500.00")
    assert application.version.rules == [{"kind": "age", "min": 16, "max": 25}]
    # Its grant is judged by version 1: 480 € is within 500 €, and 20 is within 16–25 (not 18–19).
    workflows.apply(application, "start", by=instructor())
    workflows.grant(application, by=instructor())
    assert application.granted_amount == Decimal("480")
    assert version.scheme.version_on(datetime.date(2026, 7, 1)) == new
    assert version.scheme.version_on(datetime.date(2026, 5, 1)) == version


def test_new_version_must_start_after_the_current_one():
    version = SchemeVersionFactory(number=1, valid_from=datetime.date(2026, 1, 1))
    EnvelopeFactory(scheme=version.scheme)
    deposited(scheme=version.scheme)
    with pytest.raises(ValidationError) as raised:
        catalogue.save_version(version.scheme, data(version, valid_from=datetime.date(2025, 12, 1)), by=None)
    assert "la nouvelle version doit commencer après cette date" in str(raised.value)
    assert version.scheme.versions.count() == 1


def test_overlapping_periods_are_refused():
    scheme = SchemeVersionFactory(
        number=1, valid_from=datetime.date(2026, 1, 1), valid_until=datetime.date(2026, 12, 31)
    ).scheme
    old = SchemeVersionFactory(
        scheme=scheme, number=2, valid_from=datetime.date(2025, 1, 1), valid_until=datetime.date(2025, 12, 31)
    )
    # Editing version 1 (the latest) to start inside version 2's period.
    with pytest.raises(ValidationError) as raised:
        catalogue.save_version(scheme, data(old, valid_from=datetime.date(2025, 6, 1)), by=None)
    assert "chevauche une autre version" in str(raised.value)


@pytest.mark.parametrize(("changes", "field", "words"), [
    ({"amount_kind": "mensuel", "months": None}, "months", "nombre de mois"),
    ({"amount_kind": "par_unite", "max_items": None, "item_label": "leçon"}, "max_items", "nombre maximal"),
    ({"decider": "commission", "emergency_service_level_hours": 12}, "emergency_service_level_hours",
     "moins de 24 h"),
    ({"service_level_hours": 24, "emergency_service_level_hours": 48}, "emergency_service_level_hours",
     "ne peut pas dépasser"),
    ({"rules": [{"kind": "age", "min": 30, "max": 25}]}, "rules", "dépasse l'âge maximal"),
    ({"rules": [{"kind": "revenu_fiscal"}]}, "rules", "Critère inconnu"),
    ({"rules": [{"kind": "residence"}, {"kind": "residence"}]}, "rules", "qu'une fois"),
    ({"documents": [{"code": "rib", "label": "RIB"}, {"code": "rib", "label": "RIB"}]}, "documents", "deux fois"),
    ({"certificate_code": "certificat", "certificate_months": 12}, "certificate_code", "parmi les pièces"),
])  # fmt: skip
def test_invalid_versions_are_refused_with_french_messages(changes, field, words):
    version = SchemeVersionFactory(number=1)
    with pytest.raises(ValidationError) as raised:
        catalogue.save_version(version.scheme, data(version, **changes), by=None)
    assert words in " ".join(raised.value.message_dict[field])


def test_load_command_is_idempotent():
    out = StringIO()
    call_command("load_aid_schemes", "--with-envelopes", stdout=out)
    assert Scheme.objects.count() == 10
    assert "Fonds d'urgence — vie quotidienne : créé" in out.getvalue()
    fdaj = Scheme.objects.get(code="fdaj-urgence").versions.get()
    assert (fdaj.ceiling, fdaj.emergency_service_level_hours, fdaj.clock) == (
        Decimal("300.00"),
        48,
        "calendaire",
    )
    assert fdaj.rules[0] == {"kind": "age", "min": 16, "max": 25}
    grant = Scheme.objects.get(code="bourse-etudiants-ase").versions.get()
    assert (grant.amount_kind, grant.ceiling, grant.certificate_code) == (
        "mensuel",
        Decimal("2000.00"),
        "certificat_scolarite",
    )
    emergency_fund = Envelope.objects.filter(scheme__code__startswith="fonds-urgence")
    assert sum(e.amount for e in emergency_fund) == Decimal("1000000")
    counts = (Scheme.objects.count(), SchemeVersion.objects.count(), Envelope.objects.count())
    again = StringIO()
    call_command("load_aid_schemes", "--with-envelopes", stdout=again)
    assert (Scheme.objects.count(), SchemeVersion.objects.count(), Envelope.objects.count()) == counts
    assert "Rien à changer." in again.getvalue()
    assert "créé" not in again.getvalue()


def test_loader_versions_a_scheme_whose_rules_changed(tmp_path):
    call_command("load_aid_schemes", stdout=StringIO())
    scheme = Scheme.objects.get(code="fdaj-urgence")
    EnvelopeFactory(scheme=scheme)
    deposited(PersonFactory(birth_date=datetime.date(2005, 1, 1)), scheme)
    content = (
        (catalogue.DATA_FILE).read_text(encoding="utf-8").replace('"amount": "300.00"', '"amount": "350.00"')
    )
    path = tmp_path / "catalogue.json"
    path.write_text(content, encoding="utf-8")
    out = StringIO()
    call_command("load_aid_schemes", "--file", str(path), stdout=out)
    assert "version 2 créée" in out.getvalue()
    assert [v.ceiling for v in scheme.versions.order_by("number")] == [Decimal("300.00"), Decimal("350.00")]


def test_every_demo_version_is_valid():
    call_command("load_aid_schemes", stdout=StringIO())
    for version in SchemeVersion.objects.all():
        assert catalogue.version_errors(data(version)) == {}, version
