"""Import batches and their per-record reports, and the queue of possible duplicates.

One framework for every imported file (CNAF flux, beneficiary files): an `ImportBatch`
per run and one `ImportRecord` per record with its status and, when quarantined, its
reason and raw content so that the rejected rows can be downloaded, fixed and re-sent.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q


class ImportKind(models.TextChoices):
    CNAF = "cnaf", "Flux CNAF bénéficiaires RSA"
    PEOPLE = "people", "Fichier de bénéficiaires"
    # Imported from the directory's own page and command (parcours.directory.importer).
    DIRECTORY = "directory", "Annuaire des services (data·inclusion)"


class BatchStatus(models.TextChoices):
    PENDING = "pending", "En attente"
    RUNNING = "running", "En cours"
    DONE = "done", "Terminé"
    REJECTED = "rejected", "Fichier rejeté"
    FAILED = "failed", "Erreur interne"


class RecordStatus(models.TextChoices):
    CREATED = "created", "Créé"
    UPDATED = "updated", "Mis à jour"
    UNCHANGED = "unchanged", "Inchangé"
    QUARANTINED = "quarantined", "En quarantaine"


class ImportBatchQuerySet(models.QuerySet):
    def visible_to(self, agent):
        """The batches whose report `agent` may read: their own, those of the agents of their
        units for a manager, every batch for an administrator. Reports quote rejected rows
        (names, birth dates), so nobody else reads them."""
        if agent is None or not agent.is_authenticated or not agent.is_active or not agent.may_import:
            return self.none()
        if agent.is_administrator:
            return self
        if agent.is_manager:
            unit_ids = agent.units.values("id")
            return self.filter(Q(created_by=agent) | Q(created_by__units__in=unit_ids)).distinct()
        return self.filter(created_by=agent)

    def completed_identical(self, kind: str, sha256: str):
        """Earlier complete, real (not dry-run) imports of the same file."""
        return self.filter(kind=kind, sha256=sha256, status=BatchStatus.DONE, dry_run=False)


class ImportBatch(models.Model):
    """One run of an import on one file. Counts are kept up to date chunk by chunk."""

    kind = models.CharField("type", max_length=10, choices=ImportKind.choices)
    file_format = models.CharField("format", max_length=30, blank=True)
    file_name = models.CharField("fichier", max_length=255)
    sha256 = models.CharField("empreinte SHA-256", max_length=64, db_index=True)
    status = models.CharField(
        "statut", max_length=10, choices=BatchStatus.choices, default=BatchStatus.PENDING
    )
    dry_run = models.BooleanField("simulation", default=False)
    message = models.TextField("message", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="lancé par",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="import_batches",
    )
    identical_to = models.ForeignKey(
        "self",
        verbose_name="fichier identique à l'import",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reference_date = models.DateField("date de référence", null=True, blank=True)
    flux_type = models.CharField("type de flux", max_length=1, blank=True)
    total = models.PositiveIntegerField("enregistrements", default=0)
    processed = models.PositiveIntegerField("traités", default=0)
    created = models.PositiveIntegerField("créés", default=0)
    updated = models.PositiveIntegerField("mis à jour", default=0)
    unchanged = models.PositiveIntegerField("inchangés", default=0)
    quarantined = models.PositiveIntegerField("en quarantaine", default=0)
    # Position of the last record of the last committed chunk: a re-run after a crash resumes after it.
    committed_position = models.IntegerField(default=-1)
    pid = models.PositiveIntegerField(null=True, blank=True)
    upload_path = models.CharField(max_length=500, blank=True)
    started_at = models.DateTimeField("commencé le", auto_now_add=True)
    finished_at = models.DateTimeField("terminé le", null=True, blank=True)

    objects = ImportBatchQuerySet.as_manager()

    class Meta:
        verbose_name = "import"
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["kind", "sha256", "status"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.file_name} ({self.started_at:%d/%m/%Y %H:%M})"

    @property
    def progress_percent(self) -> int:
        if self.status in (BatchStatus.DONE, BatchStatus.REJECTED, BatchStatus.FAILED):
            return 100
        return int(100 * self.processed / self.total) if self.total else 0

    @property
    def is_finished(self) -> bool:
        return self.status in (BatchStatus.DONE, BatchStatus.REJECTED, BatchStatus.FAILED)

    def counts(self) -> dict:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "quarantined": self.quarantined,
        }


class ImportRecord(models.Model):
    """The outcome of one record (a dossier of a flux, a row of a file) in a batch."""

    # No index of its own: the unique (batch, position) constraint's index serves lookups by batch.
    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="records", db_index=False)
    position = models.PositiveIntegerField("position")
    line = models.PositiveIntegerField("ligne", null=True, blank=True)
    key = models.CharField("clé", max_length=100, blank=True)
    status = models.CharField("statut", max_length=12, choices=RecordStatus.choices)
    reason = models.TextField("motif", blank=True)
    raw = models.JSONField("contenu d'origine", null=True, blank=True)

    class Meta:
        verbose_name = "enregistrement importé"
        verbose_name_plural = "enregistrements importés"
        ordering = ["batch", "position"]
        constraints = [models.UniqueConstraint(fields=["batch", "position"], name="unique_record_position")]
        indexes = [models.Index(fields=["batch", "status"])]

    def __str__(self) -> str:
        return f"{self.key} : {self.get_status_display()}"


class DuplicateStatus(models.TextChoices):
    PENDING = "pending", "À vérifier"
    MERGED = "merged", "Fusionnés"
    SEPARATED = "separated", "Personnes distinctes"


class DuplicateCandidateQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=DuplicateStatus.PENDING)

    def involving(self, person_ids):
        return self.filter(Q(person_id__in=person_ids) | Q(duplicate_id__in=person_ids))


class DuplicateCandidate(models.Model):
    """Two persons that may be the same (same names and birth date, different or missing NIR).

    An agent merges them (the duplicate's memberships, follows and events move to `person`,
    the duplicate is removed, its data kept in `merge_data` so the merge can be undone) or
    declares them distinct. Decisions are recorded with who and when, and are reversible."""

    person = models.ForeignKey(
        "people.Person",
        verbose_name="personne conservée",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Kept as a plain id: after a merge the duplicate no longer exists, undoing recreates it.
    duplicate_id = models.BigIntegerField("doublon possible")
    reason = models.CharField("motif", max_length=250)
    batch = models.ForeignKey(ImportBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(
        "statut", max_length=10, choices=DuplicateStatus.choices, default=DuplicateStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField("décidé le", null=True, blank=True)
    merge_data = models.JSONField("données de fusion", null=True, blank=True)
    created_at = models.DateTimeField("détecté le", auto_now_add=True)

    objects = DuplicateCandidateQuerySet.as_manager()

    class Meta:
        verbose_name = "doublon à vérifier"
        verbose_name_plural = "doublons à vérifier"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["person", "duplicate_id"], name="unique_duplicate_pair")
        ]

    def __str__(self) -> str:
        return f"Doublon possible {self.person_id} / {self.duplicate_id}"


class DuplicateDecision(models.Model):
    """The log of decisions on a duplicate candidate (merge, separate, undo), with who and when."""

    candidate = models.ForeignKey(DuplicateCandidate, on_delete=models.CASCADE, related_name="decisions")
    action = models.CharField("action", max_length=20)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField("le", auto_now_add=True)

    class Meta:
        verbose_name = "décision sur un doublon"
        verbose_name_plural = "décisions sur les doublons"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.action} ({self.at:%d/%m/%Y})"
