"""The daily retention task: archive, anonymise, never a person with something open."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from parcours.indicators.stats import compute
from parcours.orientation.models import Contract
from parcours.people.models import Household, Person, PersonEvent
from parcours.privacy import lifecycle
from parcours.privacy.models import PersonArchive, RetentionRun, RunStatus
from parcours.privacy.restriction import set_restriction
from parcours.privacy.tasks import run_retention
from tests.accounts.factories import AgentFactory
from tests.conftest import login_verified
from tests.orientation.factories import FollowUpFactory
from tests.people.factories import PersonFactory

Y2019 = (datetime.date(2019, 1, 1), datetime.date(2019, 12, 31))


def test_a_recent_person_stays_active(old_person):
    counts = run_retention()
    assert counts["persons"].get("archived", 0) == 0
    assert not PersonArchive.objects.exists()


def test_an_inactive_person_is_archived_then_anonymised(old_person, later):
    Contract.objects.create(
        person=old_person,
        kind="cer",
        objectives="Retrouver un logement près de sa fille",
        starts_on=datetime.date(2019, 4, 1),
        ends_on=datetime.date(2019, 10, 1),
        signed_at=timezone.make_aware(datetime.datetime(2019, 4, 1)),
    )
    events_before = PersonEvent.objects.filter(person=old_person).count()
    counts = run_retention(later)
    assert counts["persons"] == {"reactivated": 0, "archived": 1, "anonymised": 1}
    person = Person.objects.get(pk=old_person.pk)
    assert (person.last_name, person.first_names, person.email, person.phone) == (
        "ANONYME",
        "Personne",
        "",
        "",
    )
    assert person.nir == "" and person.address == "" and person.search_names == ""
    assert person.birth_date == old_person.birth_date  # kept for the indicators (pseudonymised)
    assert Household.objects.get(memberships__person=person).caf_number == ""
    assert Contract.objects.get(person=person).objectives == ""
    assert PersonEvent.objects.filter(person=person).count() == events_before
    run = RetentionRun.objects.get()
    assert run.status == RunStatus.DONE
    assert (
        run.counts["categories"]["personne"] >= 2 and run.counts["categories"]["accompagnement_contrats"] == 1
    )
    assert old_person.last_name not in str(run.counts)


def _figures():
    result = compute(*Y2019, deadline_days=21)
    result["period"].pop("computed_at")
    return result


def test_the_indicators_are_the_same_after_anonymisation(old_person, later):
    before = _figures()
    assert before["entrants"]["count"] == 1
    run_retention(later)
    assert lifecycle.status_of(old_person) == "anonymise"
    assert _figures() == before


def test_an_open_followup_keeps_the_person_in_the_active_base(old_person, departement, later):
    FollowUpFactory(person=old_person, departement=departement, rights_opened_on=datetime.date(2019, 3, 1))
    run_retention(later)
    assert lifecycle.status_of(old_person) == "actif"
    assert Person.objects.get(pk=old_person.pk).last_name == old_person.last_name


def test_an_active_follow_or_a_restriction_also_protects(old_person, two_units, later):
    other = PersonFactory(commune=two_units["commune_a"])
    agent = AgentFactory(role="referent", units=[two_units["unit_a"]])
    other.follows.create(agent=agent, kind="referent")
    set_restriction(old_person, reason="Exactitude contestée", by=agent)
    run_retention(later)
    assert lifecycle.status_of(old_person) == "actif"
    assert lifecycle.status_of(other) == "actif"


def test_the_periods_come_from_the_settings(old_person, settings):
    soon = timezone.now() + datetime.timedelta(days=40)
    run_retention(soon)
    assert lifecycle.status_of(old_person) == "actif"
    settings.PARCOURS_RETENTION = {code: {"active_days": 30, "archive_days": 3650} for code in _codes()}
    run_retention(soon)
    assert lifecycle.status_of(old_person) == "archive"
    settings.PARCOURS_RETENTION = {code: {"active_days": 30, "archive_days": 5} for code in _codes()}
    run_retention(soon)
    assert lifecycle.status_of(old_person) == "anonymise"


def _codes():
    from parcours.privacy.categories import BY_CODE

    return list(BY_CODE)


def test_an_archived_person_with_new_activity_comes_back(old_person, settings):
    settings.PARCOURS_RETENTION = {code: {"active_days": 30, "archive_days": 3650} for code in _codes()}
    soon = timezone.now() + datetime.timedelta(days=40)
    run_retention(soon)
    assert lifecycle.status_of(old_person) == "archive"
    PersonEvent.objects.create(person=old_person, kind="rsa.demande", occurred_at=soon, source="test")
    counts = run_retention(soon)
    assert counts["persons"]["reactivated"] == 1
    assert lifecycle.status_of(old_person) == "actif"


def test_an_archived_person_is_hidden_from_agents_but_not_from_administrators(
    client, old_person, accueil, admin, settings
):
    settings.PARCOURS_RETENTION = {code: {"active_days": 0, "archive_days": 3650} for code in _codes()}
    run_retention(timezone.now() + datetime.timedelta(days=1))
    assert lifecycle.status_of(old_person) == "archive"
    login_verified(client, accueil)
    assert client.get(reverse("people:detail", args=[old_person.pk])).status_code == 404
    client.logout()
    login_verified(client, admin)
    assert client.get(reverse("people:detail", args=[old_person.pk])).status_code == 200


def test_purge_while_an_agent_has_the_page_open(client, old_person, accueil, later, monkeypatch):
    """An agent's page being composed when the person is archived and anonymised: the page ends
    cleanly; the next request answers 404 (no longer in the agent's scope), not an error."""
    from parcours.people import views

    original = views.panels_for

    def purge_meanwhile(person, agent):
        run_retention(later)
        return original(person, agent)

    monkeypatch.setattr(views, "panels_for", purge_meanwhile)
    login_verified(client, accueil)
    assert client.get(reverse("people:detail", args=[old_person.pk])).status_code == 200
    monkeypatch.setattr(views, "panels_for", original)
    assert client.get(reverse("people:detail", args=[old_person.pk])).status_code == 404
    assert client.get(reverse("privacy:access_json", args=[old_person.pk])).status_code == 404


def test_purge_while_the_person_page_is_composed_answers_cleanly(
    client, old_person, admin, later, monkeypatch
):
    """The retention task runs between the page's first read of the person and the rest."""
    from parcours.people import views

    original = views.panels_for

    def purge_meanwhile(person, agent):
        run_retention(later)
        return original(person, agent)

    monkeypatch.setattr(views, "panels_for", purge_meanwhile)
    login_verified(client, admin)
    response = client.get(reverse("people:detail", args=[old_person.pk]))
    assert response.status_code == 200
    assert lifecycle.status_of(old_person) == "anonymise"
    monkeypatch.setattr(views, "panels_for", original)
    response = client.get(reverse("people:detail", args=[old_person.pk]))
    assert response.status_code == 200
    assert old_person.last_name not in response.content.decode()


def test_a_run_resumes_after_an_interruption(two_units, later, monkeypatch):
    persons = [PersonFactory(commune=two_units["commune_a"]) for _ in range(5)]
    calls = {"n": 0}
    original = lifecycle.anonymise

    def fail_second(ids, *, now):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("coupure")
        return original(ids, now=now)

    monkeypatch.setattr(lifecycle, "anonymise", fail_second)
    with pytest.raises(RuntimeError):
        run_retention(later, batch_size=2)
    first = RetentionRun.objects.get()
    assert first.status == RunStatus.FAILED and first.counts["persons"]["anonymised"] == 2
    monkeypatch.setattr(lifecycle, "anonymise", original)
    counts = run_retention(later, batch_size=2)
    assert counts["persons"]["anonymised"] == 3
    assert all(lifecycle.status_of(person) == "anonymise" for person in persons)


def test_administrators_read_the_runs(client, old_person, admin, accueil, later):
    run_retention(later)
    run = RetentionRun.objects.get()
    login_verified(client, admin)
    page = client.get(reverse("privacy:runs")).content.decode()
    assert "Voir le passage" in page
    detail = client.get(reverse("privacy:run", args=[run.pk])).content.decode()
    assert "Identité, coordonnées et foyer" in detail and old_person.last_name not in detail
    client.logout()
    login_verified(client, accueil)
    assert client.get(reverse("privacy:runs")).status_code == 403


def test_the_daily_schedule_runs_the_retention_task():
    from parcours.core.schedules import DAILY_TASKS

    assert "parcours.privacy.tasks.run_retention" in {task.func for task in DAILY_TASKS}
    assert "parcours.core.retention.purge_personal_files" not in {task.func for task in DAILY_TASKS}


def test_the_runs_page_reads_a_bounded_number_of_queries(client, admin, django_assert_max_num_queries):
    for _ in range(30):
        RetentionRun.objects.create(
            as_of=timezone.now(), status=RunStatus.DONE, counts={"persons": {"archived": 1}}
        )
    login_verified(client, admin)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("privacy:runs")).status_code == 200
