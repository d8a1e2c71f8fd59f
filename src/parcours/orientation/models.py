"""Orientation of people subject to rights and duties (droits et devoirs).

A `FollowUp` opens when a person becomes soumis à droits et devoirs; its status is derived
from dated facts (invitations, bookings, attendance, decisions, closure) by
`parcours.orientation.status`, never stored. Orientation decisions, contracts and
reorientation requests are kept as history: rows are added, not overwritten.
Référents are `people.Follow(kind="referent")` rows, which also open the record to them.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.functional import cached_property


class OrientationKind(models.TextChoices):
    PROFESSIONNELLE = "professionnelle", "Professionnelle"
    SOCIALE = "sociale", "Sociale"
    SOCIO_PROFESSIONNELLE = "socio_professionnelle", "Socio-professionnelle"


class Organism(models.TextChoices):
    FRANCE_TRAVAIL = "france_travail", "France Travail"
    MDIE_COACHING = "mdie_coaching", "Coaching emploi de la MDIE"
    SERVICE_SOCIAL = "service_social", "Service social du Département"
    CCAS = "ccas", "CCAS"
    ASSOCIATION = "association", "Association partenaire"


class OrientationSettings(models.Model):
    """Delays of the orientation pathway for one département (defaults when no row exists)."""

    departement = models.OneToOneField(
        "territory.Departement", on_delete=models.CASCADE, related_name="orientation_settings"
    )
    due_days = models.PositiveSmallIntegerField(
        "délai d'orientation (jours)", default=30, help_text="Compté depuis l'ouverture des droits."
    )
    reminder_after_days = models.PositiveSmallIntegerField("relance après (jours)", default=3)
    expiry_after_days = models.PositiveSmallIntegerField(
        "expiration de l'invitation après (jours)", default=10
    )
    booking_window_days = models.PositiveSmallIntegerField(
        "créneaux proposés sur (jours)", default=21, help_text="Horizon des créneaux proposés à la personne."
    )
    sites_offered = models.PositiveSmallIntegerField("nombre de sites proposés", default=3)

    class Meta:
        verbose_name = "paramètres d'orientation"
        verbose_name_plural = "paramètres d'orientation"

    def __str__(self) -> str:
        return f"Paramètres d'orientation — {self.departement}"

    @classmethod
    def for_departement(cls, departement) -> OrientationSettings:
        """The saved settings of the département, or unsaved defaults."""
        found = cls.objects.filter(departement=departement).first()
        return found or cls(departement=departement)


class CloseReason(models.TextChoices):
    RIGHTS_CLOSED = "droits_clos", "Fin du droit au RSA"
    MOVED_OUT = "depart_departement", "Départ du département"
    MANUAL = "manuelle", "Clôture manuelle"


class FollowUpQuerySet(models.QuerySet):
    def open(self):
        return self.filter(closed_at__isnull=True)

    def with_decision(self):
        return self.annotate(has_decision=Exists(OrientationDecision.objects.filter(followup=OuterRef("pk"))))

    def pending(self):
        """Open follow-ups without an orientation decision."""
        return self.open().with_decision().filter(has_decision=False)

    def due_within(self, days: int, today: datetime.date | None = None):
        today = today or timezone.localdate()
        return self.pending().filter(due_on__gte=today, due_on__lte=today + datetime.timedelta(days=days))

    def overdue(self, today: datetime.date | None = None):
        today = today or timezone.localdate()
        return self.pending().filter(due_on__lt=today)

    def for_site(self, site):
        from parcours.appointments.models import Booking, Invitation

        return self.filter(
            Exists(Invitation.objects.filter(followup=OuterRef("pk"), site=site))
            | Exists(Booking.objects.filter(followup=OuterRef("pk"), slot__site=site))
        )

    def in_agenda_of(self, agent):
        """Follow-ups with an appointment in `agent`'s own agenda."""
        from parcours.appointments.models import Booking

        return self.filter(Exists(Booking.objects.filter(followup=OuterRef("pk"), slot__agent=agent)))

    def with_open_alert(self):
        """Open follow-ups with an unresolved alert (no free slot to offer)."""
        from parcours.appointments.models import Alert

        return self.open().filter(
            Exists(Alert.objects.filter(followup=OuterRef("pk"), resolved_at__isnull=True))
        )

    def with_status(self, now: datetime.datetime | None = None):
        """Annotate `derived_status` and `status_since` in SQL (see `status.annotate_status`), so
        that lists filter, sort and paginate on the status in the database."""
        from parcours.orientation.status import annotate_status

        return annotate_status(self, now)

    def for_status_display(self):
        """Prefetch what `status.derive` reads, so a list derives statuses without N+1 queries."""
        return self.select_related("person", "person__commune").prefetch_related(
            "invitations", "bookings__slot", "decisions", "alerts"
        )


