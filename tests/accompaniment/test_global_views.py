"""The accompagnement global's screens: the pair's start, the pair's page, the diagnosis, the
plan (inline status with and without htmx, abandon after confirmation), my actions, targets."""

import datetime
import html

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from parcours.accompaniment import action_plan, diagnosis, pairs
from parcours.accompaniment.models import Accompaniment, Programme
from parcours.accompaniment.plans import Action, ActionStatus, Diagnosis, DiagnosisStatus, ProgrammeTarget
from parcours.accounts.models import OrganisationKind
from parcours.core.models import AuditAction, AuditEvent
from parcours.people.models import Follow
from parcours.reception.models import Need, NeedTheme
from tests.accompaniment.factories import oriented_person
from tests.accounts.factories import AgentFactory, OrganisationFactory
from tests.conftest import login_verified

TODAY = timezone.localdate()
START = TODAY - datetime.timedelta(days=30)


@pytest.fixture
def world(two_units, departement):
    cd = OrganisationFactory(
        name="Département du Nord", kind=OrganisationKind.DEPARTEMENT, departement=departement
    )
    ft = OrganisationFactory(
        name="France Travail Lille", kind=OrganisationKind.FRANCE_TRAVAIL, departement=departement
    )
    social = AgentFactory(role="referent", organisation=cd, units=[two_units["unit_a"]], last_name="Social")
    colleague = AgentFactory(
        role="referent", organisation=cd, units=[two_units["unit_a"]], last_name="Collègue"
    )
    adviser = AgentFactory(role="referent", organisation=ft, units=[], last_name="Conseiller")
    person = oriented_person(
        START - datetime.timedelta(days=5), commune=two_units["commune_a"], last_name="Aubert"
    )
    return {"social": social, "colleague": colleague, "adviser": adviser, "person": person, **two_units}


@pytest.fixture
def acc(world):
    return pairs.start_pair(world["person"], world["social"], world["adviser"], on=START, by=world["social"])


def text(response) -> str:
    """The page's text with its entities decoded (Django escapes apostrophes)."""
    return html.unescape(response.content.decode())


def _url(name, *args):
    return reverse(f"accompaniment:{name}", args=args)


@pytest.mark.django_db
def test_start_refuses_a_same_organisation_colleague_then_starts_the_pair(client, world):
    login_verified(client, world["social"])
    url = _url("global_start", world["person"].pk)
    page = client.get(url)
    assert page.status_code == 200
    assert '<optgroup label="France Travail Lille">' in text(page)
    refused = client.post(
        url, {"first": world["social"].pk, "second": world["colleague"].pk, "on": START.isoformat()}
    )
    assert refused.status_code == 200
    assert "deux organisations différentes" in text(refused)
    assert not Accompaniment.objects.exists()
    response = client.post(
        url, {"first": world["social"].pk, "second": world["adviser"].pk, "on": START.isoformat()}
    )
    accompaniment = Accompaniment.objects.get()
    assert response.status_code == 302 and response["Location"] == _url("global_detail", accompaniment.pk)
    assert accompaniment.programme == Programme.GLOBAL
    assert set(Follow.objects.filter(person=world["person"]).values_list("agent", flat=True)) == {
        world["social"].pk,
        world["adviser"].pk,
    }


@pytest.mark.django_db
def test_the_pair_page_is_editable_by_the_pair_and_read_only_for_others(
    client, world, acc, django_assert_max_num_queries
):
    def plan(name):
        objective = action_plan.add_objective(acc, title=name, needs=[_need("logement")], by=world["social"])
        for title in ("Demande de logement", "Visite", "Dossier FSL"):
            action_plan.add_action(
                objective, title=f"{title} {name}", owner=world["adviser"], due_on=TODAY, by=world["social"]
            )

    plan("Se loger")
    login_verified(client, world["adviser"])
    with CaptureQueriesContext(connection) as one_objective:
        client.get(_url("global_detail", acc.pk))
    assert len(one_objective) <= 20  # session, agent, person, audit, referents, diagnosis, plan, needs
    plan("Se soigner")
    plan("Se déplacer")
    with django_assert_max_num_queries(len(one_objective)):  # no query per objective or action
        page = client.get(_url("global_detail", acc.pk))
    body = text(page)
    assert page.status_code == 200
    assert "Ajouter un objectif" in body and "Marquer faite" in body and 'id="read-only"' not in body
    assert "Logement" in body and "Mobilité" in body  # every frein périphérique is listed

    # A colleague of the unit sees the person, and the plan read-only.
    client.logout()
    login_verified(client, world["colleague"])
    body = text(client.get(_url("global_detail", acc.pk)))
    assert 'id="read-only"' in body and "Demande de logement" in body
    assert "Ajouter un objectif" not in body and "Marquer faite" not in body
    action = Action.objects.get(title="Visite Se loger")
    assert client.post(_url("global_action_status", action.pk), {"status": "faite"}).status_code == 403
    assert AuditEvent.objects.filter(
        agent=world["colleague"], action=AuditAction.DENIED, person=world["person"]
    ).exists()
    action.refresh_from_db()
    assert action.status == ActionStatus.TODO

    # An agent of another unit does not see the person at all.
    client.logout()
    login_verified(client, AgentFactory(role="referent", units=[world["unit_b"]]))
    assert client.get(_url("global_detail", acc.pk)).status_code == 404
    assert AuditEvent.objects.filter(action=AuditAction.DENIED, person=world["person"]).exists()


