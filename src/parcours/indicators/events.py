"""The vocabulary of the event log: every `people.PersonEvent` kind the indicators read.

This is the single list the writers align on (the RSA intake, orientation and appointments,
coaching and the job platform). Each kind says what fact it records and which `data` keys the
indicators read; `occurred_at` is always the real date of the fact (stored at midnight Paris
time when only a day is known). `data` never holds names, NIRs, contact details or addresses.
Kinds marked "defined here" had no writer when the indicators were written; docs/indicators.md
documents them for the apps that will write them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    code: str
    label: str
    data_keys: tuple[str, ...] = ()
    writer: str = ""


# -- rights (RSA intake, app `rsa`, see docs/data-formats.md) ---------------------------------
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
# -- orientation and appointments (apps `orientation`, `appointments`, docs/orientation.md) --
INVITATION_SENT = "invitation.envoyee"
INVITATION_EXPIRED = "invitation.expiree"
CONVOCATION_SENT = "convocation.envoyee"
APPOINTMENT_BOOKED = "rdv.pris"
APPOINTMENT_HONOURED = "rdv.honore"
APPOINTMENT_ABSENT = "rdv.absent"
APPOINTMENT_EXCUSED = "rdv.excuse"
APPOINTMENT_CANCELLED = "rdv.annule"
ORIENTATION_DECIDED = "orientation.decidee"
REFERENT_DESIGNATED = "referent.designe"
CONTRACT_SIGNED = "contrat.signe"
# -- defined here: coaching, job and training starts, exit --------------------------------
COACHING_START = "accompagnement.debut"
COACHING_END = "accompagnement.fin"
JOB_START = "emploi.debut"
TRAINING_START = "formation.debut"
EXIT = "sortie"

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
    Kind(COACHING_START, "Entrée en accompagnement (coaching emploi)", ("programme", "site"), "défini ici"),
    Kind(COACHING_END, "Fin d'accompagnement", ("motif",), "défini ici"),
    Kind(
        JOB_START,
        "Reprise d'emploi (`contract_type` : cdi, cdd, interim, iae, alternance, creation, autre ; "
        "`placement` : identifiant du placement quand l'embauche vient de la plateforme emploi)",
        ("contract_type", "hours_per_week", "placement"),
        "défini ici (plateforme emploi)",
    ),
    Kind(TRAINING_START, "Entrée en formation", ("training_kind",), "défini ici"),
    Kind(
        EXIT,
        "Sortie du parcours (`motif` : emploi, formation, fin_droits, demenagement, autre)",
        ("motif",),
        "défini ici",
    ),
)
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
