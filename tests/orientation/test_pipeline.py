"""The orientation pipeline starts by itself: imports open follow-ups, the queue runs the daily work."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_q.models import Schedule

from parcours.core.schedules import DAILY_TASKS, ensure_schedules, next_run_at
from parcours.orientation.followups import open_followup
from parcours.orientation.models import FollowUp
from parcours.orientation.status import Status, derive
from parcours.orientation.tasks import run_daily_pipeline
from parcours.people.models import Person, PersonEvent
from parcours.rsa.synthetic import write_flux
from tests.accounts.factories import AgentFactory
from tests.appointments.factories import OpeningHoursFactory, SlotFactory
from tests.people.factories import PersonFactory
from tests.rsa.factories import dossier, person
from tests.territory.factories import CommuneFactory, SiteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lille(departement):
    return CommuneFactory(departement=departement, insee_code="59350", postal_codes="59000", name="Lille")


def recent_flux(tmp_path, opened_on: datetime.date):
    path = tmp_path / "flux.xml"
    write_flux(
        path,
        [dossier(1, persons=[person(1, attached_on=opened_on)], opened_on=opened_on, requested_on=opened_on)],
        reference_date=timezone.localdate(),
    )
    return path


def test_a_web_import_of_a_cnaf_flux_opens_the_followups_with_no_command_run(
    client, settings, tmp_path, lille, django_capture_on_commit_callbacks
):
    settings.VAR_DIR = tmp_path
    settings.PARCOURS_DEMO = True  # lets otp_exempt agents past the second factor
    settings.PARCOURS_IMPORTS_SYNC = False  # through the task queue (run inline under tests)
    opened_on = timezone.localdate() - datetime.timedelta(days=3)
    client.force_login(AgentFactory(otp_exempt=True, role="administrateur"))
    upload = SimpleUploadedFile("flux.xml", recent_flux(tmp_path, opened_on).read_bytes())

    with django_capture_on_commit_callbacks(execute=True) as queued:  # queued once committed
        client.post(reverse("imports:index"), {"kind": "cnaf", "file": upload})

    assert len(queued) == 1

    followup = FollowUp.objects.get(person=Person.objects.get())
    assert followup.rights_opened_on == opened_on
    assert followup.due_on == opened_on + datetime.timedelta(days=30)
    assert derive(followup).status == Status.TO_INVITE


def test_a_command_line_import_opens_the_followups_too(tmp_path, lille):
    opened_on = timezone.localdate() - datetime.timedelta(days=3)
    call_command("import_cnaf", str(recent_flux(tmp_path, opened_on)))
    assert FollowUp.objects.filter(rights_opened_on=opened_on).count() == 1


def test_an_import_of_old_rights_opens_no_followup(tmp_path, lille):
    """The stock of persons soumis à droits et devoirs for years is not invited as new entrants
    (the demo's 2019 history opened follow-ups due in 2013 before)."""
    call_command("import_cnaf", str(recent_flux(tmp_path, datetime.date(2013, 5, 1))))
    assert Person.objects.count() == 1
    assert not FollowUp.objects.exists()


def test_the_daily_schedules_exist_after_migrate():
    # The test database was migrated: the post_migrate receiver created them.
    schedules = {s.name: s for s in Schedule.objects.all()}
    assert {task.name for task in DAILY_TASKS} <= set(schedules)
    pipeline = schedules["Orientation : suivis, invitations, relances, convocations"]
    assert pipeline.func == "parcours.orientation.tasks.run_daily_pipeline"
    assert pipeline.schedule_type == Schedule.DAILY and pipeline.repeats == -1
    assert pipeline.next_run > timezone.now()


def test_schedules_follow_the_settings_and_are_ensured_once(settings):
    settings.PARCOURS_SCHEDULE_TIMES = {**settings.PARCOURS_SCHEDULE_TIMES, "orientation": "05:15"}
    ensure_schedules()
    ensure_schedules()
    pipeline = Schedule.objects.filter(func="parcours.orientation.tasks.run_daily_pipeline")
    assert pipeline.count() == 1
    assert timezone.localtime(pipeline.get().next_run).strftime("%H:%M") == "05:15"


def test_next_run_is_the_next_local_time():
    now = timezone.make_aware(datetime.datetime(2026, 3, 28, 7, 0))
    assert next_run_at("06:30", now) == timezone.make_aware(datetime.datetime(2026, 3, 29, 6, 30))
    assert next_run_at("08:00", now) == timezone.make_aware(datetime.datetime(2026, 3, 28, 8, 0))


def test_the_daily_pipeline_opens_invites_and_delivers(tmp_path, settings, lille):
    settings.PARCOURS_SMS_DIR = tmp_path / "sms"
    settings.PARCOURS_LETTER_DIR = tmp_path / "letters"
    site = SiteFactory(departement=lille.departement, commune=lille)
    OpeningHoursFactory(site=site)
    slot = SlotFactory(site=site, starts_at=timezone.now() + datetime.timedelta(days=3))
    someone = PersonFactory(commune=lille, email="personne@example.test")
    PersonEvent.objects.bulk_create(  # written without signals, as the importer does
        [PersonEvent(person=someone, kind="rsa.droits_devoirs", occurred_at=timezone.now(), source="cnaf")]
    )

    counts = run_daily_pipeline()

    followup = FollowUp.objects.get(person=someone)
    assert counts["followups_opened"] == 1 and counts["invited"] == 1
    assert derive(followup).status == Status.INVITED
    assert followup.invitations.get().site == slot.site
    assert sum(counts["messages"].values()) >= 1


def test_the_person_page_links_to_the_followup(logged_client, two_units):
    someone = PersonFactory(commune=two_units["commune_a"])
    response = logged_client.get(reverse("people:detail", args=[someone.pk]))
    assert "Aucun suivi d'orientation." in response.content.decode()

    followup, _ = open_followup(someone, timezone.localdate() - datetime.timedelta(days=4))
    response = logged_client.get(reverse("people:detail", args=[someone.pk]))
    assert reverse("orientation:followup", args=[followup.pk]) in response.content.decode()
