"""The accompagnement global's shared work: the joint diagnosis of the *freins périphériques*,
the action plan (objectives → actions) with its history, and the département's yearly target
per programme.

Only `accompaniment.diagnosis`, `accompaniment.action_plan` and `accompaniment.targets` write
these rows (each change audited, the plan's changes kept in `ActionChange`). Imported at the
end of `accompaniment.models`, so Django registers them with the app. See docs/accompaniment.md.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from parcours.accompaniment.models import NOTE_MAX_LENGTH, Accompaniment, Programme

__all__ = [
    "Action",
    "ActionChange",
    "ActionStatus",
    "BarrierLevel",
    "Diagnosis",
    "DiagnosisItem",
    "DiagnosisStatus",
    "Objective",
    "ObjectiveStatus",
    "ProgrammeTarget",
]

TITLE_MAX_LENGTH = 200


class BarrierLevel(models.TextChoices):
    NONE = "aucun", "Aucun frein"
    LIGHT = "leger", "Frein léger"
    STRONG = "important", "Frein important"


class DiagnosisStatus(models.TextChoices):
    DRAFT = "brouillon", "Brouillon"
    VALIDATED = "validee", "Validé"


class Diagnosis(models.Model):
    """The pair's joint diagnosis of an accompaniment on `on`: one item per theme assessed.

    A draft is edited by both référents; once validated it is frozen (a later update starts a
    new draft from it). At most one draft per accompaniment."""

    accompaniment = models.ForeignKey(Accompaniment, on_delete=models.CASCADE, related_name="diagnoses")
    on = models.DateField("date du diagnostic")
    status = models.CharField(
        "état", max_length=10, choices=DiagnosisStatus.choices, default=DiagnosisStatus.DRAFT
    )
    authors = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name="auteurs", related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("créé le", default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField("modifié le", default=timezone.now)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    validated_at = models.DateTimeField("validé le", null=True, blank=True)

    class Meta:
        verbose_name = "diagnostic conjoint"
        verbose_name_plural = "diagnostics conjoints"
        ordering = ["-on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["accompaniment"],
                condition=Q(status="brouillon"),
                name="one_draft_diagnosis_per_accompaniment",
            )
        ]

    def __str__(self) -> str:
        return f"Diagnostic du {self.on:%d/%m/%Y} ({self.get_status_display().lower()})"

    @property
    def is_draft(self) -> bool:
        return self.status == DiagnosisStatus.DRAFT


class DiagnosisItem(models.Model):
    """One theme of the referential assessed in a diagnosis: its level of barrier, the need
    identified (optional: « aucun frein » names none) and a comment."""

    diagnosis = models.ForeignKey(Diagnosis, on_delete=models.CASCADE, related_name="items")
    theme = models.ForeignKey(
        "reception.NeedTheme", verbose_name="thématique", on_delete=models.PROTECT, related_name="+"
    )
    need = models.ForeignKey(
        "reception.Need",
        verbose_name="besoin",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    level = models.CharField("niveau", max_length=10, choices=BarrierLevel.choices)
    comment = models.CharField("commentaire", max_length=NOTE_MAX_LENGTH, blank=True)

    class Meta:
        verbose_name = "élément de diagnostic"
        verbose_name_plural = "éléments de diagnostic"
        constraints = [models.UniqueConstraint(fields=["diagnosis", "theme"], name="one_item_per_theme")]

    def __str__(self) -> str:
        return f"{self.theme} : {self.get_level_display()}"


class ObjectiveStatus(models.TextChoices):
    OPEN = "en_cours", "En cours"
    REACHED = "atteint", "Atteint"
    ABANDONED = "abandonne", "Abandonné"


class Objective(models.Model):
    """An objective of the shared action plan, possibly answering needs of the referential."""

    accompaniment = models.ForeignKey(Accompaniment, on_delete=models.CASCADE, related_name="objectives")
    title = models.CharField("intitulé", max_length=TITLE_MAX_LENGTH)
    needs = models.ManyToManyField("reception.Need", verbose_name="besoins", blank=True, related_name="+")
    status = models.CharField(
        "état", max_length=10, choices=ObjectiveStatus.choices, default=ObjectiveStatus.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("créé le", default=timezone.now)

    class Meta:
        verbose_name = "objectif"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.title


class ActionStatus(models.TextChoices):
    TODO = "a_faire", "À faire"
    IN_PROGRESS = "en_cours", "En cours"
    DONE = "faite", "Faite"
    ABANDONED = "abandonnee", "Abandonnée"


OPEN_ACTION_STATUSES = (ActionStatus.TODO, ActionStatus.IN_PROGRESS)


class ActionQuerySet(models.QuerySet):
    def open(self):
        """À faire or en cours."""
        return self.filter(status__in=OPEN_ACTION_STATUSES)

    def owned_by(self, agent):
        return self.filter(owner=agent)


class Action(models.Model):
    """An action of an objective: its owner (a référent, or a partner named in `partner`), its
    due date, its status (`action_plan.TRANSITIONS`) and the day it was done."""

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="actions")
    title = models.CharField("intitulé", max_length=TITLE_MAX_LENGTH)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="porteur",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="plan_actions",
    )
    partner = models.CharField("partenaire porteur", max_length=TITLE_MAX_LENGTH, blank=True)
    due_on = models.DateField("échéance")
    status = models.CharField("état", max_length=10, choices=ActionStatus.choices, default=ActionStatus.TODO)
    done_on = models.DateField("faite le", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("créée le", default=timezone.now)

    objects = ActionQuerySet.as_manager()

    class Meta:
        verbose_name = "action"
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(owner__isnull=False) & Q(partner="")) | (Q(owner__isnull=True) & ~Q(partner="")),
                name="action_has_one_owner",
            ),
            models.CheckConstraint(
                condition=Q(done_on__isnull=True) | Q(status="faite"), name="action_done_on_only_when_done"
            ),
        ]
        indexes = [models.Index(fields=["owner", "status", "due_on"])]

    def __str__(self) -> str:
        return self.title

    @property
    def owner_label(self) -> str:
        return str(self.owner) if self.owner_id else f"{self.partner} (partenaire)"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_ACTION_STATUSES


class ActionChange(models.Model):
    """One change of the action plan: who, when, what (an objective's or an action's field)."""

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="changes")
    action = models.ForeignKey(
        Action, null=True, blank=True, on_delete=models.CASCADE, related_name="changes"
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField("le", default=timezone.now)
    field = models.CharField("champ", max_length=30)
    before = models.CharField("avant", max_length=TITLE_MAX_LENGTH, blank=True)
    after = models.CharField("après", max_length=TITLE_MAX_LENGTH, blank=True)

    class Meta:
        verbose_name = "modification du plan d'action"
        verbose_name_plural = "modifications du plan d'action"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.field} : {self.before} → {self.after}"


class ProgrammeTarget(models.Model):
    """The département's target for a programme and a calendar year: a number of persons
    (counted by `targets.persons_started`)."""

    programme = models.CharField("programme", max_length=30, choices=Programme.choices)
    year = models.PositiveSmallIntegerField("année", validators=[MinValueValidator(2000)])
    target_persons = models.PositiveIntegerField("cible (personnes)", validators=[MinValueValidator(1)])
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField("modifiée le", default=timezone.now)

    class Meta:
        verbose_name = "cible annuelle d'un programme"
        verbose_name_plural = "cibles annuelles des programmes"
        ordering = ["-year", "programme"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "year"], name="one_target_per_programme_year")
        ]

    def __str__(self) -> str:
        return f"{self.get_programme_display()} {self.year} : {self.target_persons}"
