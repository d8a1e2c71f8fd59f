import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models


class OrganisationKind(models.TextChoices):
    DEPARTEMENT = "departement", "Département"
    FRANCE_TRAVAIL = "france_travail", "France Travail"
    CCAS = "ccas", "CCAS"
    ASSOCIATION = "association", "Association"
    EMPLOYER = "employer", "Employeur"


class Organisation(models.Model):
    name = models.CharField("nom", max_length=200)
    kind = models.CharField("type", max_length=20, choices=OrganisationKind.choices)
    departement = models.ForeignKey(
        "territory.Departement", on_delete=models.PROTECT, related_name="organisations"
    )
    siret = models.CharField("SIRET", max_length=14, blank=True)

    class Meta:
        verbose_name = "organisation"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    ACCUEIL = "accueil", "Agent d'accueil"
    CHARGE_ORIENTATION = "charge_orientation", "Chargé d'orientation"
    REFERENT = "referent", "Référent de parcours"
    COACH_EMPLOI = "coach_emploi", "Coach emploi"
    RELATIONS_ENTREPRISES = "relations_entreprises", "Chargé de relations entreprises"
    INSTRUCTEUR_AIDES = "instructeur_aides", "Instructeur des aides"
    MANAGER = "manager", "Responsable d'équipe"
    ADMINISTRATEUR = "administrateur", "Administrateur"
    EMPLOYEUR = "employeur", "Employeur (portail)"


class Agent(AbstractUser):
    """A professional who uses Parcours: an agent of the département or of a partner."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name="organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agents",
    )
    role = models.CharField("rôle", max_length=30, choices=Role.choices, default=Role.ACCUEIL)
    units = models.ManyToManyField(
        "territory.TerritorialUnit", verbose_name="unités territoriales", blank=True, related_name="agents"
    )
    phone = models.CharField("téléphone", max_length=20, blank=True)
    # Only demo accounts may skip the second factor, and only when PARCOURS_DEMO is set.
    otp_exempt = models.BooleanField("dispensé de second facteur (démo)", default=False)

    class Meta:
        verbose_name = "agent"
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def is_administrator(self) -> bool:
        return self.is_superuser or self.role == Role.ADMINISTRATEUR

    @property
    def is_manager(self) -> bool:
        return self.role == Role.MANAGER

    @property
    def may_register_persons(self) -> bool:
        """Whether the agent may create and edit persons and their households."""
        return self.is_administrator or self.role in PERSON_REGISTRAR_ROLES

    def may_register_in(self, commune) -> bool:
        """Whether the agent may place a person in `commune`: a commune of one of their
        units, or anywhere for administrators."""
        if self.is_administrator:
            return True
        return commune.unit_id is not None and self.units.filter(pk=commune.unit_id).exists()


# Roles that register persons (first reception, orientation, référents, their managers).
PERSON_REGISTRAR_ROLES = frozenset(
    {Role.ACCUEIL, Role.CHARGE_ORIENTATION, Role.REFERENT, Role.MANAGER, Role.ADMINISTRATEUR}
)


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def authenticate(self, raw: str) -> Agent | None:
        token = (
            self.select_related("agent").filter(key_hash=_hash_token(raw), revoked_at__isnull=True).first()
        )
        if token is None or not token.agent.is_active:
            return None
        return token.agent


class ApiToken(models.Model):
    """An API token of an agent. Only its hash is stored; the raw token is shown once."""

    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("nom", max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    revoked_at = models.DateTimeField("révoqué le", null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = "jeton d'API"
        verbose_name_plural = "jetons d'API"

    def __str__(self) -> str:
        return f"{self.name} ({self.agent})"

    @classmethod
    def issue(cls, agent: Agent, name: str) -> tuple["ApiToken", str]:
        raw = secrets.token_urlsafe(32)
        return cls.objects.create(agent=agent, name=name, key_hash=_hash_token(raw)), raw
