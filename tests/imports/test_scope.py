"""Imports, merges and household joins follow the access rule (findings of the security review)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from parcours.core.models import AuditAction, AuditEvent
from parcours.imports.models import DuplicateCandidate, ImportBatch, ImportRecord
from parcours.people.models import HouseholdMember, Person
from tests.accounts.factories import AgentFactory
from tests.api.sessions import bearer
from tests.conftest import login_verified
from tests.people.factories import HouseholdFactory, MemberFactory, PersonFactory
from tests.territory.factories import CommuneFactory, UnitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def sync_imports(settings, tmp_path):
    settings.PARCOURS_IMPORTS_SYNC = True
    settings.VAR_DIR = tmp_path


@pytest.fixture
def units(departement):
    mine = UnitFactory(departement=departement, code="M", name="Mon unité")
    other = UnitFactory(departement=departement, code="O", name="Autre unité")
    return {
        "mine": mine,
        "other": other,
        "my_commune": CommuneFactory(
            departement=departement, unit=mine, insee_code="59350", postal_codes="59000", name="Lille"
        ),
        "other_commune": CommuneFactory(
            departement=departement, unit=other, insee_code="59599", postal_codes="59200", name="Tourcoing"
        ),
    }


@pytest.fixture
def charge(units):
    return AgentFactory(role="charge_orientation", units=[units["mine"]])


def _upload(client, text: str):
    upload = SimpleUploadedFile("benef.csv", text.encode())
    return client.post(reverse("imports:index"), {"kind": "people", "file_format": "csv", "file": upload})


HEADER = "NIR;Nom;Prénom;Date de naissance;CP Ville\n"


def test_an_import_cannot_take_over_a_person_of_another_unit(client, units, charge):
    victim = PersonFactory(commune=units["other_commune"])
    login_verified(client, charge)
    row = f"{victim.nir};{victim.last_name};{victim.first_names};{victim.birth_date:%d/%m/%Y};59000 Lille\n"

    _upload(client, HEADER + row)

    victim.refresh_from_db()
    assert victim.commune == units["other_commune"]  # not moved into the uploader's unit
    record = ImportRecord.objects.get()
    assert record.status == "quarantined"
    assert "autre unité territoriale" in record.reason
    assert not AuditEvent.objects.filter(person=victim, action=AuditAction.UPDATE).exists()


def test_an_import_may_not_move_a_visible_person_out_of_the_agents_units(client, units, charge):
    person = PersonFactory(commune=units["my_commune"])
    login_verified(client, charge)
    row = (
        f"{person.nir};{person.last_name};{person.first_names};{person.birth_date:%d/%m/%Y};59200 Tourcoing\n"
    )

    _upload(client, HEADER + row)

    person.refresh_from_db()
    assert person.commune == units["my_commune"]
    assert "hors de vos unités" in ImportRecord.objects.get().reason


def test_an_import_creates_only_in_the_agents_units_and_audits_each_person(client, units, charge):
    login_verified(client, charge)
    _upload(
        client,
        "Nom;Prénom;Date de naissance;CP Ville\n"
        "Durand;Léa;01/02/1990;59000 Lille\n"
        "Petit;Marc;03/04/1985;59200 Tourcoing\n",
    )
    created = Person.objects.get()
    assert created.last_name.upper() == "DURAND"
    statuses = dict(ImportRecord.objects.values_list("line", "status"))
    assert sorted(statuses.values()) == ["created", "quarantined"]
    event = AuditEvent.objects.get(person=created, action=AuditAction.CREATE)
    assert event.agent == charge and event.detail["import_batch"] == ImportBatch.objects.get().pk
    assert "last_name" in event.detail["fields"]


def test_an_import_updating_a_visible_person_audits_the_fields_changed(client, units, charge):
    person = PersonFactory(commune=units["my_commune"], phone="")
    login_verified(client, charge)
    row = f"{person.nir};{person.last_name};{person.first_names};{person.birth_date:%d/%m/%Y};59000 Lille;0612345678\n"
    _upload(client, HEADER.replace("\n", ";Téléphone\n") + row)
    person.refresh_from_db()
    assert person.phone
    event = AuditEvent.objects.get(person=person, action=AuditAction.UPDATE)
    assert event.detail["fields"] == ["phone"]


def test_an_import_does_not_join_a_household_with_members_out_of_scope(client, units, charge):
    household = HouseholdFactory(caf_number="7654321", organism="CAF")
    MemberFactory(household=household, person=PersonFactory(commune=units["other_commune"]))
    login_verified(client, charge)
    _upload(
        client,
        "Nom;Prénom;Date de naissance;CP Ville;Numéro allocataire\nDurand;Léa;01/02/1990;59000 Lille;7654321\n",
    )
    created = Person.objects.get(last_name__iexact="durand")
    assert not HouseholdMember.objects.filter(person=created).exists()
    assert "hors de votre périmètre" in ImportRecord.objects.get().reason


def test_import_reports_are_for_their_creator_their_managers_and_administrators(client, units, charge):
    other_charge = AgentFactory(role="charge_orientation", units=[units["other"]])
    batch = ImportBatch.objects.create(
        kind="people", file_name="f.csv", sha256="x", status="done", created_by=other_charge
    )
    ImportRecord.objects.create(batch=batch, position=0, status="quarantined", reason="Nom : DUPONT")
    login_verified(client, charge)
    for name in ("imports:detail", "imports:rejected"):
        assert client.get(reverse(name, args=[batch.pk])).status_code == 404
    assert AuditEvent.objects.filter(agent=charge, action=AuditAction.DENIED).count() == 2
    api = client.get(f"/api/v1/imports/{batch.pk}", headers=bearer(charge))
    assert api.status_code == 404
    assert client.get("/api/v1/imports/", headers=bearer(charge)).json() == []

    manager_of_other = AgentFactory(role="manager", units=[units["other"]])
    login_verified(client, manager_of_other)
    assert client.get(reverse("imports:detail", args=[batch.pk])).status_code == 200
    admin = AgentFactory(role="administrateur")
    assert client.get(f"/api/v1/imports/{batch.pk}", headers=bearer(admin)).status_code == 200


def test_only_administrators_may_import_the_cnaf_flux(client, units, charge):
    login_verified(client, charge)
    upload = SimpleUploadedFile("flux.xml", b"<x/>")
    response = client.post(reverse("imports:index"), {"kind": "cnaf", "file": upload})
    assert response.status_code == 200  # the form answers with an error
    assert not ImportBatch.objects.exists()


def test_a_merge_needs_both_persons_in_scope(client, units, charge):
    mine = PersonFactory(commune=units["my_commune"], nir="")
    theirs = PersonFactory(
        commune=units["other_commune"],
        nir="",
        last_name=mine.last_name,
        first_names=mine.first_names,
        birth_date=mine.birth_date,
    )
    pair = DuplicateCandidate.objects.create(person=mine, duplicate_id=theirs.pk, reason="noms")
    login_verified(client, charge)

    client.post(reverse("imports:duplicate_decide", args=[pair.pk, "fusionner"]))

    assert Person.objects.filter(pk=theirs.pk).exists()
    pair.refresh_from_db()
    assert pair.status == "pending"
    assert AuditEvent.objects.filter(agent=charge, action=AuditAction.DENIED).exists()


def test_joining_a_dossier_of_another_unit_is_refused(client, units, charge):
    person = PersonFactory(commune=units["my_commune"])
    household = HouseholdFactory(caf_number="1234567", organism="CAF")
    MemberFactory(household=household, person=PersonFactory(commune=units["other_commune"]))
    login_verified(client, charge)

    client.post(
        reverse("people:household_add", args=[person.pk]),
        {"organism": "CAF", "caf_number": "1234567", "role": "conjoint"},
    )

    assert not HouseholdMember.objects.filter(person=person).exists()
