"""Identity resolution: is this incoming person someone Parcours already knows?

Rules, in order (the first that applies wins):

1. same NIR (its first 13 characters, looked up by their digest: the NIR is stored
   encrypted) — certain; two NIRs that differ only by their key are the same person;
2. same CAF/MSA matricule and same role in that dossier, with the same birth date or
   the same names, and no conflicting NIR — certain;
3. same France Travail identifier, no conflicting NIR — certain;
4. same normalised names (accents, hyphens, case; usage or birth name; first names in
   any order, or only the first one) and same birth date — *uncertain*: the person is
   created and the pair goes to the "doublons à vérifier" queue.

Two persons with two different NIRs are never a certain match.

`CandidateIndex.for_identities` loads, in a few queries, every person that could match a
list of identities (one chunk of an import), so that resolving a chunk costs no query per
person.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from django.db import connection

from parcours.people.models import Household, HouseholdMember, Person
from parcours.people.names import normalize_name as _normalize_name
from parcours.people.names import surnames as _surnames
from parcours.people.nir import nir13, nir_digest

# Names repeat a lot within a file (surnames, first names): normalise each spelling once.
normalize_name = lru_cache(maxsize=1 << 16)(_normalize_name)


CERTAIN = "certain"
UNCERTAIN = "uncertain"

# CNAF roles and the way beneficiary files write them.
ROLE_ALIASES = {
    "dem": "demandeur",
    "demandeur": "demandeur",
    "demandeuse": "demandeur",
    "allocataire": "demandeur",
    "cjt": "conjoint",
    "conjoint": "conjoint",
    "conjointe": "conjoint",
    "enf": "enfant",
    "enfant": "enfant",
    "aut": "autre",
    "autre": "autre",
    "rdo": "demandeur",
}


@lru_cache(maxsize=256)
def normalize_role(value: str) -> str:
    """'DEM', 'dem', 'Demandeur' -> 'demandeur'; unknown -> 'autre'; empty -> ''."""
    text = normalize_name(value)
    if not text:
        return ""
    return ROLE_ALIASES.get(text, ROLE_ALIASES.get(text[:3], "autre"))


def _first_name_forms(first_names: str) -> set[str]:
    words = normalize_name(first_names).split()
    if not words:
        return set()
    return {"".join(sorted(words)), *words[:2]}


def name_keys(last_name: str, birth_name: str, first_names: str) -> set[tuple[str, str]]:
    """Keys that two spellings of the same person share: (surname, first-name form)."""
    return {(s, f) for s in _surnames(last_name, birth_name) for f in _first_name_forms(first_names)}


@dataclass
class Identity:
    """What an import knows about an incoming person."""

    last_name: str
    first_names: str
    birth_date: datetime.date | None
    birth_name: str = ""
    nir: str = ""
    caf_number: str = ""
    role: str = ""  # normalised: demandeur, conjoint, enfant, autre
    france_travail_id: str = ""
    # Usage and birth names, normalised and without spaces (computed when not given).
    surnames: set[str] | None = None
    nir13: str = field(init=False, default="")
    # The lookup digest of the NIR, computed once per identity (the NIR is stored encrypted).
    nir_digest: str = field(init=False, default="")

    def __post_init__(self):
        self.nir13 = nir13(self.nir)
        self.nir_digest = nir_digest(self.nir13)
        if self.surnames is None:
            self.surnames = _surnames(self.last_name, self.birth_name)

    def keys(self) -> set[tuple[str, str]]:
        return name_keys(self.last_name, self.birth_name, self.first_names)


@dataclass
class Match:
    """The result of resolving an identity. An uncertain match may carry only the person's id."""

    person: Person | None
    certainty: str | None = None  # CERTAIN, UNCERTAIN or None
    rule: str = ""
    person_id: int | None = None

    def __post_init__(self):
        if self.person is not None and self.person_id is None:
            self.person_id = self.person.pk

    @property
    def is_certain(self) -> bool:
        return self.certainty == CERTAIN


