"""Planning invitations, reminders, expiries and convocations.

`plan_invitations()` invites every follow-up "à inviter" (or "excusé") to the nearest site
(`territory.geo.distance_km` from the person's commune) that still has a free seat in the
booking window, counting seats already promised to unanswered invitations. A follow-up
for which none of the `sites_offered` nearest sites has a seat gets no invitation: an
`Alert` is opened and the site's managers are told by e-mail.

`process_invitations()` sends the reminder after `reminder_after_days`, and after
`expiry_after_days` without a booking convokes the person to an assigned slot.
Both functions are idempotent: running them twice sends nothing twice.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Sum
from django.utils import timezone

from parcours.accounts.models import Agent, Role
from parcours.appointments import notifications
from parcours.appointments.booking import BookingError, SlotUnavailable, book, move_booking
from parcours.appointments.models import (
    Alert,
    BookingChannel,
    Channel,
    Invitation,
    InvitationKind,
    MessageKind,
    Slot,
    SlotKind,
)
from parcours.orientation import events
from parcours.orientation.models import FollowUp, OrientationSettings
from parcours.orientation.status import Status, derive
from parcours.people.models import PersonEvent
from parcours.privacy.restriction import exclude_restricted
from parcours.territory.models import Site

# Earliest slot offered: not before tomorrow, so that the person can plan the journey.
MIN_LEAD = datetime.timedelta(hours=24)


@dataclass
class PlanResult:
    invited: list[Invitation] = field(default_factory=list)
    alerted: list[FollowUp] = field(default_factory=list)


def channels_for(person, *, letter: bool = True) -> list[str]:
    """The channels a person can be reached on (letter only when the postal address is known)."""
    channels = []
    if person.email:
        channels.append(Channel.EMAIL)
    if person.phone:
        channels.append(Channel.SMS)
    if letter and person.address and person.postal_code:
        channels.append(Channel.LETTER)
    return channels


def site_managers(site) -> list[Agent]:
    managers = Agent.objects.filter(is_active=True, role=Role.MANAGER)
    if site is not None and site.unit_id:
        managers = managers.filter(units=site.unit_id)
    return list(managers)


class _Capacity:
    """Free seats per site in the booking window, less the seats promised to open invitations."""

    def __init__(self, departement, now: datetime.datetime, window_days: int):
        start, end = now + MIN_LEAD, now + datetime.timedelta(days=window_days)
        free = (
            Slot.objects.available()
            .filter(site__departement=departement, starts_at__gte=start, starts_at__lt=end)
            .values("site_id")
            .annotate(seats=Sum("seats"), taken=Sum("seats_taken"))
        )
        self.left = defaultdict(int, {row["site_id"]: row["seats"] - row["taken"] for row in free})
        promised = (
            Invitation.objects.live()
            .filter(kind=InvitationKind.INVITATION, expires_at__gt=now, followup__closed_at__isnull=True)
            .annotate(n_bookings=Count("bookings"))
            .filter(n_bookings=0)
            .values("site_id")
            .annotate(n=Count("id"))
        )
        for row in promised:
            self.left[row["site_id"]] -= row["n"]
        self.sites = list(
            Site.objects.filter(departement=departement, opening_hours__isnull=False)
            .distinct()
            .select_related("commune", "unit")
        )

    def nearest(self, commune, limit: int) -> list[Site]:
        if commune is None:
            return []
        return sorted(self.sites, key=lambda site: (site.distance_from(commune), site.name))[:limit]


def _to_invite(now: datetime.datetime):
    followups = (
        exclude_restricted(FollowUp.objects.open(), "person")
        .exclude(Exists(Alert.objects.open().filter(followup=OuterRef("pk"))))
        .for_status_display()
        .select_related("departement")
    )
    for followup in followups.order_by("due_on", "id"):
        if derive(followup, now).status in (Status.TO_INVITE, Status.EXCUSED):
            yield followup


def plan_invitations(now: datetime.datetime | None = None, *, deliver: bool = False) -> PlanResult:
    """Invite the follow-ups waiting for an invitation (see the module docstring)."""
    now = now or timezone.now()
    result = PlanResult()
    capacities: dict[int, _Capacity] = {}
    configs: dict[int, OrientationSettings] = {}
    new_invitations, alerts = [], []
    for followup in _to_invite(now):
        dep = followup.departement_id
        if dep not in configs:
            configs[dep] = OrientationSettings.for_departement(followup.departement)
            capacities[dep] = _Capacity(followup.departement, now, configs[dep].booking_window_days)
        config, capacity = configs[dep], capacities[dep]
        nearest = capacity.nearest(followup.person.commune, config.sites_offered)
        site = next((s for s in nearest if capacity.left[s.pk] > 0), None)
        if site is None:
            alerts.append((followup, nearest[0] if nearest else None))
            continue
        capacity.left[site.pk] -= 1
        new_invitations.append(
            Invitation(
                followup=followup,
                person=followup.person,
                kind=InvitationKind.INVITATION,
                site=site,
                created_at=now,
                expires_at=now + datetime.timedelta(days=config.expiry_after_days),
            )
        )
    with transaction.atomic():
        Invitation.objects.bulk_create(new_invitations, batch_size=500)
        messages, person_events = [], []
        for invitation in new_invitations:
            messages.extend(
                notifications.Message(
                    channel=channel,
                    kind=MessageKind.INVITATION,
                    invitation=invitation,
                    person=invitation.person,
                )
                for channel in channels_for(invitation.person)
            )
            person_events.append(
                PersonEvent(
                    person=invitation.person, kind=events.INVITATION_SENT, occurred_at=now, source=events.SOURCE,
                    data={"invitation": invitation.pk, "followup": invitation.followup_id, "site": invitation.site_id},
                )
            )  # fmt: skip
        notifications.Message.objects.bulk_create(messages, batch_size=1000)
        PersonEvent.objects.bulk_create(person_events, batch_size=1000)
        for followup, site in alerts:
            _alert(followup, site, now)
    result.invited = new_invitations
    result.alerted = [followup for followup, _ in alerts]
    if deliver:
        notifications.deliver_pending()
    return result


def _alert(followup: FollowUp, site, now) -> None:
    """Open the follow-up's capacity alert (once) and tell the site's managers."""
    alert, created = Alert.objects.get_or_create(
        followup=followup, resolved_at=None, defaults={"site": site, "created_at": now}
    )
    if created:
        for manager in site_managers(site):
            notifications.queue(
                MessageKind.NO_FREE_SLOT,
                [Channel.EMAIL],
                agent=manager,
                context={
                    "site": site.name if site else "",
                    "followup": followup.pk,
                    "due_on": followup.due_on.strftime("%d/%m/%Y"),
                },
            )


def resolve_alerts(now: datetime.datetime | None = None) -> int:
    """Close the open alerts so that their follow-ups are planned again (after new slots opened)."""
    return Alert.objects.open().update(resolved_at=now or timezone.now())


def first_free_slot(sites: list[Site], now: datetime.datetime) -> Slot | None:
    """The earliest free individual slot of the first of `sites` (in order) that has one."""
    for site in sites:
        slot = (
            Slot.objects.available()
            .filter(site=site, slot_type__kind=SlotKind.INDIVIDUAL, starts_at__gte=now + 2 * MIN_LEAD)
            .order_by("starts_at")
            .first()
        )
        if slot:
            return slot
    return None


def process_invitations(now: datetime.datetime | None = None, *, deliver: bool = False) -> dict[str, int]:
    """Send due reminders and convoke the people whose invitation expired unanswered."""
    now = now or timezone.now()
    counts = {"reminders": 0, "convocations": 0, "alerts": 0}
    configs: dict[int, OrientationSettings] = {}

    def config_of(followup) -> OrientationSettings:
        if followup.departement_id not in configs:
            configs[followup.departement_id] = OrientationSettings.for_departement(followup.departement)
        return configs[followup.departement_id]

    unanswered = (
        exclude_restricted(Invitation.objects.live(), "person")
        .filter(kind=InvitationKind.INVITATION, followup__closed_at__isnull=True)
        .annotate(n_bookings=Count("bookings"))
        .filter(n_bookings=0)
        .select_related("followup__departement", "person__commune", "site")
    )
    for invitation in unanswered.filter(reminded_at__isnull=True, expires_at__gt=now):
        config = config_of(invitation.followup)
        if invitation.created_at + datetime.timedelta(days=config.reminder_after_days) > now:
            continue
        with transaction.atomic():
            if not Invitation.objects.filter(pk=invitation.pk, reminded_at__isnull=True).update(
                reminded_at=now
            ):
                continue
            notifications.queue(
                MessageKind.REMINDER, channels_for(invitation.person, letter=False), invitation=invitation
            )
            events.record(invitation.person, events.INVITATION_REMINDED, now, invitation=invitation.pk)
        counts["reminders"] += 1

    expired = unanswered.filter(expires_at__lte=now).exclude(
        Exists(
            Invitation.objects.filter(
                followup=OuterRef("followup"),
                kind=InvitationKind.CONVOCATION,
                created_at__gte=OuterRef("created_at"),
            )
        )
        | Exists(Alert.objects.open().filter(followup=OuterRef("followup")))
    )
    for invitation in expired:
        followup = invitation.followup
        if derive(followup, now).status != Status.INVITATION_EXPIRED:
            continue
        sites = candidate_sites(followup, config_of(followup), first=invitation.site)
        if convoke(followup, sites, now, expired_invitation=invitation):
            counts["convocations"] += 1
        else:
            _alert(followup, sites[0] if sites else None, now)
            counts["alerts"] += 1
    if deliver:
        notifications.deliver_pending()
    return counts


def candidate_sites(followup: FollowUp, config: OrientationSettings, first: Site | None = None) -> list[Site]:
    """`first` (the invitation's site) then the nearest sites with opening hours."""
    sites = [first] if first else []
    if followup.person.commune:
        nearby = Site.objects.filter(departement=followup.departement, opening_hours__isnull=False).distinct()
        sites += [
            s for s in nearby.nearest_to(followup.person.commune, config.sites_offered) if s not in sites
        ]
    return sites


def convoke_nearest(followup: FollowUp, now: datetime.datetime) -> bool:
    """An agent convokes the person to the earliest free slot of the nearest sites."""
    config = OrientationSettings.for_departement(followup.departement)
    return convoke(followup, candidate_sites(followup, config), now)


def convoke(
    followup: FollowUp, sites: list[Site], now: datetime.datetime, *, expired_invitation=None
) -> bool:
    """Book the earliest free slot of the given sites and send a convocation; False if none is free."""
    for _attempt in range(3):  # a slot taken between the lookup and the booking: try the next one
        slot = first_free_slot(sites, now)
        if slot is None:
            return False
        with transaction.atomic():
            convocation = Invitation.objects.create(
                followup=followup,
                person=followup.person,
                kind=InvitationKind.CONVOCATION,
                site=slot.site,
                created_at=now,
                expires_at=slot.starts_at,
            )
            try:
                book(slot, followup, channel=BookingChannel.CONVOCATION, invitation=convocation, at=now)
            except BookingError:
                transaction.set_rollback(True)
                continue
            if expired_invitation is not None:
                events.record(
                    followup.person, events.INVITATION_EXPIRED, expired_invitation.expires_at,
                    invitation=expired_invitation.pk,
                )  # fmt: skip
            events.record(
                followup.person, events.CONVOCATION_SENT, now, invitation=convocation.pk, site=slot.site_id
            )
            notifications.queue(
                MessageKind.CONVOCATION, channels_for(followup.person), invitation=convocation
            )
        return True
    return False


@dataclass
class SiteOffer:
    site: Site
    distance_km: float
    slots: list[Slot]


def offer_for(
    invitation: Invitation, now: datetime.datetime | None = None, per_site: int = 12
) -> list[SiteOffer]:
    """The free slots a personal link offers: the nearest sites with opening hours, nearest first,
    and in each the first `per_site` times. Several agents free at the same time and for the same
    kind of appointment make one time: one slot stands for them (the one with most seats left)."""
    now = now or timezone.now()
    followup = invitation.followup
    config = OrientationSettings.for_departement(followup.departement)
    sites = Site.objects.filter(departement=followup.departement, opening_hours__isnull=False).distinct()
    commune = invitation.person.commune
    if commune is not None:
        nearest = sites.nearest_to(commune, config.sites_offered)
    else:
        nearest = [s for s in sites.select_related("commune") if s.pk == invitation.site_id]
        for site in nearest:
            site.distance = 0.0
    end = now + datetime.timedelta(days=config.booking_window_days)
    offers = []
    for site in nearest:
        slots = []
        if per_site:
            free = Slot.objects.available().filter(
                site=site, starts_at__gte=now + MIN_LEAD, starts_at__lt=end
            )
            times = list(free.order_by("starts_at").values_list("starts_at", flat=True).distinct()[:per_site])
            slots = _one_per_time(free.filter(starts_at__in=times).select_related("slot_type"))
        offers.append(SiteOffer(site=site, distance_km=site.distance, slots=slots))
    return offers


def _one_per_time(slots) -> list[Slot]:
    """One slot per (start, kind of appointment), the one with most seats left, by start."""
    chosen: dict[tuple, Slot] = {}
    for slot in slots:
        key = (slot.starts_at, slot.slot_type_id)
        if key not in chosen or (slot.seats_left, -slot.pk) > (chosen[key].seats_left, -chosen[key].pk):
            chosen[key] = slot
    return sorted(chosen.values(), key=lambda slot: (slot.starts_at, slot.pk))


def offered_slots(invitation: Invitation, slot_id, now: datetime.datetime | None = None) -> list[Slot]:
    """The slot `slot_id` if the link may book it (one of its offered sites, within the window),
    followed by the other free slots of the same site, time and kind (another agent's): the time
    the person chose stays bookable while one of them is free. Empty when the link may not."""
    try:
        slot_id = int(slot_id)
    except (TypeError, ValueError):
        return []
    now = now or timezone.now()
    followup = invitation.followup
    config = OrientationSettings.for_departement(followup.departement)
    site_ids = [offer.site.pk for offer in offer_for(invitation, now, per_site=0)]
    chosen = (
        Slot.objects.filter(
            pk=slot_id,
            site_id__in=site_ids,
            starts_at__gte=now + MIN_LEAD,
            starts_at__lt=now + datetime.timedelta(days=config.booking_window_days),
        )
        .select_related("site")
        .first()
    )
    if chosen is None:
        return []
    same_time = (
        Slot.objects.available()
        .filter(site_id=chosen.site_id, starts_at=chosen.starts_at, slot_type_id=chosen.slot_type_id)
        .exclude(pk=chosen.pk)
        .select_related("site")
        .order_by("pk")
    )
    return [chosen, *same_time]


def book_offered(invitation: Invitation, slot_id, current) -> str:
    """Book (or move `current`, the person's booking, to) the time of `slot_id` through the
    personal link; another agent's slot at the same time is taken if that one was taken meanwhile.
    Returns the message for the person; raises `BookingError` with one."""
    slots = offered_slots(invitation, slot_id)
    if not slots:
        raise BookingError(
            "Ce créneau ne peut pas être réservé avec ce lien. Choisissez-en un dans la liste."
        )
    refused: BookingError | None = None
    for slot in slots:
        try:
            if current is not None:
                move_booking(current, slot)
                return "Votre rendez-vous est déplacé."
            book(slot, invitation.followup, channel=BookingChannel.PUBLIC, invitation=invitation)
            return "Votre rendez-vous est confirmé."
        except SlotUnavailable as error:
            refused = error
    raise refused