class FollowUp(models.Model):
    """The orientation follow-up of one person, from rights opening to orientation."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="orientation_followups"
    )
    departement = models.ForeignKey("territory.Departement", on_delete=models.PROTECT, related_name="+")
    rights_opened_on = models.DateField("ouverture des droits et devoirs")
    due_on = models.DateField("échéance d'orientation")
    opened_at = models.DateTimeField("ouvert le", default=timezone.now)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source_event = models.ForeignKey(
        "people.PersonEvent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField("clos le", null=True, blank=True)
    close_reason = models.CharField(
        "motif de clôture", max_length=30, choices=CloseReason.choices, blank=True
    )

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        verbose_name = "suivi d'orientation"
        verbose_name_plural = "suivis d'orientation"
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(closed_at__isnull=True), name="one_open_followup_per_person"
            )
        ]
        indexes = [models.Index(fields=["closed_at", "due_on"])]

    def __str__(self) -> str:
        return f"Suivi d'orientation n°{self.pk}"

    @cached_property
    def pathway(self):
        """The derived `FollowUpState` (status and dated steps); computed once per instance."""
        from parcours.orientation.status import derive

        return derive(self)

    @property
    def derived_status_label(self) -> str:
        """The label of `derived_status` (annotated by `with_status()`)."""
        from parcours.orientation.status import Status

        return Status(self.derived_status).label

    @property
    def current_decision(self) -> OrientationDecision | None:
        decisions = sorted(self.decisions.all(), key=lambda d: (d.decided_at, d.pk))
        return decisions[-1] if decisions else None


class Condition(models.TextChoices):
    FRANCE_TRAVAIL_RECENT = "france_travail_recent", "Inscrit à France Travail depuis moins de N mois"
    PRECARIOUS_HOUSING = "precarious_housing", "Hébergement d'urgence ou sans domicile stable"
    AGE_UNDER = "age_under", "Âgé de moins de N ans"
    SINGLE_PARENT_YOUNG_CHILD = "single_parent_young_child", "Parent isolé avec un enfant de moins de N ans"
    ALWAYS = "always", "Toujours (règle par défaut)"


# Parameters each condition reads, with their defaults.
CONDITION_PARAMETERS: dict[str, dict[str, int]] = {
    Condition.FRANCE_TRAVAIL_RECENT: {"months": 12},
    Condition.PRECARIOUS_HOUSING: {},
    Condition.AGE_UNDER: {"years": 30},
    Condition.SINGLE_PARENT_YOUNG_CHILD: {"child_under_years": 3},
    Condition.ALWAYS: {},
}


class PreOrientationRule(models.Model):
    """One ordered rule of a département's pre-orientation; the first matching rule wins."""

    departement = models.ForeignKey(
        "territory.Departement", on_delete=models.CASCADE, related_name="pre_orientation_rules"
    )
    position = models.PositiveSmallIntegerField("ordre")
    name = models.CharField("libellé", max_length=150)
    condition = models.CharField("condition", max_length=40, choices=Condition.choices)
    parameters = models.JSONField(
        "paramètres", default=dict, blank=True, help_text='Ex. {"months": 12} ou {"years": 30}.'
    )
    orientation = models.CharField("orientation proposée", max_length=30, choices=OrientationKind.choices)
    organism = models.CharField("organisme proposé", max_length=30, choices=Organism.choices, blank=True)
    active = models.BooleanField("active", default=True)

    class Meta:
        verbose_name = "règle de pré-orientation"
        verbose_name_plural = "règles de pré-orientation"
        ordering = ["departement", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["departement", "position"], name="unique_rule_position")
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.name}"

    def clean(self) -> None:
        allowed = CONDITION_PARAMETERS.get(self.condition, {})
        if not isinstance(self.parameters, dict):
            raise ValidationError({"parameters": "Les paramètres doivent être un objet JSON."})
        unknown = set(self.parameters) - set(allowed)
        if unknown:
            raise ValidationError(
                {
                    "parameters": ("Paramètre inconnu" if len(unknown) == 1 else "Paramètres inconnus")
                    + f" pour cette condition : {', '.join(sorted(unknown))}."
                }
            )
        for key, value in self.parameters.items():
            if not isinstance(value, int) or value <= 0:
                raise ValidationError({"parameters": f"« {key} » doit être un entier positif."})

    def parameter(self, name: str) -> int:
        return int(self.parameters.get(name, CONDITION_PARAMETERS[self.condition][name]))


