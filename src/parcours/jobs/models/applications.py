"""Applications: a person proposed for an offer, an explicit state machine with its history."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.utils import timezone

from parcours.core.dates import add_months  # re-exported: calendar months live in core.dates
from parcours.jobs.models.offers import MAX_HOURS_PER_WEEK, ContractType


class ApplicationState(models.TextChoices):
    SHORTLISTED = "preselectionnee", "Présélectionnée"
    PROPOSED = "proposee", "Proposée à l'employeur"
    ACCEPTED = "acceptee", "Acceptée par la personne"
    SENT = "envoyee", "Candidature envoyée"
    INTERVIEW = "entretien", "Entretien"
    HIRED = "recrutee", "Recrutée"
    REFUSED = "refusee", "Refusée"
    ABANDONED = "abandonnee", "Abandonnée"


FINAL_STATES = {ApplicationState.HIRED, ApplicationState.REFUSED, ApplicationState.ABANDONED}
# Once the person has agreed, the employer may see who they are.
DISCLOSED_STATES = {
    ApplicationState.ACCEPTED,
    ApplicationState.SENT,
    ApplicationState.INTERVIEW,
    ApplicationState.HIRED,
}
EMPLOYER_VISIBLE_STATES = set(ApplicationState.values) - {ApplicationState.SHORTLISTED}


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: frozenset
    target: str
    by_agent: bool = True
    by_employer: bool = False


_ACTIVE = frozenset(set(ApplicationState.values) - FINAL_STATES)
TRANSITIONS = {
    t.name: t
    for t in [
        Transition(
            "propose",
            "Proposer à l'employeur",
            frozenset({ApplicationState.SHORTLISTED}),
            ApplicationState.PROPOSED,
        ),
        Transition(
            "accept", "La personne accepte", frozenset({ApplicationState.PROPOSED}), ApplicationState.ACCEPTED
        ),
        Transition(
            "send", "Envoyer la candidature", frozenset({ApplicationState.ACCEPTED}), ApplicationState.SENT
        ),
        # The employer's positive answers: meet the candidate (as soon as proposed, the agent
        # then tells the person), and hire once the person agreed or was interviewed.
        Transition(
            "interview",
            "Fixer un entretien",
            frozenset({ApplicationState.PROPOSED, ApplicationState.ACCEPTED, ApplicationState.SENT}),
            ApplicationState.INTERVIEW,
            by_employer=True,
        ),
        Transition(
            "hire",
            "Recruter",
            frozenset({ApplicationState.ACCEPTED, ApplicationState.SENT, ApplicationState.INTERVIEW}),
            ApplicationState.HIRED,
            by_employer=True,
        ),
        Transition(
            "refuse",
            "Refuser",
            frozenset(
                {
                    ApplicationState.PROPOSED,
                    ApplicationState.ACCEPTED,
                    ApplicationState.SENT,
                    ApplicationState.INTERVIEW,
                }
            ),
            ApplicationState.REFUSED,
            by_employer=True,
        ),
        Transition("abandon", "Abandonner", _ACTIVE, ApplicationState.ABANDONED),
    ]
}


class ApplicationQuerySet(models.QuerySet):
    def for_employer(self, employer):
        """What an employer's portal may list: its offers' applications, once proposed."""
        return self.filter(offer__employer=employer, state__in=EMPLOYER_VISIBLE_STATES)

    def active(self):
        return self.exclude(state__in=FINAL_STATES)


class Application(models.Model):
    offer = models.ForeignKey(
        "jobs.JobOffer", verbose_name="offre", on_delete=models.CASCADE, related_name="applications"
    )
    person = models.ForeignKey(
        "people.Person", verbose_name="personne", on_delete=models.CASCADE, related_name="job_applications"
    )
    state = models.CharField(
        "état",
        max_length=20,
        choices=ApplicationState.choices,
        default=ApplicationState.SHORTLISTED,
        db_index=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("créée le", default=timezone.now, db_index=True)
    proposed_at = models.DateTimeField("proposée le", null=True, blank=True, db_index=True)
    agreed_at = models.DateTimeField("accord de la personne le", null=True, blank=True)
    score = models.IntegerField("score au moment de la présélection", null=True, blank=True)
    interview_at = models.DateTimeField("entretien le", null=True, blank=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = "candidature"
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["offer", "person"], name="unique_application")]
        indexes = [models.Index(fields=["person", "proposed_at"])]

    def __str__(self) -> str:
        return f"Candidature n°{self.pk} ({self.get_state_display()})"

    @property
    def identity_disclosed(self) -> bool:
        """Whether the employer may see the person's identity: only after the person agreed."""
        return self.agreed_at is not None

    @property
    def is_final(self) -> bool:
        return self.state in FINAL_STATES

    def available_transitions(self, *, employer: bool = False) -> list[Transition]:
        return [
            t
            for t in TRANSITIONS.values()
            if self.state in t.sources and (t.by_employer if employer else t.by_agent)
        ]

    @transaction.atomic
    def apply(
        self,
        name: str,
        actor,
        *,
        note: str = "",
        as_employer: bool = False,
        now=None,
        interview_at: datetime.datetime | None = None,
        placement: "Placement | None" = None,
    ) -> "ApplicationEvent":
        """Apply the transition `name`, checked against the state machine, and log it.

        *interview* records `interview_at` when given; *hire* saves `placement` (an unsaved
        `Placement` holding the job's terms), which schedules its follow-ups. Raises
        ValidationError with a message for the user when the transition is not allowed.
        """
        transition = TRANSITIONS.get(name)
        if transition is None:
            raise ValidationError(f"Transition inconnue : {name}.")
        if self.state not in transition.sources:
            raise ValidationError(
                f"Impossible de passer de « {self.get_state_display()} » à "
                f"« {ApplicationState(transition.target).label} »."
            )
        if as_employer and not transition.by_employer:
            raise ValidationError("Cette action est réservée aux agents du département.")
        if not as_employer and not transition.by_agent:
            raise ValidationError("Cette action est réservée à l'employeur.")
        now = now or timezone.now()
        if name == "propose":
            if not self.offer.is_open:
                raise ValidationError(
                    "L'offre n'est plus ouverte (expirée, pourvue ou non publiée) : proposition impossible."
                )
            profile = getattr(self.person, "candidate_profile", None)
            if profile is None or not profile.consents_to_employers:
                raise ValidationError("La personne n'a pas accepté d'être proposée à des employeurs.")
            self.proposed_at = now
        if name == "accept":
            self.agreed_at = now
        if name == "interview" and interview_at is not None:
            self.interview_at = interview_at
        source = self.state
        self.state = transition.target
        self.save()
        if name == "hire" and placement is not None:
            placement.application = self
            placement.recorded_by = actor
            placement.save()
        # The pathway (app `accompaniment`): a hire writes the job start, a proposal is a contact
        # of the person's coaching. Imported here: `accompaniment` imports `jobs`.
        if name == "hire":
            from parcours.accompaniment.jobs_hooks import application_hired

            application_hired(self, placement=placement, actor=actor, now=now)
        if name == "propose":
            from parcours.accompaniment.jobs_hooks import application_proposed

            application_proposed(self, actor=actor, now=now)
        return ApplicationEvent.objects.create(
            application=self,
            transition=name,
            from_state=source,
            to_state=self.state,
            by=actor,
            at=now,
            note=note,
        )


