import datetime
import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone

from parcours.core.dates import one_year_after  # re-exported: a token's last possible day


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

    # Named permissions: every view, API endpoint and menu entry asks one of these
    # (`parcours.accounts.permissions.agent_may`), never a list of roles of its own.

    @property
    def is_employer(self) -> bool:
        """An employer's account: reaches only the employer portal, never persons."""
        return self.role == Role.EMPLOYEUR and not self.is_superuser

    @property
    def is_professional(self) -> bool:
        """An agent of the département or of a partner (every role but the employers')."""
        return self.is_active and not self.is_employer

    @property
    def may_register_persons(self) -> bool:
        """Whether the agent may create and edit persons and their households."""
        return self.is_administrator or self.role in PERSON_REGISTRAR_ROLES

    @property
    def may_see_full_nir(self) -> bool:
        """See a person's whole NIR (everywhere else it is masked: '1 84 ** ** *** *** 42').

        The agents who register and correct identities (accueil, chargés d'orientation,
        référents, managers, administrators: `may_register_persons`) type it from the carte
        Vitale, check it against the CAF's flux and quote it to the CAF or the CPAM about the
        person's rights; they also edit it, so the person form shows it whole. Coaches of France
        Travail (their own identifier), business relations officers, aid instructors and
        employers have no such need."""
        return self.may_register_persons

    @property
    def may_import(self) -> bool:
        """Upload beneficiary and CNAF files, read import reports, merge duplicates."""
        return self.is_administrator or self.role in {Role.MANAGER, Role.CHARGE_ORIENTATION}

    @property
    def may_import_cnaf(self) -> bool:
        """Import the CAF's flux, which covers the persons of the whole département."""
        return self.is_administrator

    @property
    def may_decide_orientation(self) -> bool:
        """Record interviews and attendance, convoke, decide orientations, designate référents."""
        return self.is_administrator or self.role in {Role.CHARGE_ORIENTATION, Role.MANAGER}

    @property
    def may_open_followups(self) -> bool:
        """Open an orientation follow-up for a person (first reception included)."""
        return self.may_decide_orientation or self.role == Role.ACCUEIL

    @property
    def may_use_worklists(self) -> bool:
        """The orientation worklists of the agent's territory."""
        return self.may_open_followups

    @property
    def may_sign_contracts(self) -> bool:
        """Record a CER / PPAE / contrat d'engagement."""
        return self.may_decide_orientation or self.role in {Role.REFERENT, Role.COACH_EMPLOI}

    @property
    def may_hold_caseload(self) -> bool:
        """Follow persons as référent or coach (the caseload page)."""
        return self.role in {Role.REFERENT, Role.COACH_EMPLOI}

    @property
    def may_accompany(self) -> bool:
        """Start and end accompaniments (coaching, accompagnement global…), join them as référent,
        log their contacts, record a person's job, training or exit (app `accompaniment`):
        coaches, référents and their managers (administrators too)."""
        return self.is_administrator or self.role in {Role.COACH_EMPLOI, Role.REFERENT, Role.MANAGER}

    @property
    def may_request_reorientation(self) -> bool:
        """Ask for the reorientation of a person one follows."""
        return self.is_administrator or self.may_hold_caseload

    @property
    def may_use_agendas(self) -> bool:
        """The sites' agendas and who booked their slots."""
        return self.may_open_followups

    @property
    def may_use_job_platform(self) -> bool:
        """Offers, candidate ranking, proposals and applications."""
        return self.is_administrator or self.role in {
            Role.RELATIONS_ENTREPRISES,
            Role.COACH_EMPLOI,
            Role.REFERENT,
            Role.CHARGE_ORIENTATION,
            Role.MANAGER,
        }

    @property
    def may_manage_employers(self) -> bool:
        """Create and edit employers, sector groups and offers; read the job statistics."""
        return self.is_administrator or self.role in {Role.RELATIONS_ENTREPRISES, Role.MANAGER}

    @property
    def may_view_indicators(self) -> bool:
        return self.is_administrator or self.role == Role.MANAGER

    @property
    def may_handle_data_requests(self) -> bool:
        """Answer a person's data requests (access export PDF/JSON, rectifications, restriction of
        processing) for the persons the agent may see, and read the register of processing
        activities: the professionals who receive the persons (not the relations with employers)."""
        return self.is_administrator or self.role in {
            Role.ACCUEIL,
            Role.CHARGE_ORIENTATION,
            Role.REFERENT,
            Role.COACH_EMPLOI,
            Role.INSTRUCTEUR_AIDES,
            Role.MANAGER,
        }

    @property
    def may_view_audit_log(self) -> bool:
        return self.is_administrator

    @property
    def may_administer(self) -> bool:
        """Manage agents (create, deactivate, reset their second factor), organisations and
        territorial units from the administration screens."""
        return self.is_administrator

    @property
    def may_see_territory(self) -> bool:
        return self.is_professional

    @property
    def may_search_persons(self) -> bool:
        return self.is_professional

    @property
    def may_use_api(self) -> bool:
        """Hold API tokens and call the agents' API (never an employer's account)."""
        return self.is_professional

    @property
    def may_use_rome_reference(self) -> bool:
        """The ROME job reference (public data): agents and employers writing offers."""
        return self.is_active

    @property
    def may_use_employer_portal(self) -> bool:
        return self.is_employer

    @property
    def may_use_directory(self) -> bool:
        """Search the directory of local services (annuaire): every professional."""
        return self.is_professional

    @property
    def may_import_directory(self) -> bool:
        """Import data·inclusion / DORA files into the directory: administrators and managers."""
        return self.is_professional and (self.is_administrator or self.is_manager)

    @property
    def may_edit_directory(self) -> bool:
        """Edit directory services and import directory files: administrators, managers, and the
        agents of an organisation owning structures of the directory (their own services only,
        see `directory.Service.objects.editable_by`)."""
        if not self.is_professional:
            return False
        if self.is_administrator or self.is_manager:
            return True
        return self._facts()["owns_structures"]

    @property
    def may_analyse_coverage(self) -> bool:
        """Read the coverage analysis of the directory (gaps by commune, what-if, exports):
        managers and administrators."""
        return self.is_administrator or self.is_manager

    @property
    def may_orient_to_services(self) -> bool:
        """Orient a person to a service of the directory (with their consent) and record their
        mobility diagnosis: accueil, chargés d'orientation, référents, coaches, managers and
        administrators."""
        return self.is_administrator or self.role in {
            Role.ACCUEIL,
            Role.CHARGE_ORIENTATION,
            Role.REFERENT,
            Role.COACH_EMPLOI,
            Role.MANAGER,
        }

    @property
    def may_receive_orientations(self) -> bool:
        """Read and answer (validate, refuse) the orientations sent to the services of one's
        organisation: the agents of an organisation owning structures of the directory."""
        return self.is_professional and self._facts()["owns_structures"]

    def _facts(self) -> dict:
        """What the predicates of the front door and the directory need to know of the agent beyond
        their role, read in ONE query per agent object (cached on it, so once per request): their
        organisation's kind, whether they belong to a routing tray / manage one, whether their
        organisation owns structures of the directory, and whether it signed the charter of the
        premier accueil (signature in force today)."""
        if "_facts_cache" not in self.__dict__:
            from django.apps import apps
            from django.utils import timezone

            today = timezone.localdate()
            members = apps.get_model("reception", "TrayMember").objects.filter(agent=models.OuterRef("pk"))
            structures = apps.get_model("directory", "Structure").objects.filter(
                organisation_id=models.OuterRef("organisation_id")
            )
            signatures = (
                apps.get_model("reception", "CharterSignature")
                .objects.in_force(today)
                .filter(organisation_id=models.OuterRef("organisation_id"))
            )
            row = (
                type(self)
                .objects.filter(pk=self.pk)
                .annotate(
                    member=models.Exists(members),
                    manager=models.Exists(members.filter(is_manager=True)),
                    owns_structures=models.Exists(structures),
                    signatory=models.Exists(signatures),
                )
                .values("organisation__kind", "member", "manager", "owns_structures", "signatory")
                .first()
            ) or {}
            self.__dict__["_facts_cache"] = {
                "organisation_kind": row.get("organisation__kind") or "",
                "member": bool(row.get("member")),
                "manager": bool(row.get("manager")),
                "owns_structures": bool(row.get("owns_structures")) and self.organisation_id is not None,
                "signatory": bool(row.get("signatory")) and self.organisation_id is not None,
            }
        return self.__dict__["_facts_cache"]

    @property
    def may_take_contacts(self) -> bool:
        """Take contacts at the front door (the contact-centre screen, callbacks, screen pops):
        accueil, chargés d'orientation, référents, managers, administrators; an agent of a
        partner organisation (CCAS, association) only when member of a tray."""
        if not self.is_professional:
            return False
        if self.is_administrator:
            return True
        facts = self._facts()
        if facts["organisation_kind"] in PARTNER_ORGANISATION_KINDS:
            return facts["member"]
        return self.role in FRONT_DOOR_ROLES

    @property
    def may_view_front_door_board(self) -> bool:
        """The front door's live board (contacts today, backlog per tray, breaches): managers,
        administrators and the managers of a tray."""
        if not self.is_professional:
            return False
        if self.is_administrator or self.is_manager:
            return True
        return self._facts()["manager"]

    @property
    def may_check_rights(self) -> bool:
        """Run the access-to-rights simulation at reception and follow the rights identified
        (`reception.rights`): whoever may take contacts, plus the référents and coaches (of a
        partner organisation, only as members of a tray, like `may_take_contacts`)."""
        if self.may_take_contacts:
            return True
        if not self.is_professional or self.role not in {Role.REFERENT, Role.COACH_EMPLOI}:
            return False
        return self._facts()["organisation_kind"] not in PARTNER_ORGANISATION_KINDS

    @property
    def may_use_trays(self) -> bool:
        """The front door's routing trays (« Mes bannettes », their items): professionals who are
        members of a tray, and administrators."""
        if not self.is_professional:
            return False
        if self.is_administrator:
            return True
        return self._facts()["member"]

    @property
    def may_administer_trays(self) -> bool:
        """Create and close trays, set their members, service levels and routing rules."""
        return self.is_administrator

    @property
    def may_designate_parcours_referent(self) -> bool:
        """Designate and end a person's référent de parcours (`reception.referents`): the
        professionals of an organisation whose signature of the charter of the premier accueil is
        in force, and administrators."""
        if not self.is_professional:
            return False
        if self.is_administrator:
            return True
        return self._facts()["signatory"]

    # -- aid funds (app `aids`) ------------------------------------------------------------

    @property
    def is_departement_agent(self) -> bool:
        """An agent of the département itself (or with no organisation): not a partner's."""
        return self.is_professional and self._facts()["organisation_kind"] in {
            "",
            OrganisationKind.DEPARTEMENT,
        }

    @property
    def may_instruct_aids(self) -> bool:
        """Instruct aid applications (the queue, documents, commission sessions): the
        département's instructors of aids and managers, and administrators."""
        if not self.is_professional:
            return False
        if self.is_administrator:
            return True
        return self.role in {Role.INSTRUCTEUR_AIDES, Role.MANAGER} and self.is_departement_agent

    @property
    def may_file_aid_requests(self) -> bool:
        """File an aid application for a person the agent sees: reception, chargés d'orientation,
        référents and coaches (a partner's too, e.g. a mission locale), instructors, managers."""
        if not self.is_professional:
            return False
        return self.is_administrator or self.role in AID_FILER_ROLES

    @property
    def may_pay_aids(self) -> bool:
        """Payments: schedules, batches, SEPA and CSV exports, the full IBAN, recoveries."""
        return self.may_instruct_aids

    @property
    def may_view_aid_budget(self) -> bool:
        """The envelopes, their consumption and forecast, and the aids' figures."""
        return self.may_instruct_aids

    @property
    def may_view_aid_catalogue(self) -> bool:
        """Read the catalogue of aid schemes (versions, rules, documents)."""
        return self.may_file_aid_requests or self.may_instruct_aids

    @property
    def may_edit_aid_catalogue(self) -> bool:
        """Create and version the schemes, set the envelopes."""
        return self.is_administrator

    def may_decide_aid(self, decider: str) -> bool:
        """Whether the agent holds the authority a scheme's version gives (`SchemeVersion.decider`):
        « instructeur » — instructors, managers, administrators; « chef_service » — managers and
        administrators; « commission » — nobody alone: decisions are recorded for a commission
        session (`aids.commissions`), by an agent who may instruct."""
        if not self.may_instruct_aids:
            return False
        if decider == "instructeur":
            return True
        if decider == "chef_service":
            return self.is_administrator or self.is_manager
        return False

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


