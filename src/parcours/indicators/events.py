"""The vocabulary of the event log: every `people.PersonEvent` kind the indicators read.

This is the single list the writers align on (the RSA intake, orientation and appointments,
coaching and the job platform). Each kind says what fact it records and which `data` keys the
indicators read; `occurred_at` is always the real date of the fact (stored at midnight Paris
time when only a day is known). `data` never holds names, NIRs, contact details or addresses.
Every kind has a writer in the product (docs/indicators.md names it; the accompaniment kinds
come from `accompaniment.workflows`).
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


@dataclass(frozen=True)
class Kind:
    code: str
    label: str
    data_keys: tuple[str, ...] = ()
    writer: str = ""


# The kinds are defined in `people.event_kinds` (the one vocabulary); the indicators read them.
from parcours.people.event_kinds import (  # noqa: E402, F401 (the vocabulary, read by the indicators)
    APPOINTMENT_ABSENT,
    APPOINTMENT_BOOKED,
    APPOINTMENT_CANCELLED,
    APPOINTMENT_EXCUSED,
    APPOINTMENT_HONOURED,
    COACHING_CONTACT,
    COACHING_END,
    COACHING_START,
    CONTRACT_SIGNED,
    CONVOCATION_SENT,
    DUTIES_END,
    DUTIES_START,
    EXIT,
    INVITATION_EXPIRED,
    INVITATION_SENT,
    JOB_START,
    MOVED_IN,
    MOVED_OUT,
    ORIENTATION_DECIDED,
    REFERENT_DESIGNATED,
    RSA_CLOSURE,
    RSA_ENTRY,
    RSA_REFUSAL,
    RSA_REQUEST,
    RSA_RESUMPTION,
    RSA_SUSPENSION,
    SERVICE_ORIENTATION_EXPIRED,
    SERVICE_ORIENTATION_REFUSED,
    SERVICE_ORIENTATION_SENT,
    SERVICE_ORIENTATION_VALIDATED,
    TRAINING_START,
)

KINDS: tuple[Kind, ...] = (
    Kind(RSA_REQUEST, "Demande de RSA (date de la demande, DTDEMRSA)", ("dossier", "etat"), "rsa"),
    Kind(RSA_ENTRY, "Ouverture du droit au RSA (ou réouverture)", ("dossier", "etat", "reouverture"), "rsa"),
    Kind(RSA_REFUSAL, "Refus du droit", ("dossier", "motif"), "rsa"),
    Kind(
        DUTIES_START,
        "La personne devient soumise aux droits et devoirs (TOPPERSDRODEVORSA = 1)",
        ("dossier",),
        "rsa",
    ),
    Kind(DUTIES_END, "La personne n'est plus soumise aux droits et devoirs", ("dossier",), "rsa"),
    Kind(
        RSA_SUSPENSION, "Suspension du droit ou du versement (ETATDOSRSA 3 ou 4)", ("motif", "nature"), "rsa"
    ),
    Kind(RSA_RESUMPTION, "Reprise du versement (retour à ETATDOSRSA 2)", (), "rsa"),
    Kind(RSA_CLOSURE, "Clôture du droit (ETATDOSRSA 5 ou 6)", ("motif",), "rsa"),
    Kind(MOVED_IN, "Arrivée d'un autre département", (), "rsa"),
    Kind(MOVED_OUT, "Départ vers un autre département", (), "rsa"),
    Kind(INVITATION_SENT, "Invitation à prendre rendez-vous envoyée", ("invitation", "site"), "appointments"),
    Kind(
        CONVOCATION_SENT, "Convocation à un rendez-vous fixé envoyée", ("invitation", "site"), "appointments"
    ),
    Kind(
        APPOINTMENT_BOOKED,
        "Rendez-vous pris (`channel` : public, agent ou convocation)",
        ("booking", "site", "channel"),
        "appointments",
    ),
    Kind(
        APPOINTMENT_HONOURED, "Rendez-vous honoré (daté du rendez-vous)", ("booking", "site"), "appointments"
    ),
    Kind(APPOINTMENT_ABSENT, "Absence au rendez-vous", ("booking", "site"), "appointments"),
    Kind(APPOINTMENT_EXCUSED, "Absence excusée", ("booking", "site"), "appointments"),
    Kind(APPOINTMENT_CANCELLED, "Rendez-vous annulé", ("booking",), "appointments"),
    Kind(
        ORIENTATION_DECIDED,
        "Orientation décidée (`orientation` : professionnelle, sociale, socio_professionnelle ; "
        "`organism` : france_travail, mdie_coaching, service_social, ccas, association)",
        ("orientation", "organism", "reorientation"),
        "orientation",
    ),
    Kind(REFERENT_DESIGNATED, "Référent désigné", ("referent",), "orientation"),
    Kind(
        CONTRACT_SIGNED,
        "Contrat signé (`contract_kind` : cer, ppae, contrat_engagement ; dates ISO)",
        ("contract_kind", "starts_on", "ends_on"),
        "orientation",
    ),
    Kind(
        COACHING_START,
        "Entrée en accompagnement (`programme` : coaching, global, social, socio_professionnel, france_travail)",
        ("programme", "site"),
        "accompaniment",
    ),
    Kind(
        COACHING_END,
        "Fin d'accompagnement (`motif` : voir accompaniment.EndReason)",
        ("motif", "programme"),
        "accompaniment",
    ),
    Kind(
        JOB_START,
        "Reprise d'emploi (`contract_type` : cdi, cdd, interim, iae, alternance, creation, autre ; "
        "`placement` : identifiant du placement quand l'embauche vient de la plateforme emploi)",
        ("contract_type", "hours_per_week", "placement"),
        "accompaniment (saisie d'un agent, ou embauche de la plateforme emploi)",
    ),
    Kind(TRAINING_START, "Entrée en formation", ("training_kind",), "accompaniment"),
    Kind(
        EXIT,
        "Sortie du parcours (`motif` : emploi, formation, fin_droits, demenagement, fin_accompagnement, autre)",
        ("motif",),
        "accompaniment",
    ),
    Kind(
        COACHING_CONTACT,
        "Contact d'accompagnement (`mode` : entretien, telephone, atelier, visite_entreprise, mise_en_relation)",
        ("mode", "programme"),
        "accompaniment",
    ),
    # Orientations to a service of the directory (`directory.orientations`): `category` is the
    # service's coverage category, `origin` who sent it; the answers carry `sent_on` (ISO date of
    # sending, for the delay to answer), a refusal its `refusal` reason (directory.RefusalReason).
    Kind(
        SERVICE_ORIENTATION_SENT, "Orientation vers un service envoyée", ("category", "origin"), "directory"
    ),
    Kind(
        SERVICE_ORIENTATION_VALIDATED,
        "Orientation vers un service validée par la structure",
        ("category", "sent_on"),
        "directory",
    ),
    Kind(
        SERVICE_ORIENTATION_REFUSED,
        "Orientation vers un service refusée par la structure",
        ("category", "sent_on", "refusal"),
        "directory",
    ),
    Kind(
        SERVICE_ORIENTATION_EXPIRED,
        "Orientation vers un service expirée sans réponse",
        ("category", "sent_on"),
        "directory",
    ),
)
# Stored in `people.PersonEvent.kind_code`: a new kind goes at the end of KINDS, never in between.
KIND_CODES: dict[str, int] = {kind.code: number for number, kind in enumerate(KINDS, start=1)}
BY_CODE: dict[str, Kind] = {kind.code: kind for kind in KINDS}

# Values of `data` the indicators group by.
ORIENTATION_TYPES = {
    "professionnelle": "Professionnelle",
    "sociale": "Sociale",
    "socio_professionnelle": "Socio-professionnelle",
}
# DREES organism categories (OARSA) for the organisms of `orientation.decidee` (see docs).
ORGANISM_CATEGORIES = {
    "france_travail": "france_travail",
    "mdie_coaching": "departement",
    "service_social": "departement",
    "ccas": "ccas_cias",
    "association": "association",
}
ORGANISM_CATEGORY_LABELS = {
    "france_travail": "France Travail",
    "autre_spe": "Autre organisme du service public de l'emploi",
    "departement": "Services du Département",
    "ccas_cias": "CCAS / CIAS",
    "association": "Association ou autre organisme",
    "inconnu": "Organisme non renseigné",
}
CONTRACT_KINDS = {
    "cer": "Contrat d'engagements réciproques (CER)",
    "ppae": "Projet personnalisé d'accès à l'emploi (PPAE)",
    "contrat_engagement": "Contrat d'engagement",
}
JOB_CONTRACT_TYPES = {
    "cdi": "CDI",
    "cdd": "CDD",
    "interim": "Intérim",
    "iae": "Insertion par l'activité économique",
    "alternance": "Alternance",
    "creation": "Création d'entreprise",
    "autre": "Autre",
}
BOOKING_CHANNELS = ("public", "agent", "convocation")
# `programme` of the accompaniment events (accompaniment.Programme, same order; only grows at its end).
PROGRAMMES = {
    "coaching": "Coaching MDIE « Réussir sans attendre »",
    "global": "Accompagnement global",
    "social": "Accompagnement social",
    "socio_professionnel": "Accompagnement socio-professionnel (partenaire)",
    "france_travail": "Accompagnement France Travail",
}


# -- the typed copy of each event (columns of `people.PersonEvent`) --------------------------
# Every event also carries, in integer columns, what the indicators read of it: its kind's number
# (`kind_code`, 0 for kinds they do not read), its instant in Unix seconds (`occurred_epoch`) and
# up to three `data` values (`value_1`…`value_3`, the keys of FACT_KEYS in order), so that the
# indicators read one scan of integers and never parse JSON. It is a copy: `kind`, `occurred_at`
# and `data` stay the source of truth, and `typed_values` derives the copy from them. Numbers are
# stored, so KINDS and the vocabularies below only ever grow at their end; a value added to a
# vocabulary needs a data migration that refills the events of its kind
# (`PersonEvent.objects.refill_typed_values(kinds=[…])`).
FACT_KEYS: dict[str, tuple[str, ...]] = {
    APPOINTMENT_BOOKED: ("channel",),
    APPOINTMENT_HONOURED: ("site",),
    ORIENTATION_DECIDED: ("orientation", "organism"),
    CONTRACT_SIGNED: ("contract_kind", "starts_on", "ends_on"),
    JOB_START: ("contract_type", "placement"),
    COACHING_START: ("programme",),
    COACHING_END: ("programme",),
    COACHING_CONTACT: ("programme",),
    SERVICE_ORIENTATION_VALIDATED: ("sent_on",),
    SERVICE_ORIENTATION_REFUSED: ("sent_on",),
    SERVICE_ORIENTATION_EXPIRED: ("sent_on",),
}
# Categories: 0 when absent (missing, null or ""), the value's position (from 1) in its vocabulary,
# OTHER_CODE for any other value (every indicator treats all unknown values alike).
VOCABULARIES: dict[str, tuple[str, ...]] = {
    "channel": BOOKING_CHANNELS,
    "orientation": tuple(ORIENTATION_TYPES),
    "organism": tuple(ORGANISM_CATEGORIES),
    "contract_kind": tuple(CONTRACT_KINDS),
    "contract_type": tuple(JOB_CONTRACT_TYPES),
    "programme": tuple(PROGRAMMES),
}
OTHER_CODE = -1
# Dates (ISO, the first 10 characters read): day number since 1970-01-01, MISSING_DAY when absent
# or invalid. `site`: the site id, 0 when absent, OTHER_CODE when not an integer. `placement`:
# 1 when present, else 0.
DATE_KEYS = frozenset({"starts_on", "ends_on", "sent_on"})
MISSING_DAY = -(10**7)
_EPOCH = datetime.date(1970, 1, 1)
_CODES = {
    key: {value: number for number, value in enumerate(words, start=1)} for key, words in VOCABULARIES.items()
}


def epoch_seconds(moment: datetime.datetime) -> int:
    """Unix seconds of an instant, rounded down (a naive datetime is read as Europe/Paris time)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=PARIS)
    return math.floor(moment.timestamp())


