"""Agendas, slots, bookings, invitations and the messages that carry them.

Seats are guarded in the database: `Slot.seats_taken` only grows through a conditional
UPDATE (`seats_taken < seats`), so two people booking the last seat at the same moment
cannot both win, on SQLite as on PostgreSQL (see `booking.book`).
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.db import models
from django.db.models import F, Q
from django.utils import timezone


class SlotKind(models.TextChoices):
    INDIVIDUAL = "individuel", "Entretien individuel d'orientation"
    COLLECTIVE = "collectif", "Information collective"


class SlotType(models.Model):
    """A kind of appointment a site offers: its duration and its number of seats."""

    departement = models.ForeignKey("territory.Departement", on_delete=models.CASCADE, related_name="+")
    name = models.CharField("libellé", max_length=150)
    kind = models.CharField("nature", max_length=20, choices=SlotKind.choices)
    duration_minutes = models.PositiveSmallIntegerField("durée (minutes)", default=45)
    seats = models.PositiveSmallIntegerField("places", default=1)

    class Meta:
        verbose_name = "type de rendez-vous"
        verbose_name_plural = "types de rendez-vous"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Weekday(models.IntegerChoices):
    MONDAY = 0, "lundi"
    TUESDAY = 1, "mardi"
    WEDNESDAY = 2, "mercredi"
    THURSDAY = 3, "jeudi"
    FRIDAY = 4, "vendredi"
    SATURDAY = 5, "samedi"
    SUNDAY = 6, "dimanche"


class OpeningHours(models.Model):
    """A weekly period when an agent receives at a site, cut into slots of one type."""

    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="opening_hours"
    )
    site = models.ForeignKey("territory.Site", on_delete=models.CASCADE, related_name="opening_hours")
    slot_type = models.ForeignKey(SlotType, on_delete=models.PROTECT, related_name="+")
    weekday = models.PositiveSmallIntegerField("jour", choices=Weekday.choices)
    starts_at = models.TimeField("de")
    ends_at = models.TimeField("à")
    valid_from = models.DateField("à partir du", null=True, blank=True)
    valid_until = models.DateField("jusqu'au", null=True, blank=True)

    class Meta:
        verbose_name = "plage d'ouverture"
        verbose_name_plural = "plages d'ouverture"
        ordering = ["site", "weekday", "starts_at"]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.starts_at:%H:%M}–{self.ends_at:%H:%M}"


class SlotQuerySet(models.QuerySet):
    def available(self):
        return self.filter(cancelled_at__isnull=True, seats_taken__lt=F("seats"))

    def upcoming(self, after=None):
        return self.filter(starts_at__gt=after or timezone.now())


class Slot(models.Model):
    """One appointment time at a site; a collective session has several seats."""

    site = models.ForeignKey("territory.Site", on_delete=models.CASCADE, related_name="slots")
    # SET_NULL: when an agent account is deleted, its booked slots stay for the manager to reassign.
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="slots"
    )
    slot_type = models.ForeignKey(SlotType, on_delete=models.PROTECT, related_name="slots")
    starts_at = models.DateTimeField("début", db_index=True)
    ends_at = models.DateTimeField("fin")
    seats = models.PositiveSmallIntegerField("places", default=1)
    seats_taken = models.PositiveSmallIntegerField("places prises", default=0)
    cancelled_at = models.DateTimeField("annulé le", null=True, blank=True)

    objects = SlotQuerySet.as_manager()

    class Meta:
        verbose_name = "créneau"
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(seats_taken__lte=F("seats")), name="slot_not_overbooked"),
            models.UniqueConstraint(
                fields=["agent", "starts_at"],
                condition=Q(cancelled_at__isnull=True),
                name="one_slot_per_agent_and_time",
            ),
        ]
        indexes = [models.Index(fields=["site", "starts_at"])]

    def __str__(self) -> str:
        local = timezone.localtime(self.starts_at)
        return f"{self.site} — {local:%d/%m/%Y %H:%M}"

    @property
    def seats_left(self) -> int:
        return max(0, self.seats - self.seats_taken)


class BookingChannel(models.TextChoices):
    PUBLIC = "public", "Par la personne (lien personnel)"
    AGENT = "agent", "Par un agent"
    CONVOCATION = "convocation", "Convocation"


class Attendance(models.TextChoices):
    HONOURED = "honore", "Présent"
    ABSENT = "absent", "Absent"
    EXCUSED = "excuse", "Excusé"


class Booking(models.Model):
    """A seat of a slot held by a person for an orientation follow-up."""

    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="bookings")
    followup = models.ForeignKey("orientation.FollowUp", on_delete=models.CASCADE, related_name="bookings")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="bookings")
    invitation = models.ForeignKey(
        "Invitation", null=True, blank=True, on_delete=models.SET_NULL, related_name="bookings"
    )
    channel = models.CharField("pris", max_length=20, choices=BookingChannel.choices)
    booked_at = models.DateTimeField("pris le", default=timezone.now)
    cancelled_at = models.DateTimeField("annulé le", null=True, blank=True)
    attendance = models.CharField("présence", max_length=10, choices=Attendance.choices, blank=True)
    attendance_recorded_at = models.DateTimeField("présence notée le", null=True, blank=True)
    attendance_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "rendez-vous"
        verbose_name_plural = "rendez-vous"
        ordering = ["-booked_at", "-id"]
        constraints = [
            # One live appointment per follow-up awaiting its outcome.
            models.UniqueConstraint(
                fields=["followup"],
                condition=Q(cancelled_at__isnull=True, attendance=""),
                name="one_pending_booking_per_followup",
            )
        ]

    def __str__(self) -> str:
        return f"Rendez-vous n°{self.pk}"

    @property
    def is_active(self) -> bool:
        return self.cancelled_at is None


_LINK_SIGNER = signing.Signer(salt="parcours.appointments.invitation")


class InvitationKind(models.TextChoices):
    INVITATION = "invitation", "Invitation à prendre rendez-vous"
    CONVOCATION = "convocation", "Convocation à un rendez-vous fixé"


class InvitationQuerySet(models.QuerySet):
    def by_token(self, token: str):
        """The invitation of a personal link, or None if the link was not signed by us."""
        try:
            pk = int(_LINK_SIGNER.unsign(token))
        except (signing.BadSignature, ValueError):
            return None
        return self.select_related("followup", "person__commune").filter(pk=pk).first()

    def live(self):
        return self.filter(cancelled_at__isnull=True)


class Invitation(models.Model):
    """An invitation (or convocation) of a follow-up, carried by one message per channel.

    The personal link carries the invitation's id signed with the SECRET_KEY (nothing to
    store, nothing to guess); a cancelled invitation's link stops working.
    """

    followup = models.ForeignKey("orientation.FollowUp", on_delete=models.CASCADE, related_name="invitations")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="invitations")
    kind = models.CharField("nature", max_length=20, choices=InvitationKind.choices)
    site = models.ForeignKey(
        "territory.Site",
        null=True,
        on_delete=models.SET_NULL,
        related_name="invitations",
        help_text="Site le plus proche disposant de créneaux libres au moment de l'envoi.",
    )
    created_at = models.DateTimeField("créée le", default=timezone.now)
    expires_at = models.DateTimeField("expire le")
    reminded_at = models.DateTimeField("relancée le", null=True, blank=True)
    cancelled_at = models.DateTimeField("annulée le", null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = "invitation"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} n°{self.pk}"

    @property
    def link_token(self) -> str:
        return _LINK_SIGNER.sign(str(self.pk))

    def is_expired(self, now=None) -> bool:
        """Past its expiry without a booking made through it (a convocation never expires)."""
        if self.kind == InvitationKind.CONVOCATION:
            return False
        answered = any(b.booked_at < self.expires_at for b in self.bookings.all())
        return not answered and self.expires_at <= (now or timezone.now())


class Channel(models.TextChoices):
    EMAIL = "email", "E-mail"
    SMS = "sms", "SMS"
    LETTER = "courrier", "Courrier"


class MessageKind(models.TextChoices):
    INVITATION = "invitation", "Invitation"
    REMINDER = "relance", "Relance"
    CONVOCATION = "convocation", "Convocation"
    CONFIRMATION = "confirmation", "Confirmation de rendez-vous"
    NO_FREE_SLOT = "alerte_sans_creneau", "Alerte : aucun créneau libre"
    # Alerts to agents of the other apps (context: "text", a sentence without personal data, and
    # "path", the page to open): reception (escalation, information préoccupante), directory
    # (an orientation received, a service to update).
    FRONT_DOOR_ALERT = "alerte_accueil", "Alerte du premier accueil"
    DIRECTORY_ALERT = "alerte_annuaire", "Alerte de l'annuaire des services"
    # Aids: the decision told to the person (context: "text", the decision in plain words, without
    # amounts of other persons; "path" unused), and alerts to instructors (like the alerts above).
    AID_DECISION = "decision_aide", "Décision sur une demande d'aide"
    AID_ALERT = "alerte_aides", "Alerte des aides financières"


class DeliveryStatus(models.TextChoices):
    PENDING = "en_attente", "En attente"
    SENT = "envoye", "Envoyé"
    FAILED = "echec", "Échec"
    SKIPPED = "sans_coordonnees", "Non envoyé (coordonnée manquante)"


class Message(models.Model):
    """One message on one channel, with its delivery status. The one notification path."""

    channel = models.CharField("canal", max_length=10, choices=Channel.choices)
    kind = models.CharField("nature", max_length=30, choices=MessageKind.choices)
    invitation = models.ForeignKey(
        Invitation, null=True, blank=True, on_delete=models.CASCADE, related_name="messages"
    )
    person = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.CASCADE, related_name="messages"
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    context = models.JSONField("contexte", default=dict, blank=True)
    status = models.CharField(
        "statut", max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    created_at = models.DateTimeField("créé le", default=timezone.now)
    sent_at = models.DateTimeField("envoyé le", null=True, blank=True)
    error = models.CharField("erreur", max_length=300, blank=True)
    reference = models.CharField("référence d'envoi", max_length=300, blank=True)

    class Meta:
        verbose_name = "message"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_channel_display()})"


class AlertQuerySet(models.QuerySet):
    def open(self):
        return self.filter(resolved_at__isnull=True)


class Alert(models.Model):
    """A follow-up that could not be invited because no nearby site has a free slot."""

    followup = models.ForeignKey("orientation.FollowUp", on_delete=models.CASCADE, related_name="alerts")
    site = models.ForeignKey("territory.Site", null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("créée le", default=timezone.now)
    resolved_at = models.DateTimeField("résolue le", null=True, blank=True)

    objects = AlertQuerySet.as_manager()

    class Meta:
        verbose_name = "alerte de capacité"
        verbose_name_plural = "alertes de capacité"
        constraints = [
            models.UniqueConstraint(
                fields=["followup"], condition=Q(resolved_at__isnull=True), name="one_open_alert_per_followup"
            )
        ]

    def __str__(self) -> str:
        return f"Aucun créneau libre — {self.site}"
