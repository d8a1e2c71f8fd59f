"""Applying a CNAF flux: households, persons, the RSA right, and the rights history.

Each flux is a dated snapshot. For every dossier the importer compares the snapshot with
the right as last known and writes the *changes* as `people.PersonEvent` rows dated with
the real dates of the flux (rights opening, suspension, closure…), never the import date.
The event kinds are listed in `EVENT_KINDS` and documented in docs/data-formats.md.

Work is done per chunk of dossiers with bulk queries: the chunk's households, rights,
memberships and candidate persons are loaded in a handful of queries, whatever its size.
"""

from __future__ import annotations

import datetime
from functools import lru_cache
from operator import itemgetter
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone

from parcours.core.encryption import encrypt
from parcours.core.models import AuditAction, AuditChannel, AuditEvent
from parcours.imports.bulk import insert_rows
from parcours.imports.models import DuplicateCandidate, ImportBatch, ImportKind, RecordStatus
from parcours.imports.runner import FileRejected, Outcome, SourceRecord
from parcours.people.identity import (
    CandidateIndex,
    Identity,
    nir13,
    normalize_role,
    padded,
)
from parcours.people.models import Household, HouseholdMember, Person, PersonEvent
from parcours.rsa import cnaf
from parcours.rsa.flux_reader import FluxReader
from parcours.rsa.models import CLOSED_STATES, OPEN_STATES, SUSPENDED_STATES, RightState, RsaRight
from parcours.territory import reference
from parcours.territory.models import Commune

SOURCE = "cnaf"
AUDIT_COLUMNS = ["at", "agent_id", "agent_label", "person_id", "action", "channel", "path", "detail"]
STATES = frozenset(RightState.values)
EVENT_KINDS = {
    "rsa.demande": "Demande de RSA (DTDEMRSA)",
    "rsa.entree": "Entrée dans le RSA : ouverture du droit",
    "rsa.refus": "Refus du droit",
    "rsa.droits_devoirs": "Soumis aux droits et devoirs",
    "rsa.fin_droits_devoirs": "N'est plus soumis aux droits et devoirs",
    "rsa.suspension": "Suspension du droit ou du versement",
    "rsa.reprise": "Reprise du versement",
    "rsa.cloture": "Clôture du droit",
    "rsa.arrivee_departement": "Arrivée d'un autre département",
    "rsa.depart_departement": "Départ vers un autre département",
    "adresse.changement": "Changement d'adresse",
    "foyer.changement": "Changement de composition du foyer",
}
HOUSEHOLD_EVENT_ROLES = {"DEM", "CJT", "RDO"}
PERSON_FIELDS = [
    "civility",
    "last_name",
    "birth_name",
    "first_names",
    "birth_date",
    "sex",
    "nir",
    "caf_number",
    "france_travail_id",
    "address",
    "address_complement",
    "postal_code",
    "commune_id",
    "address_insee_code",
    "address_outside_departement",
]
PERSON_INSERT_COLUMNS = [
    *PERSON_FIELDS,
    "nir_digest",
    "email",
    "phone",
    "search_names",
    "created_at",
    "updated_at",
]
PERSON_DEFAULTS = dict.fromkeys(PERSON_INSERT_COLUMNS, "") | {
    "commune_id": None,
    "birth_date": None,
    "address_outside_departement": False,
}
RIGHT_FIELDS = [
    "organism_number",
    "request_number",
    "departement",
    "state",
    "requested_on",
    "opened_on",
    "refused_on",
    "refusal_reason",
    "suspended_on",
    "suspension_reason",
    "suspension_kind",
    "closed_on",
    "closure_reason",
    "arrived_on",
    "left_on",
    "amount_paid",
    "amount_total",
    "members",
    "address_key",
    "reference_date",
    "fingerprint",
    "updated_at",
]
RIGHT_INSERT_COLUMNS = ["household_id", *RIGHT_FIELDS]
# Rows to insert, from dicts of field values, in the order of the columns above.
PERSON_ROW = itemgetter(*PERSON_INSERT_COLUMNS)
RIGHT_ROW = itemgetter(*RIGHT_INSERT_COLUMNS)


