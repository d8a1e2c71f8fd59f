"""Who sees which person through the aids (`core.access_grants`, declared on `AidsConfig`).

The département's instructors of aids (`Agent.may_instruct_aids`) see the persons who have an
application deposited (any state but « brouillon »), whatever their unit: the aids are
instructed by a département-wide service, and an application may come from a partner (a mission
locale) for a person outside the instructor's units. Drafts open nothing.
"""

from __future__ import annotations

from django.db.models import QuerySet


def persons_with_applications_for(agent) -> QuerySet | None:
    """A subquery of the ids of the persons with a deposited application; None for agents who do
    not instruct aids (and administrators, who see everyone anyway)."""
    from parcours.aids.models import AidApplication, ApplicationState

    if agent is None or not getattr(agent, "is_authenticated", False):
        return None
    if agent.is_administrator or agent.is_employer or not agent.may_instruct_aids:
        return None
    return AidApplication.objects.exclude(state=ApplicationState.DRAFT).values("person_id")


def application_for(
    request,
    application_id,
    *,
    action: str = "",
    audit_read: bool = True,
    related: tuple[str, ...] = ("scheme", "version"),
):
    """The application `application_id` when its person is within the agent's scope — the one
    access rule, `core.access.get_person_for`, which audits the read (`action`, default a view) —
    with its person set; Http404 otherwise (the refusal audited). Every view of an application
    goes through here."""
    from django.http import Http404

    from parcours.aids.models import AidApplication
    from parcours.core.access import get_person_for
    from parcours.core.models import AuditAction

    application = AidApplication.objects.select_related(*related).filter(pk=application_id).first()
    if application is None:
        raise Http404("Demande introuvable.")
    application.person = get_person_for(
        request.user,
        application.person_id,
        request=request,
        action=action or AuditAction.VIEW,
        audit_read=audit_read,
    )
    return application