class ApplicationEvent(models.Model):
    """One transition of an application: who, when, from which state to which."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    transition = models.CharField("transition", max_length=20)
    from_state = models.CharField("de", max_length=20, choices=ApplicationState.choices, blank=True)
    to_state = models.CharField("vers", max_length=20, choices=ApplicationState.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField("le", default=timezone.now)
    note = models.TextField("commentaire", blank=True)

    class Meta:
        verbose_name = "étape de candidature"
        verbose_name_plural = "historique des candidatures"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_from_state_display()} → {self.get_to_state_display()}"


FOLLOW_UP_MONTHS = (1, 3, 6)


class Placement(models.Model):
    """A hire: the application that led to it and the job's terms."""

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="placement")
    start_date = models.DateField("date d'embauche")
    contract_type = models.CharField("contrat", max_length=20, choices=ContractType.choices)
    hours_per_week = models.DecimalField(
        "heures par semaine",
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_HOURS_PER_WEEK)],
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField("enregistré le", default=timezone.now)

    class Meta:
        verbose_name = "placement"

    def __str__(self) -> str:
        return f"Placement du {self.start_date:%d/%m/%Y}"

    def save(self, *args, **kwargs):
        creating = self._state.adding
        super().save(*args, **kwargs)
        if creating:
            FollowUp.objects.bulk_create(
                FollowUp(placement=self, months=months, due_on=add_months(self.start_date, months))
                for months in FOLLOW_UP_MONTHS
            )


class FollowUp(models.Model):
    """A check on a placement at 1, 3 or 6 months. Its status is derived from the dates."""

    placement = models.ForeignKey(Placement, on_delete=models.CASCADE, related_name="follow_ups")
    months = models.PositiveSmallIntegerField("échéance (mois)")
    due_on = models.DateField("prévu le")
    done_on = models.DateField("fait le", null=True, blank=True)
    still_employed = models.BooleanField("toujours en poste", null=True, blank=True)
    note = models.TextField("commentaire", blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "suivi de placement"
        verbose_name_plural = "suivis de placement"
        ordering = ["due_on"]
        constraints = [models.UniqueConstraint(fields=["placement", "months"], name="unique_follow_up")]

    def __str__(self) -> str:
        return f"Suivi à {self.months} mois"

    def status(self, today: datetime.date | None = None) -> str:
        today = today or timezone.localdate()
        if self.done_on:
            return "fait"
        return "en retard" if today > self.due_on else "à venir"
