"""Aid applications and their explicit state machine.

brouillon → déposée → en instruction ⇄ pièces manquantes (the clock is paused) → avis /
commission → accordée / refusée / ajournée → mise en paiement → payée → clôturée; an accorded aid
may be cancelled (annulée: its commitment is released), a request withdrawn (abandonnée). An
undue payment is recovered through a `Recovery`. The transitions are the table `TRANSITIONS`;
`aids.workflows` is the only writer of `state`, and logs every transition as an `AidEvent` (who,
when, from, to).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q

from parcours.core.encryption import EncryptedField


class ApplicationState(models.TextChoices):
    DRAFT = "brouillon", "Brouillon"
    SUBMITTED = "deposee", "Déposée"
    INSTRUCTION = "en_instruction", "En instruction"
    MISSING_DOCUMENTS = "pieces_manquantes", "Pièces manquantes"
    COMMISSION = "en_commission", "Avis / commission"
    GRANTED = "accordee", "Accordée"
    REFUSED = "refusee", "Refusée"
    ADJOURNED = "ajournee", "Ajournée"
    PAYING = "mise_en_paiement", "Mise en paiement"
    PAID = "payee", "Payée"
    CLOSED = "cloturee", "Clôturée"
    CANCELLED = "annulee", "Annulée"
    WITHDRAWN = "abandonnee", "Abandonnée"


# States in which an application waits for the instructor (their queue).
QUEUE_STATES = (
    ApplicationState.SUBMITTED,
    ApplicationState.INSTRUCTION,
    ApplicationState.MISSING_DOCUMENTS,
    ApplicationState.COMMISSION,
    ApplicationState.ADJOURNED,
)
# States in which a decision is still to be taken (the service level runs, unless paused).
UNDECIDED_STATES = QUEUE_STATES
DECIDED_STATES = (
    ApplicationState.GRANTED,
    ApplicationState.REFUSED,
    ApplicationState.PAYING,
    ApplicationState.PAID,
    ApplicationState.CLOSED,
    ApplicationState.CANCELLED,
)
FINAL_STATES = (
    ApplicationState.REFUSED,
    ApplicationState.PAID,
    ApplicationState.CLOSED,
    ApplicationState.CANCELLED,
    ApplicationState.WITHDRAWN,
)


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: frozenset
    target: str
    decision: bool = False  # a decision: only an agent with the authority (`aids.authority`)


S = ApplicationState
TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        Transition("deposit", "Déposer la demande", frozenset({S.DRAFT}), S.SUBMITTED),
        Transition("start", "Commencer l'instruction", frozenset({S.SUBMITTED, S.ADJOURNED}), S.INSTRUCTION),
        Transition("request_documents", "Demander des pièces", frozenset({S.INSTRUCTION}), S.MISSING_DOCUMENTS),
        Transition("documents_received", "Pièces reçues : reprendre", frozenset({S.MISSING_DOCUMENTS}), S.INSTRUCTION),
        Transition("to_commission", "Inscrire en commission", frozenset({S.INSTRUCTION, S.ADJOURNED}), S.COMMISSION),
        # Taken off a planned session's agenda (`aids.commissions.unlist`): back to instruction.
        Transition("unlist", "Retirer de l'ordre du jour", frozenset({S.COMMISSION}), S.INSTRUCTION),
        Transition("grant", "Accorder", frozenset({S.INSTRUCTION, S.COMMISSION}), S.GRANTED, decision=True),
        Transition(
            "refuse",
            "Refuser",
            frozenset({S.SUBMITTED, S.INSTRUCTION, S.MISSING_DOCUMENTS, S.COMMISSION}),
            S.REFUSED,
            decision=True,
        ),
        Transition("adjourn", "Ajourner", frozenset({S.COMMISSION}), S.ADJOURNED, decision=True),
        Transition("start_payment", "Mettre en paiement", frozenset({S.GRANTED}), S.PAYING),
        Transition("mark_paid", "Payée", frozenset({S.PAYING}), S.PAID),
        Transition("close", "Clôturer", frozenset({S.PAID, S.REFUSED}), S.CLOSED),
        Transition("cancel", "Annuler l'aide accordée", frozenset({S.GRANTED, S.PAYING}), S.CANCELLED, decision=True),
        Transition(
            "withdraw",
            "Abandon de la demande",
            frozenset({S.DRAFT, S.SUBMITTED, S.INSTRUCTION, S.MISSING_DOCUMENTS}),
            S.WITHDRAWN,
        ),
    ]
}  # fmt: skip


class RefusalReason(models.TextChoices):
    INELIGIBLE = "non_eligible", "Conditions d'éligibilité non remplies"
    SUBSIDIARITY = "subsidiarite", "Une autre aide doit être sollicitée d'abord (subsidiarité)"
    INCOMPLETE = "dossier_incomplet", "Dossier incomplet : pièces non fournies"
    RESOURCES = "ressources", "Ressources supérieures au plafond"
    WAITING_PERIOD = "carence", "Aide déjà accordée pour ce besoin pendant le délai de carence"
    ENVELOPE = "enveloppe_epuisee", "Crédits du dispositif épuisés"
    OUTSIDE = "hors_departement", "Résidence hors du département"
    NEED_NOT_SHOWN = "besoin_non_justifie", "Besoin non justifié"
    OTHER = "autre", "Autre motif (précisé)"


class PayeeKind(models.TextChoices):
    PERSON = "personne", "La personne"
    THIRD_PARTY = "tiers", "Un tiers (auto-école, bailleur, fournisseur…)"


class SubsidiarityStatus(models.TextChoices):
    NOT_ASKED = "non_demandee", "Non sollicitée"
    PENDING = "en_attente", "Sollicitée, réponse attendue"
    REFUSED = "refusee", "Sollicitée et refusée"
    GRANTED = "accordee", "Sollicitée et accordée (partiellement)"
    NOT_APPLICABLE = "sans_objet", "Sans objet pour la personne"


class AidApplicationQuerySet(models.QuerySet):
    def open(self):
        """Applications still in progress (the privacy lifecycle keeps their persons active)."""
        return self.exclude(state__in=FINAL_STATES)

    def in_queue(self):
        return self.filter(state__in=QUEUE_STATES)


class AidApplication(models.Model):
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="aid_applications")
    scheme = models.ForeignKey("aids.Scheme", on_delete=models.PROTECT, related_name="applications")
    # The version the application was filed under: it keeps it whatever later edits of the scheme.
    version = models.ForeignKey("aids.SchemeVersion", on_delete=models.PROTECT, related_name="applications")
    unit = models.ForeignKey(
        "territory.TerritorialUnit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = models.CharField("état", max_length=20, choices=ApplicationState.choices, default=S.DRAFT)
    emergency = models.BooleanField("urgence", default=False)
    purpose = models.TextField("objet de la demande", blank=True)
    requested_amount = models.DecimalField(
        "montant demandé (€)", max_digits=10, decimal_places=2, null=True, blank=True
    )
    items = models.PositiveIntegerField("nombre d'unités", null=True, blank=True)
    # What the household declares (evidenced by the documents), read by a resources rule.
    declared_resources = models.DecimalField(
        "ressources mensuelles du foyer (€)", max_digits=10, decimal_places=2, null=True, blank=True
    )
    household_size = models.PositiveSmallIntegerField("personnes au foyer", null=True, blank=True)
    granted_amount = models.DecimalField(
        "montant accordé (€)", max_digits=10, decimal_places=2, null=True, blank=True
    )
    # {code of the version's subsidiarity list: {"status": SubsidiarityStatus, "note": "…"}}
    subsidiarity = models.JSONField("subsidiarité", default=dict, blank=True)
    # The eligibility as evaluated at deposit (`aids.eligibility`), kept as it was explained.
    eligibility = models.JSONField("éligibilité (au dépôt)", default=list, blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="déposée par",
    )
    filed_by_organisation = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # When the request started at the front door (a tray item « Aides financières »).
    tray_item = models.ForeignKey(
        "reception.TrayItem",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="aid_applications",
    )
    instructor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="instructeur",
    )
    created_at = models.DateTimeField("créée le")
    deposited_at = models.DateTimeField("déposée le", null=True, blank=True)
    # The service level's deadline (moved later by the time spent waiting for documents).
    due_at = models.DateTimeField("à décider avant le", null=True, blank=True)
    paused_at = models.DateTimeField("en attente de pièces depuis", null=True, blank=True)
    decided_at = models.DateTimeField("décidée le", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_reasons = models.JSONField("motifs de la décision", default=list, blank=True)
    decision_note = models.TextField("motivation", blank=True)
    commission = models.ForeignKey(
        "aids.CommissionSession",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="applications",
    )
    envelope = models.ForeignKey(
        "aids.Envelope", null=True, blank=True, on_delete=models.PROTECT, related_name="applications"
    )
    payee_kind = models.CharField(
        "bénéficiaire du paiement", max_length=10, choices=PayeeKind.choices, default=PayeeKind.PERSON
    )
    payee_name = models.CharField("titulaire du compte", max_length=140, blank=True)
    # Validated with its checksum (`aids.iban`), shown masked everywhere but the payment screen.
    iban = EncryptedField("IBAN")
    bic = models.CharField("BIC", max_length=11, blank=True)
    # The cumulation scheme: the OpenFisca simulation attached when the proposal was made.
    simulation = models.JSONField("simulation OpenFisca", default=dict, blank=True)
    closed_at = models.DateTimeField("clôturée le", null=True, blank=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    objects = AidApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = "demande d'aide"
        verbose_name_plural = "demandes d'aide"
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The instructor's queue: emergencies first, then by deadline, among undecided ones.
            models.Index(
                fields=["-emergency", "due_at", "id"],
                name="aids_queue_idx",
                condition=Q(state__in=[s.value for s in QUEUE_STATES]),
            ),
            models.Index(fields=["person", "scheme", "deposited_at"], name="aids_person_scheme_idx"),
            models.Index(fields=["state", "scheme"], name="aids_state_scheme_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(granted_amount__isnull=True) | Q(granted_amount__gte=0),
                name="aids_granted_non_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"Demande n° {self.pk} — {self.scheme}"

    @property
    def reference(self) -> str:
        return f"AID-{self.created_at:%Y}-{self.pk:06d}" if self.pk else ""

    def available_transitions(self) -> list[Transition]:
        return [t for t in TRANSITIONS.values() if self.state in t.sources]


class ApplicationTransition(models.Model):
    """One transition of an application: who, when, from which state to which, and why."""

    application = models.ForeignKey(AidApplication, on_delete=models.CASCADE, related_name="transitions")
    name = models.CharField("transition", max_length=30)
    from_state = models.CharField("de", max_length=20, choices=ApplicationState.choices, blank=True)
    to_state = models.CharField("vers", max_length=20, choices=ApplicationState.choices)
    at = models.DateTimeField("le")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField("note", blank=True)

    class Meta:
        verbose_name = "étape d'une demande"
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_state} → {self.to_state}"


class DocumentStatus(models.TextChoices):
    TO_CHECK = "a_verifier", "À vérifier"
    VALID = "valide", "Conforme"
    REJECTED = "refuse", "Non conforme"


class _DocumentsStorage(FileSystemStorage):
    """var/aids/ of the current settings, read at each use (tests and deployments may move
    `VAR_DIR` after the models are loaded)."""

    @property
    def base_location(self):
        return str(settings.VAR_DIR / "aids")

    @property
    def location(self):
        return os.path.abspath(self.base_location)


def documents_storage():
    """Private storage of the applications' documents (var/aids/, readable by the server only)."""
    return _DocumentsStorage(file_permissions_mode=0o600, directory_permissions_mode=0o700)


