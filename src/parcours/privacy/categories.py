"""The categories of personal data Parcours holds, in one place: what, why, for whom, how long.

Each `Category` names the models it covers (`"app.Model"`, or `"app.*"` for a whole app, so that
the apps `accompaniment`, `aids` and `reception` are covered as they land), its purpose, legal
basis, recipients, its active period and intermediate-archive period (days, overridable per
category with `settings.PARCOURS_RETENTION = {"code": {"active_days": …, "archive_days": …}}`),
what happens at the end, and the source of each default. The register of processing activities
(`/donnees-personnelles/registre/`), `docs/privacy.md` (kept in sync by a test) and the daily
retention task (`privacy.lifecycle`) all read this module.

How the periods apply to a person: each category's *activities* date the person's last activity
in it (a follow-up opened or closed, a right's event, an application…). The person leaves the
active base (intermediate archive: only administrators still see them) once, in every category,
the last activity is older than that category's active period, and is anonymised once it is older
than active + archive period in every category. A person with an open item (`OPEN_ITEMS`) or a
restriction of processing is never archived nor anonymised.

`tests/privacy/test_categories.py` fails when a model linked to `people.Person`, or any model of
a Parcours app, is in no category and not in `OUTSIDE_PERSONS_DATA`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.db import models

VALIDATE = "à valider par le DPO"


class End:
    ANONYMISE = "anonymiser"
    DELETE = "supprimer"
    PSEUDONYMISED = "conserver pseudonymisé"
    OWN_SETTING = "purge propre (réglage dédié)"


END_LABELS = {
    End.ANONYMISE: "anonymisation (identité, coordonnées et textes libres effacés)",
    End.DELETE: "suppression",
    End.PSEUDONYMISED: "conservation sans identité (statistiques)",
    End.OWN_SETTING: "suppression selon son propre réglage",
}


@dataclass(frozen=True)
class Activity:
    """Rows of `model` dating a person's activity: `date_field` is the date, `person_path` leads to
    the person (`"pk"` for `people.Person` itself), `filters` restrict the rows."""

    model: str
    person_path: str
    date_field: str
    filters: tuple[tuple[str, object], ...] = ()


@dataclass(frozen=True)
class Category:
    code: str
    label: str
    purpose: str
    data: str
    legal_basis: str
    recipients: str
    models: tuple[str, ...]
    active_days: int
    archive_days: int
    end: str
    source: str
    activities: tuple[Activity, ...] = ()
    # Apps whose person-linked models date activities generically (see `activities_of`).
    activity_apps: tuple[str, ...] = ()
    # Settings that give this category its periods instead of active/archive days (shown as is).
    period_settings: tuple[str, ...] = ()
    persons: str = "Bénéficiaires du RSA et personnes accompagnées, membres de leur foyer"

    def periods(self) -> tuple[int, int]:
        """(active days, archive days), the settings' override first."""
        override = getattr(settings, "PARCOURS_RETENTION", {}).get(self.code, {})
        return int(override.get("active_days", self.active_days)), int(
            override.get("archive_days", self.archive_days)
        )

    @property
    def end_label(self) -> str:
        return END_LABELS[self.end]

    def covers(self, label: str) -> bool:
        app_label = label.split(".")[0]
        return label in self.models or f"{app_label}.*" in self.models

    def retention_text(self) -> str:
        """The retention in plain French (for the register and the person's access PDF)."""
        if self.period_settings:
            values = ", ".join(
                f"{name} = {getattr(settings, name, '—')} jours" for name in self.period_settings
            )
            return f"selon le réglage ({values})"
        active, archive = self.periods()
        text = f"{_years(active)} après la dernière activité"
        if archive:
            text += f", puis {_years(archive)} en archive intermédiaire"
        return text


def _years(days: int) -> str:
    if days % 365 == 0 and days >= 365:
        years = days // 365
        return f"{years} an{'s' if years > 1 else ''}"
    return f"{days} jours"


SOURCE_ACCOMPANIMENT = (
    "CNIL, référentiel « accueil, hébergement et accompagnement social et médico-social » "
    "(délibération n° 2021-028 du 11 mars 2021) et référentiel « durées de conservation » du "
    "secteur social et médico-social (délibération n° 2023-095 du 14 septembre 2023) : base active "
    "le temps de l'accompagnement ; 2 ans après le dernier contact repris comme repère (durée "
    "recommandée par la CNIL pour les dossiers d'aide sociale) ; "
)

