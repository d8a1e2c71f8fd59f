"""Issue #13 point 4: every event kind a coaching or outcome indicator reads is produced by a
workflow of the product. The pathways below are built through the screens (Django test client,
logged-in agents) and the commands only: a CNAF flux imported on the imports page, orientations
decided on the follow-up page, coachings started, contacts logged, a training recorded and
coachings ended on the coaching screens, an accompagnement global started by its pair, a hire
through the job platform (the candidate profile and consent, shortlist, proposal, the person's
agreement, the employer's hire on the portal), and a CNAF closure whose import ends a coaching (`fin_droits`, an exit). No event
is written by hand: every event comes from the CNAF import, the orientation or the
accompaniment workflows (asserted). Then each dashboard figure has moved, in `stats.compute` and
in the DuckDB recomputation from the pseudonymised export.

The clock: the pathways happen over weeks (the cadence counts complete weeks), so the test sets
the time (`django.utils.timezone.now`, which every product path reads) to each day it acts on.
"""

import contextlib
import datetime
import io
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from parcours.accompaniment.models import Accompaniment, Programme
from parcours.accounts.models import OrganisationKind, Role
from parcours.indicators import recompute
from parcours.indicators.stats import compute
from parcours.jobs.models import Application
from parcours.orientation.models import FollowUp
from parcours.people.models import Person, PersonEvent
from parcours.rsa.synthetic import write_flux
from tests.accounts.factories import AgentFactory, OrganisationFactory
from tests.conftest import login_verified
from tests.jobs.factories import EmployerFactory, OfferFactory, employer_account
from tests.rsa.factories import dossier, person
from tests.territory.factories import CommuneFactory, UnitFactory

pytestmark = pytest.mark.django_db

D = datetime.date
MONDAY = D(2025, 2, 3)  # the week the rights open; no public holiday until Easter Monday (21 April)
PERIOD = (D(2025, 2, 1), D(2025, 4, 30))
# The sources of the product's event writers: the CNAF import, orientation, accompaniment.
PRODUCT_SOURCES = {"cnaf", "orientation", "accompagnement"}
FIGURES = (
    "entrants.count",
    "coaching.entries",
    "coaching.coached_in_period",
    "coaching.coached_at_end",
    "coaching.contacts",
    "coaching.contacts_per_week",
    "coaching.share_weeks_with_contact",
    "coaching.job_within_3_months",
    "coaching.training_within_3_months",
    "coaching.job_or_training_within_3_months",
    "placements.job_starts",
    "placements.through_platform",
    "placements.exits",
    "global_accompaniment.entries",
)


@contextlib.contextmanager
def clock(day: datetime.date, hour: int = 10):
    """The product's "now" on `day` at `hour` (Paris time)."""
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def figure(stats: dict, key: str):
    value = stats
    for part in key.split("."):
        value = value[part]
    return value


def week(n: int, weekday: int = 1) -> datetime.date:
    return MONDAY + datetime.timedelta(weeks=n, days=weekday)


@pytest.fixture
def world(departement, settings, tmp_path):
    settings.PARCOURS_IMPORTS_SYNC = True
    settings.PARCOURS_TASKS_SYNC = True
    settings.VAR_DIR = tmp_path
    unit = UnitFactory(departement=departement, code="L", name="Lille")
    CommuneFactory(departement=departement, unit=unit, insee_code="59350", postal_codes="59000", name="Lille")
    departement_org = OrganisationFactory(departement=departement, kind=OrganisationKind.DEPARTEMENT)
    france_travail = OrganisationFactory(departement=departement, kind=OrganisationKind.FRANCE_TRAVAIL)
    agents = {
        "admin": AgentFactory(role=Role.ADMINISTRATEUR, organisation=departement_org, units=[unit]),
        "orientation": AgentFactory(role=Role.CHARGE_ORIENTATION, organisation=departement_org, units=[unit]),
        "coach": AgentFactory(role=Role.COACH_EMPLOI, organisation=departement_org, units=[unit]),
        "social": AgentFactory(role=Role.REFERENT, organisation=departement_org, units=[unit]),
        "adviser": AgentFactory(role=Role.REFERENT, organisation=france_travail, units=[unit]),
    }
    employer = EmployerFactory()
    agents["employer"] = employer_account(employer, departement)
    with clock(MONDAY):
        offer = OfferFactory(employer=employer, start_date=week(5, 0))
    return {"agents": agents, "offer": offer, "tmp": tmp_path}


