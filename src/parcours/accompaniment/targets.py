"""The département's yearly target per programme and the count against it.

**The count** (`persons_started`): the distinct persons with an `accompagnement.debut` event of
the programme (`data.programme`) dated in the calendar year (Paris days, 1 January to
31 December). A person who started twice in the year counts once; an accompaniment started the
year before and still open does not count (a target counts the persons the département brought
into the programme that year). The events are the ones the pseudonymised event export
(`indicators.event_export`) lists, so an auditor recounts it from the export: distinct `person`
of the rows of kind `accompagnement.debut` and programme `global`.

Only `set_target` (and `set_demo_targets`, for the demo) writes `ProgrammeTarget`, audited.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils import timezone

from parcours.accompaniment.models import Programme
from parcours.accompaniment.plans import ProgrammeTarget
from parcours.core import audit
from parcours.core.models import AuditAction
from parcours.people import event_kinds as ev
from parcours.people.models import PersonEvent

PARIS = ZoneInfo("Europe/Paris")
# The département's yearly target at full scale (issue #13: 4,000 persons in accompagnement global).
DEMO_TARGETS = {Programme.GLOBAL: 4000}


@dataclass(frozen=True)
class Progress:
    programme: str
    label: str
    year: int
    target: int | None
    persons: int

    @property
    def share(self) -> float | None:
        """persons / target (None without a target)."""
        return self.persons / self.target if self.target else None

    @property
    def percent(self) -> int | None:
        return round(100 * self.share) if self.share is not None else None

    @property
    def bar_width(self) -> int:
        """The progress bar's width in percent (0 to 100)."""
        return min(100, self.percent or 0)


def _year_bounds(year: int) -> tuple[datetime.datetime, datetime.datetime]:
    return (
        datetime.datetime(year, 1, 1, tzinfo=PARIS),
        datetime.datetime(year + 1, 1, 1, tzinfo=PARIS),
    )


def persons_started(programme: str, year: int) -> int:
    """Distinct persons who started `programme` in the calendar `year` (see the module docstring)."""
    low, high = _year_bounds(year)
    return (
        PersonEvent.objects.filter(
            kind=ev.COACHING_START,
            data__programme=Programme(programme).value,
            occurred_at__gte=low,
            occurred_at__lt=high,
        )
        .values("person_id")
        .distinct()
        .count()
    )


def progress(programme: str, year: int | None = None) -> Progress:
    """The target of `programme` for `year` (this year by default) and the count against it."""
    programme = Programme(programme)
    year = year or timezone.localdate().year
    target = ProgrammeTarget.objects.filter(programme=programme, year=year).values_list(
        "target_persons", flat=True
    )
    return Progress(programme.value, programme.label, year, target.first(), persons_started(programme, year))


def set_target(programme: str, year: int, target_persons: int, *, by) -> ProgrammeTarget:
    """Set the target of `programme` for `year` (created or replaced), audited."""
    programme = Programme(programme)
    if not isinstance(target_persons, int) or target_persons < 1:
        raise ValidationError("La cible est un nombre de personnes, au moins 1.")
    if not 2000 <= year <= 2100:
        raise ValidationError("Choisissez une année entre 2000 et 2100.")
    target, created = ProgrammeTarget.objects.update_or_create(
        programme=programme,
        year=year,
        defaults={"target_persons": target_persons, "updated_by": by, "updated_at": timezone.now()},
    )
    audit.record(
        by,
        AuditAction.CREATE if created else AuditAction.UPDATE,
        target="cible de programme",
        programme=programme.value,
        year=year,
    )
    return target


def set_demo_targets(year: int, scale) -> list[ProgrammeTarget]:
    """The demo's targets for `year`: `DEMO_TARGETS` scaled like the demo population (at least 1
    person), unless an administrator already set one."""
    made = []
    for programme, full in DEMO_TARGETS.items():
        persons = max(1, round(Decimal(str(full)) * Decimal(str(scale))))
        target, _ = ProgrammeTarget.objects.get_or_create(
            programme=programme, year=year, defaults={"target_persons": persons}
        )
        made.append(target)
    return made
