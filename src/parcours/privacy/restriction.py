"""The restriction of processing (RGPD art. 18): while a person's restriction is active, Parcours
only stores their data. Every automated process asks this module, the one way to know:

- `exclude_restricted(queryset, "person")`: drop the rows of restricted persons (the orientation
  pipeline's follow-ups and invitations, message delivery, job matching, the retention task);
- `is_restricted(person_id)`: refuse an edit of the person's record (people views), the offers
  matched to them and a shortlisting (jobs views), the start of an accompaniment;
- `set_restriction` / `lift_restriction`: the only writers, each audited with who and when.

Lifting the restriction lets the pipeline resume: nothing was marked as done while it was set
(the intake events not applied are applied at the next run, pending messages are sent).
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from parcours.core import audit
from parcours.privacy.models import ProcessingRestriction

REFUSAL = (
    "La personne a demandé la limitation du traitement de ses données : sa fiche ne peut pas être "
    "modifiée tant que la limitation est active (seule la conservation est permise). Un agent habilité "
    "peut lever la limitation depuis « Données personnelles » sur la fiche."
)
AUDIT_FIELD = "limitation du traitement"


class RestrictionError(Exception):
    """A restriction that cannot be set or lifted; the message is for the agent."""


def restricted_person_ids():
    """A subquery of the ids of the persons under an active restriction."""
    return ProcessingRestriction.objects.active().values("person_id")


def exclude_restricted(queryset, person_field: str = "person"):
    """`queryset` without the rows whose `person_field` (a path to people.Person) is restricted."""
    return queryset.exclude(**{f"{person_field}__in": restricted_person_ids()})


def is_restricted(person_id) -> bool:
    return ProcessingRestriction.objects.active().filter(person_id=person_id).exists()


def active_restriction(person) -> ProcessingRestriction | None:
    return ProcessingRestriction.objects.active().filter(person=person).select_related("set_by").first()


def set_restriction(person, *, reason: str, by, request=None) -> ProcessingRestriction:
    reason = (reason or "").strip()
    if not reason:
        raise RestrictionError(
            "Indiquez le motif de la demande de limitation (par exemple : exactitude contestée)."
        )
    try:
        with transaction.atomic():
            restriction = ProcessingRestriction.objects.create(person=person, reason=reason, set_by=by)
            audit.record_changes(by, person, [AUDIT_FIELD], request=request)
    except IntegrityError:
        raise RestrictionError("Une limitation est déjà active pour cette personne.") from None
    return restriction


def lift_restriction(person, *, by, request=None) -> ProcessingRestriction:
    with transaction.atomic():
        restriction = ProcessingRestriction.objects.select_for_update().active().filter(person=person).first()
        if restriction is None:
            raise RestrictionError("Aucune limitation n'est active pour cette personne.")
        restriction.lifted_at, restriction.lifted_by = timezone.now(), by
        restriction.save(update_fields=["lifted_at", "lifted_by"])
        audit.record_changes(by, person, [AUDIT_FIELD], request=request)
    return restriction