def client_of(client_class, agent):
    return login_verified(client_class(), agent)


def post(client, url_name: str, data: dict, **kwargs):
    response = client.post(reverse(url_name, kwargs=kwargs), data)
    assert response.status_code in (200, 302), (url_name, response.status_code)
    if response.status_code == 200 and response.context and response.context.get("form") is not None:
        assert not response.context["form"].errors, (url_name, response.context["form"].errors)
    return response


def import_flux(client, world, dossiers, reference: datetime.date) -> None:
    path = world["tmp"] / f"flux-{reference}.xml"
    write_flux(path, dossiers, reference_date=reference)
    upload = SimpleUploadedFile(path.name, path.read_bytes(), content_type="application/xml")
    response = client.post(reverse("imports:index"), {"kind": "cnaf", "file": upload})
    assert response.status_code == 302


def coaching_of(person_obj) -> Accompaniment:
    return Accompaniment.objects.get(person=person_obj, programme=Programme.COACHING)


def test_every_dashboard_figure_moves_through_the_screens_alone(world, client, tmp_path):
    try:
        reverse("accompaniment:start", kwargs={"person_id": 1})
        reverse("accompaniment:global_start", kwargs={"person_id": 1})
    except NoReverseMatch:  # pragma: no cover - the coaching screens come with issue #13's views
        pytest.skip("Les écrans d'accompagnement ne sont pas encore branchés (issue #13).")
    agents = world["agents"]
    client_class = type(client)
    before = compute(*PERIOD)

    # 1. The CNAF flux of 4 February: five persons soumis à droits et devoirs since 3 February.
    opened = [
        dossier(n, opened_on=MONDAY, requested_on=MONDAY - datetime.timedelta(days=20)) for n in range(5)
    ]
    with clock(week(0, 1), 8):
        import_flux(client_of(client_class, agents["admin"]), world, opened, week(0, 0))
    people = list(Person.objects.order_by("id"))
    assert len(people) == 5
    a, b, c, e, g = people  # hired, trained, closed by the CNAF, still coached, accompagnement global

    # 2. Their orientation, decided on their follow-up page.
    orientation = client_of(client_class, agents["orientation"])
    with clock(week(0, 2)):
        for someone in people:
            followup = FollowUp.objects.get(person=someone)
            organism = "service_social" if someone == g else "mdie_coaching"
            kind = "sociale" if someone == g else "socio_professionnelle"
            decision = {
                "decision-kind": kind,
                "decision-organism": organism,
                "decision-override_reason": "Entretien",
            }
            post(orientation, "orientation:decide", decision, followup_id=followup.pk)
    assert PersonEvent.objects.filter(kind="orientation.decidee").count() == 5

    # 3. The coach starts the coachings (after a confirmation); the pair starts the global one.
    coach = client_of(client_class, agents["coach"])
    with clock(week(0, 3)):
        for someone in (a, b, c, e):
            data = {"programme": "coaching", "referents": [agents["coach"].pk], "on": week(0, 3).isoformat()}
            post(coach, "accompaniment:start", data, person_id=someone.pk)
            post(coach, "accompaniment:start", data | {"confirmed": "1"}, person_id=someone.pk)
        pair = client_of(client_class, agents["social"])
        post(pair, "accompaniment:global_start",
             {"first": agents["social"].pk, "second": agents["adviser"].pk, "on": week(0, 3).isoformat()},
             person_id=g.pk)  # fmt: skip
    assert Accompaniment.objects.filter(programme=Programme.COACHING).count() == 4
    assert Accompaniment.objects.filter(programme=Programme.GLOBAL).count() == 1

    # 4. Weekly contacts on the coaching page: a every week, b and c every other week, e twice.
    for n in range(1, 9):
        with clock(week(n, 1)):
            for someone, wanted in (
                (a, n <= 4),
                (b, n % 2 == 0 and n <= 6),
                (c, n % 2 == 1),
                (e, n in (2, 5)),
            ):
                if wanted:
                    post(coach, "accompaniment:log_contact",
                         {"on": week(n, 1).isoformat(), "mode": "entretien", "note": ""},
                         accompaniment_id=coaching_of(someone).pk)  # fmt: skip

    # 5. a is proposed to an offer, agrees, and the employer hires them on the portal.
    with clock(week(3, 1), 11):
        # The person's candidate profile and consent to be proposed, on the profile page.
        profile = {
            "education_level": "3", "mobility_radius_km": "20", "mobility_means": "transports",
            "max_hours_per_week": "35", "consents_to_employers": "on",
            "exp-TOTAL_FORMS": "0", "exp-INITIAL_FORMS": "0", "exp-MIN_NUM_FORMS": "0", "exp-MAX_NUM_FORMS": "1000",
        }  # fmt: skip
        post(coach, "jobs:profile", profile, person_id=a.pk)
        assert a.candidate_profile.consents_to_employers
        post(coach, "jobs:shortlist", {}, offer_id=world["offer"].pk, person_id=a.pk)
        application = Application.objects.get(person=a)
        post(
            coach, "jobs:application_transition", {"note": ""}, application_id=application.pk, name="propose"
        )
    with clock(week(3, 3), 11):
        post(coach, "jobs:application_transition", {"note": ""}, application_id=application.pk, name="accept")
    employer = client_of(client_class, agents["employer"])
    with clock(week(4, 2), 15):
        post(employer, "jobs:portal_transition",
             {"note": "", "start_date": week(5, 0).isoformat(), "contract_type": "cdi", "hours_per_week": "24"},
             application_id=application.pk, name="hire")  # fmt: skip
    with clock(week(5, 1)):
        end = {"on": week(5, 0).isoformat(), "reason": "emploi", "note": ""}
        post(coach, "accompaniment:end", end | {"confirmed": "1"}, accompaniment_id=coaching_of(a).pk)

    # 6. b starts a qualifying training, recorded on its screen; the coach ends the coaching.
    with clock(week(7, 1)):
        training = {"organism": "AFPA", "title": "Soudeur", "started_on": week(7, 0).isoformat(),
                    "ended_on": week(20, 0).isoformat(), "qualifying": "oui"}  # fmt: skip
        post(coach, "accompaniment:record_training", training, person_id=b.pk)
        end = {"on": week(7, 0).isoformat(), "reason": "formation", "note": ""}
        post(coach, "accompaniment:end", end | {"confirmed": "1"}, accompaniment_id=coaching_of(b).pk)

    # 7. The CNAF closes c's right: the import ends the coaching (fin_droits) and records the exit.
    closed = dossier(2, opened_on=MONDAY, requested_on=MONDAY - datetime.timedelta(days=20), state="5",
                     closure=("RFD", week(9, 0)), persons=[person(2)])  # fmt: skip
    with clock(week(9, 2), 8):
        import_flux(client_of(client_class, agents["admin"]), world, [closed], week(9, 1))
    assert coaching_of(c).end_reason == "fin_droits"
    assert coaching_of(e).is_open

    # No event written by hand: every one comes from the import, orientation or accompaniment.
    sources = set(PersonEvent.objects.values_list("source", flat=True))
    assert sources <= PRODUCT_SOURCES, sources
    kinds = set(PersonEvent.objects.filter(source="accompagnement").values_list("kind", flat=True))
    assert kinds >= {"accompagnement.debut", "accompagnement.contact", "accompagnement.fin", "emploi.debut",
                     "formation.debut", "sortie"}  # fmt: skip

    with clock(D(2025, 5, 15)):
        after = compute(*PERIOD)
    moved = {key: (figure(before, key), figure(after, key)) for key in FIGURES}
    assert all((then or 0) < now for then, now in moved.values()), moved
    coaching = after["coaching"]
    assert (coaching["entries"], coaching["coached_at_end"]) == (4, 1)
    assert (coaching["job_within_3_months"], coaching["training_within_3_months"]) == (1, 1)
    assert after["placements"]["exits"] == 3  # emploi, formation, fin_droits
    assert after["placements"]["through_platform"] == 1
    assert after["global_accompaniment"]["entries"] == 1

    # The auditor's recomputation from the export agrees on every figure it covers.
    target = tmp_path / "events.parquet"
    call_command("export_events", "--from", "2024-01-01", "--to", "2025-12-31", "--format", "parquet",
                 "--output", str(target), stdout=io.StringIO(), stderr=io.StringIO())  # fmt: skip
    theirs = recompute.headline(str(target), *PERIOD, departement="59")
    assert theirs == recompute.expected(after)
    for key in (
        "coaching.contacts",
        "coaching.weeks_with_contact",
        "placements.exits",
        "global_accompaniment.entries",
    ):
        assert theirs[key] > 0
