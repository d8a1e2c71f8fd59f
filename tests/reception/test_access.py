"""Partners' access through the trays (`reception.access.persons_in_trays_of`, one access rule):
a tray's members see the persons of its items, open or closed less than 90 days ago, nobody else."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from parcours.accounts.models import OrganisationKind, Role
from parcours.core.models import AuditAction, AuditEvent
from parcours.people.models import Person
from parcours.reception import workflows
from parcours.reception.access import persons_in_trays_of
from parcours.reception.models import Outcome, TrayService
from tests.accounts.factories import AgentFactory, OrganisationFactory
from tests.conftest import login_verified
from tests.people.factories import PersonFactory
from tests.reception.factories import ContactFactory, TrayFactory, TrayItemFactory, member


@pytest.fixture
def ccas(departement, two_units):
    """A CCAS partner: its tray, one of its agents (no unit), two persons of unit A."""
    organisation = OrganisationFactory(
        kind=OrganisationKind.CCAS, name="CCAS de Communeville", departement=departement
    )
    tray = TrayFactory(
        departement=departement,
        service=TrayService.PARTNER,
        unit=None,
        organisation=organisation,
        name="CCAS",
    )
    agent = member(tray, role=Role.ACCUEIL, organisation=organisation)
    other_tray = TrayFactory(departement=departement, unit=two_units["unit_a"])
    return {
        "tray": tray,
        "agent": agent,
        "other_tray": other_tray,
        "mine": PersonFactory(commune=two_units["commune_a"], last_name="Dansmabannette"),
        "other": PersonFactory(commune=two_units["commune_a"], last_name="Ailleurs"),
    }


def _item(tray, person):
    return TrayItemFactory(tray=tray, contact=ContactFactory(person=person))


def _visible(agent):
    return set(Person.objects.visible_to(agent).values_list("pk", flat=True))


@pytest.mark.django_db
def test_a_partner_agent_sees_the_persons_of_their_trays_items_only(ccas):
    _item(ccas["tray"], ccas["mine"])
    _item(ccas["other_tray"], ccas["other"])
    _item(ccas["tray"], None)  # an item whose person is not identified yet opens nothing
    assert _visible(ccas["agent"]) == {ccas["mine"].pk}


@pytest.mark.django_db
def test_the_person_page_answers_the_partner_and_404_audited_for_another_person(client, ccas):
    _item(ccas["tray"], ccas["mine"])
    _item(ccas["other_tray"], ccas["other"])
    login_verified(client, ccas["agent"])
    assert client.get(reverse("people:detail", args=[ccas["mine"].pk])).status_code == 200
    response = client.get(reverse("people:detail", args=[ccas["other"].pk]))
    assert response.status_code == 404
    assert b"Ailleurs" not in response.content
    assert AuditEvent.objects.filter(
        agent=ccas["agent"], action=AuditAction.DENIED, person_id=ccas["other"].pk
    ).exists()


@pytest.mark.django_db
def test_access_lasts_90_days_after_closure(ccas):
    item = _item(ccas["tray"], ccas["mine"])
    workflows.close(ccas["agent"], item, outcome=Outcome.ANSWERED, decision="Colis alimentaire accordé")
    assert _visible(ccas["agent"]) == {ccas["mine"].pk}
    item.refresh_from_db()
    item.closed_at = timezone.now() - datetime.timedelta(days=89)
    item.save(update_fields=["closed_at"])
    assert _visible(ccas["agent"]) == {ccas["mine"].pk}
    item.closed_at = timezone.now() - datetime.timedelta(days=91)
    item.save(update_fields=["closed_at"])
    assert _visible(ccas["agent"]) == set()


@pytest.mark.django_db
def test_a_transferred_item_opens_its_person_to_the_new_tray_only(ccas):
    item = _item(ccas["tray"], ccas["mine"])
    newcomer = member(ccas["other_tray"], role=Role.ACCUEIL, organisation=ccas["agent"].organisation)
    assert _visible(newcomer) == set()
    workflows.transfer(ccas["agent"], item, to_tray=ccas["other_tray"], reason="Relève du service social")
    fresh_partner = type(ccas["agent"]).objects.get(pk=ccas["agent"].pk)  # a new request's agent
    assert _visible(fresh_partner) == set()
    assert _visible(type(newcomer).objects.get(pk=newcomer.pk)) == {ccas["mine"].pk}


@pytest.mark.django_db
def test_the_grant_gives_nothing_to_administrators_employers_and_agents_in_no_tray(ccas, two_units):
    admin = AgentFactory(role=Role.ADMINISTRATEUR)
    employer = AgentFactory(role=Role.EMPLOYEUR)
    loner = AgentFactory(role=Role.REFERENT, units=[two_units["unit_a"]])
    assert persons_in_trays_of(admin) is None
    assert persons_in_trays_of(employer) is None
    assert persons_in_trays_of(loner) is None
    assert persons_in_trays_of(ccas["agent"]) is not None