def _diagnosis_post(rows: dict, validate: bool) -> dict:
    data = {"on": TODAY.isoformat(), "valider": "1" if validate else "0"}
    for theme in NeedTheme.objects.filter(active=True):
        level, need, comment = rows.get(theme.code, ("", None, ""))
        data[f"level_{theme.pk}"] = level
        data[f"need_{theme.pk}"] = need.pk if need else ""
        data[f"comment_{theme.pk}"] = comment
    return data


def _need(code):
    return Need.objects.filter(situation__theme__code=code, active=True).order_by("position", "pk").first()


@pytest.mark.django_db
def test_the_diagnosis_form_names_the_missing_barriers_then_validates(client, world, acc):
    login_verified(client, world["social"])
    url = _url("global_diagnosis", acc.pk)
    assert client.get(url).status_code == 200
    partial = {"logement": ("important", _need("logement"), "Hébergée chez sa sœur")}
    refused = client.post(url, _diagnosis_post(partial, validate=True))
    assert refused.status_code == 200 and "Mobilité" in text(refused)
    assert client.post(url, _diagnosis_post(partial, validate=False)).status_code == 302
    assert Diagnosis.objects.get().status == DiagnosisStatus.DRAFT
    barriers = {t.code: ("aucun", None, "") for t in NeedTheme.objects.filter(is_peripheral_barrier=True)}
    barriers |= partial | {"mobilite": ("leger", _need("mobilite"), "")}
    assert client.post(url, _diagnosis_post(barriers, validate=True)).status_code == 302
    validated = Diagnosis.objects.get()
    assert validated.status == DiagnosisStatus.VALIDATED
    assert validated.items.get(theme__code="mobilite").need == _need("mobilite")
    page = text(client.get(_url("global_detail", acc.pk)))
    assert "Hébergée chez sa sœur" in page and "Frein important" in page


@pytest.mark.django_db
def test_objective_and_action_forms_then_status_with_and_without_htmx(client, world, acc):
    login_verified(client, world["social"])
    response = client.post(_url("global_objective_create", acc.pk), {"title": "Se déplacer"})
    assert response.status_code == 302
    objective = acc.objectives.get()
    create = _url("global_action_create", objective.pk)
    prefix = f"o{objective.pk}"
    early = {f"{prefix}-title": "Permis", f"{prefix}-owner": world["adviser"].pk}
    early[f"{prefix}-due_on"] = (START - datetime.timedelta(days=1)).isoformat()
    refused = client.post(create, early)
    assert refused.status_code == 400 and "précède le début de l'accompagnement" in text(refused)
    early[f"{prefix}-due_on"] = TODAY.isoformat()
    assert client.post(create, early).status_code == 302
    action = Action.objects.get()
    status_url = _url("global_action_status", action.pk)

    row = client.post(status_url, {"status": "en_cours"}, headers={"HX-Request": "true"})
    assert row.status_code == 200 and 'data-action-status="en_cours"' in text(row)
    assert "<html" not in text(row)
    plain = client.post(status_url, {"status": "faite"})
    assert plain.status_code == 302 and plain["Location"].endswith(f"#action-{action.pk}")
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE and action.done_on == TODAY


@pytest.mark.django_db
def test_abandoning_an_action_asks_for_a_confirmation(client, world, acc):
    objective = action_plan.add_objective(acc, title="Budget", by=world["social"])
    action = action_plan.add_action(
        objective, title="Dossier de surendettement", owner=world["social"], due_on=TODAY, by=world["social"]
    )
    login_verified(client, world["adviser"])
    response = client.post(_url("global_action_status", action.pk), {"status": "abandonnee"})
    confirm = _url("global_action_abandon", action.pk)
    assert response.status_code == 302 and response["Location"] == confirm
    htmx = client.post(
        _url("global_action_status", action.pk), {"status": "abandonnee"}, headers={"HX-Request": "true"}
    )
    assert htmx["HX-Redirect"] == confirm
    action.refresh_from_db()
    assert action.status == ActionStatus.TODO
    page = client.get(confirm)
    assert "Abandonner l'action « Dossier de surendettement » ?" in text(page)
    client.post(confirm)
    action.refresh_from_db()
    assert action.status == ActionStatus.ABANDONED