CATEGORIES: tuple[Category, ...] = (
    Category(
        code="personne",
        label="Identité, coordonnées et foyer",
        purpose="Identifier la personne, la joindre, connaître la composition de son foyer.",
        data="État civil, NIR, matricule CAF/MSA, identifiant France Travail, adresse, téléphone, "
        "e-mail, foyer, agents qui la suivent",
        legal_basis="Mission d'intérêt public (RGPD art. 6.1.e) : CASF art. L. 262-1 et suivants",
        recipients="Agents du Département et des partenaires habilités dans son territoire",
        models=(
            "people.Person",
            "people.Household",
            "people.HouseholdMember",
            "people.Follow",
            "imports.DuplicateCandidate",
            "imports.DuplicateDecision",
            "privacy.*",
        ),
        active_days=730,
        archive_days=1095,
        end=End.ANONYMISE,
        source=SOURCE_ACCOMPANIMENT
        + "archive : 3 ans, couvrant la prescription biennale des indus de RSA (CASF art. L. 262-45) "
        f"et les recours — {VALIDATE}. L'identité n'est effacée qu'à la fin de toutes les autres "
        "catégories.",
        activities=(
            Activity("people.Person", "pk", "updated_at"),
            Activity("people.Follow", "person", "started_on"),
            Activity("people.Follow", "person", "ended_on"),
        ),
    ),
    Category(
        code="droits_rsa",
        label="Droits au RSA",
        purpose="Connaître l'ouverture, la suspension et la fin des droits pour orienter et accompagner.",
        data="Demande, ouverture, suspension, fin de droit, soumission aux droits et devoirs, montants",
        legal_basis="Obligation légale et mission d'intérêt public : CASF art. L. 262-13, L. 262-27 et "
        "suivants (flux de la CNAF et de la MSA)",
        recipients="Agents d'orientation et d'accompagnement ; CNAF et MSA (émetteurs du flux)",
        models=("rsa.*",),
        active_days=730,
        archive_days=1825,
        end=End.ANONYMISE,
        source="CASF art. L. 262-45 : l'action en recouvrement des sommes indûment payées se prescrit "
        "par 2 ans, sauf fraude ou fausse déclaration (alors 5 ans, C. civ. art. 2224) ; CASF "
        "art. R. 262-108 : les organismes payeurs conservent 3 ans. Base active 2 ans après le dernier "
        f"événement de droit, archive 5 ans (prescription en cas de fraude) — {VALIDATE}.",
        activities=(
            Activity("people.PersonEvent", "person", "occurred_at", (("kind__startswith", "rsa."),)),
        ),
    ),
    Category(
        code="suivi_rdv",
        label="Suivi d'orientation et rendez-vous",
        purpose="Orienter la personne dans les délais légaux, l'inviter et la convoquer.",
        data="Suivi d'orientation, invitations, rendez-vous et présence, décisions d'orientation et "
        "leurs motifs, demandes de réorientation, messages envoyés",
        legal_basis="Mission d'intérêt public : CASF art. L. 262-29 à L. 262-39 (orientation, référent)",
        recipients="Agents d'orientation, référents ; France Travail pour les orientations vers lui",
        models=(
            "orientation.FollowUp",
            "orientation.OrientationDecision",
            "orientation.ReorientationRequest",
            "appointments.Booking",
            "appointments.Invitation",
            "appointments.Message",
            "appointments.Alert",
        ),
        active_days=730,
        archive_days=1095,
        end=End.ANONYMISE,
        source=SOURCE_ACCOMPANIMENT + f"archive 3 ans pour les recours contre les décisions — {VALIDATE}.",
        activities=(
            Activity("orientation.FollowUp", "person", "opened_at"),
            Activity("orientation.FollowUp", "person", "closed_at"),
            Activity("orientation.OrientationDecision", "person", "decided_at"),
            Activity("orientation.ReorientationRequest", "person", "requested_at"),
            Activity("appointments.Booking", "person", "booked_at"),
            Activity("appointments.Invitation", "person", "created_at"),
        ),
    ),
    Category(
        code="accompagnement_contrats",
        label="Accompagnements et contrats",
        purpose="Accompagner la personne vers l'emploi et l'autonomie, formaliser ses engagements.",
        data="Contrats d'engagement réciproque, PPAE, objectifs, accompagnements, contacts, "
        "diagnostics, plans d'action, sorties",
        legal_basis="Mission d'intérêt public : CASF art. L. 262-35 à L. 262-36 (contrats), L. 262-27",
        recipients="Référents et coachs qui accompagnent la personne, leurs responsables",
        models=("orientation.Contract", "accompaniment.*"),
        active_days=730,
        archive_days=1095,
        end=End.ANONYMISE,
        source=SOURCE_ACCOMPANIMENT + f"archive 3 ans — {VALIDATE}.",
        activities=(
            Activity("orientation.Contract", "person", "signed_at"),
            Activity("orientation.Contract", "person", "ends_on"),
        ),
        activity_apps=("accompaniment",),
    ),
    Category(
        code="candidatures_emploi",
        label="Profil emploi et candidatures",
        purpose="Proposer des offres d'emploi, suivre les candidatures et les embauches.",
        data="Profil (formation, mobilité, disponibilités, contraintes), métiers visés, candidatures, "
        "embauches et leur suivi",
        legal_basis="Mission d'intérêt public (insertion professionnelle, CASF art. L. 262-27) ; "
        "consentement pour la transmission aux employeurs",
        recipients="Chargés de relations entreprises, coachs ; employeurs pour les seules candidatures "
        "proposées avec le consentement de la personne",
        models=("jobs.Application", "jobs.ApplicationEvent", "jobs.Placement", "jobs.FollowUp")
        + ("jobs.CandidateProfile", "jobs.ProfileExperience", "jobs.MatchingEntry"),
        active_days=730,
        archive_days=0,
        end=End.ANONYMISE,
        source="CNIL, référentiel « gestion du personnel » (délibération n° 2019-160 du 21 novembre "
        "2019) : données d'un candidat non retenu conservées 2 ans après le dernier contact ; pas "
        f"d'archive — {VALIDATE}.",
        activities=(
            Activity("jobs.Application", "person", "created_at"),
            Activity("jobs.CandidateProfile", "person", "updated_at"),
            Activity("jobs.Placement", "application__person", "recorded_at"),
        ),
    ),
    Category(
        code="aides",
        label="Demandes d'aides financières",
        purpose="Instruire, décider et payer les aides individuelles.",
        data="Demandes, pièces, décisions de commission, montants et paiements",
        legal_basis="Mission d'intérêt public (aides facultatives du Département, CASF art. L. 263-1 "
        "et suivants) ; obligations comptables publiques",
        recipients="Instructeurs des aides, commission, payeur départemental",
        models=("aids.*",),
        active_days=730,
        archive_days=3650,
        end=End.ANONYMISE,
        source="Pièces justificatives comptables : 10 ans (instruction DAF/DPACI/RES/2008/008 du "
        f"5 mai 2008 sur les documents comptables des ordonnateurs) — {VALIDATE}.",
        activity_apps=("aids",),
    ),
    Category(
        code="accueil",
        label="Premier accueil et corbeilles",
        purpose="Recevoir la personne, qualifier ses besoins et l'adresser au bon service.",
        data="Contacts de premier accueil, besoins exprimés, éléments des corbeilles de traitement",
        legal_basis="Mission d'intérêt public (accueil social, CASF art. L. 123-2 et L. 262-27)",
        recipients="Agents d'accueil et services destinataires des demandes",
        models=("reception.*",),
        active_days=365,
        archive_days=365,
        end=End.ANONYMISE,
        source="Délibération CNIL n° 2021-028 (accueil et accompagnement) : le temps nécessaire à "
        f"l'orientation de la demande ; 1 an puis 1 an d'archive choisis par prudence — {VALIDATE}.",
        activity_apps=("reception",),
    ),
    Category(
        code="orientations_services",
        label="Orientations vers des services et diagnostics mobilité",
        purpose="Orienter la personne vers un service de l'annuaire, suivre la réponse de la structure, "
        "diagnostiquer sa mobilité pour lui proposer des services et ajuster sa recherche d'emploi.",
        data="Service visé, besoin, consentement (date, forme), message transmis à la structure, réponse "
        "et motif de refus ; permis, véhicule, transports, budget et appréhensions de déplacement",
        legal_basis="Mission d'intérêt public (accueil et accompagnement social, CASF art. L. 123-2 et "
        "L. 262-27) ; consentement de la personne pour la transmission à la structure",
        recipients="Agents qui orientent la personne ; agents de la structure destinataire pour ce qui lui "
        "a été transmis, 90 jours après sa réponse",
        models=(
            "directory.ServiceOrientation",
            "directory.ServiceOrientationEvent",
            "directory.MobilityDiagnosis",
        ),
        active_days=730,
        archive_days=365,
        end=End.ANONYMISE,
        source=SOURCE_ACCOMPANIMENT + f"1 an d'archive pour les réclamations — {VALIDATE}.",
        activities=(
            Activity("directory.ServiceOrientation", "person", "sent_at"),
            Activity("directory.MobilityDiagnosis", "person", "made_on"),
        ),
        activity_apps=("directory",),
    ),
    Category(
        code="fichiers",
        label="Fichiers déposés, courriers et messages",
        purpose="Importer les fichiers de bénéficiaires, envoyer les courriers, e-mails et SMS.",
        data="Fichiers importés et leurs lignes, courriers PDF, e-mails et SMS écrits sur disque",
        legal_basis="Mission d'intérêt public (mêmes bases que les données importées ou envoyées)",
        recipients="Agents qui importent ; la personne destinataire du courrier",
        models=("imports.ImportBatch", "imports.ImportRecord"),
        active_days=90,
        archive_days=0,
        end=End.DELETE,
        source="Choix de Parcours : le fichier n'est utile qu'au temps de l'import ou de l'envoi ; le "
        "compte rendu de l'import reste (sans le fichier).",
        period_settings=(
            "PARCOURS_UPLOAD_RETENTION_DAYS",
            "PARCOURS_LETTER_RETENTION_DAYS",
            "PARCOURS_MAIL_RETENTION_DAYS",
        ),
    ),
    Category(
        code="journal_parcours",
        label="Journal du parcours (indicateurs)",
        purpose="Calculer les indicateurs de pilotage et les tableaux de la DREES.",
        data="Événements datés du parcours, rattachés à un numéro de personne sans identité",
        legal_basis="Obligation légale de transmission statistique (CASF art. L. 262-40, enquêtes "
        "de la DREES) ; traitement statistique (RGPD art. 89)",
        recipients="Responsables et administrateurs (indicateurs agrégés) ; DREES (tableaux agrégés)",
        models=("people.PersonEvent", "indicators.*", "demo.*"),
        active_days=730,
        archive_days=1095,
        end=End.PSEUDONYMISED,
        activities=(Activity("people.PersonEvent", "person", "occurred_at"),),
        source="RGPD art. 5.1.e et 89 : conservation au-delà pour la statistique, l'identité effacée ; "
        "date de naissance, sexe, commune et composition du foyer restent (pseudonymisation, pas "
        f"anonymisation au sens strict) pour que les indicateurs restent calculables — {VALIDATE}.",
    ),
    Category(
        code="journal_audit",
        label="Journal des accès (audit)",
        purpose="Tracer chaque consultation et modification des données pour en garantir la sécurité.",
        data="Agent, date, action, personne concernée (jamais les valeurs)",
        legal_basis="Obligation de sécurité (RGPD art. 32)",
        recipients="Administrateurs ; la personne (qui a consulté son dossier, dans le droit d'accès)",
        models=("core.AuditEvent",),
        active_days=365,
        archive_days=0,
        end=End.OWN_SETTING,
        source="CNIL, recommandation relative à la journalisation (délibération n° 2021-122 du "
        "14 octobre 2021) : 6 mois à 1 an. Purgé par sa propre tâche (réglage du journal d'audit).",
        period_settings=("PARCOURS_AUDIT_RETENTION_DAYS",),
        persons="Agents et personnes dont le dossier est consulté",
    ),
)

