"""The vocabulary of the pathway log (`people.PersonEvent.kind`): every kind, and how an agent reads it.

This is the one home of the event kinds, next to `PersonEvent`: writers (the RSA intake,
orientation, appointments) and readers (indicators, the orientation rules, the person page)
name these constants. `LABELS` gives each kind its French label for the person's timeline, and
`details` renders an event's `data` in French (dates dd/mm/yyyy, orientation and contract
labels), never its identifiers. `tests/people/test_event_kinds.py` fails when a kind written
anywhere has no label.
"""

from __future__ import annotations

import datetime
from typing import Any

# -- rights (RSA intake, app `rsa`) ---------------------------------------------------------
RSA_REQUEST = "rsa.demande"
RSA_ENTRY = "rsa.entree"
RSA_REFUSAL = "rsa.refus"
DUTIES_START = "rsa.droits_devoirs"
DUTIES_END = "rsa.fin_droits_devoirs"
RSA_SUSPENSION = "rsa.suspension"
RSA_RESUMPTION = "rsa.reprise"
RSA_CLOSURE = "rsa.cloture"
MOVED_IN = "rsa.arrivee_departement"
MOVED_OUT = "rsa.depart_departement"
ADDRESS_CHANGED = "adresse.changement"
HOUSEHOLD_CHANGED = "foyer.changement"
# -- situation facts read by the pre-orientation rules -------------------------------------
FRANCE_TRAVAIL_REGISTRATION = "france_travail.inscription"
HOUSING_SITUATION = "situation.logement"
# -- orientation and appointments (apps `orientation`, `appointments`) ----------------------
FOLLOWUP_OPENED = "orientation.suivi_ouvert"
FOLLOWUP_CLOSED = "orientation.suivi_clos"
INVITATION_SENT = "invitation.envoyee"
INVITATION_REMINDED = "invitation.relancee"
INVITATION_EXPIRED = "invitation.expiree"
CONVOCATION_SENT = "convocation.envoyee"
APPOINTMENT_BOOKED = "rdv.pris"
APPOINTMENT_CANCELLED = "rdv.annule"
APPOINTMENT_HONOURED = "rdv.honore"
APPOINTMENT_ABSENT = "rdv.absent"
APPOINTMENT_EXCUSED = "rdv.excuse"
ORIENTATION_DECIDED = "orientation.decidee"
REFERENT_DESIGNATED = "referent.designe"
CONTRACT_SIGNED = "contrat.signe"
REORIENTATION_REQUESTED = "reorientation.demandee"
REORIENTATION_DECIDED = "reorientation.decidee"
# -- coaching, job and training starts, exit (read by the indicators) -----------------------
COACHING_START = "accompagnement.debut"
COACHING_END = "accompagnement.fin"
JOB_START = "emploi.debut"
TRAINING_START = "formation.debut"
EXIT = "sortie"
COACHING_CONTACT = "accompagnement.contact"
# -- orientations to a service of the directory (app `directory`, `directory.orientations`) ---
SERVICE_ORIENTATION_SENT = "orientation_service.envoyee"
SERVICE_ORIENTATION_VALIDATED = "orientation_service.validee"
SERVICE_ORIENTATION_REFUSED = "orientation_service.refusee"
SERVICE_ORIENTATION_EXPIRED = "orientation_service.expiree"

