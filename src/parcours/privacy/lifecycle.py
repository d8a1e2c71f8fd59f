"""A person's data lifecycle: active base → intermediate archive → anonymised.

- `inactive_persons(cutoffs)`: persons with no activity, in any category, since that category's
  cutoff (see `categories.activities_of`);
- `open_items()`: the conditions that keep a person in the active base whatever the dates: an open
  orientation follow-up, an active follow (référent, coach), and any open row of the person-linked
  models of the apps `accompaniment`, `aids` and `reception` (their `open()` queryset method, else
  an empty `closed_at`/`ended_on`/`ended_at`, else a `status`/`state` not in TERMINAL_STATES);
- `archive`, `anonymise`: batches of person ids, each in one transaction, through `update()`.

Anonymisation wipes the identity, contact, address and NIR columns of `people.Person` (the
person's id stays, with birth date, sex and commune, so that the pseudonymised `PersonEvent` log
keeps the indicators computable), the dossier number of households whose members are all
anonymised, the free texts of the linked objects, and deletes the matching index. It never
touches `core.AuditEvent` (append-only, its own retention).
"""

from __future__ import annotations

import datetime
from collections import Counter

from django.apps import apps
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from parcours.privacy import categories
from parcours.privacy.models import PersonArchive
from parcours.privacy.restriction import restricted_person_ids

OPEN_ITEM_APPS = ("accompaniment", "aids", "reception")
TERMINAL_STATES = frozenset(
    {
        "clos", "close", "closed", "cloture", "cloturee", "termine", "terminee", "fini", "finie", "done",
        "refuse", "refusee", "rejete", "rejetee", "abandonne", "abandonnee", "annule", "annulee",
        "cancelled", "canceled", "paye", "payee", "paid", "traite", "traitee", "archive", "archivee",
        "sans_suite", "classe", "classee",
    }
)  # fmt: skip
ANONYMOUS_LAST_NAME = "ANONYME"
ANONYMOUS_FIRST_NAMES = "Personne"
IDENTITY_FIELDS = (
    "civility", "birth_name", "caf_number", "france_travail_id", "email", "phone", "address",
    "address_complement", "postal_code", "address_insee_code", "search_names",
)  # fmt: skip
# Free texts and copies of personal data in linked objects: (model, path to the person, values).
FREE_TEXTS: tuple[tuple[str, str, str, dict], ...] = (
    ("suivi_rdv", "orientation.OrientationDecision", "person", {"override_reason": "", "proposal_evidence": {}}),
    ("suivi_rdv", "orientation.ReorientationRequest", "person", {"reason": "", "decision_note": ""}),
    ("suivi_rdv", "appointments.Message", "person", {"context": {}, "error": ""}),
    ("accompagnement_contrats", "orientation.Contract", "person", {"objectives": ""}),
    ("candidatures_emploi", "jobs.CandidateProfile", "person", {"health_restrictions": "", "consents_to_employers": False}),
    ("candidatures_emploi", "jobs.ApplicationEvent", "application__person", {"note": ""}),
    ("candidatures_emploi", "jobs.FollowUp", "placement__application__person", {"note": ""}),
    ("personne", "imports.DuplicateCandidate", "person", {"merge_data": {}}),
    ("personne", "privacy.ProcessingRestriction", "person", {"reason": ""}),
    ("aides", "aids.AidApplication", "person", {"payee_name": "", "subsidiarity": {}, "bic": ""}),
    ("aides", "aids.ApplicationTransition", "application__person", {"note": ""}),
    ("aides", "aids.ApplicationDocument", "application__person", {"original_name": "", "rejection_reason": ""}),
    ("aides", "aids.Recovery", "application__person", {"reason": ""}),
)  # fmt: skip
DELETED: tuple[tuple[str, str, str], ...] = (("candidatures_emploi", "jobs.MatchingEntry", "person"),)


def _model(label: str):
    try:
        return apps.get_model(label)
    except LookupError:
        return None


def open_rows(model):
    """The open rows of `model` (see the module docstring), or None when it has no notion of open."""
    queryset = model._default_manager.all()
    if callable(getattr(queryset, "open", None)):
        return queryset.open()
    names = {f.name for f in model._meta.concrete_fields}
    for name in ("closed_at", "ended_on", "ended_at", "closed_on"):
        if name in names:
            return queryset.filter(**{f"{name}__isnull": True})
    for name in ("status", "state"):
        if name in names:
            return queryset.exclude(**{f"{name}__in": TERMINAL_STATES})
    return None


