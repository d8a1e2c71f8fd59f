"""What administrators do to accounts and to the territory's organisation, each act audited.

The administration screens (`accounts/management_views.py`) call these functions only: they
create and change agents, deactivate and reactivate them, reset their second factor (the agent
enrols a new authenticator app at their next login), and save organisations and territorial
units (with the communes they cover). Every function writes one `AuditEvent` naming the object
and the fields changed, never their values.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django_otp.plugins.otp_totp.models import TOTPDevice

from parcours.accounts.models import Agent, Organisation
from parcours.core import audit
from parcours.core.models import AuditAction
from parcours.territory.models import Commune, TerritorialUnit


class AdministrationError(Exception):
    """An act the rules refuse; its message is shown to the administrator."""


# The sort keys the agents' list accepts (GET `tri`), a leading "-" reverses.
AGENT_SORTS = {
    "nom": ("last_name", "first_name", "username"),
    "identifiant": ("username",),
    "role": ("role", "last_name", "first_name"),
    "organisation": ("organisation__name", "last_name", "first_name"),
    "connexion": ("last_login", "username"),
}


def agents_listed(
    *, role: str = "", unit: TerritorialUnit | None = None, active: bool | None = None, sort: str = "nom"
) -> QuerySet[Agent]:
    """The agents matching the filters, in the order `sort` (a key of AGENT_SORTS, "-" reverses)."""
    agents = Agent.objects.select_related("organisation").prefetch_related("units")
    if role:
        agents = agents.filter(role=role)
    if unit is not None:
        agents = agents.filter(units=unit)
    if active is not None:
        agents = agents.filter(is_active=active)
    descending = sort.startswith("-")
    fields = AGENT_SORTS.get(sort.lstrip("-"), AGENT_SORTS["nom"])
    return agents.order_by(*(f"-{field}" if descending else field for field in fields), "pk")


def _changed(form) -> list[str]:
    return sorted(form.changed_data)


@transaction.atomic
def save_agent(form, *, by: Agent, request=None) -> Agent:
    """Create or change the agent of a valid `AgentForm`, audited with the fields changed."""
    created = form.instance.pk is None
    agent = form.save()
    audit.record(
        by,
        AuditAction.AGENT_CREATED if created else AuditAction.AGENT_UPDATED,
        request=request,
        agent_id=agent.pk,
        username=agent.username,
        fields=[name for name in _changed(form) if not name.startswith("password")],
    )
    return agent


@transaction.atomic
def deactivate(agent: Agent, *, by: Agent, request=None) -> None:
    """Close `agent`'s account: no login, no API token, no session any more.

    Raises AdministrationError when an administrator deactivates their own account (the
    département would risk losing its last administrator)."""
    if agent.pk == by.pk:
        raise AdministrationError("Vous ne pouvez pas désactiver votre propre compte.")
    if not agent.is_active:
        raise AdministrationError("Ce compte est déjà désactivé.")
    agent.is_active = False
    agent.save(update_fields=["is_active"])
    audit.record(
        by, AuditAction.AGENT_DEACTIVATED, request=request, agent_id=agent.pk, username=agent.username
    )


@transaction.atomic
def reactivate(agent: Agent, *, by: Agent, request=None) -> None:
    """Open `agent`'s account again."""
    if agent.is_active:
        raise AdministrationError("Ce compte est déjà actif.")
    agent.is_active = True
    agent.save(update_fields=["is_active"])
    audit.record(
        by, AuditAction.AGENT_REACTIVATED, request=request, agent_id=agent.pk, username=agent.username
    )


@transaction.atomic
def reset_second_factor(agent: Agent, *, by: Agent, request=None) -> int:
    """Delete `agent`'s authenticator devices: they enrol a new one at their next login.

    Returns the number of devices deleted."""
    deleted, _ = TOTPDevice.objects.filter(user=agent).delete()
    audit.record(
        by, AuditAction.SECOND_FACTOR_RESET, request=request, agent_id=agent.pk, username=agent.username
    )
    return deleted


def organisations_listed() -> QuerySet[Organisation]:
    """Every organisation with `agent_count` (its active agents)."""
    return Organisation.objects.select_related("departement").annotate(
        agent_count=Count("agents", filter=Q(agents__is_active=True))
    )


@transaction.atomic
def save_organisation(form, *, by: Agent, request=None) -> Organisation:
    created = form.instance.pk is None
    organisation = form.save()
    audit.record(
        by,
        AuditAction.ORGANISATION_SAVED,
        request=request,
        organisation_id=organisation.pk,
        created=created,
        fields=_changed(form),
    )
    return organisation


@transaction.atomic
def save_unit(form, *, by: Agent, request=None) -> TerritorialUnit:
    """Save the unit of a valid `UnitForm` and give it exactly the communes chosen (a commune
    taken from another unit leaves it). Audited with the INSEE codes added and removed."""
    created = form.instance.pk is None
    unit = form.save()
    chosen = set(form.cleaned_data["communes"].values_list("pk", flat=True))
    current = set(Commune.objects.filter(unit=unit).values_list("pk", flat=True))
    added = sorted(Commune.objects.filter(pk__in=chosen - current).values_list("insee_code", flat=True))
    removed = sorted(Commune.objects.filter(pk__in=current - chosen).values_list("insee_code", flat=True))
    Commune.objects.filter(pk__in=current - chosen).update(unit=None)
    Commune.objects.filter(pk__in=chosen - current).update(unit=unit)
    audit.record(
        by,
        AuditAction.UNIT_SAVED,
        request=request,
        unit_id=unit.pk,
        created=created,
        fields=_changed(form),
        communes_added=added,
        communes_removed=removed,
    )
    return unit
