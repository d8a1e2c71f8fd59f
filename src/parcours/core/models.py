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


class AuditEvent(models.Model):
    """One access to, or change of, personal data. Rows are only ever added."""

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

    class Meta:
        verbose_name = "trace d'audit"
        verbose_name_plural = "traces d'audit"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["person", "at"]), models.Index(fields=["agent", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.agent_label} {self.get_action_display()}"
