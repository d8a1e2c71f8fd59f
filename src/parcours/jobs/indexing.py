"""The ranking's search index (`MatchingEntry`): bulk rebuild, and upkeep when a person changes."""

from __future__ import annotations

from django.db import connection, transaction

from parcours.jobs.models import CandidateProfile, MatchingEntry, ProfileExperience
from parcours.jobs.models.profiles import INDEXED_FIELDS


@transaction.atomic
def rebuild(batch: int = 5000) -> int:
    """Rebuild the whole index from the profiles, their targets and experiences. Returns the row count."""
    MatchingEntry.objects.all().delete()
    profiles = {
        row[0]: row
        for row in CandidateProfile.objects.consenting()
        .filter(person__commune__isnull=False)
        .values_list("id", "person_id", "person__commune_id", *INDEXED_FIELDS)
    }
    through = CandidateProfile.target_appellations.through.objects.values_list(
        "candidateprofile_id", "romeappellation_id", "romeappellation__rome_id"
    )
    rows = [(pid, code, app, 0) for pid, app, code in through if pid in profiles]
    rows += [(pid, code, None, years) for pid, code, years in ProfileExperience.objects.values_list(
        "profile_id", "rome_id", "years"
    ) if pid in profiles]  # fmt: skip
    entries = []
    for pid, code, app, years in rows:
        profile = profiles[pid]
        entries.append(
            MatchingEntry(
                profile_id=pid,
                person_id=profile[1],
                commune_id=profile[2],
                rome_code=code,
                appellation_id=app,
                years=years,
                **dict(zip(INDEXED_FIELDS, profile[3:], strict=True)),
            )
        )
    MatchingEntry.objects.bulk_create(entries, batch_size=batch)
    if connection.vendor == "postgresql":
        # Fresh statistics, so that the planner uses the (ROME code, commune) index at once.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {MatchingEntry._meta.db_table}")
    return len(entries)


def person_saved(sender, instance, created: bool = False, update_fields=None, **kwargs) -> None:
    """A person's commune is part of the index: reindex their profile when they are saved.
    (Bulk updates send no signal: run `parcours reindex-candidates` after them.)"""
    if created or (update_fields is not None and "commune" not in update_fields):
        return
    profile = CandidateProfile.objects.filter(person_id=instance.pk).first()
    if profile is not None:
        profile.reindex()