def _text(value) -> str:
    return "" if value is None else str(value)


def _typed(key: str, value) -> int:
    text = _text(value)
    if key in _CODES:
        return _CODES[key].get(text, OTHER_CODE) if text else 0
    if key in DATE_KEYS:
        try:
            return (datetime.date.fromisoformat(text[:10]) - _EPOCH).days
        except ValueError:
            return MISSING_DAY
    if key == "site":
        if not text:
            return 0
        number = int(text) if text.isascii() and text.isdigit() and str(int(text)) == text else OTHER_CODE
        return number if number < 2**31 else OTHER_CODE  # stored in a 32-bit column
    return 1 if text else 0  # placement


def typed_values(kind: str, seconds: int, data: Mapping) -> tuple[int, int, int, int, int]:
    """(kind_code, occurred_epoch, value_1, value_2, value_3) of an event: its kind's number (0 when
    the indicators do not read it), its instant in Unix seconds, and its FACT_KEYS values (0 for the
    positions its kind does not use)."""
    keys = FACT_KEYS.get(kind, ())
    values = [_typed(key, data.get(key)) if isinstance(data, Mapping) else _typed(key, None) for key in keys]
    values += [0] * (3 - len(values))
    return (KIND_CODES.get(kind, 0), int(seconds), values[0], values[1], values[2])