def nirs_conflict(a: str, b: str) -> bool:
    """Two different NIRs: the persons are different, whatever else they share."""
    a13, b13 = nir13(a), nir13(b)
    return bool(a13 and b13 and a13 != b13)


@dataclass
class CandidateIndex:
    """Persons that may match a set of identities, indexed for each rule."""

    by_nir: dict[str, Person] = field(default_factory=dict)
    by_caf_role: dict[tuple[str, str], list[Person]] = field(default_factory=lambda: defaultdict(list))
    by_france_travail: dict[str, Person] = field(default_factory=dict)
    # birth date -> [(person id, compact search names, last name, birth name, first names)]
    by_birth_date: dict[datetime.date, list[tuple]] = field(default_factory=lambda: defaultdict(list))
    _keys_cache: dict[int, set] = field(default_factory=dict)

    def add(self, person: Person, caf_roles: Iterable[tuple[str, str]] = ()) -> None:
        """Index a person (also used for persons created earlier in the same chunk)."""
        key = nir13(person.nir)
        if key:
            self.by_nir.setdefault(key, person)
        for caf_role in caf_roles:
            if person not in self.by_caf_role[caf_role]:
                self.by_caf_role[caf_role].append(person)
        if person.france_travail_id:
            self.by_france_travail.setdefault(person.france_travail_id, person)
        if person.birth_date:
            self._add_names(
                (
                    person.pk,
                    person.search_names or person.compute_search_names(),
                    person.last_name,
                    person.birth_name,
                    person.first_names,
                    person.birth_date,
                )
            )

    def _add_names(self, row: tuple) -> None:
        # search_names is already normalised: a cheap first filter before the name keys.
        pk, search_names, last_name, birth_name, first_names, birth_date = row
        compact = search_names.replace(" ", "")
        self.by_birth_date[birth_date].append((pk, compact, last_name, birth_name, first_names))

    @classmethod
    def for_identities(cls, identities: list[Identity]) -> CandidateIndex:
        """Load the candidates of a list of identities in a few queries (none per identity)."""
        index = cls()
        digests = {i.nir_digest for i in identities if i.nir_digest}
        cafs = {i.caf_number for i in identities if i.caf_number}
        fts = {i.france_travail_id for i in identities if i.france_travail_id}
        persons: dict[int, Person] = {}
        if digests or fts:
            # Raw SQL: the ORM's handling of thousands of IN parameters costs more than the query.
            table = connection.ops.quote_name(Person._meta.db_table)
            # The NIR is stored encrypted: its digest (of the 13 first characters) is what is indexed.
            nir_values = padded(sorted(digests))
            ft_values = padded(sorted(fts))
            where = []
            if nir_values:
                where.append(f"nir_digest IN ({', '.join(['%s'] * len(nir_values))})")
            if ft_values:
                where.append(f"france_travail_id IN ({', '.join(['%s'] * len(ft_values))})")
            sql = f"SELECT id FROM {table} WHERE {' OR '.join(where)}"  # noqa: S608
            with connection.cursor() as cursor:
                cursor.execute(sql, [*nir_values, *ft_values])
                ids = [row[0] for row in cursor.fetchall()]
            if ids:
                persons = {p.pk: p for p in Person.objects.filter(pk__in=ids)}
        caf_roles: dict[int, list[tuple[str, str]]] = defaultdict(list)
        if cafs:
            members = _members_of_dossiers(sorted(cafs))
            missing = set()
            for person_id, caf, role in members:
                caf_roles[person_id].append((caf, role))
                if person_id not in persons:
                    missing.add(person_id)
            if missing:
                persons.update((p.pk, p) for p in Person.objects.filter(pk__in=missing))
        for person in persons.values():
            index.add(person, caf_roles.get(person.pk, []))
        wanted = set()
        for identity in identities:
            if identity.birth_date and index.resolve(identity, names=False).person is None:
                wanted.update((identity.birth_date, surname) for surname in identity.surnames)
        matched = {pk for pk in _named_and_born(sorted(wanted)) if pk not in persons}
        if matched:
            rows = Person.objects.filter(pk__in=matched).values_list(
                "pk", "search_names", "last_name", "birth_name", "first_names", "birth_date"
            )
            for row in rows:
                index._add_names(row)
        return index

    def resolve(self, identity: Identity, *, names: bool = True) -> Match:
        """Apply the rules of the module docstring to one identity."""
        if identity.nir13 and identity.nir13 in self.by_nir:
            return Match(self.by_nir[identity.nir13], CERTAIN, "nir")
        if identity.caf_number and identity.role:
            for person in self.by_caf_role.get((identity.caf_number, identity.role), ()):
                if nirs_conflict(person.nir, identity.nir):
                    continue
                if person.birth_date == identity.birth_date or (
                    identity.keys() & name_keys(person.last_name, person.birth_name, person.first_names)
                ):
                    return Match(person, CERTAIN, "caf_role")
        if identity.france_travail_id:
            person = self.by_france_travail.get(identity.france_travail_id)
            if person is not None and not nirs_conflict(person.nir, identity.nir):
                return Match(person, CERTAIN, "france_travail")
        if names and identity.birth_date:
            candidates = self.by_birth_date.get(identity.birth_date)
            if candidates:
                surnames = identity.surnames
                keys = None
                for pk, compact, last_name, birth_name, first_names in candidates:
                    if not any(s in compact for s in surnames):
                        continue
                    if keys is None:
                        keys = identity.keys()
                    cached = self._keys_cache.get(pk)
                    if cached is None:
                        cached = self._keys_cache[pk] = name_keys(last_name, birth_name, first_names)
                    if keys & cached:
                        return Match(None, UNCERTAIN, "names", person_id=pk)
        return Match(None)