def open_items(now: datetime.datetime | None = None) -> list[Exists]:
    """Exists() conditions on `people.Person` (OuterRef pk): any is true for a person with an open
    item as of `now` (default: now)."""
    from parcours.orientation.models import FollowUp
    from parcours.people.models import Follow

    conditions = [
        Exists(FollowUp.objects.open().filter(person=OuterRef("pk"))),
        Exists(Follow.objects.active(timezone.localdate(now)).filter(person=OuterRef("pk"))),
    ]
    for app_label in OPEN_ITEM_APPS:
        try:
            config = apps.get_app_config(app_label)
        except LookupError:
            continue
        for model in config.get_models():
            link = categories.person_link(model)
            rows = open_rows(model) if link else None
            if rows is not None:
                conditions.append(Exists(rows.filter(**{link: OuterRef("pk")})))
    return conditions


def _recent(activity: categories.Activity, cutoff: datetime.datetime):
    """A condition on people.Person: an activity row dated on or after `cutoff`."""
    model = apps.get_model(activity.model)
    field = model._meta.get_field(activity.date_field)
    bound = timezone.localdate(cutoff) if not isinstance(field, models.DateTimeField) else cutoff
    if activity.person_path == "pk":
        return Q(**{f"{activity.date_field}__gte": bound, **dict(activity.filters)})
    rows = model._default_manager.filter(
        **{
            activity.person_path: OuterRef("pk"),
            f"{activity.date_field}__gte": bound,
            **dict(activity.filters),
        }
    )
    return Exists(rows)


def cutoffs(now: datetime.datetime, *, include_archive: bool) -> dict[str, datetime.datetime]:
    """Per category code, the date before which an activity no longer keeps the person active
    (`include_archive`: in intermediate archive)."""
    result = {}
    for category in categories.CATEGORIES:
        active, archive = category.periods()
        days = active + (archive if include_archive else 0)
        result[category.code] = now - datetime.timedelta(days=days)
    return result


def recent_activity(now_cutoffs: dict[str, datetime.datetime]) -> Q:
    """One condition on people.Person: some activity after its category's cutoff."""
    condition = Q(pk__in=[])
    for category in categories.CATEGORIES:
        for activity in categories.activities_of(category):
            condition |= _recent(activity, now_cutoffs[category.code])
    return condition


def _blocked(now: datetime.datetime) -> Q:
    condition = Q(pk__in=restricted_person_ids())
    for item in open_items(now):
        condition |= item
    return condition


def archivable(now: datetime.datetime):
    """Persons to move to the intermediate archive: none of their activities is recent, nothing open,
    no restriction, not archived yet."""
    from parcours.people.models import Person

    return (
        # NOT IN (hashed once per query), not NOT EXISTS: with the many conditions PostgreSQL
        # estimates one row and rescans the archive for each person (measured: 5 s per batch).
        Person.objects.exclude(pk__in=PersonArchive.objects.values("person_id"))
        .exclude(_blocked(now))
        .exclude(recent_activity(cutoffs(now, include_archive=False)))
    )


def to_reactivate(now: datetime.datetime, person_ids: list[int]) -> list[int]:
    """Those of `person_ids` (archived, not anonymised) who have a recent activity or an open item again."""
    from parcours.people.models import Person

    back = Person.objects.filter(pk__in=person_ids).filter(
        recent_activity(cutoffs(now, include_archive=False)) | _open_only(now)
    )
    return list(back.values_list("pk", flat=True))


def reactivate(person_ids: list[int]) -> int:
    """Bring these archived (not anonymised) persons back to the active base."""
    return PersonArchive.objects.filter(anonymised_at__isnull=True, person_id__in=person_ids).delete()[0]


def _open_only(now: datetime.datetime) -> Q:
    condition = Q(pk__in=[])
    for item in open_items(now):
        condition |= item
    return condition


def not_archived_ids() -> list[int]:
    """Ids of the persons in the active base (candidates to the archive)."""
    from parcours.people.models import Person

    archived = set(PersonArchive.objects.values_list("person_id", flat=True))
    return [
        pk
        for pk in Person.objects.values_list("pk", flat=True).iterator(chunk_size=10_000)
        if pk not in archived
    ]


def archived_ids() -> list[int]:
    """Ids of the archived persons not anonymised yet (candidates to anonymisation)."""
    return list(PersonArchive.objects.filter(anonymised_at__isnull=True).values_list("person_id", flat=True))


def anonymisable(now: datetime.datetime):
    """Archived persons past every category's archive period, nothing open, no restriction."""
    from parcours.people.models import Person

    return (
        Person.objects.filter(
            pk__in=PersonArchive.objects.filter(anonymised_at__isnull=True).values("person_id")
        )
        .exclude(_blocked(now))
        .exclude(recent_activity(cutoffs(now, include_archive=True)))
    )


