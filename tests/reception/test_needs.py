"""The needs referential: shipped data, idempotent loading, tree, form fields, administration page."""

import json
from pathlib import Path

import pytest
from django import forms
from django.core.management import call_command
from django.urls import reverse

from parcours.reception.models import Need, NeedSituation, NeedTheme
from parcours.reception.needs import NeedChoiceField, NeedMultipleChoiceField, tree
from parcours.reception.needs_loader import DATA_FILE, NeedsDataError, load_needs, read_referential
from tests.accounts.factories import AgentFactory
from tests.conftest import login_verified

PERIPHERAL = {"logement", "mobilite", "enfance", "sante", "numerique", "budget"}
DOCS = Path(__file__).resolve().parents[2] / "docs" / "needs.md"


def _document() -> dict:
    return json.loads(DATA_FILE.read_text(encoding="utf-8"))


def _write(tmp_path, document) -> Path:
    path = tmp_path / "needs.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.mark.django_db
def test_the_migration_loads_the_shipped_referential():
    assert NeedTheme.objects.count() == 13
    assert Need.objects.filter(active=True).count() == sum(
        len(s["needs"]) for t in _document()["themes"] for s in t["situations"]
    )
    assert (
        set(NeedTheme.objects.filter(is_peripheral_barrier=True).values_list("code", flat=True)) == PERIPHERAL
    )
    housing = NeedTheme.objects.get(code="logement")
    assert housing.label == "Logement et hébergement"
    assert housing.data_inclusion_thematique == "logement-hebergement"
    assert not NeedTheme.objects.filter(data_inclusion_thematique="").exists()


def test_the_source_is_named_in_the_data_and_the_docs():
    assert "carnet-de-bord" in _document()["source"]
    assert "carnet-de-bord" in DOCS.read_text(encoding="utf-8")


@pytest.mark.django_db
def test_loading_twice_changes_nothing():
    report = load_needs()
    assert not report.changed
    assert report.unchanged["needs"] == Need.objects.count()


@pytest.mark.django_db
def test_a_reload_updates_labels_deactivates_removed_entries_and_reactivates_returning_ones(tmp_path):
    document = _document()
    situation = document["themes"][2]["situations"][0]
    situation["needs"][0]["label"] = "Trouver une mise à l'abri le soir même"
    removed = situation["needs"].pop(1)["code"]
    removed_theme = document["themes"].pop()["code"]
    report = load_needs(read_referential(_write(tmp_path, document)))

    assert report.updated["needs"] == 1
    assert report.deactivated == {"themes": 1, "situations": 3, "needs": 6}
    assert (
        Need.objects.get(code="logement-hebergement-urgence").label
        == "Trouver une mise à l'abri le soir même"
    )
    gone = Need.objects.get(code=removed)  # kept for whatever points at it, only deactivated
    assert not gone.active
    assert not NeedTheme.objects.get(code=removed_theme).active
    assert removed not in {n.code for t in tree() for s in t.situations_shown for n in s.needs_shown}

    again = load_needs()
    assert Need.objects.get(code=removed).active
    assert again.deactivated == {"themes": 0, "situations": 0, "needs": 0}
    assert Need.objects.get(code="logement-hebergement-urgence").label == "Trouver un hébergement d'urgence"


@pytest.mark.django_db
def test_a_new_entry_and_a_moved_need_are_loaded(tmp_path):
    document = _document()
    mobility = document["themes"][5]
    mobility["situations"][0]["needs"].append(
        {"code": "mobilite-deux-roues", "label": "Obtenir un deux-roues"}
    )
    moved = document["themes"][0]["situations"][0]["needs"].pop(0)
    mobility["situations"][1]["needs"].append(moved)
    load_needs(read_referential(_write(tmp_path, document)))
    assert Need.objects.get(code="mobilite-deux-roues").situation.code == "mobilite-sans-permis"
    assert Need.objects.get(code=moved["code"]).situation.code == "mobilite-sans-moyen"


