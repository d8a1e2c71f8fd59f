"""The demo starts with a believable current situation of the orientation (demo/orientation.py)."""

import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from parcours.appointments.defaults import install_default_agendas
from parcours.appointments.models import Alert, Slot
from parcours.demo.generation import generate
from parcours.demo.orientation import simulate_recent_weeks
from parcours.orientation.models import FollowUp
from parcours.orientation.status import Status, derive
from parcours.people.models import PersonEvent
from tests.accounts.factories import AgentFactory
from tests.territory.factories import SiteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_departement(territory, settings, tmp_path):
    settings.EMAIL_FILE_PATH = tmp_path / "mails"
    settings.EMAIL_BACKEND = "parcours.core.mail_backends.PrivateFileEmailBackend"
    settings.PARCOURS_SMS_DIR = tmp_path / "sms"
    settings.PARCOURS_LETTER_DIR = tmp_path / "letters"
    departement = territory["city"].departement
    for commune in (territory["city"], territory["town"]):
        install_default_agendas(SiteFactory(departement=departement, commune=commune, unit=commune.unit))
    AgentFactory(role="manager", units=[territory["city_unit"]], email="responsable@example.test")
    generate("59", 1, Decimal("0.05"))
    return departement


def test_the_demo_starts_with_current_followups_in_several_statuses(demo_departement, tmp_path):
    outcome = simulate_recent_weeks("59", 1, Decimal("0.02"), weeks=6)

    today = timezone.localdate()
    followups = list(FollowUp.objects.filter(departement=demo_departement).for_status_display())
    assert outcome.created and len(followups) >= 12
    for followup in followups:  # current deadlines, not 2013 or 2019 ones
        assert today - datetime.timedelta(weeks=6) <= followup.rights_opened_on <= today
        assert followup.due_on <= today + datetime.timedelta(days=31)
    statuses = {derive(followup).status for followup in followups}
    assert {Status.TO_INVITE, Status.ORIENTED, Status.CLOSED} <= statuses
    assert (
        len(statuses & {Status.INVITED, Status.BOOKED, Status.HONOURED, Status.ABSENT, Status.EXCUSED}) >= 2
    )
    assert Slot.objects.available().filter(starts_at__gt=timezone.now()).exists()
    assert 1 <= Alert.objects.open().count() <= 5
    assert any((tmp_path / "mails").iterdir())
    # Every fact was written by the product's workflows, none by the generator.
    assert set(PersonEvent.objects.values_list("source", flat=True)) <= {"cnaf", "orientation"}


def test_the_demo_situation_is_written_once(demo_departement):
    simulate_recent_weeks("59", 1, Decimal("0.02"), weeks=2)
    count = FollowUp.objects.count()
    out = StringIO()
    call_command("demo_orientation", "--departement", "59", "--scale", "0.02", stdout=out)
    assert "rien à faire" in out.getvalue()
    assert FollowUp.objects.count() == count
