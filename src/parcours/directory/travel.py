"""Estimated travel time from a straight-line distance: a documented rule of thumb, not routing.

Parcours has no road graph nor timetable (and calls no external server), so a time is estimated as

    road distance  = straight-line (haversine) distance × DETOUR_FACTOR
    car            = road distance / CAR_KMH
    without a car  = the faster of walking (road distance / WALK_KMH)
                     and public transport (TRANSIT_WAIT_MINUTES + road distance / TRANSIT_KMH)

The figures (see docs/directory-coverage.md for their justification and limits):

- DETOUR_FACTOR 1.3: the usual ratio of road to straight-line distance in rural and
  peri-urban France (1.2–1.4 in the literature);
- CAR_KMH 50: one average door-to-door figure mixing departmental roads (~70 km/h) with villages,
  town centres and parking (~30 km/h);
- WALK_KMH 4.5;
- TRANSIT_KMH 20 and TRANSIT_WAIT_MINUTES 15: a bus or TER average including stops, plus walking
  to the stop and waiting (a regular urban line; rural lines run a few times a day, so the figure
  is optimistic outside towns — the gaps it shows are a lower bound).

`minutes` and `reachable_km` accept floats or numpy arrays (coverage computes them for every
commune × service at once).
"""

from __future__ import annotations

import numpy as np
from django.db import models

DETOUR_FACTOR = 1.3
CAR_KMH = 50.0
WALK_KMH = 4.5
TRANSIT_KMH = 20.0
TRANSIT_WAIT_MINUTES = 15.0


class Mode(models.TextChoices):
    CAR = "voiture", "En voiture"
    NO_CAR = "sans_voiture", "Sans voiture (à pied, transports en commun)"


def minutes(km, mode: str):
    """Estimated door-to-door minutes for a straight-line distance `km` (float or numpy array)."""
    road = np.asarray(km, dtype=float) * DETOUR_FACTOR
    if mode == Mode.CAR:
        result = road / CAR_KMH * 60
    elif mode == Mode.NO_CAR:
        result = np.minimum(road / WALK_KMH * 60, TRANSIT_WAIT_MINUTES + road / TRANSIT_KMH * 60)
    else:
        raise ValueError(f"mode de déplacement inconnu : {mode!r} (attendu : {', '.join(Mode.values)})")
    return float(result) if np.ndim(result) == 0 else result


def reachable_km(limit_minutes: float, mode: str) -> float:
    """The straight-line distance reachable within `limit_minutes` (the inverse of `minutes`)."""
    if mode == Mode.CAR:
        road = limit_minutes / 60 * CAR_KMH
    elif mode == Mode.NO_CAR:
        walk = limit_minutes / 60 * WALK_KMH
        transit = max(0.0, limit_minutes - TRANSIT_WAIT_MINUTES) / 60 * TRANSIT_KMH
        road = max(walk, transit)
    else:
        raise ValueError(f"mode de déplacement inconnu : {mode!r} (attendu : {', '.join(Mode.values)})")
    return road / DETOUR_FACTOR
