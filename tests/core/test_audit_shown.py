"""Every page that shows a person leaves an audit event naming that person.

Before the security review, these pages listed persons without any trace: the home page's
recent and followed persons, an offer's applicants, the applications list, the worklists,
the agendas, the duplicates queue, import reports and the employer portal.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from parcours.appointments.models import Booking
from parcours.core.models import AuditAction, AuditEvent
from parcours.imports.models import DuplicateCandidate, ImportBatch
from parcours.people.models import Follow
from tests.accounts.factories import AgentFactory
from tests.appointments.factories import OpeningHoursFactory, SlotFactory
from tests.conftest import login_verified
from tests.jobs.factories import (
    ApplicationFactory,
    EmployerFactory,
    OfferFactory,
    ProfileFactory,
    employer_account,
)
from tests.orientation.factories import FollowUpFactory
from tests.people.factories import PersonFactory
from tests.territory.factories import SiteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(two_units):
    return PersonFactory(commune=two_units["commune_a"])


def _agent(two_units, role):
    return AgentFactory(role=role, units=[two_units["unit_a"]])


def _shown(agent, person) -> bool:
    return AuditEvent.objects.filter(agent=agent, person=person, action=AuditAction.VIEW).exists()


def test_home_page_recent_persons(client, two_units, person):
    agent = _agent(two_units, "charge_orientation")
    login_verified(client, agent)
    assert person.last_name.upper() in client.get("/").content.decode().upper()
    assert _shown(agent, person)


def test_home_page_followed_persons(client, two_units, person):
    agent = _agent(two_units, "referent")
    Follow.objects.create(person=person, agent=agent, kind="referent")
    login_verified(client, agent)
    client.get("/")
    assert _shown(agent, person)


def test_offer_page_applicants_and_applications_list(client, two_units, person):
    agent = _agent(two_units, "relations_entreprises")
    application = ApplicationFactory(person=person, offer=OfferFactory(commune=two_units["commune_a"]))
    login_verified(client, agent)
    client.get(reverse("jobs:offer", args=[application.offer_id]))
    assert _shown(agent, person)
    seen = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    client.get(reverse("jobs:applications"))
    assert AuditEvent.objects.filter(
        id__gt=seen, agent=agent, person=person, action=AuditAction.VIEW
    ).exists()


def test_offer_page_names_only_applicants_in_scope(client, two_units, person):
    stranger = PersonFactory(commune=two_units["commune_b"], last_name="Etrangere")
    offer = OfferFactory(commune=two_units["commune_a"])
    ApplicationFactory(person=person, offer=offer)
    ApplicationFactory(person=stranger, offer=offer)
    agent = _agent(two_units, "referent")
    login_verified(client, agent)
    html = client.get(reverse("jobs:offer", args=[offer.pk])).content.decode()
    assert stranger.last_name.upper() not in html.upper()
    assert "1 candidature de personnes hors de votre périmètre" in html
    assert not AuditEvent.objects.filter(person=stranger, action=AuditAction.VIEW).exists()


def test_accueil_cannot_manage_employers_offers_or_statistics(client, two_units):
    offer = OfferFactory(commune=two_units["commune_a"])
    login_verified(client, _agent(two_units, "accueil"))
    for url in (
        reverse("jobs:employer_create"),
        reverse("jobs:offer_edit", args=[offer.pk]),
        reverse("jobs:statistics"),
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("jobs:offer_action", args=[offer.pk, "actualiser"])).status_code == 403


def test_worklist(client, two_units, departement, person):
    FollowUpFactory(
        person=person, departement=departement, due_on=timezone.localdate() + datetime.timedelta(days=3)
    )
    agent = _agent(two_units, "charge_orientation")
    login_verified(client, agent)
    assert person.last_name.upper() in client.get(reverse("orientation:worklist")).content.decode().upper()
    assert _shown(agent, person)


def test_agenda(client, two_units, departement, person):
    site = SiteFactory(departement=departement, commune=two_units["commune_a"])
    OpeningHoursFactory(site=site)
    today = timezone.localdate()
    start = timezone.make_aware(datetime.datetime.combine(today, datetime.time(10, 0)))
    slot = SlotFactory(site=site, starts_at=start, ends_at=start + datetime.timedelta(minutes=45))
    followup = FollowUpFactory(person=person, departement=departement)
    Booking.objects.create(slot=slot, followup=followup, person=person, channel="agent")
    agent = _agent(two_units, "charge_orientation")
    login_verified(client, agent)
    monday = today - datetime.timedelta(days=today.weekday())
    client.get(reverse("appointments:agenda"), {"site": site.pk, "semaine": monday.isoformat()})
    assert _shown(agent, person)


def test_duplicates_queue_and_import_report(client, two_units, person):
    twin = PersonFactory(commune=two_units["commune_a"])
    DuplicateCandidate.objects.create(person=person, duplicate_id=twin.pk, reason="noms")
    agent = _agent(two_units, "charge_orientation")
    login_verified(client, agent)
    client.get(reverse("imports:duplicates"))
    assert _shown(agent, person) and _shown(agent, twin)
    batch = ImportBatch.objects.create(
        kind="people", file_name="f.csv", sha256="x", status="done", created_by=agent
    )
    client.get(reverse("imports:detail", args=[batch.pk]))
    assert AuditEvent.objects.filter(
        agent=agent, action=AuditAction.VIEW, detail__import_batch=batch.pk
    ).exists()


def test_employer_portal(client, two_units, person):
    employer = EmployerFactory()
    account = employer_account(employer)
    ProfileFactory(person=person)
    application = ApplicationFactory(person=person, offer=OfferFactory(employer=employer))
    application.apply("propose", AgentFactory(role="relations_entreprises"))
    login_verified(client, account)
    client.get(reverse("jobs:portal"))
    assert _shown(account, person)
