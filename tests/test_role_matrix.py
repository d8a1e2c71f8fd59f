"""No page lets an agent act outside their role or their scope, whatever the role.

Agents of every role (plus a superuser and an employer account) are generated in one unit;
a person of another unit carries every kind of object a URL can name (follow-up, booking,
household membership, application, placement follow-up, reorientation request, duplicate
pair, import batch). Then, walking the whole URL map rather than a hand-kept list:
- every view names the permission it asks (an `Agent` predicate), apart from a short list
  of pages that are public or need no role;
- an agent without a view's permission gets 403 on it, and the refusal is audited;
- no URL naming the out-of-scope person or one of their objects answers anything but
  403/404/405 to a GET or a POST, none shows their name, and none changes them.
"""

import datetime
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from parcours.accompaniment.plans import Action, Objective
from parcours.accounts.models import Role
from parcours.appointments.models import Booking
from parcours.core.models import AuditAction, AuditEvent
from parcours.imports.models import DuplicateCandidate, ImportBatch
from parcours.jobs.models import FollowUp as PlacementFollowUp
from parcours.jobs.models import Placement
from parcours.orientation.models import ReorientationRequest
from parcours.people.models import Follow, HouseholdMember, Person
from tests.accompaniment.factories import AccompanimentFactory
from tests.accounts.factories import AgentFactory
from tests.appointments.factories import SlotFactory
from tests.conftest import login_verified
from tests.jobs.factories import ApplicationFactory, EmployerFactory, OfferFactory, employer_account
from tests.orientation.factories import FollowUpFactory
from tests.people.factories import HouseholdFactory, MemberFactory, PersonFactory
from tests.territory.factories import CommuneFactory, SiteFactory, UnitFactory

# Views that ask no named permission, each for a reason.
UNGUARDED = {
    "parcours.core.views.home",  # any account: sends employers to their portal, checks inline
    "parcours.accounts.views.AgentLoginView",
    "parcours.accounts.views.logout_view",
    "parcours.accounts.views.otp_view",  # between the two factors
    "parcours.appointments.public_views.invitation",  # the invited person's booking link
}
HIDDEN_NAME = "Inaccessible-Vasseur"
OBJECT_KWARGS = {
    "person_id",
    "followup_id",
    "booking_id",
    "membership_id",
    "application_id",
    "follow_up_id",
    "request_id",
    "candidate_id",
    "batch_id",
    "accompaniment_id",
    "objective_id",  # accompagnement global: the plan's objectives and actions
    "action_id",
    "orientation_id",  # directory: an orientation to a service
    "right_id",  # reception: a right identified at reception, followed until opened
    "referent_id",  # reception: a référent de parcours of the person
    "contact_id",  # reception: a contact (sollicitation) about the person
    "callback_id",  # reception: a callback promised about that contact
    "item_id",  # reception: an item (a need routed to a tray) about the person
    "tray_id",  # reception: the tray holding that item (lists the person)
    "document_id",  # aids: a document of an aid application of the person
}


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def routes():
    """(route, view) of every page of the site (the API is covered by tests/api and fuzzing)."""
    return [
        (route, view)
        for route, view in _walk(get_resolver().url_patterns)
        if not route.startswith(("django-admin", "api/", "static", "^static"))
    ]


def _label(view) -> str:
    target = getattr(view, "view_class", view)
    return f"{target.__module__}.{target.__name__}"


def _fill(route: str, values: dict) -> str | None:
    missing = []

    def replace(match):
        converter, name = match.group(1), match.group(2)
        if name in values:
            return str(values[name])
        if converter == "str" or converter is None:
            return "x"
        missing.append(name)
        return "0"

    url = "/" + re.sub(r"<(?:(\w+):)?(\w+)>", replace, route)
    return None if missing else url


