"""The "rapport de contractualisation": the DREES OARSA tables 1–6 laid out as titled tables of
(label, value, unit) rows, with their definitions (docs/indicators.md)."""

from __future__ import annotations

from parcours.indicators.drees import CONTRACT_DURATIONS, FIRST_ORIENTATION_DELAYS
from parcours.indicators.eventlog import FAMILY_SITUATIONS
from parcours.indicators.events import CONTRACT_KINDS, ORGANISM_CATEGORY_LABELS, ORIENTATION_TYPES
from parcours.indicators.measures import AGE_BANDS, SEXES

DELAY_LABELS = {
    "moins_1_mois": "Moins d'un mois (0 à 30 jours)",
    "1_a_2_mois": "1 à 2 mois (31 à 60 jours)",
    "2_a_3_mois": "2 à 3 mois (61 à 91 jours)",
    "3_a_6_mois": "3 à 6 mois (92 à 182 jours)",
    "6_mois_et_plus": "6 mois et plus (183 jours et plus)",
}
DURATION_LABELS = {
    "moins_6_mois": "Moins de 6 mois",
    "6_a_12_mois": "6 mois à moins d'un an",
    "12_mois_et_plus": "Un an et plus",
}


def drees_sections(drees: dict) -> list[dict]:
    t1, t2, t3, t4, t5, t6 = (drees[f"table_{n}"] for n in range(1, 7))
    reference = drees["reference_date"]
    return [
        {
            "slug": "table_1",
            "title": f"Tableau 1 — Personnes soumises à droits et devoirs au {reference}",
            "definition": "Demandeurs et conjoints soumis à droits et devoirs (TOPPERSDRODEVORSA = 1), droit ouvert et "
            "versable, non suspendu (ETATDOSRSA = 2), présents dans le département au jour de référence.",
            "rows": [
                ("Population", t1["population"], "nombre"),
                ("Exclues car droit ou versement suspendu", t1["excluded_suspended"], "nombre"),
            ]
            + [(SEXES[k], v, "nombre") for k, v in t1["by_sex"].items()]
            + [(AGE_BANDS[k], v, "nombre") for k, v in t1["by_age_band"].items()]
            + [(FAMILY_SITUATIONS[k], v, "nombre") for k, v in t1["by_family_situation"].items()],
        },
        {
            "slug": "table_2",
            "title": f"Tableau 2 — Personnes orientées au {reference}, par organisme",
            "definition": "Parmi la population du tableau 1, celles dont la dernière orientation décidée avant le jour de "
            "référence l'a été pendant leur période de droits en cours. Catégories d'organisme : voir la documentation.",
            "rows": [
                ("Orientées", t2["oriented"], "nombre"),
                ("Part orientée", t2["share_oriented"], "part"),
                ("Non orientées", t2["not_oriented"], "nombre"),
            ]
            + [
                (
                    f"{ORIENTATION_TYPES[kind]} — {ORGANISM_CATEGORY_LABELS[category]}",
                    t2[kind][category],
                    "nombre",
                )
                for kind in ORIENTATION_TYPES
                for category in ORGANISM_CATEGORY_LABELS
                if t2[kind][category]
            ],
        },
        {
            "slug": "table_3",
            "title": "Tableau 3 — Nouveaux entrants de l'année",
            "definition": "Personnes devenues soumises à droits et devoirs pendant l'année, et leur situation au jour de référence.",
            "rows": [
                ("Nouveaux entrants", t3["entrants"], "nombre"),
                ("Dans la population au jour de référence", t3["in_population_at_reference_date"], "nombre"),
                ("Dont orientés", t3["oriented_at_reference_date"], "nombre"),
                ("Dont non orientés", t3["not_oriented_at_reference_date"], "nombre"),
                (
                    "Sortis ou suspendus avant le jour de référence",
                    t3["left_before_reference_date"],
                    "nombre",
                ),
            ],
        },
        {
            "slug": "table_4",
            "title": "Tableau 4 — Délai de première orientation des nouveaux entrants",
            "definition": "Date de la première orientation de la période de droits − date de la demande de RSA "
            "(à défaut, date d'ouverture du droit), en jours calendaires.",
            "rows": [
                ("Entrants orientés", t4["oriented"], "nombre"),
                ("Entrants non orientés", t4["not_oriented"], "nombre"),
            ]
            + [(DELAY_LABELS[k], t4[k], "nombre") for k in FIRST_ORIENTATION_DELAYS]
            + [
                ("Délai moyen", t4["mean_days"], "jours"),
                ("Délai médian", t4["median_days"], "jours"),
                ("Date de demande manquante", t4["request_date_missing"], "nombre"),
            ],
        },
        {
            "slug": "table_5",
            "title": f"Tableau 5 — Contrats valides au {reference}",
            "definition": "Parmi la population du tableau 1, personnes ayant un contrat (CER, PPAE, contrat d'engagement) "
            "signé pendant la période de droits en cours et valide au jour de référence ; durée en mois calendaires "
            "du contrat valide commencé en dernier.",
            "rows": [
                ("Avec un contrat valide", t5["with_valid_contract"], "nombre"),
                ("Part avec un contrat valide", t5["share_with_valid_contract"], "part"),
            ]
            + [(CONTRACT_KINDS[k], v, "nombre") for k, v in t5["by_kind"].items()]
            + [
                (f"Orientation : {ORIENTATION_TYPES.get(k, 'non orientée')}", v, "nombre")
                for k, v in t5["by_orientation"].items()
            ]
            + [(DURATION_LABELS[k], t5[k], "nombre") for k in CONTRACT_DURATIONS],
        },
        {
            "slug": "table_6",
            "title": "Tableau 6 — Réorientations de l'année",
            "definition": "Décisions d'orientation de l'année précédées d'une autre décision dans la même période de droits.",
            "rows": [
                ("Réorientations", t6["reorientations"], "nombre"),
                ("Personnes réorientées", t6["persons"], "nombre"),
                (
                    "Du professionnel vers le social ou socio-professionnel",
                    t6["professional_to_social"],
                    "nombre",
                ),
                (
                    "Du social ou socio-professionnel vers le professionnel",
                    t6["social_to_professional"],
                    "nombre",
                ),
                ("Autre changement (organisme, même type)", t6["same_type_other_organism"], "nombre"),
            ],
        },
    ]