def _document_path(instance, filename: str) -> str:
    return f"{instance.application_id}/{instance.code}-{filename[-60:]}"


class ApplicationDocument(models.Model):
    """A document of an application (stored in the private var folder, served through the access
    rule), checked by the instructor."""

    application = models.ForeignKey(AidApplication, on_delete=models.CASCADE, related_name="documents")
    code = models.CharField("pièce", max_length=40)
    file = models.FileField("fichier", upload_to=_document_path, storage=documents_storage, max_length=255)
    original_name = models.CharField("nom du fichier", max_length=150)
    content_type = models.CharField("type", max_length=100, blank=True)
    size = models.PositiveIntegerField("taille (octets)", default=0)
    # For a periodic certificate (the student grant's school certificate): valid until.
    valid_until = models.DateField("valable jusqu'au", null=True, blank=True)
    status = models.CharField(
        "contrôle", max_length=12, choices=DocumentStatus.choices, default=DocumentStatus.TO_CHECK
    )
    rejection_reason = models.CharField("motif de non-conformité", max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField("déposé le")
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    checked_at = models.DateTimeField("contrôlé le", null=True, blank=True)

    class Meta:
        verbose_name = "pièce justificative"
        ordering = ["code", "-uploaded_at"]

    def __str__(self) -> str:
        return self.original_name
