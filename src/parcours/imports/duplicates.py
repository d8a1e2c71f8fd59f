"""Decisions on the "doublons à vérifier" queue: merge, separate, undo.

A merge keeps `candidate.person` and removes the duplicate: every row of every app that
points at the duplicate (memberships, follows, pathway events, orientation…) is moved to
the kept person, the kept person's empty fields are filled from the duplicate, and all of
this is written to `candidate.merge_data` so that `undo` can put everything back — the
duplicate is recreated with the same id. The audit trail is left as it was.

Two persons with different NIRs are never merged.
"""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from parcours.core import audit
from parcours.core.access import visible_persons
from parcours.core.encryption import ENCRYPTED_JSON_MARK, EncryptedField, decrypt, encrypt
from parcours.core.models import AuditAction
from parcours.imports.models import DuplicateCandidate, DuplicateDecision, DuplicateStatus
from parcours.people.identity import nirs_conflict
from parcours.people.models import HouseholdMember, Person
from parcours.territory.models import Commune

FILLABLE = (
    "civility",
    "birth_name",
    "sex",
    "nir",
    "caf_number",
    "france_travail_id",
    "email",
    "phone",
    "address",
    "address_complement",
    "postal_code",
    "commune_id",
)
SKIPPED_RELATIONS = {"core.AuditEvent"}


class DecisionRefused(Exception):
    """The decision cannot be applied; the message is in French."""


class OutOfScope(DecisionRefused):
    """A person of the pair is outside the agent's scope (the caller audits the refusal)."""


def _serialize(value, *, secret: bool = False):
    """A JSON-able copy of a field value; a secret (an encrypted field's value, the NIR) stays
    encrypted in `merge_data` ({"__encrypted__": token}, re-encrypted by `parcours rotate-keys`)."""
    if secret:
        return {ENCRYPTED_JSON_MARK: encrypt(value)} if value else value
    if isinstance(value, datetime.datetime | datetime.date):
        return {"__date__": value.isoformat(), "dt": isinstance(value, datetime.datetime)}
    return value


def _deserialize(value):
    if isinstance(value, dict) and "__date__" in value:
        if value["dt"]:
            return datetime.datetime.fromisoformat(value["__date__"])
        return datetime.date.fromisoformat(value["__date__"])
    if isinstance(value, dict) and ENCRYPTED_JSON_MARK in value:
        return decrypt(value[ENCRYPTED_JSON_MARK])
    return value


def _relations():
    for rel in Person._meta.related_objects:
        if rel.many_to_many or not (rel.one_to_many or rel.one_to_one):
            continue
        label = rel.related_model._meta.label
        if label in SKIPPED_RELATIONS:
            continue
        yield label, rel.related_model, rel.field


def _require_scope(candidate: DuplicateCandidate, agent, *person_ids) -> None:
    """A decision on a pair is for an agent who sees both persons (the access rule); the
    command line (no agent) and administrators see everyone."""
    if agent is None:
        return
    ids = {pk for pk in person_ids if pk is not None}
    if visible_persons(agent).filter(pk__in=ids).count() != len(ids):
        raise OutOfScope(
            "L'une des deux fiches est hors de votre périmètre : la décision revient à un agent "
            "qui voit les deux personnes, ou à un administrateur."
        )


def _log(candidate: DuplicateCandidate, action: str, agent) -> None:
    DuplicateDecision.objects.create(candidate=candidate, action=action, agent=agent)


