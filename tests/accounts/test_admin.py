import pytest
from django.urls import reverse

from parcours.core.models import AuditEvent
from tests.accounts.factories import AgentFactory
from tests.conftest import login_verified


@pytest.mark.django_db
def test_admin_pages_of_agents_and_audit_render(client, two_units):
    admin = AgentFactory(role="administrateur", is_staff=True, is_superuser=True, units=[two_units["unit_a"]])
    AuditEvent.objects.create(agent=admin, agent_label=admin.username, action="view")
    login_verified(client, admin)
    for url in [
        reverse("admin:accounts_agent_changelist"),
        reverse("admin:accounts_agent_add"),
        reverse("admin:accounts_agent_change", args=[admin.pk]),
        reverse("admin:accounts_organisation_changelist"),
        reverse("admin:accounts_apitoken_changelist"),
        reverse("admin:core_auditevent_changelist"),
    ]:
        assert client.get(url).status_code == 200, url


@pytest.mark.django_db
def test_audit_trail_cannot_be_changed_in_the_admin(client, departement):
    admin = AgentFactory(role="administrateur", is_staff=True, is_superuser=True)
    event = AuditEvent.objects.create(agent=admin, agent_label=admin.username, action="view")
    login_verified(client, admin)
    client.post(reverse("admin:core_auditevent_delete", args=[event.pk]), {"post": "yes"})
    assert AuditEvent.objects.filter(pk=event.pk).exists()