def test_a_code_used_twice_is_refused_with_its_place(tmp_path):
    document = _document()
    document["themes"][1]["situations"][0]["needs"][0]["code"] = "logement-impayes"
    with pytest.raises(NeedsDataError, match="« logement-impayes » est utilisé deux fois"):
        read_referential(_write(tmp_path, document))


def test_a_file_without_source_is_refused(tmp_path):
    with pytest.raises(NeedsDataError, match="source"):
        read_referential(_write(tmp_path, {"themes": []}))


@pytest.mark.django_db
def test_the_command_reports_and_is_idempotent(capsys):
    Need.objects.filter(code="sante-bilan").update(label="Ancien libellé")
    call_command("load_needs", "--json")
    assert json.loads(capsys.readouterr().out)["updated"]["needs"] == 1
    call_command("load_needs")
    assert "Rien à changer." in capsys.readouterr().out


@pytest.mark.django_db
def test_the_tree_is_ordered_and_takes_three_queries(django_assert_num_queries):
    with django_assert_num_queries(3):
        themes = tree()
        labels = [
            (t.code, [(s.code, [n.code for n in s.needs_shown]) for s in t.situations_shown]) for t in themes
        ]
    assert labels[0][0] == "acces-droits"
    assert labels[2][1][0] == (
        "logement-sans-domicile",
        ["logement-hebergement-urgence", "logement-hebergement-insertion"],
    )
    assert len(themes) == 13


@pytest.mark.django_db
def test_the_need_field_groups_needs_by_theme_and_situation(django_assert_num_queries):
    with django_assert_num_queries(0):  # declaring a form runs no query

        class Diagnosis(forms.Form):
            need = NeedChoiceField(label="Besoin")
            others = NeedMultipleChoiceField(label="Autres besoins", required=False)

    Need.objects.filter(code="sante-bilan").update(active=False)
    html = str(Diagnosis()["need"])
    assert '<optgroup label="Mobilité · Sans permis de conduire ou permis non valide">' in html
    assert "Obtenir le code ou le permis de conduire" in html
    assert "Faire un bilan de santé" not in html

    permit = Need.objects.get(code="mobilite-permis")
    form = Diagnosis({"need": permit.pk, "others": [Need.objects.get(code="numerique-materiel").pk]})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["need"] == permit
    assert [n.code for n in form.cleaned_data["others"]] == ["numerique-materiel"]
    refused = Diagnosis({"need": Need.objects.get(code="sante-bilan").pk})
    assert not refused.is_valid()
    assert "need" in refused.errors


@pytest.fixture
def admin_client(client, db):
    return login_verified(client, AgentFactory(role="administrateur"))


@pytest.mark.django_db
def test_the_administration_page_lists_the_referential(admin_client, django_assert_max_num_queries):
    Need.objects.filter(code="sante-bilan").update(active=False)
    with django_assert_max_num_queries(12):
        response = admin_client.get(reverse("reception:needs"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Référentiel des besoins" in html
    assert "Enfance et garde d&#x27;enfants" in html or "Enfance et garde d'enfants" in html
    assert "Faire un bilan de santé" in html and "inactif" in html
    assert reverse("reception:needs") in admin_client.get(reverse("administration:agents")).content.decode()


@pytest.mark.django_db
def test_the_referential_exports_in_csv(admin_client):
    response = admin_client.get(reverse("reception:needs"), {"export": "csv", "tri": "code"})
    assert response.status_code == 200
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Thématique;Situation;Besoin;Code;Frein périphérique")
    assert len(lines) == Need.objects.count() + 1
    assert any(";mobilite-permis;oui;mobilite;" in line for line in lines)


@pytest.mark.django_db
def test_the_page_is_refused_to_a_referent(client):
    login_verified(client, AgentFactory(role="referent"))
    assert client.get(reverse("reception:needs")).status_code == 403


@pytest.mark.django_db
def test_a_need_in_use_cannot_be_deleted_through_its_situation():
    situation = NeedSituation.objects.get(code="mobilite-sans-permis")
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        situation.delete()
