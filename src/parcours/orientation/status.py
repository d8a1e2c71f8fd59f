"""The status of an orientation follow-up, derived from its dated facts.

Nothing here is stored: `derive(followup)` reads the follow-up's invitations, bookings,
attendance, decisions and closure, sorts them by date and replays them through an
explicit state machine. Each step keeps its date, so "invited on…, booked on…" is
always shown from the same facts as the status itself.

Transitions (fact → new status):

    opened               → à inviter
    invitation sent      → invité
    invitation expired   → invitation expirée   (no booking through it before its expiry)
    booked / convocation → RDV pris
    booking cancelled    → invité if a live invitation remains, else invitation expirée
    honoured / absent / excused → RDV honoré / absent / excusé (dated at the appointment)
    orientation decided  → orienté
    closed               → clos  (final)
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import models
from django.utils import timezone


class Status(models.TextChoices):
    TO_INVITE = "a_inviter", "À inviter"
    INVITED = "invite", "Invité"
    INVITATION_EXPIRED = "invitation_expiree", "Invitation expirée"
    BOOKED = "rdv_pris", "RDV pris"
    HONOURED = "rdv_honore", "RDV honoré"
    ABSENT = "absent", "Absent"
    EXCUSED = "excuse", "Excusé"
    ORIENTED = "oriente", "Orienté"
    CLOSED = "clos", "Clos"


class Fact(models.TextChoices):
    OPENED = "opened", "Ouverture du suivi"
    INVITED = "invited", "Invitation envoyée"
    CONVOKED = "convoked", "Convocation envoyée"
    EXPIRED = "expired", "Invitation expirée"
    BOOKED = "booked", "Rendez-vous pris"
    CANCELLED = "cancelled", "Rendez-vous annulé"
    HONOURED = "honoured", "Rendez-vous honoré"
    ABSENT = "absent", "Absence au rendez-vous"
    EXCUSED = "excused", "Absence excusée"
    ORIENTED = "oriented", "Orientation décidée"
    CLOSED = "closed", "Suivi clos"


# Same-instant facts replay in this order (e.g. a booking made the second an invitation was sent).
_ORDER = {fact: i for i, fact in enumerate(Fact)}

_TARGET = {
    Fact.OPENED: Status.TO_INVITE,
    Fact.INVITED: Status.INVITED,
    Fact.CONVOKED: Status.INVITED,
    Fact.EXPIRED: Status.INVITATION_EXPIRED,
    Fact.BOOKED: Status.BOOKED,
    Fact.HONOURED: Status.HONOURED,
    Fact.ABSENT: Status.ABSENT,
    Fact.EXCUSED: Status.EXCUSED,
    Fact.ORIENTED: Status.ORIENTED,
    Fact.CLOSED: Status.CLOSED,
}

_ATTENDANCE_FACT = {"honore": Fact.HONOURED, "absent": Fact.ABSENT, "excuse": Fact.EXCUSED}

# Statuses after which the person needs no further invitation.
SETTLED = {Status.BOOKED, Status.HONOURED, Status.ORIENTED, Status.CLOSED}


@dataclass(frozen=True)
class Step:
    fact: str
    at: datetime.datetime
    status: str

    @property
    def label(self) -> str:
        return Fact(self.fact).label

    @property
    def status_label(self) -> str:
        return Status(self.status).label


@dataclass
class FollowUpState:
    status: str
    since: datetime.datetime
    steps: list[Step] = field(default_factory=list)

    @property
    def label(self) -> str:
        return Status(self.status).label

    def date_of(self, status: str) -> datetime.datetime | None:
        """When the follow-up last entered `status` (None if it never did)."""
        dates = [step.at for step in self.steps if step.status == status]
        return dates[-1] if dates else None


def _start_of_day(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def facts_of(followup, now: datetime.datetime | None = None) -> list[tuple[datetime.datetime, str, object]]:
    """The dated facts of a follow-up, unsorted: (date, fact, source row)."""
    now = now or timezone.now()
    facts: list[tuple[datetime.datetime, str, object]] = [
        (_start_of_day(followup.rights_opened_on), Fact.OPENED, followup)
    ]
    bookings = list(followup.bookings.all())
    for invitation in followup.invitations.all():
        if invitation.kind == "convocation":
            facts.append((invitation.created_at, Fact.CONVOKED, invitation))
            continue
        facts.append((invitation.created_at, Fact.INVITED, invitation))
        answered = any(
            b.invitation_id == invitation.pk and b.booked_at < invitation.expires_at for b in bookings
        )
        if not answered and invitation.cancelled_at is None and invitation.expires_at <= now:
            facts.append((invitation.expires_at, Fact.EXPIRED, invitation))
    for booking in bookings:
        facts.append((booking.booked_at, Fact.BOOKED, booking))
        if booking.cancelled_at:
            facts.append((booking.cancelled_at, Fact.CANCELLED, booking))
        elif booking.attendance:
            # Dated at the appointment (never before it was booked, e.g. a slot added after the fact).
            held_at = max(booking.slot.starts_at, booking.booked_at)
            facts.append((held_at, _ATTENDANCE_FACT[booking.attendance], booking))
    for decision in followup.decisions.all():
        facts.append((decision.decided_at, Fact.ORIENTED, decision))
    if followup.closed_at:
        facts.append((followup.closed_at, Fact.CLOSED, followup))
    return facts


def derive(followup, now: datetime.datetime | None = None) -> FollowUpState:
    """Replay the follow-up's facts in date order and return its status and dated steps."""
    facts = sorted(facts_of(followup, now), key=lambda f: (f[0], _ORDER[f[1]]))
    status, since, steps = Status.TO_INVITE, facts[0][0], []
    invitations = [row for _, fact, row in facts if fact == Fact.INVITED]
    for at, fact, _row in facts:
        if status == Status.CLOSED:
            break
        if fact == Fact.CANCELLED:
            live = any(
                inv.created_at <= at < inv.expires_at and inv.cancelled_at is None for inv in invitations
            )
            if status != Status.BOOKED:
                # A cancelled booking whose outcome was already superseded changes nothing.
                steps.append(Step(fact, at, status))
                continue
            new = Status.INVITED if live else Status.INVITATION_EXPIRED
        else:
            new = _TARGET[fact]
            if fact == Fact.EXPIRED and status != Status.INVITED:
                continue  # the person had moved on (booked elsewhere, convoked…)
            if status == Status.ORIENTED and fact not in (Fact.ORIENTED, Fact.CLOSED):
                # After the orientation, later appointments do not reopen the follow-up.
                steps.append(Step(fact, at, status))
                continue
        status, since = new, at
        steps.append(Step(fact, at, status))
    return FollowUpState(status=status, since=since, steps=steps)