class ApiTokenScope(models.TextChoices):
    READ = "lecture", "Lecture seule"
    READ_WRITE = "lecture-ecriture", "Lecture et écriture"


# HTTP methods a read-only token may use.
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
TOKEN_LIFETIME = datetime.timedelta(days=90)


def default_token_expiry() -> datetime.datetime:
    """90 days from now: a new token's expiry unless one is chosen (also given to the tokens
    that existed before tokens expired)."""
    return timezone.now() + TOKEN_LIFETIME


class ApiTokenQuerySet(models.QuerySet):
    def active(self, at: datetime.datetime | None = None) -> "ApiTokenQuerySet":
        """Neither revoked nor expired (at `at`, default now)."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=at or timezone.now())

    def find(self, raw: str) -> "ApiToken | None":
        """The active token of `raw`, if its agent may use the API (active, not an employer)."""
        token = self.active().select_related("agent").filter(key_hash=_hash_token(raw)).first()
        if token is None or not token.agent.may_use_api:
            return None
        return token


class ApiToken(models.Model):
    """An API token of an agent. Only its hash is stored; the raw token is shown once.

    It expires (90 days by default, a year at most) and is read-only (GET) or read-write."""

    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("nom", max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    scope = models.CharField(
        "portée", max_length=20, choices=ApiTokenScope.choices, default=ApiTokenScope.READ
    )
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    expires_at = models.DateTimeField("expire le", default=default_token_expiry)
    revoked_at = models.DateTimeField("révoqué le", null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = "jeton d'API"
        verbose_name_plural = "jetons d'API"

    def __str__(self) -> str:
        return f"{self.name} ({self.agent})"

    @classmethod
    def issue(
        cls,
        agent: Agent,
        name: str,
        *,
        scope: str = ApiTokenScope.READ,
        expires_at: datetime.datetime | None = None,
    ) -> tuple["ApiToken", str]:
        """Create a token; returns it with its raw value (never stored).

        Raises ValueError for an expiry past one year (counted in days) or already gone."""
        now = timezone.now()
        expires_at = expires_at or now + TOKEN_LIFETIME
        if timezone.localdate(expires_at) > one_year_after(timezone.localdate(now)):
            raise ValueError("Un jeton expire dans un an au plus.")
        if expires_at <= now:
            raise ValueError("La date d'expiration d'un jeton est dans le futur.")
        raw = secrets.token_urlsafe(32)
        token = cls.objects.create(
            agent=agent, name=name, key_hash=_hash_token(raw), scope=scope, expires_at=expires_at
        )
        return token, raw

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    def allows_method(self, method: str) -> bool:
        """Whether a request of this HTTP method may use the token."""
        return self.scope == ApiTokenScope.READ_WRITE or method.upper() in READ_METHODS


# Roles that take contacts at the front door (`Agent.may_take_contacts`).
AID_FILER_ROLES = frozenset(
    {
        Role.ACCUEIL,
        Role.CHARGE_ORIENTATION,
        Role.REFERENT,
        Role.COACH_EMPLOI,
        Role.INSTRUCTEUR_AIDES,
        Role.MANAGER,
        Role.ADMINISTRATEUR,
    }
)
FRONT_DOOR_ROLES = frozenset({Role.ACCUEIL, Role.CHARGE_ORIENTATION, Role.REFERENT, Role.MANAGER})
# Partner organisations: their agents take contacts only as members of a tray.
PARTNER_ORGANISATION_KINDS = frozenset({OrganisationKind.CCAS, OrganisationKind.ASSOCIATION})