def _estimate_count(path: Path, tag: bytes, sample: int = 1 << 23) -> int:
    """The number of dossiers, for the progress bar until the reading ends: exact for a file
    of up to `sample` bytes, else extrapolated from its first `sample` bytes (dossiers are
    much alike in size)."""
    size = path.stat().st_size
    with open(path, "rb") as f:
        head = f.read(sample)
    return head.count(tag) if size <= sample else round(head.count(tag) * size / len(head))


@lru_cache(maxsize=4096)
def _day(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


@lru_cache(maxsize=4096)
def _moment(day: datetime.date) -> datetime.datetime:
    """Events happen on a day; they are stored at midnight, Paris time."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


@lru_cache(maxsize=8192)
def _typed_values(kind: str, moment: datetime.datetime) -> tuple[int, ...]:
    """The typed copy of an event of this importer (`PersonEvent.typed_values`): its kinds carry
    none of the `data` values the indicators read, so kind and instant determine it."""
    return PersonEvent.typed_values(kind, moment, {})


def address_key(address: dict) -> str:
    return "|".join(
        [
            address.get("street", ""),
            address.get("complement", ""),
            address.get("postal_code", ""),
            address.get("insee_code", ""),
        ]
    )[:300]


class NewHousehold:
    """A household to insert (a full model instance costs more than the insert itself)."""

    __slots__ = ("pk", "caf_number", "organism")

    def __init__(self, caf_number: str, organism: str):
        self.pk = None
        self.caf_number = caf_number
        self.organism = organism


class NewPerson:
    """A person to insert, with the field values of `people.Person`."""

    __slots__ = ("pk", "values", "search_names")

    def __init__(self, values: dict, search_names: str):
        self.pk = None
        self.values = values
        self.search_names = search_names


class NewRight:
    __slots__ = ("household", "values", "members")

    def __init__(self, household, values: dict):
        self.household = household
        self.values = values
        self.members: list = []


class CnafFluxSource:
    """The CNAF flux as an import source for `imports.runner.run_import`."""

    kind = ImportKind.CNAF
    file_format = "vrsb0801"
    chunk_size = 1000

    def __init__(self, path, *, departement: str | None = None):
        self.path = path
        self.departement = departement or settings.PARCOURS_DEPARTEMENT
        self.reader: FluxReader | None = None
        # From the flux's IdentificationFlux, known once prepare() has run.
        self.flux_type = ""
        self.reference_date: datetime.date | None = None
        self.communes: dict[str, int] = {}
        # Every INSEE code of France (shipped reference, in memory): an address outside the
        # département is imported and flagged, only a code that exists nowhere is quarantined.
        self.national_codes: frozenset[str] = frozenset()

    def prepare(self) -> int:
        """Start reading the file in a second process; wait for its header only. The count
        returned is an estimate (the dossiers' opening tags) until the reading ends."""
        self.start()
        try:
            fields = self.reader.wait_for_header()
        except cnaf.FluxRejected as rejected:
            raise FileRejected(rejected.message, rejected.line) from None
        self.flux_type = fields["flux_type"]
        self.reference_date = datetime.date.fromisoformat(fields["reference_date"])
        self.communes = dict(Commune.objects.values_list("insee_code", "id"))
        self.national_codes = reference.national_codes()
        if connection.vendor == "sqlite":
            # Fewer WAL checkpoints (each one syncs) while chunks of thousands of rows are written,
            # and a larger page cache (16 MB: the import's memory stays the same whatever the file's size).
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA wal_autocheckpoint = 16384")
                cursor.execute("PRAGMA cache_size = -16384")
        return _estimate_count(Path(self.path), b"<InfosFoyerRSA")

    def start(self) -> None:
        """Start the reading process (the runner calls this before hashing the file)."""
        if self.reader is None:
            self.reader = FluxReader(self.path, self.departement)

    @property
    def validated(self) -> bool:
        """Whether the reading process has found the whole file valid (see `imports.runner`)."""
        try:
            return self.reader.validated
        except cnaf.FluxRejected as rejected:
            raise FileRejected(rejected.message, rejected.line) from None

    def batch_fields(self) -> dict:
        return {"reference_date": self.reference_date, "flux_type": self.flux_type}

    def records(self):
        try:
            for position, dossier in enumerate(self.reader.dossiers()):
                yield SourceRecord(position, cnaf.dossier_key(dossier), dossier["line"], dossier)
        except cnaf.FluxRejected as rejected:
            raise FileRejected(rejected.message, rejected.line) from None

    def close(self) -> None:
        if self.reader is not None:
            self.reader.close()
            self.reader = None

    def apply(self, records: list[SourceRecord], batch: ImportBatch) -> list[Outcome]:
        return ChunkApplier(self, batch).apply(records)


class ChunkApplier:
    """Applies one chunk of dossiers; collects every write and issues them in bulk."""

    def __init__(self, source: CnafFluxSource, batch: ImportBatch):
        self.source = source
        self.batch = batch
        self.reference_date = source.reference_date
        self.now = timezone.now()
        self.new_households: list[Household] = []
        self.new_persons: list[Person] = []
        self.changed_persons: dict[int, Person] = {}
        self.changed_fields: set[str] = set()
        self.changed_names: dict[int, set[str]] = {}  # person id -> fields changed (for the audit)
        self.new_members: list[tuple[Household, Person, str]] = []
        self.gone_members: list[tuple] = []
        self.new_rights: list[NewRight] = []
        self.changed_rights: list[RsaRight] = []
        self.events: list[tuple] = []  # (person, kind, moment, data)
        self.duplicates: list[tuple[int, Person]] = []
        self.pending_by_nir: dict[str, Person] = {}
        self.member_lists: list[tuple[RsaRight | NewRight, list]] = []

    # -- loading -------------------------------------------------------------------------
    def _load(self, dossiers: list[dict]) -> None:
        matricules = {d["matricule"] for d in dossiers}
        table = connection.ops.quote_name(Household._meta.db_table)
        values = padded(sorted(matricules))
        sql = f"SELECT id, organism, caf_number FROM {table} WHERE caf_number IN ({', '.join(['%s'] * len(values))})"  # noqa: S608
        # A plain cursor: `raw()` would adapt each of the thousand parameters one by one.
        with connection.cursor() as cursor:
            cursor.execute(sql, values)
            self.households = {
                (organism, caf_number): Household(id=pk, organism=organism, caf_number=caf_number)
                for pk, organism, caf_number in cursor.fetchall()
            }
        household_ids = [h.pk for h in self.households.values()]
        self.rights = {}
        self.memberships: dict[int, dict[int, str]] = {}
        if household_ids:
            self.rights = {r.household_id: r for r in RsaRight.objects.filter(household_id__in=household_ids)}
            members = HouseholdMember.objects.filter(household_id__in=household_ids)
            for household_id, person_id, role in members.values_list("household_id", "person_id", "role"):
                self.memberships.setdefault(household_id, {})[person_id] = role
        identities = []
        for d in dossiers:
            key = (d["organism"], d["matricule"])
            right = self.rights.get(self.households[key].pk) if key in self.households else None
            if right is not None and right.fingerprint == d["fingerprint"]:
                continue
            identities.extend(self._identity(d, p) for p in d["persons"])
        self.index = CandidateIndex.for_identities(identities)

    @staticmethod
    def _identity(dossier: dict, p: dict) -> Identity:
        identity = p.get("_identity")
        if identity is not None:
            return identity
        identity = p["_identity"] = Identity(
            last_name=p["last_name"],
            first_names=p["first_names"],
            birth_date=_day(p["birth_date"]),
            birth_name=p["birth_name"],
            nir=p["nir"],
            caf_number=dossier["matricule"],
            role=normalize_role(p["role"]),
            france_travail_id=p["france_travail_id"],
            surnames=set(p["surnames"]),
        )
        return identity

    # -- per dossier ---------------------------------------------------------------------
    def quarantine_reason(self, d: dict) -> str:
        for n, p in enumerate(d["persons"], start=1):
            if p["nir_problem"]:
                return (
                    f"Personne n°{n} du dossier ({p['role'] or 'rôle inconnu'}, ligne {p['line']}) : "
                    f"{p['nir_problem']}. Le dossier est mis en quarantaine."
                )
        code = d["address"].get("insee_code")
        if code and code not in self.source.communes and code not in self.source.national_codes:
            return (
                f"Commune inconnue : le code INSEE « {code} » (élément NUMCOM) n'existe dans aucun "
                "département du référentiel national des communes. Le dossier est mis en quarantaine."
            )
        if d["state"] not in STATES:
            return f"État du dossier « {d['state']} » inconnu (élément ETATDOSRSA)."
        return ""

    def apply(self, records: list[SourceRecord]) -> list[Outcome]:
        outcomes: list[Outcome | None] = [None] * len(records)
        valid = []
        for i, record in enumerate(records):
            d = record.payload
            reason = self.quarantine_reason(d)
            if reason:
                outcomes[i] = Outcome(RecordStatus.QUARANTINED, reason, raw=d)
            else:
                valid.append((i, d))
        if valid:
            self._load([d for _, d in valid])
            for i, d in valid:
                outcomes[i] = self._apply_dossier(d)
            self._flush()
        return outcomes

    def _apply_dossier(self, d: dict) -> Outcome:
        key = (d["organism"], d["matricule"])
        household = self.households.get(key)
        right = self.rights.get(household.pk) if household is not None else None
        if right is not None and right.fingerprint == d["fingerprint"]:
            return Outcome(RecordStatus.UNCHANGED)
        if right is not None and right.reference_date > self.reference_date:
            return Outcome(
                RecordStatus.UNCHANGED,
                f"Flux plus ancien ({self.reference_date:%d/%m/%Y}) que l'état déjà connu de ce dossier "
                f"({right.reference_date:%d/%m/%Y}) : ignoré.",
            )
        if household is None:
            household = NewHousehold(
                d["matricule"], d["organism"] if d["organism"] in ("CAF", "MSA") else "CAF"
            )
            self.households[key] = household
            self.new_households.append(household)
        address = d["address"]
        commune_id = (
            self.source.communes.get(address.get("insee_code")) if address.get("insee_code") else None
        )
        new_address_key = address_key(address)
        previous_members = {m["person"]: m for m in (right.members if right else [])}
        known_members = self.memberships.get(household.pk, {}) if household.pk else {}
        members = []
        for p in d["persons"]:
            person, created = self._person(d, p, address, commune_id)
            role = normalize_role(p["role"]) or "autre"
            members.append((person, p, created))
            if household.pk is None or person.pk is None or person.pk not in known_members:
                self.new_members.append((household, person, role))
                if household.pk and person.pk:
                    known_members[person.pk] = role
        current_ids = {person.pk for person, _, _ in members if person.pk}
        for person_id in known_members:
            if person_id not in current_ids and right is not None:
                self.gone_members.append((household.pk, person_id))
        self._events(d, right, members, previous_members, new_address_key)
        values = {
            "organism_number": d["organism_number"],
            "request_number": d["request_number"],
            "departement": d["departement"],
            "state": d["state"],
            "requested_on": _day(d["requested_on"]),
            "opened_on": _day(d["opened_on"]),
            "refused_on": _day(d["refused_on"]),
            "refusal_reason": d["refusal_reason"],
            "suspended_on": _day(d["suspended_on"]),
            "suspension_reason": d["suspension_reason"],
            "suspension_kind": d["suspension_kind"],
            "closed_on": _day(d["closed_on"]),
            "closure_reason": d["closure_reason"],
            "arrived_on": _day(d["arrived_on"]),
            "left_on": _day(d["left_on"]),
            "amount_paid": d["amount_paid"],
            "amount_total": d["amount_total"],
            "address_key": new_address_key,
            "reference_date": self.reference_date,
            "fingerprint": d["fingerprint"],
            "updated_at": self.now,
        }
        if right is not None and right.opened_on and values["opened_on"] and right.state in OPEN_STATES:
            # The right stays open: keep the date it opened, even if the flux now shows a later nature.
            values["opened_on"] = min(right.opened_on, values["opened_on"])
        if right is None:
            right = NewRight(household, values)
            self.new_rights.append(right)
            status = RecordStatus.CREATED
        else:
            for name, value in values.items():
                setattr(right, name, value)
            self.changed_rights.append(right)
            status = RecordStatus.UPDATED
        self.member_lists.append((right, [(person, p["role"], p["duties"]) for person, p, _ in members]))
        return Outcome(status)

    def _person(self, d: dict, p: dict, address: dict, commune_id: int | None) -> tuple[Person, bool]:
        identity = self._identity(d, p)
        key = identity.nir13
        if key and key in self.pending_by_nir:
            return self.pending_by_nir[key], False
        match = self.index.resolve(identity)
        values = {
            "civility": "M" if p["sex"] == "M" else "MME" if p["sex"] == "F" else "",
            "last_name": p["last_name"],
            "birth_name": p["birth_name"] if p["birth_name"] != p["last_name"] else "",
            "first_names": p["first_names"],
            "birth_date": identity.birth_date,
            "sex": p["sex"],
            "nir": p["nir"],
            "caf_number": d["matricule"],
            "france_travail_id": p["france_travail_id"],
        }
        if address.get("insee_code"):
            # Outside the département commune_id is None: a known person keeps their last commune
            # of the département (the agents who follow them still see them), flagged.
            values.update(
                address=address["street"][:250],
                address_complement=address["complement"][:250],
                postal_code=address["postal_code"][:5],
                commune_id=commune_id,
                address_insee_code=address["insee_code"][:5],
                address_outside_departement=commune_id is None,
            )
        if match.is_certain:
            person = match.person
            changed = False
            for name, value in values.items():
                if value in ("", None):
                    continue
                if name == "nir" and (nir13(person.nir) == nir13(value) and len(person.nir) >= len(value)):
                    continue
                if getattr(person, name) != value:
                    setattr(person, name, value)
                    self.changed_fields.add(name)
                    if person.pk:
                        self.changed_names.setdefault(person.pk, set()).add(name)
                    changed = True
            if changed:
                person.updated_at = self.now
                person.search_names = person.compute_search_names()
                if person.pk:
                    self.changed_persons[person.pk] = person
            return person, False
        person = NewPerson({**values, "nir_digest": identity.nir_digest}, p["search_names"])
        self.new_persons.append(person)
        if key:
            self.pending_by_nir[key] = person
        if match.certainty is not None:
            self.duplicates.append((match.person_id, person))
        return person, True

    # -- history -------------------------------------------------------------------------
    def _event(self, person: Person, kind: str, day: datetime.date | None, **data) -> None:
        day = day or self.reference_date
        data["import"] = self.batch.pk
        self.events.append((person, kind, _moment(day), data))

    def _events(self, d, right, members, previous_members, new_address_key) -> None:
        ref = self.reference_date
        state = d["state"]
        previous_state = right.state if right is not None else None
        was_open = previous_state in OPEN_STATES
        is_open = state in OPEN_STATES
        opened_on = _day(d["opened_on"])
        common = {"dossier": d["request_number"], "etat": state}
        household_events: list[tuple[str, datetime.date | None, dict]] = []
        if right is None and state == RightState.NEW_REQUEST:
            household_events.append(("rsa.demande", _day(d["requested_on"]), {}))
        if state == RightState.REFUSED and previous_state != RightState.REFUSED:
            household_events.append(("rsa.refus", _day(d["refused_on"]), {"motif": d["refusal_reason"]}))
        entered = is_open and not was_open
        if state in CLOSED_STATES and right is None and opened_on:
            entered = True  # first seen already closed: the history starts with the opening
        if entered:
            day = opened_on
            if right is not None and right.closed_on and (not day or day <= right.closed_on):
                day = ref  # a reopening without a new opening date in the flux
            household_events.append(("rsa.entree", day, {"reouverture": previous_state in CLOSED_STATES}))
        if state in SUSPENDED_STATES and (
            previous_state not in SUSPENDED_STATES
            or right.suspended_on != _day(d["suspended_on"])
            or right.suspension_reason != d["suspension_reason"]
        ):
            household_events.append(
                (
                    "rsa.suspension",
                    _day(d["suspended_on"]),
                    {"motif": d["suspension_reason"], "nature": d["suspension_kind"]},
                )
            )
        if previous_state in SUSPENDED_STATES and state == RightState.OPEN_PAID:
            household_events.append(("rsa.reprise", ref, {}))
        if state in CLOSED_STATES and previous_state not in CLOSED_STATES:
            household_events.append(("rsa.cloture", _day(d["closed_on"]), {"motif": d["closure_reason"]}))
        if d["arrived_on"] and (right is None or right.arrived_on != _day(d["arrived_on"])):
            household_events.append(("rsa.arrivee_departement", _day(d["arrived_on"]), {}))
        if d["left_on"] and (right is None or right.left_on != _day(d["left_on"])):
            household_events.append(("rsa.depart_departement", _day(d["left_on"]), {}))
        address_changed = (
            right is not None and right.address_key != new_address_key and d["address"].get("insee_code")
        )
        for person, p, _created in members:
            previous = previous_members.get(person.pk) if person.pk else None
            concerned = p["role"] in HOUSEHOLD_EVENT_ROLES or p["duties"]
            if concerned:
                for kind, day, data in household_events:
                    self._event(person, kind, day, **common, **data)
            if right is not None and previous is None:
                self._event(
                    person,
                    "foyer.changement",
                    _day(p["attached_on"]),
                    changement="arrivee",
                    role=p["role"],
                    **common,
                )
            if p["duties"] and not (previous or {}).get("duties"):
                if right is None or previous is None:
                    candidates = [x for x in (opened_on, _day(p["attached_on"])) if x]
                    day = max(candidates) if candidates else ref
                else:
                    day = ref
                self._event(person, "rsa.droits_devoirs", day, **common)
            elif previous and previous.get("duties") and not p["duties"]:
                self._event(person, "rsa.fin_droits_devoirs", ref, **common)
            if address_changed and concerned:
                self._event(person, "adresse.changement", _day(d["address"].get("moved_in_on")), **common)
        if right is not None:
            current = {person.pk for person, _, _ in members if person.pk}
            gone = [pid for pid in previous_members if pid not in current]
            for person_id in gone:
                self._event(Person(pk=person_id), "foyer.changement", ref, changement="depart", **common)

    # -- writing -------------------------------------------------------------------------
    def _audit(self, member_rows: list[tuple]) -> None:
        """One audit event per person created or changed by the chunk (household moves included)."""
        agent = self.batch.created_by
        agent_id, label = (agent.pk, agent.get_username()) if agent is not None else (None, "")
        channel = AuditChannel.WEB if agent is not None else AuditChannel.CLI
        created = {person.pk for person in self.new_persons}
        changed = {pk: set(names) for pk, names in self.changed_names.items() if pk not in created}
        for _, person_id, _ in member_rows:
            if person_id not in created:
                changed.setdefault(person_id, set()).add("foyer")
        for _, person_id in self.gone_members:
            changed.setdefault(person_id, set()).add("foyer")
        batch = {"import_batch": self.batch.pk}
        rows = [
            (self.now, agent_id, label, pk, AuditAction.CREATE, channel, "", batch) for pk in sorted(created)
        ]
        rows += [
            (
                self.now,
                agent_id,
                label,
                pk,
                AuditAction.UPDATE,
                channel,
                "",
                {**batch, "fields": sorted(names)},
            )
            for pk, names in sorted(changed.items())
        ]
        insert_rows(AuditEvent, AUDIT_COLUMNS, rows, returning=False)

    def _flush(self) -> None:
        now = self.now
        ids = insert_rows(
            Household,
            ["caf_number", "organism", "created_at"],
            [(h.caf_number, h.organism, now) for h in self.new_households],
        )
        for household, pk in zip(self.new_households, ids, strict=True):
            household.pk = pk
        rows = []
        defaults = {**PERSON_DEFAULTS, "created_at": now, "updated_at": now}
        for person in self.new_persons:
            values = {**defaults, **person.values, "search_names": person.search_names}
            if values["nir"]:
                # Raw insert: the NIR is encrypted here (core.encryption); its digest is the identity's.
                values["nir"] = encrypt(values["nir"])
            rows.append(PERSON_ROW(values))
        for person, pk in zip(
            self.new_persons, insert_rows(Person, PERSON_INSERT_COLUMNS, rows), strict=True
        ):
            person.pk = pk
        if self.changed_persons:
            # Assigning `nir` recomputed `nir_digest` (the field keeps it in step); bulk_update encrypts.
            digest = {"nir_digest"} if "nir" in self.changed_fields else set()
            Person.objects.bulk_update(
                self.changed_persons.values(),
                sorted(self.changed_fields | digest | {"updated_at", "search_names"}),
                batch_size=500,
            )
        seen = set()
        member_rows = []
        for household, person, role in self.new_members:
            if (household.pk, person.pk) not in seen:
                seen.add((household.pk, person.pk))
                member_rows.append((household.pk, person.pk, role))
        insert_rows(HouseholdMember, ["household_id", "person_id", "role"], member_rows, returning=False)
        for household_id, person_id in self.gone_members:
            HouseholdMember.objects.filter(household_id=household_id, person_id=person_id).delete()
        self._audit(member_rows)
        for right, members in self.member_lists:
            right.members = [
                {"person": person.pk, "role": role, "duties": duties} for person, role, duties in members
            ]
        right_rows = []
        for right in self.new_rights:
            right.values["household_id"] = right.household.pk
            right.values["members"] = right.members
            right_rows.append(RIGHT_ROW(right.values))
        insert_rows(RsaRight, RIGHT_INSERT_COLUMNS, right_rows, returning=False)
        if self.changed_rights:
            RsaRight.objects.bulk_update(self.changed_rights, RIGHT_FIELDS, batch_size=500)
        insert_rows(
            PersonEvent,
            ["person_id", "kind", "occurred_at", "recorded_at", "source", "data", *PersonEvent.TYPED_COLUMNS],
            [
                (person.pk, kind, moment, now, SOURCE, data, *_typed_values(kind, moment))
                for person, kind, moment, data in self.events
            ],
            returning=False,
        )
        if self.duplicates:
            DuplicateCandidate.objects.bulk_create(
                [
                    DuplicateCandidate(
                        person_id=existing_id,
                        duplicate_id=person.pk,
                        reason="Mêmes nom, prénoms et date de naissance, NIR différent ou absent (flux CNAF).",
                        batch_id=self.batch.pk,
                    )
                    for existing_id, person in self.duplicates
                    if existing_id != person.pk
                ],
                ignore_conflicts=True,
            )
