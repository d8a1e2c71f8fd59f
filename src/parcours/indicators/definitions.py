"""The written definition of every indicator shown on the dashboards (the same text as
docs/indicators.md). Each item names a key of `stats.compute`'s dict (dotted path)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Item:
    key: str
    label: str
    unit: str  # "nombre", "part", "jours"
    definition: str


@dataclass(frozen=True)
class Section:
    slug: str
    title: str
    definition: str
    items: tuple[Item, ...]


COMMON = (
    "Dates : jours calendaires de Paris (Europe/Paris), période bornes incluses ; un délai négatif "
    "compte 0 jour ; médiane et 9e décile par interpolation linéaire."
)

SECTIONS: tuple[Section, ...] = (
    Section(
        "entrants",
        "Nouveaux entrants soumis à droits et devoirs",
        "Personnes devenues soumises à droits et devoirs (droit ouvert ou suspendu, TOPPERSDRODEVORSA = 1, "
        "présentes dans le département) au cours de la période ; une personne entrée deux fois compte une "
        "fois (sa première entrée de la période). « Reçus » : entrants ayant honoré un premier rendez-vous "
        "d'orientation pendant leur période de droits (même après la fin de la période).",
        (
            Item("entrants.count", "Nouveaux entrants", "nombre", "Personnes entrées pendant la période."),
            Item("entrants.received", "Entrants reçus", "nombre", "Entrants avec un rendez-vous honoré."),
            Item("entrants.share_received", "Part des entrants reçus", "part", "Reçus / entrants."),
            Item("entrants.reentries", "Dont réentrées", "nombre", "Entrants déjà sortis auparavant."),
            Item(
                "entrants.missing_opening_date",
                "Date d'ouverture manquante",
                "nombre",
                "Sans ouverture de droit datée : la date d'entrée la remplace.",
            ),
        ),
    ),
    Section(
        "delais",
        "Délais d'orientation",
        "Depuis l'ouverture des droits (dernier « rsa.entree » de la période de droits) jusqu'au premier "
        "rendez-vous d'orientation honoré, et jusqu'à la première décision d'orientation. Parts calculées "
        "sur tous les entrants (ceux sans rendez-vous sont au dénominateur).",
        (
            Item(
                "delay_first_interview.mean_days", "Délai moyen jusqu'au 1er entretien", "jours", "Moyenne."
            ),
            Item(
                "delay_first_interview.median_days",
                "Délai médian jusqu'au 1er entretien",
                "jours",
                "Médiane.",
            ),
            Item(
                "delay_first_interview.p90_days",
                "9e décile jusqu'au 1er entretien",
                "jours",
                "90 % des reçus l'ont été avant.",
            ),
            Item(
                "delay_first_interview.share_within_30_days",
                "Reçus en 30 jours ou moins",
                "part",
                "Entrants reçus au plus 30 jours après l'ouverture / entrants.",
            ),
            Item(
                "delay_first_interview.share_within_deadline",
                "Reçus dans le délai du département",
                "part",
                "Délai configuré dans les paramètres d'orientation du département.",
            ),
            Item("delay_orientation.mean_days", "Délai moyen jusqu'à l'orientation", "jours", "Moyenne."),
            Item("delay_orientation.median_days", "Délai médian jusqu'à l'orientation", "jours", "Médiane."),
            Item("delay_orientation.p90_days", "9e décile jusqu'à l'orientation", "jours", "9e décile."),
            Item(
                "delay_orientation.share_within_30_days",
                "Orientés en 30 jours ou moins",
                "part",
                "Entrants orientés au plus 30 jours après l'ouverture / entrants.",
            ),
            Item(
                "delay_orientation.share_within_deadline",
                "Orientés dans le délai du département",
                "part",
                "Entrants orientés dans le délai configuré / entrants.",
            ),
        ),
    ),
    Section(
        "rendez-vous",
        "Invitations et rendez-vous",
        "Invitations envoyées pendant la période et premier rendez-vous pris par la personne ou un agent "
        "(hors convocation) avant l'invitation ou la convocation suivante. Absentéisme : rendez-vous datés "
        "de la période, absents / (honorés + absents + excusés), selon la façon dont le rendez-vous a été "
        "pris (sur invitation, ou fixé par une convocation).",
        (
            Item("invitation_to_booking.invitations", "Invitations envoyées", "nombre", "Dans la période."),
            Item(
                "invitation_to_booking.share_booked",
                "Part suivie d'un rendez-vous",
                "part",
                "Pris / invitations.",
            ),
            Item(
                "invitation_to_booking.mean_days",
                "Délai moyen invitation → rendez-vous pris",
                "jours",
                "Moyenne.",
            ),
            Item(
                "invitation_to_booking.median_days",
                "Délai médian invitation → rendez-vous pris",
                "jours",
                "Médiane.",
            ),
            Item(
                "no_show.after_invitation.no_show_rate",
                "Absentéisme après invitation",
                "part",
                "Absents / rendez-vous.",
            ),
            Item(
                "no_show.after_convocation.no_show_rate",
                "Absentéisme après convocation",
                "part",
                "Absents / rendez-vous.",
            ),
        ),
    ),
    Section(
        "orientation",
        "Orientations, référents et contrats",
        "Décisions d'orientation datées de la période (réorientations comprises). Référent et contrat : "
        "parmi les personnes soumises à droits et devoirs en fin de période, un référent désigné et un "
        "contrat (CER, PPAE, contrat d'engagement) valide le dernier jour, pendant leur période de droits.",
        (
            Item("orientations.decisions", "Décisions d'orientation", "nombre", "Dans la période."),
            Item(
                "orientations.by_type.professionnelle",
                "Professionnelles",
                "nombre",
                "Type « professionnelle ».",
            ),
            Item(
                "orientations.by_type.socio_professionnelle",
                "Socio-professionnelles",
                "nombre",
                "Type « socio-professionnelle ».",
            ),
            Item("orientations.by_type.sociale", "Sociales", "nombre", "Type « sociale »."),
            Item(
                "orientations.share_france_travail",
                "Part vers France Travail",
                "part",
                "Organisme France Travail / décisions.",
            ),
            Item(
                "referent.share",
                "Part avec un référent",
                "part",
                "Référent désigné / personnes SDD en fin de période.",
            ),
            Item(
                "contract.share",
                "Part avec un contrat valide",
                "part",
                "Contrat valide / personnes SDD en fin de période.",
            ),
            Item(
                "contract.delay_first_contract.mean_days",
                "Délai moyen jusqu'au 1er contrat",
                "jours",
                "Entrants, depuis l'ouverture.",
            ),
        ),
    ),
    Section(
        "accompagnement",
        "Accompagnement et emploi",
        "Entrées en coaching (« Réussir sans attendre ») datées de la période, une par personne ; issue : "
        "reprise d'emploi ou entrée en formation datée au plus 3 mois calendaires après l'entrée. Rythme "
        "des contacts : semaines ISO (lundi à dimanche) de coaching dont le lundi est dans la période, "
        "terminées à la fin de la période ; une semaine où le coaching couvre 3 jours ouvrés ou moins "
        "(jours fériés, début ou fin en cours de semaine) est excusée et ne compte pas. Reprises d'emploi "
        "et sorties : toutes celles de la période, dont celles issues de la plateforme emploi (placements).",
        (
            Item("coaching.entries", "Entrées en coaching", "nombre", "Personnes."),
            Item(
                "coaching.coached_in_period",
                "Personnes coachées dans la période",
                "nombre",
                "Coaching ouvert au moins un jour de la période.",
            ),
            Item(
                "coaching.coached_at_end",
                "Personnes en coaching en fin de période",
                "nombre",
                "Coaching commencé et non terminé au dernier jour de la période.",
            ),
            Item("coaching.contacts", "Contacts de coaching", "nombre", "Datés dans la période."),
            Item(
                "coaching.contacts_per_week",
                "Contacts par personne et par semaine",
                "nombre",
                "Contacts des semaines dues / semaines dues (hors semaines excusées).",
            ),
            Item(
                "coaching.share_weeks_with_contact",
                "Part des semaines avec un contact",
                "part",
                "Semaines dues avec au moins un contact / semaines dues.",
            ),
            Item(
                "coaching.job_or_training_within_3_months",
                "En emploi ou formation sous 3 mois",
                "nombre",
                "Personnes.",
            ),
            Item(
                "coaching.share_job_or_training",
                "Part en emploi ou formation sous 3 mois",
                "part",
                "Sur les entrées.",
            ),
            Item("coaching.job_within_3_months", "Dont emploi", "nombre", "Reprise d'emploi sous 3 mois."),
            Item(
                "coaching.training_within_3_months",
                "Dont formation",
                "nombre",
                "Entrée en formation sous 3 mois.",
            ),
            Item("placements.job_starts", "Reprises d'emploi", "nombre", "Dans la période."),
            Item(
                "placements.through_platform",
                "Placements de la plateforme emploi",
                "nombre",
                "Dans la période.",
            ),
            Item("placements.exits", "Sorties du parcours", "nombre", "Événements « sortie » de la période."),
            Item(
                "global_accompaniment.entries",
                "Entrées en accompagnement global",
                "nombre",
                "Personnes entrées dans la période (binôme Département et France Travail).",
            ),
            Item(
                "global_accompaniment.target",
                "Objectif annuel d'accompagnements globaux",
                "nombre",
                "Fixé pour l'année civile ; n.d. pour une autre période ou sans objectif.",
            ),
            Item(
                "global_accompaniment.share_of_target",
                "Part de l'objectif atteinte",
                "part",
                "Entrées / objectif.",
            ),
        ),
    ),
    Section(
        "orientations-services",
        "Orientations vers les services de l'annuaire",
        "Orientations vers un service de l'annuaire envoyées, validées ou refusées par la structure, ou "
        "expirées sans réponse (30 jours par défaut), datées de la période. Délai de réponse : jours "
        "calendaires de l'envoi à la validation ou au refus, pour les réponses datées de la période.",
        (
            Item("service_orientations.sent", "Orientations envoyées", "nombre", "Dans la période."),
            Item("service_orientations.validated", "Validées par la structure", "nombre", "Dans la période."),
            Item("service_orientations.refused", "Refusées par la structure", "nombre", "Dans la période."),
            Item("service_orientations.expired", "Expirées sans réponse", "nombre", "Dans la période."),
            Item(
                "service_orientations.share_validated",
                "Part des orientations validées",
                "part",
                "Validées / (validées + refusées + expirées).",
            ),
            Item(
                "service_orientations.answer_delay.mean_days",
                "Délai moyen de réponse de la structure",
                "jours",
                "Moyenne, de l'envoi à la validation ou au refus.",
            ),
            Item(
                "service_orientations.answer_delay.median_days",
                "Délai médian de réponse de la structure",
                "jours",
                "Médiane.",
            ),
        ),
    ),
)


def lookup(stats: dict, key: str):
    value = stats
    for part in key.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def sections_with_values(stats: dict) -> list[dict]:
    return [
        {
            "section": section,
            "items": [{"item": item, "value": lookup(stats, item.key)} for item in section.items],
        }
        for section in SECTIONS
    ]
