"""Retention of the files holding personal data: `purge_personal_files` deletes those older
than their retention period (settings, in days), run by `parcours purge-files`.

- uploaded import files (and their mapping files), var/imports/: PARCOURS_UPLOAD_RETENTION_DAYS.
  The import's report (its `ImportBatch` row, counts and per-record outcomes) stays; only its
  file reference is cleared.
- letters written by the file letter backend, var/letters/: PARCOURS_LETTER_RETENTION_DAYS;
- mails written by the file mail backend (EMAIL_FILE_PATH) and SMS logs of the file SMS
  backend (var/sms/): PARCOURS_MAIL_RETENTION_DAYS.

This is the category "fichiers" of `parcours.privacy.categories`: the daily retention task
(`parcours.privacy.tasks.run_retention`) calls it after archiving and anonymising the persons.

A file's age is its last modification. Only regular files directly in those folders are
deleted; a missing folder is nothing to purge.
"""

from __future__ import annotations

import datetime
from pathlib import Path

from django.conf import settings
from django.utils import timezone


def purge_personal_files(now: datetime.datetime | None = None) -> dict[str, int]:
    """Delete the files past their retention; returns how many of each kind were deleted."""
    from parcours.appointments.notifications import letter_folder, sms_folder
    from parcours.imports.background import upload_dir
    from parcours.imports.models import ImportBatch

    now = now or timezone.now()
    uploads = _delete_older(upload_dir(), now - _days("PARCOURS_UPLOAD_RETENTION_DAYS", 90))
    if uploads:
        ImportBatch.objects.filter(upload_path__in=[str(path) for path in uploads]).update(upload_path="")
    letters = _delete_older(letter_folder(), now - _days("PARCOURS_LETTER_RETENTION_DAYS", 90))
    messages_cutoff = now - _days("PARCOURS_MAIL_RETENTION_DAYS", 30)
    mails = _delete_older(Path(settings.EMAIL_FILE_PATH), messages_cutoff)
    mails += _delete_older(sms_folder(), messages_cutoff)
    return {"uploads": len(uploads), "letters": len(letters), "mails": len(mails)}


def _days(setting: str, default: int) -> datetime.timedelta:
    return datetime.timedelta(days=getattr(settings, setting, default))


def _delete_older(folder: Path, cutoff: datetime.datetime) -> list[Path]:
    if not folder.is_dir():
        return []
    limit = cutoff.timestamp()
    deleted = []
    for path in folder.iterdir():
        if path.is_file() and not path.is_symlink() and path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)
            deleted.append(path)
    return deleted