@pytest.mark.django_db
def test_my_actions_lists_mine_with_the_due_filter(client, world, acc, django_assert_max_num_queries):
    objective = action_plan.add_objective(acc, title="Emploi", by=world["social"])
    action_plan.add_action(
        objective, title="Refaire le CV", owner=world["adviser"], due_on=START, by=world["social"]
    )
    action_plan.add_action(
        objective,
        title="Salon de l'emploi",
        owner=world["adviser"],
        due_on=TODAY + datetime.timedelta(days=3),
        by=world["social"],
    )
    action_plan.add_action(
        objective, title="Pas la mienne", owner=world["social"], due_on=TODAY, by=world["social"]
    )
    for extra in range(5):
        other = oriented_person(START - datetime.timedelta(days=5), commune=world["commune_a"])
        other_acc = pairs.start_pair(other, world["social"], world["adviser"], on=START, by=world["social"])
        goal = action_plan.add_objective(other_acc, title=f"But {extra}", by=world["social"])
        action_plan.add_action(
            goal,
            title=f"Action {extra}",
            owner=world["adviser"],
            due_on=TODAY + datetime.timedelta(days=60),
            by=world["social"],
        )
    login_verified(client, world["adviser"])
    url = _url("global_my_actions")
    with django_assert_max_num_queries(20):
        body = text(client.get(url))
    assert "Refaire le CV" in body and "Salon de l'emploi" in body and "Action 4" in body
    assert "Pas la mienne" not in body
    late = text(client.get(url, {"echeance": "retard"}))
    assert "Refaire le CV" in late and "Salon de l'emploi" not in late
    soon = text(client.get(url, {"echeance": "bientot"}))
    assert "Salon de l'emploi" in soon and "Refaire le CV" not in soon
    assert AuditEvent.objects.filter(
        agent=world["adviser"], action=AuditAction.VIEW, person=world["person"]
    ).exists()


@pytest.mark.django_db
def test_the_administrator_sets_the_target_and_the_dashboard_shows_the_count(client, world, acc):
    admin = AgentFactory(role="administrateur")
    login_verified(client, admin)
    url = _url("global_targets")
    response = client.post(url, {"programme": "global", "year": TODAY.year, "target_persons": 40})
    assert response.status_code == 302
    assert ProgrammeTarget.objects.get().target_persons == 40
    body = text(client.get(url))
    assert (
        f'id="target-global-{TODAY.year}"' in body and "1 personne" in body and "sur une cible de 40" in body
    )
    dashboard = text(client.get(reverse("indicators:dashboard")))
    assert 'id="programme-targets"' in dashboard

    client.logout()
    login_verified(client, world["social"])
    assert client.get(url).status_code == 403


@pytest.mark.django_db
def test_the_target_card_tag(world, acc):
    from django.template import Context, Template

    ProgrammeTarget.objects.create(programme="global", year=START.year, target_persons=4)
    body = Template("{% load global_targets %}{% programme_target_card end %}").render(
        Context({"end": START})
    )
    assert "1 personne" in body and "(25 %)" in body
    assert diagnosis.current(acc) is None


@pytest.mark.django_db
def test_editing_an_action_keeps_its_history_and_objectives_close(client, world, acc):
    objective = action_plan.add_objective(acc, title="Santé", by=world["social"])
    action = action_plan.add_action(
        objective, title="Bilan de santé", owner=world["social"], due_on=TODAY, by=world["social"]
    )
    login_verified(client, world["adviser"])
    url = _url("global_action_edit", action.pk)
    later = TODAY + datetime.timedelta(days=20)
    data = {
        "title": "Bilan de santé CPAM",
        "owner": "",
        "partner": "CPAM de Lille",
        "due_on": later.isoformat(),
    }
    assert client.post(url, data).status_code == 302
    action.refresh_from_db()
    assert (action.title, action.owner, action.partner, action.due_on) == (
        "Bilan de santé CPAM",
        None,
        "CPAM de Lille",
        later,
    )
    body = text(client.get(url))
    assert "CPAM de Lille (partenaire)" in body and "échéance" in body and str(world["adviser"]) in body
    both = client.post(url, data | {"owner": world["social"].pk})
    assert "un seul porteur" in text(both)

    assert (
        client.post(_url("global_objective_status", objective.pk), {"status": "atteint"}).status_code == 302
    )
    objective.refresh_from_db()
    assert objective.status == "atteint"
    page = text(client.get(_url("global_detail", acc.pk)))
    assert "Rouvrir l'objectif" in page and "Ajouter une action à cet objectif" not in page