@pytest.fixture
def world(departement, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    home_unit = UnitFactory(departement=departement, code="IN", name="Unité de l'agent")
    other_unit = UnitFactory(departement=departement, code="OUT", name="Autre unité")
    CommuneFactory(departement=departement, unit=home_unit)
    elsewhere = CommuneFactory(departement=departement, unit=other_unit)

    hidden = PersonFactory(last_name=HIDDEN_NAME, commune=elsewhere)
    twin = PersonFactory(last_name=HIDDEN_NAME, commune=elsewhere)
    household = HouseholdFactory()
    membership = MemberFactory(household=household, person=hidden, role="demandeur")
    followup = FollowUpFactory(person=hidden, departement=departement)
    site = SiteFactory(departement=departement, commune=elsewhere)
    slot = SlotFactory(site=site)
    booking = Booking.objects.create(slot=slot, followup=followup, person=hidden, channel="agent")
    offer = OfferFactory(commune=elsewhere, employer=EmployerFactory())
    application = ApplicationFactory(offer=offer, person=hidden)
    placement = Placement.objects.create(
        application=application, start_date=timezone.localdate(), contract_type="CDI", hours_per_week=35
    )
    placement_follow_up = PlacementFollowUp.objects.filter(placement=placement).first() or (
        PlacementFollowUp.objects.create(
            placement=placement, months=1, due_on=timezone.localdate() + datetime.timedelta(days=30)
        )
    )
    other_agent = AgentFactory(role=Role.REFERENT, units=[other_unit])
    Follow.objects.create(person=hidden, agent=other_agent, kind="referent")
    reorientation = ReorientationRequest.objects.create(
        person=hidden, requested_by=other_agent, reason="Projet professionnel"
    )
    pair = DuplicateCandidate.objects.create(person=hidden, duplicate_id=twin.pk, reason="test")
    accompaniment = AccompanimentFactory(person=hidden, referent=other_agent, started_on=timezone.localdate())
    pair_accompaniment = AccompanimentFactory(
        person=hidden, referent=other_agent, programme="global", started_on=timezone.localdate()
    )
    objective = Objective.objects.create(accompaniment=pair_accompaniment, title="Objectif")
    plan_action = Action.objects.create(
        objective=objective, title="Action", owner=other_agent, due_on=timezone.localdate()
    )
    batch = ImportBatch.objects.create(
        kind="people", file_name="autre.csv", sha256="z", status="done", created_by=other_agent
    )
    service_orientation = _service_orientation(hidden, other_agent)
    hidden_right = _right_identified(hidden, other_agent)
    hidden_referent = _parcours_referent(hidden, other_agent)
    hidden_contact, hidden_callback = _front_door_contact(hidden, other_agent)
    hidden_item, hidden_rule = _tray_item(hidden_contact, other_agent, other_unit)
    hidden_aid_document = _aid_application(hidden, other_agent, pk=application.pk)

    agents = {
        role: AgentFactory(username=f"matrix-{role}", role=role, units=[home_unit], password=None)
        for role in Role.values
        if role != Role.EMPLOYEUR
    }
    agents["superuser"] = AgentFactory(
        username="matrix-superuser", role=Role.ACCUEIL, is_superuser=True, is_staff=True, password=None
    )
    agents[Role.EMPLOYEUR] = employer_account(EmployerFactory(), departement)
    values = {
        "person_id": hidden.pk,
        "followup_id": followup.pk,
        "booking_id": booking.pk,
        "membership_id": membership.pk,
        "application_id": application.pk,
        "follow_up_id": placement_follow_up.pk,
        "request_id": reorientation.pk,
        "candidate_id": pair.pk,
        "batch_id": batch.pk,
        "accompaniment_id": accompaniment.pk,
        "objective_id": objective.pk,
        "action_id": plan_action.pk,
        "orientation_id": service_orientation.pk,
        "right_id": hidden_right.pk,
        "referent_id": hidden_referent.pk,
        "contact_id": hidden_contact.pk,
        "callback_id": hidden_callback.pk,
        "item_id": hidden_item.pk,
        "tray_id": hidden_item.tray_id,
        "rule_id": hidden_rule.pk,
        "document_id": hidden_aid_document.pk,  # aids (its application shares `application_id`)
        "transition": "start",  # aids: an action of the application page (reception's items: unknown)
        "organisation_id": 0,  # the charter's screens (administrators): refused before any lookup
        "signature_id": 0,
        "service_id": service_orientation.service_id,  # directory: a service (not person data)
        "offer_id": offer.pk,
        "employer_id": offer.employer_id,
        "group_id": 0,
        "token": "x",
        "fmt": "csv",
        "action": "fusionner",
        "name": "propose",
    }
    return {"agents": agents, "values": values, "hidden": hidden, "household": household}


def _service_orientation(person, sender):
    """An orientation of `person` to a service of a structure of an organisation no agent of the
    matrix belongs to (directory)."""
    from parcours.directory.models import Service, ServiceOrientation, Structure
    from tests.accounts.factories import OrganisationFactory

    structure = Structure.objects.create(
        source="test", source_id="matrice", nom="Structure d'ailleurs", organisation=OrganisationFactory()
    )
    service = Service.objects.create(structure=structure, source="test", source_id="matrice", nom="Service")
    return ServiceOrientation.objects.create(
        person=person,
        service=service,
        origin="referent",
        sent_by=sender,
        consent_given=True,
        consent_on=timezone.localdate(),
        consent_mode="oral",
    )


def _right_identified(person, agent):
    """A right identified for `person` at reception (reception.rights), to be followed."""
    from parcours.reception.models import RightsCheck, RightStatus

    check = RightsCheck.objects.create(person=person, made_by=agent)
    return RightStatus.objects.create(check_run=check, person=person, benefit="rsa", monthly_amount=500)


def _parcours_referent(person, agent):
    """The person's référent de parcours (reception.referents), designated by another agent."""
    from parcours.reception.models import ParcoursReferent

    return ParcoursReferent.objects.create(
        person=person,
        agent=agent,
        organisation=agent.organisation,
        consent_on=timezone.localdate(),
        consent_mode="oral",
        designated_by=agent,
    )


def _front_door_contact(person, agent):
    """A contact about `person` taken by another agent, with a callback (reception)."""
    from parcours.reception.models import Callback, Contact

    contact = Contact.objects.create(channel="telephone", taken_by=agent, person=person)
    callback = Callback.objects.create(
        contact=contact, due_at=timezone.now(), phone="0600000000", created_by=agent
    )
    return contact, callback


def _tray_item(contact, agent, unit):
    """An item of that contact in a tray of the other unit whose only member is `agent`, and the
    routing rule that sent it there (reception trays)."""
    from tests.reception.factories import RoutingRuleFactory, TrayFactory, TrayItemFactory, member

    tray = TrayFactory(departement=unit.departement, unit=unit, name="Bannette d'ailleurs")
    member(tray, agent)
    rule = RoutingRuleFactory(departement=unit.departement, tray=tray)
    return TrayItemFactory(contact=contact, tray=tray, routing_rule=rule), rule


def _aid_application(person, agent, *, pk: int):
    """A draft aid application of `person` numbered `pk` — the jobs application's number, so that
    the kwarg `application_id` names an object of the person in both apps — with one document.
    A draft opens the person to no instructor (`aids.access`)."""
    from parcours.aids.models import AidApplication, ApplicationDocument
    from tests.aids.factories import SchemeVersionFactory

    version = SchemeVersionFactory(documents=[{"code": "devis", "label": "Devis"}])
    application = AidApplication.objects.create(
        pk=pk,
        person=person,
        scheme=version.scheme,
        version=version,
        filed_by=agent,
        created_at=timezone.now(),
    )
    return ApplicationDocument.objects.create(
        application=application,
        code="devis",
        file="aucun.pdf",
        original_name="aucun.pdf",
        uploaded_at=timezone.now(),
    )


def test_every_view_names_its_permission():
    unguarded = [
        (route, _label(view))
        for route, view in routes()
        if not getattr(view, "permission", None) and _label(view) not in UNGUARDED
    ]
    assert unguarded == [], "views without a named permission (use accounts.permissions.agent_may)"


def test_every_permission_is_an_agent_predicate(world):
    agent = world["agents"][Role.ACCUEIL]
    for _, view in routes():
        permission = getattr(view, "permission", None)
        if permission:
            assert isinstance(getattr(agent, permission), bool), permission


@pytest.mark.django_db
def test_an_agent_without_the_permission_gets_403_audited(client, world):
    checked = 0
    for name, agent in world["agents"].items():
        login_verified(client, agent)
        for route, view in routes():
            permission = getattr(view, "permission", None)
            url = _fill(route, world["values"])
            if not permission or url is None or getattr(agent, permission):
                continue
            before = AuditEvent.objects.filter(agent=agent, action=AuditAction.DENIED).count()
            # The permission is checked before the method (agent_may wraps require_POST).
            response = client.get(url)
            assert response.status_code == 403, (name, url, response.status_code)
            assert AuditEvent.objects.filter(agent=agent, action=AuditAction.DENIED).count() > before
            checked += 1
        client.logout()
    assert checked > 100  # the matrix really ran


@pytest.mark.django_db
def test_no_page_reaches_a_person_outside_the_agents_scope(client, world):
    hidden = world["hidden"]
    snapshot = _state(hidden)
    checked = 0
    for name, agent in world["agents"].items():
        if agent.is_administrator:
            continue
        login_verified(client, agent)
        for route, _view in routes():
            if not (OBJECT_KWARGS & set(re.findall(r"<(?:\w+:)?(\w+)>", route))):
                continue
            url = _fill(route, world["values"])
            if url is None:
                continue
            for method in ("get", "post"):
                response = getattr(client, method)(url, {"note": "x", "attendance": "present"})
                assert response.status_code in (403, 404, 405), (name, method, url, response.status_code)
                assert HIDDEN_NAME.encode() not in response.content, (name, method, url)
                checked += 1
        client.logout()
    assert _state(hidden) == snapshot
    assert checked > 200


def _state(person: Person) -> tuple:
    person.refresh_from_db()
    return (
        person.updated_at,
        person.commune_id,
        list(HouseholdMember.objects.filter(person=person).values_list("household_id", flat=True)),
        list(person.job_applications.values_list("state", flat=True)),
        list(person.orientation_followups.values_list("closed_at", flat=True)),
        Person.objects.filter(last_name=HIDDEN_NAME).count(),
        list(DuplicateCandidate.objects.values_list("status", flat=True)),
    )


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/personnes/", "/orientation/", "/agendas/", "/territoire/", "/emploi/"])
def test_an_employer_account_reaches_no_agent_page(client, world, path):
    login_verified(client, world["agents"][Role.EMPLOYEUR])
    assert client.get(path).status_code == 403
