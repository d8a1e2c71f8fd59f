"""The front door's event vocabulary (`reception.FrontDoorEvent.kind`): one home, read by the
figures, the event export and their independent recomputation; written by
`parcours.reception.workflows` (and `parcours.reception.rights` for the rights kinds) only.

Each kind lists the columns it fills. Every event has `occurred_at`; `person` when known.
"""

from __future__ import annotations

CONTACT = (
    "accueil.sollicitation"  # channel, unit (person's or site's), data: caller, duration_seconds, station
)
NEED = "accueil.besoin"  # item, tray, unit, theme, urgency, channel; data: rule, child_concern
FIRST_ACTION = "accueil.premiere_action"  # item, tray, unit, urgency; data: due_at, within_sla, working_hours
WAITING = "accueil.attente"  # item, tray; data: reason
RESUMED = "accueil.reprise"  # item, tray; data: waited_seconds
TRANSFER = "accueil.transmission"  # item, tray (the new one), unit; data: from_tray, reason_given
CLOSURE = "accueil.cloture"  # item, tray, unit, theme, urgency, outcome; data: waiting_seconds, open_seconds
ESCALATION = "accueil.escalade"  # item, tray, unit, urgency
CHILD_CONCERN_ACK = "accueil.ip_accusee"  # item, tray (CRIP); an information préoccupante acknowledged
IDENTIFIED = "accueil.identification"  # contact, person: a contact's person identified afterwards
CALLBACK_DONE = "accueil.rappel"  # contact; data: outcome (fait / annule)
REFERENT_DESIGNATED = "referent_parcours.designation"  # person, unit; data: organisation_kind, consent_mode
REFERENT_ENDED = "referent_parcours.fin"  # person; data: reason
RIGHT_IDENTIFIED = "droits.identifie"  # person (if known), contact, benefit; data: monthly_amount
RIGHT_CLAIM_STARTED = "droits.demande"  # person, benefit
RIGHT_OPENED = "droits.ouvert"  # person, benefit
RIGHT_NOT_OPENED = "droits.non_ouvert"  # person, benefit

LABELS = {
    CONTACT: "Sollicitation reçue",
    NEED: "Besoin orienté vers une bannette",
    FIRST_ACTION: "Première action sur une demande",
    WAITING: "Demande mise en attente",
    RESUMED: "Demande reprise",
    TRANSFER: "Demande transmise à une autre bannette",
    CLOSURE: "Demande clôturée",
    ESCALATION: "Délai dépassé, signalé au responsable",
    CHILD_CONCERN_ACK: "Information préoccupante reçue par la CRIP",
    IDENTIFIED: "Personne d'une sollicitation identifiée",
    CALLBACK_DONE: "Rappel traité",
    REFERENT_DESIGNATED: "Référent de parcours désigné",
    REFERENT_ENDED: "Fin du référent de parcours",
    RIGHT_IDENTIFIED: "Droit probable identifié",
    RIGHT_CLAIM_STARTED: "Demande de droit engagée",
    RIGHT_OPENED: "Droit ouvert",
    RIGHT_NOT_OPENED: "Droit non ouvert",
}
KINDS = tuple(LABELS)