BY_CODE = {category.code: category for category in CATEGORIES}

# Models of Parcours that hold no data about the persons followed, each for a reason (the
# coverage test reads this list: a new model goes in a category or here, never nowhere).
OUTSIDE_PERSONS_DATA: dict[str, str] = {
    "territory.*": "référentiel du territoire (communes, unités, sites)",
    "accounts.*": "comptes des agents et leurs jetons (traitement « gestion des habilitations »)",
    "core.*": "seul le journal d'audit, classé ci-dessus, concerne les personnes",
    "orientation.OrientationSettings": "réglages du département",
    "orientation.PreOrientationRule": "règles de pré-orientation",
    "appointments.SlotType": "paramétrage des agendas",
    "appointments.OpeningHours": "plages d'ouverture des agents",
    "appointments.Slot": "créneaux (la personne est dans le rendez-vous, classé ci-dessus)",
    "jobs.JobOffer": "offres d'emploi des employeurs",
    "jobs.SectorGroup": "groupements sectoriels",
    "jobs.SectorNeed": "besoins de recrutement des secteurs",
    "jobs.Employer": "employeurs (personnes morales)",
    "jobs.EmployerSite": "établissements des employeurs",
    "jobs.EmployerContact": "contacts professionnels des employeurs (relation entreprises)",
    "jobs.RomeCode": "référentiel ROME",
    "jobs.RomeAppellation": "référentiel ROME",
    "directory.Structure": "annuaire des services : structures (personnes morales) ; leur téléphone et "
    "courriel sont professionnels",
    "directory.Service": "annuaire des services : le nom, le courriel et le téléphone du contact d'un service "
    "sont des données professionnelles de l'agent partenaire (publiées par data·inclusion / DORA), "
    "mises à jour par sa structure, supprimées avec le service",
}


