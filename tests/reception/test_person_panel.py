"""The person page's « Premier accueil » panel: référent, open needs and who handles them, what was
decided, rights followed; in a bounded number of queries."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from parcours.accounts.models import OrganisationKind, Role
from parcours.reception import referents, workflows
from parcours.reception.models import Outcome, RightsCheck, RightStatus
from parcours.reception.person_panel import person_panel_context
from tests.accounts.factories import AgentFactory, OrganisationFactory
from tests.conftest import login_verified
from tests.people.factories import PersonFactory
from tests.reception.factories import (
    CharterSignatureFactory,
    ContactFactory,
    TrayFactory,
    TrayItemFactory,
    member,
)


@pytest.fixture
def setting(departement, two_units):
    organisation = OrganisationFactory(
        kind=OrganisationKind.DEPARTEMENT, name="Département", departement=departement
    )
    CharterSignatureFactory(organisation=organisation)
    person = PersonFactory(commune=two_units["commune_a"])
    social = TrayFactory(
        departement=departement, unit=two_units["unit_a"], name="Service social de l'unité A"
    )
    housing = TrayFactory(departement=departement, unit=two_units["unit_a"], name="Logement FSL de l'unité A")
    handler = member(
        social, role=Role.REFERENT, first_name="Hélène", last_name="Traitante", organisation=organisation
    )
    viewer = AgentFactory(role=Role.REFERENT, units=[two_units["unit_a"]], organisation=organisation)
    return {
        "person": person,
        "social": social,
        "housing": housing,
        "handler": handler,
        "viewer": viewer,
        "organisation": organisation,
    }


def _item(tray, person, **kwargs):
    return TrayItemFactory(tray=tray, contact=ContactFactory(person=person), **kwargs)


@pytest.mark.django_db
def test_the_panel_shows_who_handles_each_open_need_and_what_was_decided(client, setting):
    person = setting["person"]
    taken = _item(setting["social"], person)
    workflows.take(setting["handler"], taken)
    waiting = _item(setting["housing"], person, due_at=timezone.now() - datetime.timedelta(hours=1))
    closed = _item(setting["social"], person)
    workflows.close(
        setting["handler"], closed, outcome=Outcome.ORIENTED, decision="Orientée vers la banque alimentaire"
    )
    check = RightsCheck.objects.create(person=person, made_by=setting["handler"])
    RightStatus.objects.create(
        check_run=check, person=person, benefit="prime_activite", monthly_amount=Decimal(180)
    )
    referents.designate(
        setting["handler"],
        person,
        referent_agent=setting["handler"],
        consent_on=timezone.localdate(),
        consent_mode="ecrit",
    )

    login_verified(client, setting["viewer"])
    page = client.get(reverse("people:detail", args=[person.pk])).content.decode()
    assert "Premier accueil" in page
    assert "Hélène TRAITANTE" in page or "Hélène Traitante" in page
    assert "Service social de l&#x27;unité A" in page and "Logement FSL de l&#x27;unité A" in page
    assert "non attribuée" in page  # the housing item nobody took yet
    assert "En retard" in page  # its first action is overdue
    assert "Orientée vers la banque alimentaire" in page and "orientée vers un partenaire" in page
    assert "Prime d&#x27;activité" in page
    assert "accord écrit signé" in page
    # The viewer is no member of the trays: no link to the items' pages (they would answer 404).
    assert reverse("reception:item", args=[taken.pk]) not in page
    assert "Désigner le référent de parcours" in page

    client.logout()
    login_verified(client, setting["handler"])
    page = client.get(reverse("people:detail", args=[person.pk])).content.decode()
    assert reverse("reception:item", args=[taken.pk]) in page  # a member of the social tray
    assert reverse("reception:item", args=[waiting.pk]) not in page  # not of the housing one


@pytest.mark.django_db
def test_the_panel_reads_three_queries_whatever_the_rows(setting, django_assert_num_queries):
    person = setting["person"]
    for _ in range(6):
        _item(setting["social"], person)
        _item(setting["housing"], person)
    check = RightsCheck.objects.create(person=person, made_by=setting["handler"])
    for benefit in ("rsa", "css", "aides_logement"):
        RightStatus.objects.create(
            check_run=check, person=person, benefit=benefit, monthly_amount=Decimal(10)
        )
    for referent in (setting["handler"], setting["viewer"]):
        referents.designate(
            setting["handler"],
            person,
            referent_agent=referent,
            consent_on=timezone.localdate(),
            consent_mode="oral",
        )
    admin = AgentFactory(role=Role.ADMINISTRATEUR)  # the designation predicate asks nothing then
    with django_assert_num_queries(3):
        context = person_panel_context(person, admin)
        assert len(context["reception_open_items"]) == 12
        assert [item.tray.name for item in context["reception_open_items"]]
        assert [str(item.assigned_to or "") for item in context["reception_open_items"]]
        assert context["reception_referent"].agent == setting["viewer"]
        assert [r.agent for r in context["reception_former_referents"]] == [setting["handler"]]
        assert len(context["reception_rights"]) == 3


@pytest.mark.django_db
def test_a_person_without_front_door_history_gets_an_empty_panel(client, setting):
    login_verified(client, setting["viewer"])
    page = client.get(reverse("people:detail", args=[setting["person"].pk])).content.decode()
    assert "Aucun référent de parcours désigné." in page and "Aucune demande en cours." in page
