"""The NIR at rest (encrypted, found by its digest) and on screen (whole or masked by role)."""

import datetime
import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from parcours.accounts.models import PERSON_REGISTRAR_ROLES
from parcours.core.encryption import decrypt
from parcours.imports import duplicates
from parcours.imports.models import DuplicateCandidate
from parcours.people.identity import CERTAIN, Identity, resolve
from parcours.people.models import Person
from parcours.people.nir import mask_nir, nir_digest, nir_key, nir_with_key
from tests.accounts.factories import AgentFactory
from tests.api.sessions import bearer
from tests.conftest import login_verified
from tests.people.factories import PersonFactory
from tests.people.test_views import person_data

NIR13 = "2850559350123"
NIR = nir_with_key(NIR13)
OTHER_KEY = NIR13 + f"{(nir_key(NIR13) + 1) % 97:02d}"  # the same 13 characters, another key


def test_nirs_differing_only_by_their_key_share_one_digest():
    assert OTHER_KEY != NIR
    assert nir_digest(NIR) == nir_digest(NIR13) == nir_digest(OTHER_KEY) == nir_digest("2 85 05 59 350 123")
    assert nir_digest("2850559350124") != nir_digest(NIR)
    assert nir_digest("") == nir_digest("123") == ""


def test_masked_nir_keeps_sex_year_and_key_only():
    assert mask_nir("184057512345678") == "1 84 ** ** *** *** 78"
    assert mask_nir("1840575123456") == "1 84 ** ** *** ***"
    assert mask_nir("") == ""


@pytest.mark.django_db
def test_two_persons_whose_nirs_differ_only_by_the_key_are_one_person(logged_client, two_units):
    """Decision: the 13 first characters identify the person (the key only checks them). Search,
    identity resolution and imports find the existing person; the form refuses a second fiche."""
    known = PersonFactory(
        commune=two_units["commune_a"], nir=NIR13, birth_date=datetime.date(1985, 5, 12), sex="F"
    )

    assert list(Person.objects.with_nir(OTHER_KEY)) == [known]
    match = resolve(Identity("Autre", "Nom", None, nir=OTHER_KEY))
    assert (match.person, match.certainty) == (known, CERTAIN)

    response = logged_client.post(reverse("people:create"), person_data(two_units["commune_a"], nir=NIR))
    assert response.status_code == 200
    assert "Une autre personne est déjà enregistrée avec ce NIR" in response.content.decode()

    agent = AgentFactory(units=[two_units["unit_a"]], role="charge_orientation")
    payload = {
        "nom": "Lefebvre",
        "prenoms": "Claire",
        "date_naissance": "1985-05-12",
        "sexe": "F",
        "nir": NIR,
        "code_insee_commune": two_units["commune_a"].insee_code,
    }
    response = logged_client.post(
        "/api/v1/personnes/", data=json.dumps(payload), content_type="application/json", headers=bearer(agent)
    )
    assert response.status_code == 422
    assert "Une autre personne est déjà enregistrée avec ce NIR" in response.json()["erreurs"]["nir"][0]
    assert Person.objects.with_nir(NIR).count() == 1


@pytest.mark.django_db
def test_a_person_keeps_their_own_nir_on_edit(two_units):
    person = PersonFactory(
        commune=two_units["commune_a"], nir=NIR, birth_date=datetime.date(1985, 5, 12), sex="F"
    )
    person.full_clean()  # not a conflict with oneself
    person.nir = NIR13
    person.save(update_fields=["nir"])
    person.refresh_from_db()
    assert person.nir == NIR13 and person.nir_digest == nir_digest(NIR)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "whole"),
    [
        ("referent", True),
        ("charge_orientation", True),
        ("accueil", True),
        ("manager", True),
        ("administrateur", True),
        ("coach_emploi", False),
        ("instructeur_aides", False),
        ("relations_entreprises", False),
    ],
)
def test_person_page_and_api_show_the_whole_nir_only_to_roles_that_need_it(client, two_units, role, whole):
    agent = AgentFactory(units=[two_units["unit_a"]], role=role)
    person = PersonFactory(commune=two_units["commune_a"], nir=NIR)
    assert agent.may_see_full_nir is whole

    html = login_verified(client, agent).get(reverse("people:detail", args=[person.pk])).content.decode()
    api = client.get(f"/api/v1/personnes/{person.pk}", headers=bearer(agent)).json()

    if whole:
        assert "2 85 05 59 350 123" in html and api["nir"] == NIR
    else:
        assert NIR13[3:] not in html.replace(" ", "") and "2 85 ** ** *** ***" in html
        assert api["nir"] == mask_nir(NIR) and NIR13[3:] not in json.dumps(api)


