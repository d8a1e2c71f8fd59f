from django.conf import settings
from django.db import models


class AuditAction(models.TextChoices):
    VIEW = "view", "Consultation"
    SEARCH = "search", "Recherche"
    CREATE = "create", "Création"
    UPDATE = "update", "Modification"
    DELETE = "delete", "Suppression"
    EXPORT = "export", "Export"
    DENIED = "denied", "Accès refusé"
    LOGIN = "login", "Connexion"
    LOGIN_FAILED = "login_failed", "Échec de connexion"
    LOCKED_OUT = "locked_out", "Blocage après échecs de connexion"
    TOKEN_CREATED = "token_created", "Création d'un jeton d'API"
    TOKEN_REVOKED = "token_revoked", "Révocation d'un jeton d'API"
    # The administration screens (accounts/administration.py): agents, organisations, units.
    AGENT_CREATED = "agent_created", "Création d'un agent"
    AGENT_UPDATED = "agent_updated", "Modification d'un agent"
    AGENT_DEACTIVATED = "agent_deactivated", "Désactivation d'un agent"
    AGENT_REACTIVATED = "agent_reactivated", "Réactivation d'un agent"
    SECOND_FACTOR_RESET = "otp_reset", "Réinitialisation du second facteur"
    ORGANISATION_SAVED = "organisation_saved", "Création ou modification d'une organisation"
    UNIT_SAVED = "unit_saved", "Création ou modification d'une unité territoriale"


class AuditChannel(models.TextChoices):
    WEB = "web", "Interface"
    API = "api", "API"
    CLI = "cli", "Commande"


class AuditTrailIsAppendOnly(Exception):
    """Raised on any attempt to change or remove an audit entry through the application."""


APPEND_ONLY_MESSAGE = (
    "Le journal d'audit ne peut être ni modifié ni effacé : une trace s'ajoute, elle ne se corrige pas "
    "(seule la purge de conservation, parcours.core.audit_chain.purge_expired, retire les plus anciennes)."
)


class AuditEventQuerySet(models.QuerySet):
    """Append-only: `update()` and `delete()` raise, except the one update Django itself needs
    (the agent's account removed: `on_delete=SET_NULL` sets `agent` to NULL, which the chain's
    hash does not cover: it covers `agent_label`)."""

    def update(self, **kwargs):
        if kwargs in ({"agent": None}, {"agent_id": None}):
            return super().update(**kwargs)
        raise AuditTrailIsAppendOnly(APPEND_ONLY_MESSAGE)

    def delete(self):
        raise AuditTrailIsAppendOnly(APPEND_ONLY_MESSAGE)

    delete.queryset_only = True

    def sealed(self):
        return self.filter(seq__isnull=False)


class AuditEvent(models.Model):
    """One access to, or change of, personal data. Rows are only ever added.

    Append-only at two levels: here (`save()` of an existing row, `delete()`, and the queryset's
    `update()`/`delete()` raise `AuditTrailIsAppendOnly`) and, on PostgreSQL, by triggers (migration
    core 0004) that refuse UPDATE and DELETE in SQL too. `seq`, `previous_hash` and `hash` are set
    once, by the sealing (`parcours.core.audit_chain.seal`), which chains the entries so that
    `parcours verify-audit` detects an entry altered, removed or inserted behind the application.
    """

    at = models.DateTimeField("date", auto_now_add=True, db_index=True)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="agent",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_events",
    )
    # Kept as text so the trail stays readable after an account is removed.
    agent_label = models.CharField("agent (libellé)", max_length=200, blank=True)
    person = models.ForeignKey(
        "people.Person",
        verbose_name="personne",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    action = models.CharField("action", max_length=20, choices=AuditAction.choices)
    channel = models.CharField("canal", max_length=10, choices=AuditChannel.choices, default=AuditChannel.WEB)
    path = models.CharField("adresse", max_length=300, blank=True)
    detail = models.JSONField("détail", default=dict, blank=True)
    # The chain (parcours.core.audit_chain): NULL until sealed, then set once and never again.
    seq = models.BigIntegerField(
        "position dans la chaîne", null=True, blank=True, unique=True, editable=False
    )
    previous_hash = models.CharField(
        "empreinte précédente", max_length=64, null=True, blank=True, editable=False
    )
    hash = models.CharField("empreinte", max_length=64, null=True, blank=True, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = "trace d'audit"
        verbose_name_plural = "traces d'audit"
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["person", "at"]),
            models.Index(fields=["agent", "at"]),
            # The sealing's queue: the entries not sealed yet, in id order.
            models.Index(fields=["id"], condition=models.Q(seq__isnull=True), name="core_audit_unsealed"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.agent_label} {self.get_action_display()}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise AuditTrailIsAppendOnly(APPEND_ONLY_MESSAGE)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditTrailIsAppendOnly(APPEND_ONLY_MESSAGE)


class AuditChainAnchor(models.Model):
    """Where the chain starts again after a retention purge: the position and hash of the last
    entry purged, so that the first entry kept still verifies. Written only by the purge."""

    seq = models.BigIntegerField("dernière position purgée", unique=True)
    hash = models.CharField("empreinte de la dernière entrée purgée", max_length=64)
    purged_at = models.DateTimeField("purgée le", auto_now_add=True)
    purged_count = models.PositiveIntegerField("entrées purgées")
    cutoff = models.DateTimeField("entrées antérieures au")

    class Meta:
        verbose_name = "ancrage du journal d'audit"
        verbose_name_plural = "ancrages du journal d'audit"
        ordering = ["-seq"]

    def __str__(self) -> str:
        return f"Purge jusqu'à la position {self.seq}"