# -- the same status, as SQL ---------------------------------------------------------------
# Lists filter, sort and paginate follow-ups by status in the database: `annotate_status` adds
# `derived_status` and `status_since`, computed from the same facts as `derive`. Only the facts
# that can decide the status are read: the latest booking (its last fact: taken, cancelled or
# attended), the latest invitation or convocation, the latest expiry of an unanswered invitation,
# the latest decision and the closure. Whichever is latest decides, with the state machine's rules:
# an expiry counts only if the person was "invité" at that moment, a cancellation gives "invité"
# while an invitation is still live and "invitation expirée" otherwise. `tests/orientation/
# test_status_sql.py` checks it against `derive` on every transition.
_LONG_AGO = datetime.datetime(1900, 1, 1, tzinfo=datetime.UTC)


def annotate_status(queryset, now: datetime.datetime | None = None):
    """`queryset` of follow-ups with `derived_status` (a `Status` value) and `status_since`."""
    from django.db.models import (
        Case,
        CharField,
        DateTimeField,
        Exists,
        F,
        Max,
        OuterRef,
        Q,
        Subquery,
        Value,
        When,
    )
    from django.db.models.functions import Cast, Coalesce, Greatest

    from parcours.appointments.models import Booking, Invitation
    from parcours.orientation.models import OrientationDecision

    now = now or timezone.now()
    long_ago = Value(_LONG_AGO, output_field=DateTimeField())
    latest_booking = Booking.objects.filter(followup=OuterRef("pk")).order_by("-booked_at", "-pk")
    invitations = Invitation.objects.filter(followup=OuterRef("pk"))
    expiring = invitations.filter(kind="invitation", cancelled_at__isnull=True, expires_at__lte=now).exclude(
        Exists(Booking.objects.filter(invitation=OuterRef("pk"), booked_at__lt=OuterRef("expires_at")))
    )
    queryset = queryset.annotate(
        _b_at=Subquery(latest_booking.values("booked_at")[:1]),
        _b_cancelled=Subquery(latest_booking.values("cancelled_at")[:1]),
        _b_attendance=Subquery(latest_booking.values("attendance")[:1]),
        _b_held=Subquery(
            latest_booking.annotate(held=Greatest("slot__starts_at", "booked_at")).values("held")[:1]
        ),
        _inv_at=Coalesce(
            Subquery(invitations.order_by().values("followup").annotate(m=Max("created_at")).values("m")[:1]),
            long_ago,
        ),
        _exp_at=Coalesce(
            Subquery(expiring.order_by().values("followup").annotate(m=Max("expires_at")).values("m")[:1]),
            long_ago,
        ),
        _decided_at=Subquery(
            OrientationDecision.objects.filter(followup=OuterRef("pk"))
            .order_by()
            .values("followup")
            .annotate(m=Max("decided_at"))
            .values("m")[:1]
        ),
    )
    queryset = queryset.annotate(
        _b_end=Case(
            When(_b_at__isnull=True, then=long_ago),
            When(_b_cancelled__isnull=False, then=F("_b_cancelled")),
            When(~Q(_b_attendance=""), then=F("_b_held")),
            default=F("_b_at"),
            output_field=DateTimeField(),
        ),
        _live_at_cancel=Exists(
            Invitation.objects.filter(
                followup=OuterRef("pk"),
                kind="invitation",
                cancelled_at__isnull=True,
                created_at__lte=OuterRef("_b_cancelled"),
                expires_at__gt=OuterRef("_b_cancelled"),
            )
        ),
    )
    booking_status = Case(
        When(_b_cancelled__isnull=False, _live_at_cancel=True, then=Value(Status.INVITED)),
        When(_b_cancelled__isnull=False, then=Value(Status.INVITATION_EXPIRED)),
        *(When(_b_attendance=value, then=Value(_TARGET[fact])) for value, fact in _ATTENDANCE_FACT.items()),
        default=Value(Status.BOOKED),
        output_field=CharField(),
    )
    booking_latest = Q(_b_at__isnull=False, _b_end__gte=F("_inv_at")) & Q(_b_end__gte=F("_exp_at"))
    expiry_latest = Q(_exp_at__gt=F("_b_end"), _exp_at__gte=F("_inv_at")) & Q(_exp_at__gt=long_ago)
    # An expiry after a booking's last fact counts only if that booking left the person "invité"
    # (cancelled): else the booking's own status stands.
    expiry_counts = Q(_inv_at__gt=F("_b_end")) | Q(_b_at__isnull=True) | Q(_b_cancelled__isnull=False)
    invitation_latest = Q(_inv_at__gt=long_ago)
    opened = Cast("rights_opened_on", DateTimeField())
    return queryset.annotate(
        derived_status=Case(
            When(closed_at__isnull=False, then=Value(Status.CLOSED)),
            When(_decided_at__isnull=False, then=Value(Status.ORIENTED)),
            When(booking_latest, then=booking_status),
            When(expiry_latest & expiry_counts, then=Value(Status.INVITATION_EXPIRED)),
            When(expiry_latest, then=booking_status),
            When(invitation_latest, then=Value(Status.INVITED)),
            default=Value(Status.TO_INVITE),
            output_field=CharField(),
        ),
        status_since=Case(
            When(closed_at__isnull=False, then=F("closed_at")),
            When(_decided_at__isnull=False, then=F("_decided_at")),
            When(booking_latest, then=F("_b_end")),
            When(expiry_latest & expiry_counts, then=F("_exp_at")),
            When(expiry_latest, then=F("_b_end")),
            When(invitation_latest, then=F("_inv_at")),
            default=opened,
            output_field=DateTimeField(),
        ),
    )