@pytest.mark.django_db
def test_a_merge_keeps_the_duplicates_nir_encrypted(two_units):
    admin = AgentFactory(role="administrateur")
    kept = PersonFactory(commune=two_units["commune_a"], nir="", last_name="Dupont", first_names="Jean")
    duplicate = PersonFactory(
        commune=two_units["commune_a"],
        nir=NIR,
        last_name="Dupont",
        first_names="Jean",
        birth_date=kept.birth_date,
    )
    candidate = DuplicateCandidate.objects.create(person=kept, duplicate_id=duplicate.pk, reason="test")

    duplicates.merge(candidate, admin)
    candidate.refresh_from_db()
    stored = json.dumps(candidate.merge_data)
    assert NIR13 not in stored and decrypt(candidate.merge_data["duplicate"]["nir"]["__encrypted__"]) == NIR

    duplicates.undo(candidate, admin)
    assert Person.objects.get(pk=duplicate.pk).nir == NIR


@pytest.mark.django_db(transaction=True)
def test_the_migration_encrypts_existing_nirs_and_drops_the_clear_column():
    executor = MigrationExecutor(connection)
    before, after = [("people", "0006_address_outside_departement")], [("people", "0007_encrypt_nir")]
    executor.migrate(before)
    old_apps = executor.loader.project_state(before).apps
    OldPerson = old_apps.get_model("people", "Person")
    rows = [
        OldPerson.objects.create(last_name=f"Nom{n}", first_names="P", birth_date="1985-05-12", nir=nir)
        for n, nir in enumerate([NIR, NIR13, ""])
    ]

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)

    with connection.cursor() as cursor:
        columns = {c.name for c in connection.introspection.get_table_description(cursor, "people_person")}
        cursor.execute("SELECT nir_encrypted FROM people_person ORDER BY id")
        tokens = [row[0] for row in cursor.fetchall()]
    assert "nir" not in columns and {"nir_encrypted", "nir_digest"} <= columns
    assert tokens[2] == "" and all(NIR13 not in t for t in tokens)
    # The current model has the later migrations' columns: read it once they are applied.
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert [Person.objects.get(pk=p.pk).nir for p in rows] == [NIR, NIR13, ""]
    assert sorted(p.pk for p in Person.objects.with_nir(NIR)) == [rows[0].pk, rows[1].pk]


def test_no_template_prints_a_nir_without_masking_it():
    """Every `{{ … .nir … }}` of every template (pages, letters, messages) goes through `nir_for`,
    which masks it unless the agent may see it whole; a letter or a message has no agent: masked."""
    assert all(AgentFactory.build(role=role).may_see_full_nir for role in PERSON_REGISTRAR_ROLES)
    root = Path(settings.BASE_DIR) / "templates"
    printed = re.compile(r"\{\{[^}]*\.nir\b[^}]*\}\}")
    unmasked = [
        f"{path.relative_to(root)}: {match}"
        for path in root.rglob("*")
        if path.suffix in {".html", ".txt", ".md"}
        for match in printed.findall(path.read_text())
        # The person form's own field: only agents who may see the NIR whole edit persons.
        if "nir_for:request.user" not in match and not match.startswith("{{ form.nir")
    ]
    assert unmasked == []
