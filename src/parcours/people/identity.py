"""Identity resolution: is this incoming person someone Parcours already knows?

Rules, in order (the first that applies wins):

1. same NIR (its first 13 characters) — certain;
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

from django.db.models import Q

from parcours.people.models import HouseholdMember, Person
from parcours.people.names import normalize_name
from parcours.people.nir import clean_nir, nir_with_key

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


def normalize_role(value: str) -> str:
    """'DEM', 'dem', 'Demandeur' -> 'demandeur'; unknown -> 'autre'; empty -> ''."""
    text = normalize_name(value)
    if not text:
        return ""
    return ROLE_ALIASES.get(text, ROLE_ALIASES.get(text[:3], "autre"))


def nir13(value: str | None) -> str:
    """The first 13 characters of a NIR (without the key), or '' if there is none."""
    nir = clean_nir(value or "")
    return nir[:13] if len(nir) >= 13 else ""


def _surnames(*names: str) -> set[str]:
    out = set()
    for name in names:
        norm = normalize_name(name)
        if norm:
            out.add(norm.replace(" ", ""))
    return out


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

    @property
    def nir13(self) -> str:
        return nir13(self.nir)

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


def _nir_variants(nirs: set[str]) -> set[str]:
    """The stored forms of 13-character NIRs: without and with their key."""
    out = set(nirs)
    for n in nirs:
        if n.replace("2A", "19").replace("2B", "18").isdigit():
            out.add(nir_with_key(n))
    return out


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
        nirs = {i.nir13 for i in identities if i.nir13}
        cafs = {i.caf_number for i in identities if i.caf_number}
        fts = {i.france_travail_id for i in identities if i.france_travail_id}
        conditions = []
        if nirs:
            conditions.append(Q(nir__in=_nir_variants(nirs)))
        if fts:
            conditions.append(Q(france_travail_id__in=fts))
        persons: dict[int, Person] = {}
        if conditions:
            query = conditions[0]
            for condition in conditions[1:]:
                query |= condition
            persons = {p.pk: p for p in Person.objects.filter(query)}
        caf_roles: dict[int, list[tuple[str, str]]] = defaultdict(list)
        if cafs:
            members = HouseholdMember.objects.filter(household__caf_number__in=cafs).values_list(
                "person_id", "household__caf_number", "role"
            )
            missing = set()
            for person_id, caf, role in members:
                caf_roles[person_id].append((caf, role))
                if person_id not in persons:
                    missing.add(person_id)
            if missing:
                persons.update((p.pk, p) for p in Person.objects.filter(pk__in=missing))
        for person in persons.values():
            index.add(person, caf_roles.get(person.pk, []))
        unresolved_dates = {
            i.birth_date for i in identities if i.birth_date and index.resolve(i, names=False).person is None
        }
        if unresolved_dates:
            rows = Person.objects.filter(birth_date__in=unresolved_dates).values_list(
                "pk", "search_names", "last_name", "birth_name", "first_names", "birth_date"
            )
            for row in rows:
                if row[0] not in persons:
                    index._add_names(row)
        return index

    def resolve(self, identity: Identity, *, names: bool = True) -> Match:
        """Apply the rules of the module docstring to one identity."""
        if identity.nir13 and identity.nir13 in self.by_nir:
            return Match(self.by_nir[identity.nir13], CERTAIN, "nir")
        if identity.caf_number and identity.role:
            keys = identity.keys()
            for person in self.by_caf_role.get((identity.caf_number, identity.role), []):
                if nirs_conflict(person.nir, identity.nir):
                    continue
                same_names = bool(keys & name_keys(person.last_name, person.birth_name, person.first_names))
                if person.birth_date == identity.birth_date or same_names:
                    return Match(person, CERTAIN, "caf_role")
        if identity.france_travail_id:
            person = self.by_france_travail.get(identity.france_travail_id)
            if person is not None and not nirs_conflict(person.nir, identity.nir):
                return Match(person, CERTAIN, "france_travail")
        if names and identity.birth_date:
            candidates = self.by_birth_date.get(identity.birth_date)
            if candidates:
                surnames = _surnames(identity.last_name, identity.birth_name)
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


def resolve(identity: Identity) -> Match:
    """Resolve one identity against the database (for single records; imports use CandidateIndex)."""
    return CandidateIndex.for_identities([identity]).resolve(identity)