LABELS: dict[str, str] = {
    RSA_REQUEST: "Demande de RSA",
    RSA_ENTRY: "Ouverture du droit au RSA",
    RSA_REFUSAL: "Refus du droit au RSA",
    DUTIES_START: "Soumis aux droits et devoirs",
    DUTIES_END: "N'est plus soumis aux droits et devoirs",
    RSA_SUSPENSION: "Suspension du droit ou du versement",
    RSA_RESUMPTION: "Reprise du versement",
    RSA_CLOSURE: "Clôture du droit au RSA",
    MOVED_IN: "Arrivée d'un autre département",
    MOVED_OUT: "Départ vers un autre département",
    ADDRESS_CHANGED: "Changement d'adresse",
    HOUSEHOLD_CHANGED: "Changement de composition du foyer",
    FRANCE_TRAVAIL_REGISTRATION: "Inscription à France Travail",
    HOUSING_SITUATION: "Situation de logement",
    FOLLOWUP_OPENED: "Ouverture du suivi d'orientation",
    FOLLOWUP_CLOSED: "Clôture du suivi d'orientation",
    INVITATION_SENT: "Invitation à prendre rendez-vous envoyée",
    INVITATION_REMINDED: "Relance de l'invitation",
    INVITATION_EXPIRED: "Invitation expirée sans rendez-vous",
    CONVOCATION_SENT: "Convocation à un rendez-vous envoyée",
    APPOINTMENT_BOOKED: "Rendez-vous pris",
    APPOINTMENT_CANCELLED: "Rendez-vous annulé",
    APPOINTMENT_HONOURED: "Rendez-vous honoré",
    APPOINTMENT_ABSENT: "Absence au rendez-vous",
    APPOINTMENT_EXCUSED: "Absence excusée au rendez-vous",
    ORIENTATION_DECIDED: "Orientation décidée",
    REFERENT_DESIGNATED: "Référent désigné",
    CONTRACT_SIGNED: "Contrat signé",
    REORIENTATION_REQUESTED: "Réorientation demandée",
    REORIENTATION_DECIDED: "Demande de réorientation traitée",
    COACHING_START: "Entrée en accompagnement",
    COACHING_END: "Fin d'accompagnement",
    JOB_START: "Reprise d'emploi",
    TRAINING_START: "Entrée en formation",
    EXIT: "Sortie du parcours",
    COACHING_CONTACT: "Contact d'accompagnement",
    SERVICE_ORIENTATION_SENT: "Orientation vers un service envoyée",
    SERVICE_ORIENTATION_VALIDATED: "Orientation vers un service validée par la structure",
    SERVICE_ORIENTATION_REFUSED: "Orientation vers un service refusée par la structure",
    SERVICE_ORIENTATION_EXPIRED: "Orientation vers un service expirée sans réponse",
}

SOURCE_LABELS = {
    "cnaf": "Flux CNAF",
    "orientation": "Orientation",
    "historique-demo": "Historique (démonstration)",
    "accompagnement": "Accompagnement",
    "annuaire": "Annuaire des services",
}

# Values of `data`, in French. Kept here rather than imported from the apps, so that `people`
# depends on none of them; tests/people/test_event_kinds.py checks they match the apps' choices.
ORIENTATIONS = {
    "professionnelle": "professionnelle",
    "sociale": "sociale",
    "socio_professionnelle": "socio-professionnelle",
}
ORGANISMS = {
    "france_travail": "France Travail",
    "mdie_coaching": "Coaching emploi de la MDIE",
    "service_social": "Service social du Département",
    "ccas": "CCAS",
    "association": "Association partenaire",
}
CONTRACT_KINDS = {
    "cer": "Contrat d'engagements réciproques (CER)",
    "ppae": "Projet personnalisé d'accès à l'emploi (PPAE)",
    "contrat_engagement": "Contrat d'engagement",
}
CLOSE_REASONS = {
    "droits_clos": "fin du droit au RSA",
    "depart_departement": "départ du département",
    "manuelle": "clôture manuelle",
}
BOOKING_CHANNELS = {
    "public": "par la personne",
    "agent": "par un agent",
    "convocation": "sur convocation",
}

# Accompaniments (app `accompaniment`; tests/accompaniment checks they match its choices).
PROGRAMMES = {
    "coaching": "Coaching MDIE « Réussir sans attendre »",
    "global": "Accompagnement global",
    "social": "Accompagnement social",
    "socio_professionnel": "Accompagnement socio-professionnel (partenaire)",
    "france_travail": "Accompagnement France Travail",
    "coaching_emploi": "Coaching emploi",  # the demo history's older word
}
MOTIVES = {
    "emploi": "reprise d'emploi",
    "formation": "entrée en formation",
    "fin_programme": "fin du programme",
    "abandon": "abandon",
    "demenagement": "déménagement hors du département",
    "fin_droits": "fin des droits au RSA",
    "reorientation": "réorientation",
    "fin_accompagnement": "fin d'accompagnement",
    "autre": "autre motif",
}
CONTACT_MODES = {
    "entretien": "entretien",
    "telephone": "téléphone",
    "atelier": "atelier collectif",
    "visite_entreprise": "visite d'entreprise",
    "mise_en_relation": "mise en relation avec un employeur",
}
TRAINING_KINDS = {"qualifiante": "qualifiante", "non_qualifiante": "non qualifiante"}
JOB_CONTRACTS = {
    "cdi": "CDI",
    "cdd": "CDD",
    "interim": "intérim",
    "iae": "insertion par l'activité économique",
    "alternance": "alternance",
    "creation": "création d'entreprise",
    "autre": "autre contrat",
}

