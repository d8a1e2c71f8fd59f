"""Each person's pathway replayed from the event log: the state after every event, entries and
exits of the "soumis à droits et devoirs" population, and lookups of facts within a spell.

The replay is a per-person state machine run on whole arrays at once. Three state variables,
each set by the latest event (by day, then by recording order) that sets it:

- the right (`RIGHT_*`): requested, open (ETATDOSRSA 2), suspended (3, 4), closed (5, 6), refused;
- the duties flag (TOPPERSDRODEVORSA): set by `rsa.droits_devoirs`, cleared by `rsa.fin_droits_devoirs`;
- presence in the département: cleared by `rsa.depart_departement`, set by
  `rsa.arrivee_departement` and by a (re)opening of the right.

A person is *soumis à droits et devoirs* (SDD) while the right is open or suspended, the duties
flag is set and the person is present. An *entry* is an event after which the person is SDD
and before which they were not; an *exit* is the reverse. The *spell* of an entry runs from the
day after the previous exit (or the beginning) to the day of the next exit (or forever): facts
dated in the spell (an interview, an orientation) belong to that entry, even when dated before
the rights opening.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from parcours.indicators import events as ev
from parcours.indicators.eventlog import EventLog

RIGHT_NONE, RIGHT_REQUESTED, RIGHT_OPEN, RIGHT_SUSPENDED, RIGHT_CLOSED, RIGHT_REFUSED = range(6)
NEVER = np.iinfo(np.int64).max // 4  # a day after every other day
BEFORE = -NEVER

_RIGHT_OF = {
    ev.RSA_REQUEST: RIGHT_REQUESTED,
    ev.RSA_ENTRY: RIGHT_OPEN,
    ev.RSA_RESUMPTION: RIGHT_OPEN,
    ev.RSA_SUSPENSION: RIGHT_SUSPENDED,
    ev.RSA_CLOSURE: RIGHT_CLOSED,
    ev.RSA_REFUSAL: RIGHT_REFUSED,
}
_DUTIES_OF = {ev.DUTIES_START: 1, ev.DUTIES_END: 0}
_PRESENCE_OF = {ev.MOVED_OUT: 0, ev.MOVED_IN: 1, ev.RSA_ENTRY: 1}


def code(kind: str) -> int:
    return ev.KIND_CODES[kind]


def _lookup(table: dict[str, int], kinds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(mask, value) arrays: which events set the variable, and to what."""
    values = np.full(len(ev.KINDS) + 1, -1, dtype=np.int64)
    for kind, value in table.items():
        values[code(kind)] = value
    mapped = values[kinds]
    return mapped >= 0, mapped


def keys(person_index: np.ndarray, day: np.ndarray) -> np.ndarray:
    """A sortable (person, day) key: person index in the high bits, day in the low 32 bits."""
    return (person_index.astype(np.int64) << 32) + (day.astype(np.int64) + (1 << 31))


