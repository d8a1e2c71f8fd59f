"""Who may see which person: the one permission check used by every view and API endpoint.

The rule itself lives in `PersonQuerySet.visible_to`; this module adds the audited
fetch that views and the API use, so that a refused access answers 404 (existence is
not revealed) and leaves a trace.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.http import Http404

from parcours.core import audit
from parcours.core.models import AuditAction


def visible_persons(agent, *, purposes: tuple[str, ...] = ()):
    """`PersonQuerySet.visible_to`, without the persons in intermediate archive (but for
    administrators; see `parcours.privacy.lifecycle.without_archived`). `purposes` names the
    purpose-limited grants the calling page serves (`core.access_grants`)."""
    from parcours.people.models import Person
    from parcours.privacy.lifecycle import without_archived

    return without_archived(Person.objects.visible_to(agent, purposes=purposes), agent)


def visible_rows(queryset, agent, *, path: str = "person", purposes: tuple[str, ...] = ()):
    """`queryset`, rows of a model linked to a person through `path`, limited to the rows whose
    person `agent` may see: the same rule as `visible_persons` (`people.models.visibility_condition`
    and the intermediate archive), written as a condition on the rows rather than as
    `person__in=<every visible person>`, so that a list read in the order of an index (the aids'
    queue) checks only the rows it shows."""
    from parcours.people.models import visibility_condition
    from parcours.privacy.models import PersonArchive

    condition = visibility_condition(agent, prefix=f"{path}__", purposes=purposes)
    if condition is not None:
        queryset = queryset.filter(condition)
    if agent is not None and getattr(agent, "is_administrator", False):
        return queryset
    return queryset.exclude(Exists(PersonArchive.objects.filter(person=OuterRef(path))))


def with_privacy_flags(persons):
    """Annotate `privacy_restricted` and `privacy_archived` (read by the person page's
    "Données personnelles" panel, `parcours.privacy.panels`) in the same query."""
    from parcours.privacy.lifecycle import annotate_flags

    return annotate_flags(persons)


def can_see_person(agent, person) -> bool:
    return visible_persons(agent).filter(pk=person.pk).exists()


def get_person_for(
    agent,
    person_id,
    *,
    request=None,
    action: str = AuditAction.VIEW,
    audit_read: bool = True,
    purposes: tuple[str, ...] = (),
):
    """The person `person_id` if `agent` may see it (on a page serving `purposes`), audited;
    otherwise Http404, the refusal audited."""
    from parcours.people.models import Person

    try:
        person_id = int(person_id)
    except (TypeError, ValueError):
        raise Http404("Personne introuvable.")
    person = (
        with_privacy_flags(visible_persons(agent, purposes=purposes))
        .select_related("commune__unit")
        .filter(pk=person_id)
        .first()
    )
    if person is None:
        exists = Person.objects.filter(pk=person_id).exists()
        audit.record(
            agent,
            AuditAction.DENIED,
            person=Person(pk=person_id) if exists else None,
            request=request,
            requested_id=person_id,
        )
        raise Http404("Personne introuvable.")
    if audit_read:
        audit.record(agent, action, person=person, request=request)
    return person
