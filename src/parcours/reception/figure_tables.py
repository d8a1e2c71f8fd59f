"""The front door's figures as accessible tables (caption, headers, one row per group), with French
labels and French number formatting: what `views_figures` shows under the charts."""

from __future__ import annotations

from dataclasses import dataclass

from parcours.indicators.templatetags.indicators_tags import figure
from parcours.reception.models import Benefit, Channel, Outcome, Urgency


@dataclass(frozen=True)
class Table:
    slug: str
    title: str
    headers: list[str]
    rows: list[list[str]]  # first cell: the row's header
    note: str = ""


def _hours(value) -> str:
    return "n.d." if value is None else f"{figure(float(value))} h"


def tables(result: dict, *, trays: list, themes: dict[str, str]) -> list[Table]:
    """The tables of a `reception.figures.compute` result; `trays` name the trays by code."""
    names = {tray.code: tray.name for tray in trays}
    units = {tray.unit.code: tray.unit.name for tray in trays if tray.unit_id}
    contacts = result["contacts"]
    by_tray = result["items"]["by_tray"]
    first, closure = result["first_action"], result["closure"]
    codes = sorted(set(by_tray) | set(first) | set(closure), key=lambda code: names.get(code, code))
    empty = {"count": 0, "median_hours": None, "p90_hours": None}
    levels = []
    for key, row in sorted(result["service_level"].items()):
        tray, urgency = key.rsplit(".", 1)
        levels.append(
            [
                names.get(tray, tray),
                Urgency(urgency).label if urgency in Urgency.values else urgency,
                figure(row["due"]),
                figure(row["within"]),
                figure(row["breaches"]),
                figure(row["share_within"], "part"),
            ]
        )
    transfers = result["transfers"]
    return [
        Table(
            "front-door-channels",
            "Sollicitations par canal",
            ["Canal", "Sollicitations"],
            [[label, figure(contacts["by_channel"].get(code, 0))] for code, label in Channel.choices],
        ),
        Table(
            "front-door-units",
            "Sollicitations par unité territoriale",
            ["Unité", "Sollicitations"],
            [
                [units.get(code, code) or "Unité inconnue", figure(count)]
                for code, count in sorted(contacts["by_unit"].items(), key=lambda row: -row[1])
            ],
        ),
        Table(
            "front-door-trays",
            "Demandes et délais par bannette",
            [
                "Bannette",
                "Demandes créées",
                "Premières actions",
                "Délai médian (heures ouvrées)",
                "9e décile (heures ouvrées)",
                "Clôtures",
                "Durée médiane (heures, attente déduite)",
                "9e décile (heures)",
            ],
            [
                [
                    names.get(code, code),
                    figure(by_tray.get(code, 0)),
                    figure(first.get(code, empty)["count"]),
                    _hours(first.get(code, empty)["median_hours"]),
                    _hours(first.get(code, empty)["p90_hours"]),
                    figure(closure.get(code, empty)["count"]),
                    _hours(closure.get(code, empty)["median_hours"]),
                    _hours(closure.get(code, empty)["p90_hours"]),
                ]
                for code in codes
            ],
            "Première action : prise en charge, début du traitement, mise en attente ou clôture par un membre "
            "de la bannette (une attribution par un responsable n'en est pas une).",
        ),
        Table(
            "front-door-service-levels",
            "Respect des délais de première action",
            ["Bannette", "Urgence", "Demandes dues", "Dans le délai", "Hors délai", "Part dans le délai"],
            levels,
            "Hors délai : premières actions après l'échéance, et demandes signalées en retard encore sans "
            "première action à la fin de la période.",
        ),
        Table(
            "front-door-transfers",
            "Transmissions",
            ["Mesure", "Valeur"],
            [
                ["Transmissions à une autre bannette", figure(transfers["count"])],
                ["Demandes créées dans la période", figure(transfers["items_created"])],
                ["dont transmises au moins une fois", figure(transfers["items_transferred"])],
                ["Part des demandes transmises", figure(transfers["share_transferred"], "part")],
            ],
        ),
        Table(
            "front-door-outcomes",
            "Issues des demandes clôturées",
            ["Issue", "Demandes"],
            [[label, figure(result["outcomes"].get(code, 0))] for code, label in Outcome.choices],
        ),
        Table(
            "front-door-rights",
            "Accès aux droits : droits identifiés, demandés, ouverts (non-recours)",
            [
                "Prestation",
                "Identifiés",
                "Demandes engagées",
                "Ouverts",
                "Non ouverts",
                "Non-recours",
                "Part",
            ],
            [
                [
                    label,
                    figure(row["identified"]),
                    figure(row["claim_started"]),
                    figure(row["opened"]),
                    figure(row["not_opened"]),
                    figure(row["non_recours"]),
                    figure(row["share_non_recours"], "part"),
                ]
                for code, label in Benefit.choices
                if (row := result["rights"].get(code))
            ],
            "Droits identifiés à l'accueil dans la période ; demandés, ouverts ou non ouverts à la fin de la "
            "période. Non-recours : identifiés et pas (encore) ouverts. Non filtré par bannette.",
        ),
        Table(
            "front-door-themes",
            "Sollicitations par thématique des besoins",
            ["Thématique", "Sollicitations"],
            [
                [themes.get(code, code), figure(count)]
                for code, count in sorted(contacts["by_theme"].items(), key=lambda row: -row[1])
            ],
            "Une sollicitation compte une fois par thématique de ses besoins.",
        ),
    ]
