"""The lifecycle of a person's data, kept beside `people.Person` (never in it).

- `PersonArchive`: the person left the active base (intermediate archive): only administrators
  still see them; `anonymised_at` is set once their identity and free texts are wiped.
- `ProcessingRestriction`: the person asked for the limitation of processing (RGPD art. 18):
  while it is active, nothing but storage happens to their data (see `privacy.restriction`).
- `RetentionRun`: one run of the daily retention task, with counts per category and no name.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class PersonArchive(models.Model):
    """A person in intermediate archive (then anonymised). No row: the person is in the active base."""

    person = models.OneToOneField(
        "people.Person", on_delete=models.CASCADE, related_name="privacy_archive", verbose_name="personne"
    )
    archived_at = models.DateTimeField("archivée le")
    anonymised_at = models.DateTimeField("anonymisée le", null=True, blank=True)
    run = models.ForeignKey(
        "RetentionRun",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="passage",
    )

    class Meta:
        verbose_name = "archive d'une personne"
        verbose_name_plural = "archives des personnes"
        indexes = [models.Index(fields=["anonymised_at"])]

    def __str__(self) -> str:
        return f"Personne n°{self.person_id} archivée le {self.archived_at:%d/%m/%Y}"


class RestrictionQuerySet(models.QuerySet):
    def active(self):
        return self.filter(lifted_at__isnull=True)


class ProcessingRestriction(models.Model):
    """A limitation of processing asked by the person: set, then lifted, each by an agent (both dated)."""

    person = models.ForeignKey(
        "people.Person",
        on_delete=models.CASCADE,
        related_name="processing_restrictions",
        verbose_name="personne",
    )
    reason = models.TextField("motif")
    since = models.DateTimeField("depuis le", auto_now_add=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="posée par",
    )
    lifted_at = models.DateTimeField("levée le", null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="levée par",
    )

    objects = RestrictionQuerySet.as_manager()

    class Meta:
        verbose_name = "limitation du traitement"
        verbose_name_plural = "limitations du traitement"
        ordering = ["-since", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(lifted_at__isnull=True),
                name="one_active_restriction_per_person",
            )
        ]

    def __str__(self) -> str:
        return f"Limitation du {self.since:%d/%m/%Y} (personne n°{self.person_id})"


class RunStatus(models.TextChoices):
    RUNNING = "running", "En cours"
    DONE = "done", "Terminé"
    FAILED = "failed", "Échec"


class RetentionRun(models.Model):
    """One run of `privacy.tasks.run_retention`: counts per category, never a name."""

    started_at = models.DateTimeField("commencé le", auto_now_add=True)
    finished_at = models.DateTimeField("terminé le", null=True, blank=True)
    as_of = models.DateTimeField("date de référence")
    status = models.CharField("état", max_length=10, choices=RunStatus.choices, default=RunStatus.RUNNING)
    # {"persons": {"archived": n, ...}, "categories": {code: {"rows": n, ...}}}
    counts = models.JSONField("décomptes", default=dict, blank=True)
    # Each category's periods as applied by this run (days), for the report.
    periods = models.JSONField("durées appliquées", default=dict, blank=True)
    error = models.CharField("erreur", max_length=300, blank=True)

    class Meta:
        verbose_name = "passage de la conservation"
        verbose_name_plural = "passages de la conservation"
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"Passage du {self.started_at:%d/%m/%Y %H:%M} ({self.get_status_display()})"

    @property
    def duration_seconds(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()
