"""The HTTP client of the OpenFisca-France Web API, shared by every simulation of Parcours.

OpenFisca-France runs as a separate service (`make openfisca`, see services/openfisca/README.md)
and is called at ``OPENFISCA_URL`` (default http://127.0.0.1:5001) with a timeout of
``OPENFISCA_TIMEOUT`` seconds (default 20). Any failure (service down, too slow, an HTTP error,
an answer that is not JSON) raises `SimulationUnavailable`: pages show « Simulation
indisponible » and keep what the agent typed. Users: `parcours.jobs.earnings` (income with a
job offer) and `parcours.reception.rights` (access to rights at reception).
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request


class SimulationUnavailable(Exception):
    """OpenFisca did not answer (down, too slow, or an unexpected answer)."""


def openfisca_url() -> str:
    return os.environ.get("OPENFISCA_URL", "http://127.0.0.1:5001").rstrip("/")


def openfisca_timeout() -> float:
    return float(os.environ.get("OPENFISCA_TIMEOUT", "20"))


def request(path: str, payload: dict | None = None) -> dict:
    """GET `path` of the Web API (POST `payload` as JSON when given) and return the decoded answer.

    Raises SimulationUnavailable on any failure."""
    data = json.dumps(payload).encode() if payload is not None else None
    url = openfisca_url() + path
    if not url.startswith(("http://", "https://")):
        raise SimulationUnavailable("OPENFISCA_URL doit commencer par http:// ou https://")
    http_request = urllib.request.Request(  # noqa: S310 (scheme checked above)
        url,
        data=data,
        headers={"Content-Type": "application/json"},
        method="POST" if data else "GET",
    )
    try:
        with urllib.request.urlopen(http_request, timeout=openfisca_timeout()) as response:  # noqa: S310
            return json.load(response)
    except (OSError, urllib.error.URLError, ValueError) as exc:
        raise SimulationUnavailable(str(exc)) from exc


def calculate(situation: dict) -> dict:
    """POST a situation to `/calculate`: OpenFisca answers it with the requested values filled."""
    return request("/calculate", situation)
