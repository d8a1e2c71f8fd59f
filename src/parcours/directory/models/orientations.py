"""Tracked orientations of a person to a service of the directory, and mobility diagnoses.

`ServiceOrientation` is an explicit state machine (`TRANSITIONS`): an orientation is sent
*ouverte*; the receiving structure's agents *validate* or *refuse* it (a reason from
`RefusalReason`, a comment); the daily task *expires* it after `expiry_days()` days without an
answer. Every transition is logged in `ServiceOrientationEvent` (who, when, from, to), as
`jobs.Application` does. The rows are written by `parcours.directory.orientations` only, which
also writes the pathway events (`people.PersonEvent`) and notifies the structure.

`MobilityDiagnosis` records how a person moves (licence, vehicle, public transport, budget,
fears, time they accept to travel, means) and derives the job-search radius and means read by
the job matching (`parcours.directory.mobility`).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.utils import timezone

MESSAGE_MAX_LENGTH = 1000
COMMENT_MAX_LENGTH = 500
DEFAULT_EXPIRY_DAYS = 30
# How long a structure's agents keep seeing an answered orientation (and its person).
ANSWERED_VISIBLE_DAYS = 90


def expiry_days() -> int:
    """Days without an answer after which an open orientation expires (setting
    `PARCOURS_ORIENTATION_EXPIRY_DAYS`, default 30)."""
    return int(getattr(settings, "PARCOURS_ORIENTATION_EXPIRY_DAYS", DEFAULT_EXPIRY_DAYS))


class OrientationOrigin(models.TextChoices):
    FRONT_DOOR = "premier_accueil", "Premier accueil"
    REFERENT = "referent", "Référent de parcours"
    COACH = "coach", "Coach"
    OTHER = "autre", "Autre"


class ConsentMode(models.TextChoices):
    ORAL = "oral", "Oral"
    WRITTEN = "ecrit", "Écrit"


class OrientationState(models.TextChoices):
    OPEN = "ouverte", "Ouverte"
    VALIDATED = "validee", "Validée"
    REFUSED = "refusee", "Refusée"
    EXPIRED = "expiree", "Expirée"


FINAL_STATES = frozenset({OrientationState.VALIDATED, OrientationState.REFUSED, OrientationState.EXPIRED})


class RefusalReason(models.TextChoices):
    OUT_OF_AREA = "hors_zone", "Hors de la zone d'intervention du service"
    NOT_ELIGIBLE = "public_non_eligible", "La personne ne correspond pas au public du service"
    FULL = "complet", "Plus de place disponible"
    UNREACHABLE = "injoignable", "Personne injoignable"
    DECLINED = "renoncement", "La personne a renoncé"
    DUPLICATE = "doublon", "Demande en double"
    OTHER = "autre", "Autre motif (précisé en commentaire)"


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: frozenset
    target: str
    by_structure: bool  # an agent of the receiving structure; else the system (daily task)


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        Transition(
            "validate", "Valider", frozenset({OrientationState.OPEN}), OrientationState.VALIDATED, True
        ),
        Transition("refuse", "Refuser", frozenset({OrientationState.OPEN}), OrientationState.REFUSED, True),
        Transition("expire", "Expirer", frozenset({OrientationState.OPEN}), OrientationState.EXPIRED, False),
    ]
}


class ServiceOrientationQuerySet(models.QuerySet):
    def open(self) -> ServiceOrientationQuerySet:
        return self.filter(state=OrientationState.OPEN)

    def received_by(self, organisation_id: int | None) -> ServiceOrientationQuerySet:
        """Orientations to the services of the structures of `organisation_id` (none without one)."""
        if organisation_id is None:
            return self.none()
        return self.filter(service__structure__organisation_id=organisation_id)

    def still_shown(self, now: datetime.datetime | None = None) -> ServiceOrientationQuerySet:
        """Open, or answered (validated, refused, expired) less than ANSWERED_VISIBLE_DAYS ago."""
        since = (now or timezone.now()) - datetime.timedelta(days=ANSWERED_VISIBLE_DAYS)
        return self.filter(models.Q(state=OrientationState.OPEN) | models.Q(answered_at__gte=since))

    def overdue(self, now: datetime.datetime | None = None) -> ServiceOrientationQuerySet:
        """Open orientations sent more than `expiry_days()` days ago."""
        limit = (now or timezone.now()) - datetime.timedelta(days=expiry_days())
        return self.open().filter(sent_at__lt=limit)


class ServiceOrientation(models.Model):
    """A person oriented to a service, with their consent and what was sent to the structure."""

    person = models.ForeignKey(
        "people.Person",
        verbose_name="personne",
        on_delete=models.CASCADE,
        related_name="service_orientations",
    )
    service = models.ForeignKey(
        "directory.Service", verbose_name="service", on_delete=models.PROTECT, related_name="orientations"
    )
    need = models.ForeignKey(
        "reception.Need",
        verbose_name="besoin",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    origin = models.CharField("origine", max_length=20, choices=OrientationOrigin.choices)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="envoyée par",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sent_at = models.DateTimeField("envoyée le", default=timezone.now, db_index=True)
    consent_given = models.BooleanField("consentement recueilli", default=False)
    consent_on = models.DateField("consentement recueilli le", null=True, blank=True)
    consent_mode = models.CharField("forme du consentement", max_length=10, choices=ConsentMode.choices)
    message = models.TextField("message à la structure", max_length=MESSAGE_MAX_LENGTH, blank=True)
    state = models.CharField(
        "état", max_length=10, choices=OrientationState.choices, default=OrientationState.OPEN, db_index=True
    )
    refusal_reason = models.CharField(
        "motif du refus", max_length=30, choices=RefusalReason.choices, blank=True
    )
    refusal_comment = models.TextField("commentaire du refus", max_length=COMMENT_MAX_LENGTH, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="réponse de",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    answered_at = models.DateTimeField("réponse le", null=True, blank=True, db_index=True)

    objects = ServiceOrientationQuerySet.as_manager()

    class Meta:
        verbose_name = "orientation vers un service"
        verbose_name_plural = "orientations vers des services"
        ordering = ["-sent_at", "-id"]
        indexes = [models.Index(fields=["service", "state"], name="directory_orientation_svc_st")]

    def __str__(self) -> str:
        return f"Orientation n°{self.pk} ({self.get_state_display()})"

    @property
    def is_open(self) -> bool:
        return self.state == OrientationState.OPEN

    @property
    def expires_on(self) -> datetime.date:
        """The day the orientation expires if nobody answers it."""
        return timezone.localdate(self.sent_at) + datetime.timedelta(days=expiry_days())

    @property
    def answer_days(self) -> int | None:
        """Calendar days from sending to the answer (None while open)."""
        if self.answered_at is None:
            return None
        return (timezone.localdate(self.answered_at) - timezone.localdate(self.sent_at)).days

    def available_transitions(self, *, structure: bool = True) -> list[Transition]:
        return [t for t in TRANSITIONS.values() if self.state in t.sources and t.by_structure == structure]

    @transaction.atomic
    def apply(
        self,
        name: str,
        actor,
        *,
        now: datetime.datetime | None = None,
        reason: str = "",
        comment: str = "",
    ) -> ServiceOrientationEvent:
        """Apply transition `name`, checked against `TRANSITIONS`, and log it (who, when).

        Raises ValidationError with a French message when the transition is unknown or not
        allowed from the current state. Callers check who may act (`directory.orientations`)."""
        transition = TRANSITIONS.get(name)
        if transition is None:
            raise ValidationError(f"Transition inconnue : {name}.")
        if self.state not in transition.sources:
            raise ValidationError(
                f"Cette orientation est déjà « {self.get_state_display().lower()} » : elle ne peut plus "
                f"passer à « {OrientationState(transition.target).label.lower()} »."
            )
        now = now or timezone.now()
        source = self.state
        self.state = transition.target
        self.answered_at = now
        self.answered_by = actor
        if name == "refuse":
            self.refusal_reason, self.refusal_comment = reason, comment
        self.save(update_fields=["state", "answered_at", "answered_by", "refusal_reason", "refusal_comment"])
        return ServiceOrientationEvent.objects.create(
            orientation=self, transition=name, from_state=source, to_state=self.state, by=actor, at=now
        )


class ServiceOrientationEvent(models.Model):
    """One transition of an orientation: who, when, from which state to which (sending included)."""

    orientation = models.ForeignKey(ServiceOrientation, on_delete=models.CASCADE, related_name="events")
    transition = models.CharField("transition", max_length=20)
    from_state = models.CharField("de", max_length=10, choices=OrientationState.choices, blank=True)
    to_state = models.CharField("vers", max_length=10, choices=OrientationState.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField("le", default=timezone.now)

    class Meta:
        verbose_name = "étape d'orientation vers un service"
        verbose_name_plural = "historique des orientations vers des services"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_from_state_display() or 'envoi'} → {self.get_to_state_display()}"


# -- mobility ------------------------------------------------------------------------------------


class Licence(models.TextChoices):
    NONE = "aucun", "Aucun permis"
    CODE_IN_PROGRESS = "code_en_cours", "Code en cours de préparation"
    CODE_PASSED = "code_obtenu", "Code obtenu, conduite en cours"
    B = "permis_b", "Permis B valide"
    SUSPENDED = "permis_suspendu", "Permis suspendu ou annulé"
    OTHER = "autre", "Autre permis seulement (AM, A…)"


class Vehicle(models.TextChoices):
    NONE = "aucun", "Aucun véhicule"
    OWN = "personnel", "Véhicule personnel"
    SHARED = "partage", "Véhicule partagé ou prêté"


class Answer(models.TextChoices):
    YES = "oui", "Oui"
    NO = "non", "Non"
    UNKNOWN = "inconnu", "Ne sait pas"


class Fear(models.TextChoices):
    DRIVING = "conduire", "Conduire"
    PUBLIC_TRANSPORT = "transports_en_commun", "Prendre les transports en commun"
    LEAVING_TOWN = "sortir_commune", "Sortir de sa commune"
    FINDING_WAY = "se_reperer", "Se repérer, lire un plan ou un horaire"
    CYCLING = "velo", "Circuler à vélo"
    NIGHT = "horaires_decales", "Se déplacer tôt le matin ou tard le soir"


class MobilityDiagnosis(models.Model):
    """How a person moves, as an agent assessed it with them on `made_on` (the last one counts)."""

    person = models.ForeignKey(
        "people.Person", verbose_name="personne", on_delete=models.CASCADE, related_name="mobility_diagnoses"
    )
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="réalisé par",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    made_on = models.DateField("réalisé le", default=timezone.localdate)
    licence = models.CharField("permis de conduire", max_length=20, choices=Licence.choices)
    vehicle = models.CharField("véhicule", max_length=10, choices=Vehicle.choices)
    vehicle_works = models.BooleanField("véhicule en état de marche", null=True, blank=True)
    transport_near_home = models.CharField(
        "transports en commun près du domicile", max_length=10, choices=Answer.choices, default=Answer.UNKNOWN
    )
    transport_near_job = models.CharField(
        "transports en commun près du lieu de travail ou de formation visé",
        max_length=10,
        choices=Answer.choices,
        default=Answer.UNKNOWN,
    )
    monthly_budget_eur = models.PositiveIntegerField(
        "budget mensuel pour se déplacer (€)", null=True, blank=True, validators=[MaxValueValidator(2000)]
    )
    fears = models.JSONField("appréhensions", default=list, blank=True)
    max_travel_minutes = models.PositiveSmallIntegerField(
        "temps de trajet accepté (minutes, aller)",
        default=30,
        validators=[MinValueValidator(5), MaxValueValidator(180)],
    )
    means = models.JSONField("moyens de déplacement", default=list, blank=True)
    comment = models.TextField("commentaire", max_length=COMMENT_MAX_LENGTH, blank=True)
    created_at = models.DateTimeField("enregistré le", default=timezone.now)

    class Meta:
        verbose_name = "diagnostic mobilité"
        verbose_name_plural = "diagnostics mobilité"
        ordering = ["-made_on", "-id"]

    def __str__(self) -> str:
        return f"Diagnostic mobilité du {self.made_on:%d/%m/%Y}"

    def fear_labels(self) -> list[str]:
        return [Fear(code).label for code in self.fears if code in Fear.values]

    def means_labels(self) -> list[str]:
        from parcours.jobs.models import MobilityMeans

        return [MobilityMeans(code).label for code in self.means if code in MobilityMeans.values]

    def job_search_radius_km(self) -> int:
        """The radius (km, straight line) of the person's job search (see `directory.mobility`)."""
        from parcours.directory.mobility import job_search_radius_km

        return job_search_radius_km(self)

    def usable_means(self) -> list[str]:
        """The means the person can really use (see `directory.mobility.usable_means`)."""
        from parcours.directory.mobility import usable_means

        return usable_means(self)
