"""What an import may touch: the access rule applied to each record of a file.

An import run by an agent may create persons only in a commune of the agent's territorial
units, and may update only persons the agent may see (`PersonQuerySet.visible_to`), without
moving them out of those units; it may attach a person to a CAF/MSA household only when
every member already there is visible to the agent. An import run from the command line
(no agent: the operator of the server) or by an administrator is not restricted.
"""

from __future__ import annotations

from collections.abc import Iterable

from parcours.core.access import visible_persons
from parcours.people.models import HouseholdMember
from parcours.territory.models import Commune

OUTSIDE_SCOPE = (
    "cette personne relève d'une autre unité territoriale que les vôtres : "
    "seul un agent de son unité ou un administrateur peut la mettre à jour"
)
CREATE_OUTSIDE_UNITS = (
    "la commune de résidence est absente ou hors de vos unités territoriales : "
    "la personne ne peut pas être créée par votre import"
)
MOVE_OUTSIDE_UNITS = "la nouvelle commune de résidence est hors de vos unités territoriales"
HOUSEHOLD_OUTSIDE_SCOPE = (
    "rattachement au foyer non fait : ce dossier compte des personnes hors de votre périmètre"
)


class ImportScope:
    def __init__(self, agent=None):
        self.agent = agent
        self.unrestricted = agent is None or agent.is_administrator
        self._unit_ids: set[int] = (
            set() if self.unrestricted else set(agent.units.values_list("id", flat=True))
        )
        self._commune_units: dict[int, int | None] = {}
        self._visible: set[int] = set()

    def prefetch(self, person_ids: Iterable[int], commune_ids: Iterable[int | None]) -> None:
        """Load, in two queries, what the checks of one chunk need."""
        if self.unrestricted:
            return
        ids = {pk for pk in person_ids if pk is not None}
        self._visible = set(visible_persons(self.agent).filter(pk__in=ids).values_list("pk", flat=True))
        missing = {pk for pk in commune_ids if pk is not None} - self._commune_units.keys()
        self._commune_units.update(Commune.objects.filter(pk__in=missing).values_list("pk", "unit_id"))

    def sees(self, person_id: int) -> bool:
        return self.unrestricted or person_id in self._visible

    def may_place(self, commune_id: int | None) -> bool:
        """Whether a person may live (be created or moved) in this commune by this import."""
        if self.unrestricted:
            return True
        return commune_id is not None and self._commune_units.get(commune_id) in self._unit_ids

    def created(self, person_id: int) -> None:
        """A person created by this import is in the agent's units, hence visible."""
        self._visible.add(person_id)

    def may_join_household(self, household) -> bool:
        if self.unrestricted:
            return True
        members = set(HouseholdMember.objects.filter(household=household).values_list("person_id", flat=True))
        unknown = members - self._visible  # members not prefetched for this chunk
        return not unknown or visible_persons(self.agent).filter(pk__in=unknown).count() == len(unknown)
