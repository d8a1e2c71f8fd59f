"""Writing a synthetic population into the database, replacing the previous one.

`generate()` is what `parcours generate` runs. It is idempotent: with the parameters of the
current generation it does nothing. With other parameters it deletes the households and
persons that earlier generations created (listed in `GeneratedHousehold`/`GeneratedPerson`;
records created by agents are never touched) and writes the new population, all in one
transaction, in batches of `bulk_create` with no query per row.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db import reset_queries, transaction
from django.utils import timezone

from parcours.demo.models import GeneratedHousehold, GeneratedPerson, Generation
from parcours.demo.population import (
    CommuneChoice,
    PopulationSynthesizer,
    SyntheticHousehold,
    household_count,
)
from parcours.people.models import Household, HouseholdMember, Person
from parcours.territory.models import Commune, Departement

BATCH_HOUSEHOLDS = 2000
DELETE_CHUNK = 2000

Progress = Callable[[int, int], None]


class TerritoryNotLoaded(Exception):
    """The département's territory is missing or incomplete; the message says what to run."""


@dataclass
class GenerationOutcome:
    generation: Generation
    created: bool  # False when the current generation already had these parameters
    removed_persons: int = 0


def loaded_departement(code: str) -> Departement:
    """The département `code` if its territory (communes) is loaded; TerritoryNotLoaded otherwise."""
    departement = Departement.objects.filter(code=code).first()
    if departement is None or not departement.communes.exists():
        raise TerritoryNotLoaded(
            f"Le territoire du département {code} n'est pas chargé (département ou communes absents) : "
            f"lancez d'abord « parcours load-territory --departement {code} »."
        )
    return departement


def commune_choices(departement: Departement) -> list[CommuneChoice]:
    """The communes people may live in, in a stable order. A commune split into arrondissements
    municipaux (Paris, Lyon, Marseille) is replaced by its arrondissements when both are loaded."""
    rows = list(
        Commune.objects.filter(departement=departement)
        .order_by("insee_code")
        .values_list("id", "insee_code", "postal_codes", "population", "parent_code")
    )
    parents = {row[4] for row in rows if row[4]}
    return [
        CommuneChoice(id=pk, insee_code=code, postal_codes=tuple(postal.split()), population=population)
        for pk, code, postal, population, _parent in rows
        if code not in parents
    ]


def generate(
    code: str,
    seed: int,
    scale: Decimal,
    *,
    force: bool = False,
    progress: Progress | None = None,
) -> GenerationOutcome:
    """Generate the population of département `code`, or do nothing if the current generation
    has the same seed and scale (unless `force`). Raises TerritoryNotLoaded."""
    departement = loaded_departement(code)
    scale = Decimal(scale).quantize(Decimal("0.0001"))
    current = Generation.objects.current_for(departement)
    if current is not None and not force and current.seed == seed and current.scale == scale:
        return GenerationOutcome(current, created=False)

    started = time.perf_counter()
    with transaction.atomic():
        removed = remove_generated(departement)
        communes = commune_choices(departement)
        generation = Generation.objects.create(departement=departement, seed=seed, scale=scale)
        synthesizer = PopulationSynthesizer(
            code,
            communes,
            seed,
            taken_nirs={nir[:13] for nir in Person.objects.exclude(nir="").values_list("nir", flat=True)},
            taken_caf_numbers=set(
                Household.objects.exclude(caf_number="").values_list("caf_number", flat=True)
            ),
        )
        total = household_count(float(scale), communes)
        done = persons = 0
        while done < total:
            batch = list(synthesizer.households(min(BATCH_HOUSEHOLDS, total - done)))
            persons += _write_batch(generation, batch)
            done += len(batch)
            reset_queries()  # DEBUG keeps every query otherwise: large inserts would fill memory
            if progress:
                progress(done, total)
        generation.household_count = done
        generation.person_count = persons
        generation.duration_seconds = round(time.perf_counter() - started, 3)
        generation.save(update_fields=["household_count", "person_count", "duration_seconds"])
    return GenerationOutcome(generation, created=True, removed_persons=removed)


def remove_generated(departement: Departement) -> int:
    """Delete the households and persons of the département's earlier generations, and mark
    those generations replaced. Returns the number of persons deleted."""
    household_ids = list(
        GeneratedHousehold.objects.filter(generation__departement=departement).values_list(
            "household_id", flat=True
        )
    )
    for start in range(0, len(household_ids), DELETE_CHUNK):
        Household.objects.filter(pk__in=household_ids[start : start + DELETE_CHUNK]).delete()
    person_ids = list(
        GeneratedPerson.objects.filter(generation__departement=departement).values_list(
            "person_id", flat=True
        )
    )
    for start in range(0, len(person_ids), DELETE_CHUNK):
        Person.objects.filter(pk__in=person_ids[start : start + DELETE_CHUNK]).delete()
        reset_queries()
    Generation.objects.current().filter(departement=departement).update(replaced_at=timezone.now())
    return len(person_ids)


def _write_batch(generation: Generation, batch: list[SyntheticHousehold]) -> int:
    households = [Household(caf_number=h.caf_number, organism=h.organism) for h in batch]
    Household.objects.bulk_create(households)
    persons: list[Person] = []
    roles: list[tuple[Household, str]] = []
    for synthetic, household in zip(batch, households, strict=True):
        for member in synthetic.members:
            person = Person(
                civility=member.civility,
                sex=member.sex,
                last_name=member.last_name,
                birth_name=member.birth_name,
                first_names=member.first_names,
                birth_date=member.birth_date,
                nir=member.nir,
                caf_number=member.caf_number,
                france_travail_id=member.france_travail_id,
                email=member.email,
                phone=member.phone,
                address=synthetic.address,
                address_complement=synthetic.address_complement,
                postal_code=synthetic.postal_code,
                commune_id=synthetic.commune_id,
            )
            person.search_names = person.compute_search_names()  # bulk_create skips save()
            persons.append(person)
            roles.append((household, member.role))
    Person.objects.bulk_create(persons)
    HouseholdMember.objects.bulk_create(
        HouseholdMember(household_id=household.pk, person_id=person.pk, role=role)
        for person, (household, role) in zip(persons, roles, strict=True)
    )
    GeneratedHousehold.objects.bulk_create(
        GeneratedHousehold(household_id=h.pk, generation_id=generation.pk) for h in households
    )
    GeneratedPerson.objects.bulk_create(
        GeneratedPerson(person_id=p.pk, generation_id=generation.pk) for p in persons
    )
    return len(persons)
