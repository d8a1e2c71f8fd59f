"""The joint diagnosis of an accompagnement global: the only writer of `Diagnosis` and
`DiagnosisItem`.

The diagnosis assesses themes of the needs referential (`reception`, one referential in the
product): every *frein périphérique* theme (`NeedTheme.is_peripheral_barrier`: logement,
mobilité, garde d'enfants, santé, numérique, budget) must be assessed before the diagnosis is
validated, so none is forgotten; the other themes may be. Each assessed theme has a level
(aucun frein / frein léger / frein important), the need identified (a need of that theme,
none for « aucun frein ») and a comment of 500 characters at most.

A draft is saved as often as the pair wishes; validating freezes it. Updating a validated
diagnosis starts a new draft (the form starts from the last one). Who and when: `created_by/at`,
`updated_by/at`, `validated_by/at`, and the audit log (fields named, never values).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from parcours.accompaniment.models import NOTE_MAX_LENGTH, Accompaniment
from parcours.accompaniment.pairs import active_referents, require_editor
from parcours.accompaniment.plans import BarrierLevel, Diagnosis, DiagnosisItem, DiagnosisStatus
from parcours.core import audit
from parcours.reception.models import Need, NeedTheme


@dataclass(frozen=True)
class Assessment:
    """A theme as the pair assessed it (`level` "" when not assessed)."""

    theme: NeedTheme
    level: str = ""
    need: Need | None = None
    comment: str = ""

    @property
    def level_label(self) -> str:
        return BarrierLevel(self.level).label if self.level else "Non évalué"


def themes() -> list[NeedTheme]:
    """The active themes a diagnosis shows: the freins périphériques first, then the others,
    each group in the referential's order."""
    rows = list(NeedTheme.objects.filter(active=True).order_by("position", "pk"))
    return [t for t in rows if t.is_peripheral_barrier] + [t for t in rows if not t.is_peripheral_barrier]


def current(accompaniment: Accompaniment) -> Diagnosis | None:
    """The draft being written, else the last validated diagnosis, else None."""
    return (
        Diagnosis.objects.filter(accompaniment=accompaniment)
        .order_by("status", "-on", "-id")  # "brouillon" sorts before "validee"
        .first()
    )


def _check(
    accompaniment: Accompaniment, on: datetime.date, assessments: list[Assessment]
) -> list[Assessment]:
    if on < accompaniment.started_on:
        raise ValidationError(
            f"Le diagnostic ({on:%d/%m/%Y}) ne peut pas précéder le début de l'accompagnement "
            f"({accompaniment.started_on:%d/%m/%Y})."
        )
    if on > timezone.localdate():
        raise ValidationError(f"La date du diagnostic ({on:%d/%m/%Y}) ne peut pas être dans le futur.")
    kept = []
    for item in assessments:
        comment = (item.comment or "").strip()
        if len(comment) > NOTE_MAX_LENGTH:
            raise ValidationError(
                f"« {item.theme} » : le commentaire fait {len(comment)} caractères, {NOTE_MAX_LENGTH} au plus."
            )
        if item.need is not None and item.need.situation.theme_id != item.theme.pk:
            raise ValidationError(f"« {item.need} » n'est pas un besoin de la thématique « {item.theme} ».")
        if not item.level:
            if item.need is not None or comment:
                raise ValidationError(
                    f"« {item.theme} » : choisissez le niveau de frein, ou effacez la ligne."
                )
            continue
        level = BarrierLevel(item.level)
        if level == BarrierLevel.NONE and item.need is not None:
            raise ValidationError(
                f"« {item.theme} » : « Aucun frein » ne nomme pas de besoin ; retirez le besoin ou choisissez "
                "un frein léger ou important."
            )
        kept.append(Assessment(item.theme, level.value, item.need, comment))
    return kept


def missing_barriers(assessed: list[Assessment]) -> list[NeedTheme]:
    """The active frein périphérique themes not assessed in `assessed`."""
    done = {item.theme.pk for item in assessed}
    return [theme for theme in themes() if theme.is_peripheral_barrier and theme.pk not in done]


def save(
    accompaniment: Accompaniment,
    assessments: list[Assessment],
    *,
    on: datetime.date,
    by,
    validate: bool = False,
) -> Diagnosis:
    """Save the draft diagnosis of `accompaniment` (created when there is none) with
    `assessments`, and validate it when `validate`. Its authors are the active référents.

    Refused (ValidationError): a date before the accompaniment's start or in the future, a
    need of another theme, a need with « aucun frein », a comment over 500 characters, and, to
    validate, a frein périphérique left unassessed (the message names them). Refused
    (PermissionDenied) to anyone but the pair and their managers, or once the accompaniment ended."""
    if by is not None:
        require_editor(by, accompaniment)
    kept = _check(accompaniment, on, assessments)
    if validate:
        missing = missing_barriers(kept)
        if missing:
            names = ", ".join(f"« {theme} »" for theme in missing)
            raise ValidationError(
                f"Le diagnostic ne peut être validé que lorsque chaque frein périphérique est évalué : "
                f"indiquez le niveau pour {names} (« Aucun frein » s'il n'y en a pas)."
            )
    now = timezone.now()
    with transaction.atomic():
        Accompaniment.objects.select_for_update().filter(pk=accompaniment.pk).first()
        draft = Diagnosis.objects.filter(accompaniment=accompaniment, status=DiagnosisStatus.DRAFT).first()
        created = draft is None
        if created:
            draft = Diagnosis.objects.create(
                accompaniment=accompaniment, on=on, created_by=by, created_at=now
            )
        draft.on, draft.updated_by, draft.updated_at = on, by, now
        if validate:
            draft.status, draft.validated_by, draft.validated_at = DiagnosisStatus.VALIDATED, by, now
        draft.save()
        draft.items.all().delete()
        DiagnosisItem.objects.bulk_create(
            DiagnosisItem(diagnosis=draft, theme=a.theme, need=a.need, level=a.level, comment=a.comment)
            for a in kept
        )
        draft.authors.set([row.agent for row in active_referents(accompaniment)])
    fields = ["diagnostic conjoint"] + (["validation du diagnostic"] if validate else [])
    audit.record_changes(by, accompaniment.person, fields, created=created)
    return draft


def assessments_of(diagnosis: Diagnosis | None) -> dict[int, Assessment]:
    """The diagnosis's items by theme id (empty without a diagnosis)."""
    if diagnosis is None:
        return {}
    return {
        item.theme_id: Assessment(item.theme, item.level, item.need, item.comment)
        for item in diagnosis.items.select_related("theme", "need")
    }