# Orientations to a service (app `directory`; tests/directory checks they match its choices).
SERVICE_CATEGORIES = {
    "aide_alimentaire": "aide alimentaire",
    "accueil_social": "accueil social",
    "mediation_numerique": "médiation numérique",
    "mobilite": "mobilité",
    "sante": "santé",
    "parentalite": "parentalité",
    "emploi": "emploi",
    "logement": "logement",
    "acces_aux_droits": "accès aux droits",
    "handicap": "handicap",
}
SERVICE_ORIENTATION_ORIGINS = {
    "premier_accueil": "premier accueil",
    "referent": "référent de parcours",
    "coach": "coach",
    "autre": "autre origine",
}
SERVICE_REFUSAL_REASONS = {
    "hors_zone": "hors de la zone d'intervention du service",
    "public_non_eligible": "ne correspond pas au public du service",
    "complet": "plus de place disponible",
    "injoignable": "personne injoignable",
    "renoncement": "la personne a renoncé",
    "doublon": "demande en double",
    "autre": "autre motif",
}


def label(kind: str) -> str:
    """The French label of `kind` (the kind itself, readable, if it is unknown)."""
    return LABELS.get(kind) or kind.replace("_", " ").replace(".", " : ").capitalize()


def source_label(source: str) -> str:
    return SOURCE_LABELS.get(source, source)


def _date(value: Any) -> str:
    try:
        parsed = datetime.datetime.fromisoformat(str(value))
    except ValueError:
        return ""
    if parsed.tzinfo is not None:
        from django.utils import timezone

        return timezone.localtime(parsed).strftime("%d/%m/%Y à %H:%M")
    return parsed.strftime("%d/%m/%Y")


def _of(vocabulary: dict[str, str], value: Any) -> str:
    return vocabulary.get(str(value), "") if value else ""


# For each data key shown: how it reads in a sentence, and how its value reads.
_SHOWN: dict[str, tuple[str, Any]] = {
    "orientation": ("orientation : {}", lambda v: _of(ORIENTATIONS, v)),
    "organism": ("organisme : {}", lambda v: _of(ORGANISMS, v)),
    "contract_kind": ("contrat : {}", lambda v: _of(CONTRACT_KINDS, v)),
    "starts_on": ("du {}", _date),
    "ends_on": ("au {}", _date),
    "rights_opening_date": ("droits ouverts le {}", _date),
    "due_on": ("échéance : {}", _date),
    "slot_starts_at": ("le {}", _date),
    "channel": ("pris {}", lambda v: _of(BOOKING_CHANNELS, v)),
    "reason": ("motif : {}", lambda v: _of(CLOSE_REASONS, v)),
    "accepted": ("{}", lambda v: {True: "acceptée", False: "refusée"}.get(v, "")),
    "overridden": ("{}", lambda v: "proposition non retenue" if v is True else ""),
    "reorientation": ("{}", lambda v: "réorientation" if v is True else ""),
    "moved": ("{}", lambda v: "déplacé" if v is True else ""),
    "programme": ("{}", lambda v: _of(PROGRAMMES, v)),
    "mode": ("{}", lambda v: _of(CONTACT_MODES, v)),
    "motif": ("motif : {}", lambda v: _of(MOTIVES, v)),
    "training_kind": ("formation {}", lambda v: _of(TRAINING_KINDS, v)),
    "contract_type": ("contrat : {}", lambda v: _of(JOB_CONTRACTS, v)),
    "category": ("service : {}", lambda v: _of(SERVICE_CATEGORIES, v)),
    "origin": ("depuis : {}", lambda v: _of(SERVICE_ORIENTATION_ORIGINS, v)),
    "refusal": ("motif : {}", lambda v: _of(SERVICE_REFUSAL_REASONS, v)),
    "sent_on": ("envoyée le {}", _date),
}


def details(kind: str, data: dict | None) -> str:
    """What an event's `data` says, in French (« orientation : sociale, organisme : CCAS »)."""
    parts = []
    for key, (phrase, render) in _SHOWN.items():
        if key not in (data or {}):
            continue
        text = render(data[key])
        if text:
            parts.append(phrase.format(text))
    return ", ".join(parts)