def _members_of_dossiers(caf_numbers: list[str]) -> list[tuple]:
    """(person id, dossier number, role) of the members of these CAF/MSA dossiers."""
    quote = connection.ops.quote_name
    member, household = quote(HouseholdMember._meta.db_table), quote(Household._meta.db_table)
    values = padded(caf_numbers)
    sql = (
        f"SELECT m.person_id, h.caf_number, m.role FROM {member} m JOIN {household} h ON h.id = m.household_id "  # noqa: S608
        f"WHERE h.caf_number IN ({', '.join(['%s'] * len(values))})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        return cursor.fetchall()


def padded(values: list) -> list:
    """`values` made as long as the next power of two by repeating the last one, so that queries
    with IN lists take few distinct forms (database drivers cache one compiled statement per form)."""
    if not values:
        return values
    size = 1 << (len(values) - 1).bit_length()
    return values + [values[-1]] * (size - len(values))


def _named_and_born(pairs: list[tuple[datetime.date, str]], batch: int = 2048) -> set[int]:
    """Ids of the persons born on one of these days whose names contain the surname given with
    it (compared without spaces, as `CandidateIndex.resolve` does): the database filters, so
    that only real candidates come back, however many persons share a birth date."""
    table = connection.ops.quote_name(Person._meta.db_table)
    found: set[int] = set()
    for start in range(0, len(pairs), batch):
        part = padded(pairs[start : start + batch])
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    f"SELECT DISTINCT p.id FROM unnest(%s::date[], %s::text[]) AS w(born, surname) "  # noqa: S608
                    f"JOIN {table} p ON p.birth_date = w.born "
                    "WHERE strpos(replace(p.search_names, ' ', ''), w.surname) > 0",
                    [[born for born, _ in part], [surname for _, surname in part]],
                )
            else:
                values = ", ".join(["(%s, %s)"] * len(part))
                params = [v for born, surname in part for v in (born.isoformat(), surname)]
                cursor.execute(
                    f"WITH w(born, surname) AS (VALUES {values}) SELECT DISTINCT p.id FROM w "  # noqa: S608
                    f"JOIN {table} p ON p.birth_date = w.born "
                    "WHERE instr(replace(p.search_names, ' ', ''), w.surname) > 0",
                    params,
                )
            found.update(row[0] for row in cursor.fetchall())
    return found


def resolve(identity: Identity) -> Match:
    """Resolve one identity against the database (for single records; imports use CandidateIndex)."""
    return CandidateIndex.for_identities([identity]).resolve(identity)
