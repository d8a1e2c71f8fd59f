"""Accompaniments (coaching « Réussir sans attendre », accompagnement global in pairs…), their
référents and contacts, and the outcomes and exits the work records.

Only `parcours.accompaniment.workflows` writes these rows (and their `people.PersonEvent`s);
views, the demo and the indicators read them through the querysets below. States are derived
from dates: an accompaniment is *open* while `ended_on` is null, *ended* once it is set (with
its `end_reason`); a référent is active while `until` is null. See docs/accompaniment.md.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, OuterRef, Q, Subquery
from django.utils import timezone

from parcours.jobs.models.offers import MAX_HOURS_PER_WEEK

NOTE_MAX_LENGTH = 500


class Programme(models.TextChoices):
    COACHING = "coaching", "Coaching MDIE « Réussir sans attendre »"
    GLOBAL = "global", "Accompagnement global"
    SOCIAL = "social", "Accompagnement social"
    SOCIO_PRO = "socio_professionnel", "Accompagnement socio-professionnel (partenaire)"
    FRANCE_TRAVAIL = "france_travail", "Accompagnement France Travail"


# Coaching lasts three calendar months from its start (planned end, `core.dates.add_months`).
COACHING_MONTHS = 3


class EndReason(models.TextChoices):
    JOB = "emploi", "Reprise d'emploi"
    TRAINING = "formation", "Entrée en formation"
    PROGRAMME_OVER = "fin_programme", "Fin du programme (3 mois échus)"
    DROPPED_OUT = "abandon", "Abandon"
    MOVED = "demenagement", "Déménagement hors du département"
    RIGHTS_ENDED = "fin_droits", "Fin des droits au RSA"
    REORIENTED = "reorientation", "Réorientation"
    OTHER = "autre", "Autre motif"


class ContactMode(models.TextChoices):
    INTERVIEW = "entretien", "Entretien"
    PHONE = "telephone", "Téléphone"
    WORKSHOP = "atelier", "Atelier collectif"
    COMPANY_VISIT = "visite_entreprise", "Visite d'entreprise"
    INTRODUCTION = "mise_en_relation", "Mise en relation avec un employeur"


class OutcomeKind(models.TextChoices):
    JOB = "emploi", "Emploi"
    TRAINING = "formation", "Formation"


class JobContractType(models.TextChoices):
    """The vocabulary of `emploi.debut` (`indicators.events.JOB_CONTRACT_TYPES`, same order)."""

    CDI = "cdi", "CDI"
    CDD = "cdd", "CDD"
    INTERIM = "interim", "Intérim"
    IAE = "iae", "Insertion par l'activité économique"
    ALTERNANCE = "alternance", "Alternance"
    CREATION = "creation", "Création d'entreprise"
    OTHER = "autre", "Autre"


class ExitReason(models.TextChoices):
    JOB = "emploi", "Emploi"
    TRAINING = "formation", "Formation"
    RIGHTS_ENDED = "fin_droits", "Fin des droits au RSA"
    MOVED = "demenagement", "Déménagement hors du département"
    ACCOMPANIMENT_OVER = "fin_accompagnement", "Fin d'accompagnement"
    OTHER = "autre", "Autre motif"


class ExitSource(models.TextChoices):
    ACCOMPANIMENT_END = "fin_accompagnement", "Fin d'un accompagnement"
    RIGHTS_EVENT = "evenement_droits", "Événement de droits (flux CNAF)"
    AGENT = "agent", "Saisie d'un agent"
    DEMO = "demo", "Historique de démonstration"


class AccompanimentQuerySet(models.QuerySet):
    def open(self):
        """Not ended (whatever the planned end: a coaching past its 3 months stays open until ended)."""
        return self.filter(ended_on__isnull=True)

    def on(self, day: datetime.date):
        """Open on `day`: started on or before it, not ended before it (ended that day counts)."""
        return self.filter(Q(started_on__lte=day), Q(ended_on__isnull=True) | Q(ended_on__gte=day))

    def followed_by(self, agent):
        """Those where `agent` is an active référent (one row per accompaniment)."""
        return self.filter(
            pk__in=AccompanimentReferent.objects.filter(agent=agent, until__isnull=True).values(
                "accompaniment_id"
            )
        )

    def visible_to(self, agent):
        """Those of persons `agent` may see (`core.access.visible_persons`)."""
        from parcours.core.access import visible_persons

        return self.filter(person__in=visible_persons(agent).values("pk"))

    def with_last_contact(self):
        """Annotate `last_contact_on` (date of the latest contact, null when none)."""
        latest = Contact.objects.filter(accompaniment=OuterRef("pk")).order_by("-on").values("on")[:1]
        return self.annotate(last_contact_on=Subquery(latest, output_field=models.DateField()))

    def with_cadence(self, today: datetime.date | None = None):
        """Annotate, in SQL (so a caseload list sorts, filters and paginates on them):

        - `last_contact_on`: the latest contact (null when none);
        - `cadence_due_since`: the Monday of the last complete week before `today`'s that is
          not a public holiday week (`cadence.last_due_week`), the same for every row;
        - `contact_overdue`: True when the accompaniment covered at least 4 working days of that
          week (so it was not excused, see `cadence`) and had no contact since its Monday.
        """
        from parcours.accompaniment.cadence import last_due_week

        due = last_due_week(today or timezone.localdate())
        return self.with_last_contact().annotate(
            cadence_due_since=models.Value(due.monday, output_field=models.DateField()),
            contact_overdue=models.Case(
                models.When(
                    Q(started_on__lte=due.latest_start)
                    & (Q(ended_on__isnull=True) | Q(ended_on__gte=due.earliest_end))
                    & (Q(last_contact_on__isnull=True) | Q(last_contact_on__lt=due.monday)),
                    then=models.Value(True),
                ),
                default=models.Value(False),
                output_field=models.BooleanField(),
            ),
        )

    def with_contact_count(self):
        return self.annotate(contact_count=models.Count("contacts", distinct=True))


class Accompaniment(models.Model):
    """A person followed in a programme from `started_on` to `ended_on` (null while open)."""

    person = models.ForeignKey(
        "people.Person", verbose_name="personne", on_delete=models.CASCADE, related_name="accompaniments"
    )
    programme = models.CharField("programme", max_length=30, choices=Programme.choices)
    started_on = models.DateField("début")
    planned_end_on = models.DateField("fin prévue", null=True, blank=True)
    ended_on = models.DateField("fin", null=True, blank=True)
    end_reason = models.CharField("motif de fin", max_length=20, choices=EndReason.choices, blank=True)
    end_note = models.CharField("commentaire de fin", max_length=NOTE_MAX_LENGTH, blank=True)
    site = models.ForeignKey(
        "territory.Site",
        verbose_name="site",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("créé le", default=timezone.now)

    objects = AccompanimentQuerySet.as_manager()

    class Meta:
        verbose_name = "accompagnement"
        ordering = ["-started_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="accompaniment_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(planned_end_on__isnull=True) | Q(planned_end_on__gte=F("started_on")),
                name="accompaniment_planned_end_after_start",
            ),
            models.UniqueConstraint(
                fields=["person", "programme"],
                condition=Q(ended_on__isnull=True),
                name="one_open_accompaniment_per_programme",
            ),
        ]
        indexes = [models.Index(fields=["person", "started_on"])]

    def __str__(self) -> str:
        return f"{self.get_programme_display()} depuis le {self.started_on:%d/%m/%Y}"

    @property
    def is_open(self) -> bool:
        return self.ended_on is None


class AccompanimentReferent(models.Model):
    """An agent following an accompaniment from `since` to `until` (null while active), with the
    organisation they act for (an accompagnement global pairs two organisations)."""

    accompaniment = models.ForeignKey(Accompaniment, on_delete=models.CASCADE, related_name="referents")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="agent", on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name="organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    since = models.DateField("depuis le")
    until = models.DateField("jusqu'au", null=True, blank=True)
    # The `people.Follow` (kind "accompagnement") that opens the person's record to the agent
    # while they are référent, ended with this row.
    follow = models.OneToOneField(
        "people.Follow",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="accompaniment_referent",
    )

    class Meta:
        verbose_name = "référent d'accompagnement"
        verbose_name_plural = "référents d'accompagnement"
        ordering = ["since", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["accompaniment", "agent"],
                condition=Q(until__isnull=True),
                name="one_active_referent_row_per_agent",
            ),
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(until__gte=F("since")), name="referent_until_after_since"
            ),
        ]
        indexes = [models.Index(fields=["agent", "until"])]

    def __str__(self) -> str:
        return f"{self.agent} ({self.accompaniment})"


class Contact(models.Model):
    """A dated contact of an accompaniment (an interview, a call, a proposal to an offer…)."""

    accompaniment = models.ForeignKey(Accompaniment, on_delete=models.CASCADE, related_name="contacts")
    on = models.DateField("date")
    mode = models.CharField("nature", max_length=20, choices=ContactMode.choices)
    note = models.CharField("commentaire", max_length=NOTE_MAX_LENGTH, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    application = models.ForeignKey(
        "jobs.Application",
        verbose_name="candidature",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="accompaniment_contacts",
    )
    recorded_at = models.DateTimeField("enregistré le", default=timezone.now)

    class Meta:
        verbose_name = "contact d'accompagnement"
        verbose_name_plural = "contacts d'accompagnement"
        ordering = ["-on", "-id"]
        constraints = [
            # A proposal to an offer counts once per accompaniment, however often it is replayed.
            models.UniqueConstraint(
                fields=["accompaniment", "application"],
                condition=Q(application__isnull=False),
                name="one_contact_per_application",
            )
        ]
        indexes = [models.Index(fields=["accompaniment", "on"])]

    def __str__(self) -> str:
        return f"{self.get_mode_display()} le {self.on:%d/%m/%Y}"


class Outcome(models.Model):
    """A job or a training the person started (with or without an accompaniment)."""

    person = models.ForeignKey(
        "people.Person", verbose_name="personne", on_delete=models.CASCADE, related_name="outcomes"
    )
    accompaniment = models.ForeignKey(
        Accompaniment, null=True, blank=True, on_delete=models.SET_NULL, related_name="outcomes"
    )
    kind = models.CharField("nature", max_length=10, choices=OutcomeKind.choices)
    started_on = models.DateField("début")
    ended_on = models.DateField("fin", null=True, blank=True)
    # A job
    contract_type = models.CharField("contrat", max_length=20, choices=JobContractType.choices, blank=True)
    hours_per_week = models.DecimalField(
        "heures par semaine",
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_HOURS_PER_WEEK)],
    )
    sector = models.CharField("secteur ou code ROME", max_length=200, blank=True)
    employer_name = models.CharField("employeur", max_length=200, blank=True)
    placement = models.OneToOneField(
        "jobs.Placement", null=True, blank=True, on_delete=models.SET_NULL, related_name="outcome"
    )
    application = models.OneToOneField(
        "jobs.Application", null=True, blank=True, on_delete=models.SET_NULL, related_name="outcome"
    )
    # A training
    organism = models.CharField("organisme de formation", max_length=200, blank=True)
    qualifying = models.BooleanField("qualifiante", null=True, blank=True)
    title = models.CharField("intitulé de la formation", max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField("enregistré le", default=timezone.now)

    class Meta:
        verbose_name = "sortie positive (emploi ou formation)"
        verbose_name_plural = "sorties positives (emploi ou formation)"
        ordering = ["-started_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="outcome_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} depuis le {self.started_on:%d/%m/%Y}"


class Exit(models.Model):
    """The person leaves the pathway on `on` (a job, a training, the end of rights, a move…)."""

    person = models.ForeignKey(
        "people.Person", verbose_name="personne", on_delete=models.CASCADE, related_name="exits"
    )
    on = models.DateField("date")
    reason = models.CharField("motif", max_length=20, choices=ExitReason.choices)
    source = models.CharField("origine", max_length=20, choices=ExitSource.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField("enregistré le", default=timezone.now)

    class Meta:
        verbose_name = "sortie du parcours"
        verbose_name_plural = "sorties du parcours"
        ordering = ["-on", "-id"]

    def __str__(self) -> str:
        return f"Sortie le {self.on:%d/%m/%Y} ({self.get_reason_display()})"


class RightsEventWatermark(models.Model):
    """How far `tasks.close_after_rights_events` read the rights events: the last PersonEvent id
    handled (ids grow with insertion, so an event imported later is never skipped)."""

    name = models.CharField(max_length=50, unique=True)
    last_event_id = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "curseur des événements de droits"

    def __str__(self) -> str:
        return f"{self.name} : {self.last_event_id}"


# The accompagnement global's diagnosis, action plan and programme targets (registered with the app).
from parcours.accompaniment.plans import *  # noqa: E402, F401, F403