def category_of(label: str) -> Category | None:
    """The category covering model `label` ("app.Model"), the most specific naming first."""
    for category in CATEGORIES:
        if label in category.models:
            return category
    for category in CATEGORIES:
        if category.covers(label):
            return category
    return None


def is_outside(label: str) -> bool:
    app_label = label.split(".")[0]
    named = label in OUTSIDE_PERSONS_DATA or f"{app_label}.*" in OUTSIDE_PERSONS_DATA
    return named and not any(label in category.models for category in CATEGORIES)


def person_link(model) -> str | None:
    """The name of `model`'s ForeignKey/OneToOne to people.Person, if it has one."""
    for model_field in model._meta.concrete_fields:
        if (
            isinstance(model_field, models.ForeignKey)
            and model_field.related_model._meta.label == "people.Person"
        ):
            return model_field.name
    return None


GENERIC_DATE_FIELDS = ("updated_at", "ended_on", "ended_at", "closed_at", "started_on", "created_at")


def activities_of(category: Category) -> list[Activity]:
    """The category's activities, plus those of the person-linked models of its `activity_apps`
    (their first date field among GENERIC_DATE_FIELDS) for apps installed now."""
    found = list(category.activities)
    for app_label in category.activity_apps:
        try:
            config = apps.get_app_config(app_label)
        except LookupError:
            continue
        for model in config.get_models():
            link = person_link(model)
            names = {f.name for f in model._meta.concrete_fields}
            for date_field in GENERIC_DATE_FIELDS:
                if link and date_field in names:
                    found.append(Activity(model._meta.label, link, date_field))
    return found


def markdown_table() -> str:
    """The categories as the Markdown table of docs/privacy.md (kept equal by a test)."""
    lines = [
        "| Code | Catégorie | Finalité | Base légale | Destinataires | Modèles | Base active | Archive "
        "intermédiaire | À la fin | Source |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for c in CATEGORIES:
        active, archive = (
            ("selon " + ", ".join(f"`{name}`" for name in c.period_settings), "—")
            if c.period_settings
            else (f"{c.active_days} j", f"{c.archive_days} j")
        )
        cells = [
            f"`{c.code}`",
            c.label,
            c.purpose,
            c.legal_basis,
            c.recipients,
            ", ".join(f"`{m}`" for m in c.models),
            active,
            archive,
            c.end_label,
            c.source,
        ]
        lines.append("| " + " | ".join(cell.replace("|", "/") for cell in cells) + " |")
    return "\n".join(lines)