class OrientationDecision(models.Model):
    """An orientation decided by a chargé d'orientation. Later decisions (reorientations) add rows."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="orientation_decisions"
    )
    followup = models.ForeignKey(
        FollowUp, null=True, blank=True, on_delete=models.SET_NULL, related_name="decisions"
    )
    kind = models.CharField("orientation", max_length=30, choices=OrientationKind.choices)
    organism = models.CharField("organisme", max_length=30, choices=Organism.choices)
    organism_name = models.CharField(
        "nom de l'organisme", max_length=200, blank=True, help_text="Ex. le nom de l'association ou du CCAS."
    )
    proposed_kind = models.CharField(
        "orientation proposée", max_length=30, choices=OrientationKind.choices, blank=True
    )
    proposed_by_rule = models.ForeignKey(
        PreOrientationRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposal_evidence = models.JSONField("données de la proposition", default=dict, blank=True)
    override_reason = models.TextField("motif de la modification", blank=True)
    reorientation = models.OneToOneField(
        "ReorientationRequest", null=True, blank=True, on_delete=models.SET_NULL, related_name="decision"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField("décidée le", default=timezone.now)

    class Meta:
        verbose_name = "décision d'orientation"
        verbose_name_plural = "décisions d'orientation"
        ordering = ["-decided_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.get_organism_display()}"

    def clean(self) -> None:
        if self.proposed_kind and self.kind != self.proposed_kind and not self.override_reason.strip():
            raise ValidationError(
                {"override_reason": "Indiquez le motif pour lequel la proposition n'est pas retenue."}
            )


class ContractKind(models.TextChoices):
    CER = "cer", "Contrat d'engagements réciproques (CER)"
    PPAE = "ppae", "Projet personnalisé d'accès à l'emploi (PPAE)"
    CONTRAT_ENGAGEMENT = "contrat_engagement", "Contrat d'engagement"


class Contract(models.Model):
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="orientation_contracts"
    )
    decision = models.ForeignKey(
        OrientationDecision, null=True, blank=True, on_delete=models.SET_NULL, related_name="contracts"
    )
    kind = models.CharField("type de contrat", max_length=30, choices=ContractKind.choices)
    objectives = models.TextField("objectifs")
    starts_on = models.DateField("début")
    ends_on = models.DateField("fin")
    referent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    signed_at = models.DateTimeField("signé le", default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "contrat"
        ordering = ["-starts_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} du {self.starts_on:%d/%m/%Y}"

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on <= self.starts_on:
            raise ValidationError({"ends_on": "La fin du contrat doit suivre son début."})


class ReorientationRequestQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(decided_at__isnull=True)


class ReorientationRequest(models.Model):
    """A référent asks for a reorientation; a chargé d'orientation accepts or refuses it."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="reorientation_requests"
    )
    current_decision = models.ForeignKey(
        OrientationDecision, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_kind = models.CharField("orientation demandée", max_length=30, choices=OrientationKind.choices)
    reason = models.TextField("motif")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField("demandée le", default=timezone.now)
    accepted = models.BooleanField("acceptée", null=True)
    decision_note = models.TextField("réponse", blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField("décidée le", null=True, blank=True)

    objects = ReorientationRequestQuerySet.as_manager()

    class Meta:
        verbose_name = "demande de réorientation"
        verbose_name_plural = "demandes de réorientation"
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"Demande de réorientation n°{self.pk}"