@transaction.atomic
def merge(candidate: DuplicateCandidate, agent, *, request=None) -> Person:
    """Merge the duplicate into the kept person; see the module docstring."""
    candidate = DuplicateCandidate.objects.select_for_update().get(pk=candidate.pk)
    if candidate.status != DuplicateStatus.PENDING:
        raise DecisionRefused("Ce doublon a déjà fait l'objet d'une décision.")
    kept = Person.objects.filter(pk=candidate.person_id).first()
    duplicate = Person.objects.filter(pk=candidate.duplicate_id).first()
    if kept is None or duplicate is None:
        raise DecisionRefused("L'une des deux personnes n'existe plus.")
    _require_scope(candidate, agent, kept.pk, duplicate.pk)
    if nirs_conflict(kept.nir, duplicate.nir):
        raise DecisionRefused(
            "Ces deux personnes ont des NIR différents : elles ne peuvent pas être fusionnées. "
            "Déclarez-les comme personnes distinctes."
        )
    data = {"moved": {}, "removed_memberships": [], "filled": {}, "duplicate": {}}
    kept_households = set(kept.memberships.values_list("household_id", flat=True))
    for member in duplicate.memberships.filter(household_id__in=kept_households):
        data["removed_memberships"].append(
            {"id": member.pk, "household_id": member.household_id, "role": member.role}
        )
        member.delete()
    for label, model, field in _relations():
        pks = list(model.objects.filter(**{field.name: duplicate}).values_list("pk", flat=True))
        if not pks:
            continue
        try:
            with transaction.atomic():
                model.objects.filter(pk__in=pks).update(**{field.name: kept})
        except IntegrityError:
            raise DecisionRefused(
                f"Fusion impossible : les deux personnes ont des « {model._meta.verbose_name_plural} » "
                "incompatibles. Traitez-les avant de fusionner."
            ) from None
        data["moved"][f"{label}.{field.name}"] = pks
    for name in FILLABLE:
        if not getattr(kept, name) and getattr(duplicate, name):
            data["filled"][name] = _serialize(getattr(kept, name))
            setattr(kept, name, getattr(duplicate, name))
    data["duplicate"] = {
        f.attname: _serialize(getattr(duplicate, f.attname), secret=isinstance(f, EncryptedField))
        for f in Person._meta.concrete_fields
    }
    duplicate.delete()
    kept.save()
    candidate.status = DuplicateStatus.MERGED
    candidate.decided_by = agent
    candidate.decided_at = timezone.now()
    candidate.merge_data = data
    candidate.save()
    _log(candidate, "merge", agent)
    audit.record_changes(agent, kept, list(data["filled"]) + ["fusion"], request=request)
    audit.record(
        agent,
        AuditAction.DELETE,
        person=Person(pk=candidate.duplicate_id),
        request=request,
        merged_into=kept.pk,
    )
    return kept


@transaction.atomic
def separate(candidate: DuplicateCandidate, agent, *, request=None) -> None:
    """Declare the two persons distinct."""
    candidate = DuplicateCandidate.objects.select_for_update().get(pk=candidate.pk)
    if candidate.status != DuplicateStatus.PENDING:
        raise DecisionRefused("Ce doublon a déjà fait l'objet d'une décision.")
    _require_scope(candidate, agent, candidate.person_id, candidate.duplicate_id)
    candidate.status = DuplicateStatus.SEPARATED
    candidate.decided_by = agent
    candidate.decided_at = timezone.now()
    candidate.save()
    _log(candidate, "separate", agent)


@transaction.atomic
def undo(candidate: DuplicateCandidate, agent, *, request=None) -> None:
    """Cancel the decision: a merge is reverted (the duplicate comes back with its id)."""
    candidate = DuplicateCandidate.objects.select_for_update().get(pk=candidate.pk)
    if candidate.status == DuplicateStatus.MERGED:
        data = candidate.merge_data or {}
        fields = {name: _deserialize(value) for name, value in data["duplicate"].items()}
        _require_scope(candidate, agent, candidate.person_id)
        if agent is not None and not agent.is_administrator:
            commune = Commune.objects.filter(pk=fields.get("commune_id")).first()
            if commune is None or not agent.may_register_in(commune):
                raise OutOfScope(
                    "La fiche à recréer est hors de vos unités territoriales : "
                    "seul un administrateur peut annuler cette fusion."
                )
        duplicate = Person(**fields)
        Person.objects.bulk_create([duplicate])  # keeps the id; save() would recompute timestamps
        relations = {f"{label}.{field.name}": (model, field) for label, model, field in _relations()}
        for key, pks in data["moved"].items():
            model, field = relations[key]
            model.objects.filter(pk__in=pks).update(**{field.name: duplicate})
        for member in data["removed_memberships"]:
            HouseholdMember.objects.create(
                pk=member["id"], household_id=member["household_id"], person=duplicate, role=member["role"]
            )
        kept = Person.objects.filter(pk=candidate.person_id).first()
        if kept is not None and data["filled"]:
            for name, value in data["filled"].items():
                setattr(kept, name, _deserialize(value))
            kept.save()
        candidate.merge_data = None
        audit.record_changes(agent, duplicate, ["annulation de fusion"], request=request, created=True)
    elif candidate.status != DuplicateStatus.SEPARATED:
        raise DecisionRefused("Aucune décision à annuler.")
    else:
        _require_scope(candidate, agent, candidate.person_id, candidate.duplicate_id)
    candidate.status = DuplicateStatus.PENDING
    candidate.decided_by = None
    candidate.decided_at = None
    candidate.save()
    _log(candidate, "undo", agent)
