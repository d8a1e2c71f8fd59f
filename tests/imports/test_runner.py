"""The import runner's contract for sources that validate while they are applied."""

import pytest

from parcours.imports.models import BatchStatus, ImportBatch, ImportKind, ImportRecord, RecordStatus
from parcours.imports.runner import FileRejected, Outcome, SourceRecord, run_import
from parcours.people.models import Household

pytestmark = pytest.mark.django_db


class LateValidatingSource:
    """Gives `valid` records, then either ends (the file was valid) or rejects the file; each
    record it applies creates a household, as a real import would."""

    kind = ImportKind.CNAF
    file_format = "test"
    chunk_size = 10

    def __init__(self, valid: int, reject_at_end: bool):
        self.valid = valid
        self.reject_at_end = reject_at_end
        self.given = 0
        self.closed = False

    def prepare(self) -> int:
        return self.valid

    def batch_fields(self) -> dict:
        return {}

    @property
    def validated(self) -> bool:
        return self.given >= self.valid and not self.reject_at_end

    def records(self):
        for position in range(self.valid):
            self.given = position + 1
            yield SourceRecord(position, f"dossier {position}", position + 1, None)
        if self.reject_at_end:
            raise FileRejected("Ligne 999, élément « NIR » : valeur trop longue.", 999)

    def apply(self, records, batch):
        Household.objects.bulk_create(Household(caf_number=f"{r.position:07d}") for r in records)
        return [Outcome(RecordStatus.CREATED) for _ in records]

    def close(self) -> None:
        self.closed = True


def test_a_file_rejected_after_records_were_applied_changes_nothing(tmp_path):
    path = tmp_path / "flux.xml"
    path.write_text("contenu")
    source = LateValidatingSource(valid=35, reject_at_end=True)
    seen = []

    report = run_import(source, path, on_progress=lambda batch: seen.append(batch.processed))

    assert seen[-1] >= 30, "chunks were applied before the rejection"
    assert report.exit_code == 2
    assert "Ligne 999" in report.message
    assert not Household.objects.exists()
    assert not ImportRecord.objects.exists()
    batch = ImportBatch.objects.get()
    assert (batch.status, batch.processed, batch.created) == (BatchStatus.REJECTED, 0, 0)
    assert source.closed


def test_a_valid_file_commits_everything_and_counts_what_it_read(tmp_path):
    path = tmp_path / "flux.xml"
    path.write_text("contenu")

    report = run_import(LateValidatingSource(valid=35, reject_at_end=False), path)

    assert report.exit_code == 0
    assert Household.objects.count() == 35
    batch = ImportBatch.objects.get()
    assert (batch.status, batch.total, batch.processed, batch.created) == (BatchStatus.DONE, 35, 35, 35)
    assert batch.committed_position == 34