@dataclass
class Pathways:
    """The replayed log. Arrays aligned on the log's events, plus per-entry arrays."""

    log: EventLog
    pidx: np.ndarray  # index of each event's person in `log.persons`
    right: np.ndarray
    duties: np.ndarray
    present: np.ndarray
    sdd: np.ndarray  # SDD after the event
    entry: np.ndarray  # bool: the event is an entry
    exit: np.ndarray  # bool: the event is an exit
    event_keys: np.ndarray

    @classmethod
    def replay(cls, log: EventLog) -> Pathways:
        n = len(log)
        pidx = log.persons.index_of(log.person)
        first = np.ones(n, dtype=bool)
        first[1:] = log.person[1:] != log.person[:-1]
        positions = np.arange(n)

        def carry(mask: np.ndarray, values: np.ndarray, default: int) -> np.ndarray:
            # Last position <= i of the same person where `mask`: group starts stop the carry.
            marker = np.where(mask | first, positions, -1)
            last = np.maximum.accumulate(marker) if n else marker
            return np.where(mask[last], values[last], default) if n else values

        right = carry(*_lookup(_RIGHT_OF, log.kind), RIGHT_NONE)
        duties = carry(*_lookup(_DUTIES_OF, log.kind), 0)
        present = carry(*_lookup(_PRESENCE_OF, log.kind), 1)
        sdd = ((right == RIGHT_OPEN) | (right == RIGHT_SUSPENDED)) & (duties == 1) & (present == 1)
        before = np.zeros(n, dtype=bool)
        before[1:] = sdd[:-1]
        before[first] = False
        return cls(
            log=log,
            pidx=pidx,
            right=right,
            duties=duties,
            present=present,
            sdd=sdd,
            entry=sdd & ~before,
            exit=~sdd & before,
            event_keys=keys(pidx, log.day),
        )

    # -- state on a day ----------------------------------------------------------------------
    def last_position_on(self, day: int) -> np.ndarray:
        """For every person of `log.persons`, the position of their last event dated <= day, or -1."""
        count = len(self.log.persons.id)
        wanted = keys(np.arange(count), np.full(count, day))
        position = np.searchsorted(self.event_keys, wanted, side="right") - 1
        valid = position >= 0
        valid[valid] = self.pidx[position[valid]] == np.arange(count)[valid]
        return np.where(valid, position, -1)

    def carried_day(self, mask: np.ndarray) -> np.ndarray:
        """At each event, the day of the last event <= it (same person) where `mask`, else BEFORE."""
        n = len(self.log)
        if not n:
            return np.zeros(0, dtype=np.int64)
        first = np.ones(n, dtype=bool)
        first[1:] = self.pidx[1:] != self.pidx[:-1]
        marker = np.where(mask | first, np.arange(n), -1)
        last = np.maximum.accumulate(marker)
        return np.where(mask[last], self.log.day[last], BEFORE)

    def next_exit_day(self, positions: np.ndarray) -> np.ndarray:
        """Day of the first exit after each position (same person), else NEVER."""
        exits = np.flatnonzero(self.exit)
        found = np.searchsorted(exits, positions, side="right")
        result = np.full(len(positions), NEVER, dtype=np.int64)
        ok = found < len(exits)
        candidate = exits[np.minimum(found, max(len(exits) - 1, 0))] if len(exits) else found
        if len(exits):
            ok &= self.pidx[candidate] == self.pidx[positions]
            result[ok] = self.log.day[candidate[ok]]
        return result


def take(values: np.ndarray, positions: np.ndarray, default) -> np.ndarray:
    """values[positions], with `default` where a position is -1 (works on empty `values`)."""
    found = positions >= 0
    if not len(values):
        return np.full(len(positions), default, dtype=values.dtype if values.dtype != object else object)
    result = values[np.where(found, positions, 0)]
    if result.dtype == object:
        result = result.copy()
        result[~found] = default
        return result
    return np.where(found, result, default)


def first_fact(
    fact_pidx: np.ndarray,
    fact_day: np.ndarray,
    pidx: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
) -> np.ndarray:
    """For each (person, start, end), the position in the fact arrays (sorted by person, day) of the
    first fact of that person dated in [start, end], or -1."""
    fact_keys = keys(fact_pidx, fact_day)
    start = np.clip(start, -(1 << 31) + 1, (1 << 31) - 1)
    position = np.searchsorted(fact_keys, keys(pidx, start), side="left")
    found = position < len(fact_keys)
    safe = np.minimum(position, max(len(fact_keys) - 1, 0))
    if len(fact_keys):
        found &= (fact_pidx[safe] == pidx) & (fact_day[safe] <= end)
    else:
        found[:] = False
    return np.where(found, safe, -1)


def last_fact(fact_pidx: np.ndarray, fact_day: np.ndarray, pidx: np.ndarray, day: np.ndarray) -> np.ndarray:
    """For each (person, day), the position of the last fact of that person dated <= day, or -1."""
    fact_keys = keys(fact_pidx, fact_day)
    position = np.searchsorted(fact_keys, keys(pidx, day), side="right") - 1
    found = position >= 0
    safe = np.maximum(position, 0)
    if len(fact_keys):
        found &= fact_pidx[safe] == pidx
    else:
        found[:] = False
    return np.where(found, safe, -1)