def archive(person_ids: list[int], *, now: datetime.datetime, run=None) -> int:
    """Move these persons to the intermediate archive (idempotent); returns how many were moved."""
    rows = [PersonArchive(person_id=pk, archived_at=now, run=run) for pk in person_ids]
    with transaction.atomic():
        before = PersonArchive.objects.filter(person_id__in=person_ids).count()
        PersonArchive.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
        return PersonArchive.objects.filter(person_id__in=person_ids).count() - before


def identity_wipe() -> dict:
    """The `update()` values that wipe a person's identity, for the columns `people.Person` has now
    (a column named nir… — clear, encrypted or its digest — included)."""
    from parcours.people.models import Person

    values = {"last_name": ANONYMOUS_LAST_NAME, "first_names": ANONYMOUS_FIRST_NAMES}
    for model_field in Person._meta.concrete_fields:
        if model_field.name in IDENTITY_FIELDS or model_field.name.startswith("nir"):
            values[model_field.name] = _empty(model_field)
    return values


def _empty(model_field):
    if model_field.null:
        return None
    if isinstance(model_field, models.BinaryField):
        return b""
    if isinstance(model_field, models.JSONField):
        return {}
    return ""


def anonymise(person_ids: list[int], *, now: datetime.datetime) -> Counter:
    """Anonymise these persons (see the module docstring), in one transaction; returns the rows
    changed or deleted per category code."""
    from parcours.people.models import Household, HouseholdMember, Person
    from parcours.rsa.models import RsaRight

    counts: Counter = Counter()
    with transaction.atomic():
        counts["personne"] += Person.objects.filter(pk__in=person_ids).update(**identity_wipe())
        PersonArchive.objects.filter(person_id__in=person_ids).update(anonymised_at=now)
        household_ids = HouseholdMember.objects.filter(person_id__in=person_ids).values("household_id")
        still_known = HouseholdMember.objects.filter(household=OuterRef("pk")).exclude(
            person__privacy_archive__anonymised_at__isnull=False
        )
        households = Household.objects.filter(pk__in=household_ids).exclude(Exists(still_known))
        counts["personne"] += households.exclude(caf_number="").update(caf_number="")
        counts["droits_rsa"] += (
            RsaRight.objects.filter(household__in=households).exclude(address_key="").update(address_key="")
        )
        for code, label, path, values in FREE_TEXTS:
            model = _model(label)
            if model is not None:
                counts[code] += model._default_manager.filter(**{f"{path}__in": person_ids}).update(**values)
        for code, label, path in DELETED:
            model = _model(label)
            if model is not None:
                counts[code] += model._default_manager.filter(**{f"{path}__in": person_ids}).delete()[0]
        for category in categories.CATEGORIES:
            for app_label in category.activity_apps:
                counts[category.code] += _wipe_app_texts(app_label, person_ids)
    return counts


def _wipe_app_texts(app_label: str, person_ids: list[int]) -> int:
    """Blank the free texts (TextField) of the person-linked models of an app that landed later."""
    try:
        config = apps.get_app_config(app_label)
    except LookupError:
        return 0
    changed = 0
    for model in config.get_models():
        link = categories.person_link(model)
        texts = {
            f.name: "" for f in model._meta.concrete_fields if isinstance(f, models.TextField) and not f.null
        }
        if link and texts:
            changed += model._default_manager.filter(**{f"{link}__in": person_ids}).update(**texts)
    return changed


def status_of(person) -> str:
    """ "actif", "archive" or "anonymise" (for the person page and the access export)."""
    row = PersonArchive.objects.filter(person=person).first()
    if row is None:
        return "actif"
    return "anonymise" if row.anonymised_at else "archive"


def without_archived(persons, agent):
    """`persons` without the archived ones, except for administrators (who answer the person's
    requests and the litigation during the intermediate archive)."""
    if agent is not None and getattr(agent, "is_administrator", False):
        return persons
    return persons.exclude(Exists(PersonArchive.objects.filter(person=OuterRef("pk"))))


def annotate_flags(persons):
    """`persons` annotated with `privacy_restricted` (an active restriction) and `privacy_archived`."""
    from parcours.privacy.models import ProcessingRestriction

    return persons.annotate(
        privacy_restricted=Exists(ProcessingRestriction.objects.active().filter(person=OuterRef("pk"))),
        privacy_archived=Exists(PersonArchive.objects.filter(person=OuterRef("pk"))),
    )
