"""Synthesis of a fictitious RSA clientele, in memory and without the database.

`PopulationSynthesizer` draws households one after the other from a single
`random.Random(seed)`: the same seed, communes and count give the same households, whatever
the batch size used to write them. The proportions below are orders of magnitude of the RSA
population (CNAF, DREES): single people without children are the majority, then single
parents (mostly mothers), then couples with and without children.
"""

from __future__ import annotations

import datetime
import itertools
import string
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from random import Random

from parcours.demo import names
from parcours.people.names import normalize_name
from parcours.people.nir import nir_with_key

# Ages are computed on a fixed date so that a seed gives the same people whatever the day.
REFERENCE_DATE = datetime.date(2026, 1, 1)
# Nord: about 100,000 RSA households for 2.6 million inhabitants.
RSA_HOUSEHOLDS_PER_INHABITANT = 100_000 / 2_600_000
# Used when the communes carry no population figure.
DEFAULT_HOUSEHOLDS = 100_000

HOUSEHOLD_KINDS = (("single", 46), ("single_parent", 33), ("couple_children", 15), ("couple", 6))
SINGLE_PARENT_CHILDREN = ((1, 40), (2, 32), (3, 17), (4, 7), (5, 3), (6, 1))
COUPLE_CHILDREN = ((1, 25), (2, 35), (3, 22), (4, 11), (5, 5), (6, 2))
OTHER_MEMBER_SHARE = 0.05
MAGHREB_ORIGIN_SHARE = 0.15
EMAIL_DOMAINS = ("example.com", "example.net", "example.org")


@dataclass(frozen=True, slots=True)
class CommuneChoice:
    id: int
    insee_code: str
    postal_codes: tuple[str, ...]
    population: int


@dataclass(slots=True)
class SyntheticPerson:
    role: str
    sex: str
    civility: str
    last_name: str
    birth_name: str
    first_names: str
    birth_date: datetime.date
    nir: str
    caf_number: str = ""
    france_travail_id: str = ""
    email: str = ""
    phone: str = ""


@dataclass(slots=True)
class SyntheticHousehold:
    caf_number: str
    organism: str
    commune_id: int
    postal_code: str
    address: str
    address_complement: str
    members: list[SyntheticPerson] = field(default_factory=list)


def household_count(scale: float, communes: Sequence[CommuneChoice]) -> int:
    """Households to generate: the département's population times Nord's RSA rate, times `scale`
    (at scale 1.0, about 100,000 households for the Nord). At least one when scale > 0."""
    inhabitants = sum(commune.population for commune in communes)
    base = inhabitants * RSA_HOUSEHOLDS_PER_INHABITANT if inhabitants else DEFAULT_HOUSEHOLDS
    return max(1, round(base * scale)) if scale > 0 else 0


def _cumulative(weights: Sequence[float]) -> list[float]:
    return list(itertools.accumulate(weights))


