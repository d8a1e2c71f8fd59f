import datetime

import pytest
from django.utils import timezone

from parcours.appointments.models import Message, MessageKind
from parcours.core.schedules import DAILY_TASKS
from parcours.directory.models import Service
from parcours.directory.staleness import remind_owners
from parcours.directory.tasks import remind_stale_services
from tests.accounts.factories import AgentFactory
from tests.directory.factories import ServiceFactory, StructureFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 1)


def test_stale_services_remind_their_organisations_agents_once_a_month(settings, tmp_path):
    settings.EMAIL_FILE_PATH = tmp_path
    structure = StructureFactory()
    old = [ServiceFactory(structure=structure, date_maj=datetime.date(2026, 5, 1)) for _ in range(2)]
    ServiceFactory(structure=structure, date_maj=datetime.date(2026, 8, 1))  # four months: not stale
    ServiceFactory(
        structure=StructureFactory(organisation=None), date_maj=datetime.date(2020, 1, 1)
    )  # no owner
    agent = AgentFactory(role="accueil", organisation=structure.organisation)
    AgentFactory(role="accueil", organisation=structure.organisation, is_active=False)
    AgentFactory(role="referent")  # another organisation

    assert remind_owners(TODAY) == {"services": 2, "agents": 1}
    message = Message.objects.get()
    assert message.kind == MessageKind.DIRECTORY_ALERT and message.agent == agent
    assert message.person is None
    assert message.context["path"] == "/annuaire/mes-services/"
    assert message.context["text"].startswith("2 services de votre structure n’ont pas été mis à jour")
    assert message.status == "envoye"
    for service in old:
        service.refresh_from_db()
        assert service.reminded_at is not None

    # Not again the next day, nor within the month; again a month later.
    assert remind_owners(TODAY + datetime.timedelta(days=1)) == {"services": 0, "agents": 0}
    Service.objects.update(reminded_at=timezone.now() - datetime.timedelta(days=32))
    assert remind_owners(TODAY + datetime.timedelta(days=32))["services"] == 2


def test_the_daily_task_is_scheduled(settings):
    task = {t.func: t for t in DAILY_TASKS}["parcours.directory.tasks.remind_stale_services"]
    assert settings.PARCOURS_SCHEDULE_TIMES[task.time_setting]
    assert remind_stale_services() == "0 service(s) à mettre à jour, 0 agent(s) prévenu(s)"