class PopulationSynthesizer:
    """Draws households living in `communes` (weighted by population).

    `taken_nirs` (13 first characters) and `taken_caf_numbers` are identifiers already in use:
    drawn ones never repeat them, nor each other."""

    def __init__(
        self,
        departement_code: str,
        communes: Sequence[CommuneChoice],
        seed: int,
        *,
        taken_nirs: set[str] | None = None,
        taken_caf_numbers: set[str] | None = None,
    ) -> None:
        if not communes:
            raise ValueError("No commune to place the population in.")
        self.rng = Random(seed)
        self.departement_code = departement_code
        self.communes = list(communes)
        weights = [c.population for c in self.communes]
        if not any(weights):
            weights = [1] * len(self.communes)
        self._commune_cum = _cumulative(weights)
        self.nirs = set(taken_nirs or ())
        self.caf_numbers = set(taken_caf_numbers or ())

        faker_weights = [1 / (rank + 15) for rank in range(len(names.FRENCH_LAST_NAMES))]
        general = list(names.FRENCH_LAST_NAMES)
        general_weights = faker_weights
        if departement_code in {"59", "62"}:
            regional_total = sum(faker_weights) / 3  # a quarter of the draws
            general = general + list(names.NORD_LAST_NAMES)
            general_weights = faker_weights + [regional_total / len(names.NORD_LAST_NAMES)] * len(
                names.NORD_LAST_NAMES
            )
        self._general_last = general
        self._general_last_cum = _cumulative(general_weights)
        self._first_cum = {
            decade: {
                sex: _cumulative([1 / (rank + 6) for rank in range(len(lst))]) for sex, lst in by_sex.items()
            }
            for decade, by_sex in names.FIRST_NAMES_BY_DECADE.items()
        }
        self._kinds, kind_weights = zip(*HOUSEHOLD_KINDS, strict=True)
        self._kinds_cum = _cumulative(kind_weights)
        self._street_kinds, street_weights = zip(*names.STREET_KINDS, strict=True)
        self._street_kinds_cum = _cumulative(street_weights)
        self._countries, country_weights = zip(*names.FOREIGN_BIRTH_COUNTRIES, strict=True)
        self._countries_cum = _cumulative(country_weights)
        other = [f"{n:02d}" for n in range(1, 96) if n != 20 and f"{n:02d}" != departement_code]
        self._other_departements = other

    # -- households -----------------------------------------------------------------------

    def households(self, count: int) -> Iterator[SyntheticHousehold]:
        for _ in range(count):
            yield self.household()

    def household(self) -> SyntheticHousehold:
        rng = self.rng
        commune = self._pick_commune()
        household = SyntheticHousehold(
            caf_number=self._caf_number(),
            organism="MSA" if rng.random() < 0.03 else "CAF",
            commune_id=commune.id,
            postal_code=rng.choice(commune.postal_codes) if commune.postal_codes else "",
            address=self._street_address(),
            address_complement=self._address_complement(),
        )
        maghreb = rng.random() < MAGHREB_ORIGIN_SHARE
        kind = rng.choices(self._kinds, cum_weights=self._kinds_cum)[0]
        if kind == "single":
            self._single(household, maghreb)
        elif kind == "single_parent":
            self._single_parent(household, maghreb)
        else:
            self._couple(household, maghreb, with_children=kind == "couple_children")
        if rng.random() < OTHER_MEMBER_SHARE:
            self._other_member(household, maghreb)
        return household

    def _single(self, household: SyntheticHousehold, maghreb: bool) -> None:
        rng = self.rng
        sex = "M" if rng.random() < 0.58 else "F"
        age = self._age(41, 12)
        last = self._last_name(maghreb)
        usage = self._last_name(maghreb) if sex == "F" and rng.random() < 0.15 else last
        household.members.append(self._adult("demandeur", sex, age, usage, last, maghreb, household))

    def _single_parent(self, household: SyntheticHousehold, maghreb: bool) -> None:
        rng = self.rng
        sex = "F" if rng.random() < 0.88 else "M"
        age = self._age(35, 8, high=62)
        birth_name = self._last_name(maghreb)
        usage = birth_name
        if sex == "F" and rng.random() < 0.25:
            usage = self._last_name(maghreb)  # her former husband's name, kept after a divorce
            children_name = usage
        elif sex == "F" and rng.random() < 0.5:
            children_name = self._last_name(maghreb)
        else:
            children_name = birth_name
        parent = self._adult("demandeur", sex, age, usage, birth_name, maghreb, household)
        household.members.append(parent)
        count = self._pick(SINGLE_PARENT_CHILDREN)
        self._children(household, [parent], count, children_name, maghreb)

    def _couple(self, household: SyntheticHousehold, maghreb: bool, *, with_children: bool) -> None:
        rng = self.rng
        same_sex = rng.random() < 0.03
        first_sex = "M" if rng.random() < 0.55 else "F"
        second_sex = first_sex if same_sex else ("F" if first_sex == "M" else "M")
        age = self._age(39, 9) if with_children else self._age(46, 12)
        # Women are on average two years younger than their partner.
        shift = 0 if same_sex else (-2 if second_sex == "F" else 2)
        partner_age = min(70, max(18, round(age + shift + rng.gauss(0, 4))))
        first_name = self._last_name(maghreb)
        partner_maghreb = maghreb if rng.random() < 0.85 else not maghreb
        second_name = self._last_name(partner_maghreb)
        married = not same_sex and rng.random() < 0.55
        first_usage, second_usage = first_name, second_name
        if married and first_sex == "F":
            first_usage = second_name
        elif married:
            second_usage = first_name
        first = self._adult("demandeur", first_sex, age, first_usage, first_name, maghreb, household)
        second = self._adult(
            "conjoint", second_sex, partner_age, second_usage, second_name, partner_maghreb, household
        )
        household.members += [first, second]
        if with_children:
            father_name = first_name if first_sex == "M" else second_name
            self._children(household, [first, second], self._pick(COUPLE_CHILDREN), father_name, maghreb)

    def _other_member(self, household: SyntheticHousehold, maghreb: bool) -> None:
        rng = self.rng
        demandeur = household.members[0]
        sex = "M" if rng.random() < 0.5 else "F"
        last = demandeur.birth_name if rng.random() < 0.6 else self._last_name(maghreb)
        person = self._adult("autre", sex, self._age(45, 15), last, last, maghreb, household)
        household.members.append(person)

    def _children(
        self,
        household: SyntheticHousehold,
        parents: list[SyntheticPerson],
        count: int,
        last_name: str,
        maghreb: bool,
    ) -> None:
        rng = self.rng
        parent_age = self._years_old(max(parent.birth_date.year for parent in parents))
        # Born at least 16 years after the youngest parent, and under 25 (children "à charge").
        oldest = min(24, parent_age - 16)
        youngest = min(max(0, parent_age - 45), oldest)
        for _ in range(count):
            year = REFERENCE_DATE.year - 1 - rng.randint(youngest, oldest)
            sex = "M" if rng.random() < 0.51 else "F"
            birth_date = self._birth_date_in(year)
            child = SyntheticPerson(
                role="enfant",
                sex=sex,
                civility="M" if sex == "M" else "MME",
                last_name=last_name,
                birth_name=last_name,
                first_names=self._first_names(sex, year, maghreb and rng.random() < 0.5),
                birth_date=birth_date,
                nir=self._nir(sex, birth_date, self._birth_place(child=True, maghreb=maghreb, year=year)),
            )
            household.members.append(child)

    def _adult(
        self,
        role: str,
        sex: str,
        age: int,
        last_name: str,
        birth_name: str,
        maghreb: bool,
        household: SyntheticHousehold,
    ) -> SyntheticPerson:
        rng = self.rng
        year = REFERENCE_DATE.year - 1 - age
        birth_date = self._birth_date_in(year)
        first_names = self._first_names(sex, year, maghreb)
        person = SyntheticPerson(
            role=role,
            sex=sex,
            civility="M" if sex == "M" else "MME",
            last_name=last_name,
            birth_name=birth_name,
            first_names=first_names,
            birth_date=birth_date,
            nir=self._nir(sex, birth_date, self._birth_place(child=False, maghreb=maghreb, year=year)),
        )
        if role in {"demandeur", "conjoint"}:
            person.caf_number = household.caf_number
        ft_share = {"demandeur": 0.45, "conjoint": 0.35}.get(role, 0.3)
        if rng.random() < ft_share:
            person.france_travail_id = (
                f"{rng.randrange(1_000_000, 10_000_000)}{rng.choice(string.ascii_uppercase)}"
            )
        if rng.random() < 0.55:
            person.email = self._email(first_names, last_name)
        if rng.random() < 0.75:
            # ARCEP numbers reserved for fiction: 06 39 98 xx xx and 03 53 01 xx xx.
            prefix = "063998" if rng.random() < 0.9 else "035301"
            person.phone = f"{prefix}{rng.randrange(10_000):04d}"
        return person

    # -- attributes -----------------------------------------------------------------------

    def _pick(self, weighted: Sequence[tuple[int, int]]) -> int:
        values, weights = zip(*weighted, strict=True)
        return self.rng.choices(values, weights=weights)[0]

    def _pick_commune(self) -> CommuneChoice:
        return self.rng.choices(self.communes, cum_weights=self._commune_cum)[0]

    def _age(self, mean: float, sd: float, *, low: int = 18, high: int = 70) -> int:
        return min(high, max(low, round(self.rng.gauss(mean, sd))))

    @staticmethod
    def _years_old(birth_year: int) -> int:
        return REFERENCE_DATE.year - 1 - birth_year

    def _birth_date_in(self, year: int) -> datetime.date:
        days = 366 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 365
        return datetime.date(year, 1, 1) + datetime.timedelta(days=self.rng.randrange(days))

    def _last_name(self, maghreb: bool) -> str:
        if maghreb:
            return self.rng.choice(names.MAGHREB_LAST_NAMES)
        return self.rng.choices(self._general_last, cum_weights=self._general_last_cum)[0]

    def _first_names(self, sex: str, birth_year: int, maghreb: bool) -> str:
        rng = self.rng
        if maghreb:
            return rng.choice(names.MAGHREB_FIRST_NAMES[sex])
        decade = min(max(birth_year // 10 * 10, 1950), 2020)
        pool = names.FIRST_NAMES_BY_DECADE[decade][sex]
        cum = self._first_cum[decade][sex]
        first = rng.choices(pool, cum_weights=cum)[0]
        if rng.random() < 0.2:
            second = rng.choices(pool, cum_weights=cum)[0]
            if second != first:
                return f"{first} {second}"
        return first

    def _birth_place(self, *, child: bool, maghreb: bool, year: int) -> str:
        """A five-character birth place code as in the NIR: INSEE commune code, or 99 + country."""
        rng = self.rng
        roll = rng.random()
        if child:
            abroad, elsewhere = 0.01, 0.06
        elif maghreb and year < 1995:
            abroad, elsewhere = 0.45, 0.1
        else:
            abroad, elsewhere = 0.04, 0.25
        if roll < abroad:
            if maghreb:
                return rng.choice(names.MAGHREB_COUNTRIES)
            return rng.choices(self._countries, cum_weights=self._countries_cum)[0]
        if roll < abroad + elsewhere:
            return f"{rng.choice(self._other_departements)}{rng.randint(1, 500):03d}"
        return self._pick_commune().insee_code

    def _nir(self, sex: str, birth_date: datetime.date, place: str) -> str:
        stem = f"{1 if sex == 'M' else 2}{birth_date:%y%m}{place}"
        order = self.rng.randint(1, 999)
        for _ in range(999):
            nir13 = f"{stem}{order:03d}"
            if nir13 not in self.nirs:
                self.nirs.add(nir13)
                return nir_with_key(nir13)
            order = order % 999 + 1
        # Every order number taken for this sex, month and place: fall back to another place.
        return self._nir(sex, birth_date, self._pick_commune().insee_code)

    def _caf_number(self) -> str:
        while True:
            number = str(self.rng.randrange(1_000_000, 10_000_000))
            if number not in self.caf_numbers:
                self.caf_numbers.add(number)
                return number

    def _email(self, first_names: str, last_name: str) -> str:
        rng = self.rng
        local = f"{normalize_name(first_names.split()[0]).replace(' ', '')}.{normalize_name(last_name).replace(' ', '')}"
        if rng.random() < 0.6:
            local += str(rng.randint(1, 99))
        return f"{local}@{rng.choice(EMAIL_DOMAINS)}"

    def _street_address(self) -> str:
        rng = self.rng
        kind = rng.choices(self._street_kinds, cum_weights=self._street_kinds_cum)[0]
        number = 1 + min(int(rng.expovariate(1 / 25)), 248)
        suffix = " bis" if rng.random() < 0.03 else ""
        return f"{number}{suffix} {kind} {rng.choice(names.STREET_NAMES)}"

    def _address_complement(self) -> str:
        rng = self.rng
        roll = rng.random()
        if roll < 0.12:
            return f"Appartement {rng.randint(1, 60)}"
        if roll < 0.2:
            return f"Bâtiment {rng.choice('ABCDEF')}, appartement {rng.randint(1, 40)}"
        return ""
