"""Routing trays (bannettes) and their items.

A **tray** belongs to a service and, for the département's services, to a territorial unit
(service social de l'UTPAS de Lille, PMI de Douai…); a partner that signed the charter (a CCAS,
an association, the CAF's counter) has its own tray (`organisation`). The CRIP tray
(`service=ase_crip`, one per département) receives every *information préoccupante*.
Agents belong to trays (`TrayMember`); a member flagged `is_manager` is told of the tray's
overdue items.

Each need of a contact becomes an **item** (`TrayItem`). Its states and transitions are in
`ITEM_TRANSITIONS` and applied only by `parcours.reception.workflows` (every transition is an
`ItemTransition` row: who, when, from which state and tray to which). Invariants, enforced by the
schema and by the workflows:
- an item always has exactly one tray (`tray` is NOT NULL; a transfer changes it and writes a row);
- a closed item has an outcome, an open one has none (check constraint);
- an information préoccupante cannot be closed before the CRIP acknowledged it (check constraint);
- two agents taking the same item at once: one conditional UPDATE wins, the other is told.

The service level (first action within N working hours) gives `due_at`, set when the item enters
a tray; the clock stops at the first action and pauses while the item waits (`waiting_since`,
`waiting_seconds`), which `time to closure` deducts.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class TrayService(models.TextChoices):
    FRONT_DESK = "accueil", "Accueil et orientation (à orienter)"
    SOCIAL = "service_social", "Service social (UTPAS)"
    PMI = "pmi", "Protection maternelle et infantile (PMI)"
    CRIP = "ase_crip", "ASE / CRIP (informations préoccupantes)"
    INSERTION = "insertion", "Insertion et emploi (MDIE)"
    AUTONOMY = "autonomie", "Autonomie (personnes âgées, handicap)"
    HOUSING = "logement", "Logement / FSL"
    FINANCIAL_AID = "aides_financieres", "Aides financières"
    PARTNER = "partenaire", "Partenaire signataire de la charte"


class Urgency(models.TextChoices):
    IMMEDIATE = "immediate", "Immédiate (danger)"
    WITHIN_48H = "48h", "Sous 48 heures"
    ORDINARY = "ordinaire", "Ordinaire"


# Default service levels (first action within N working hours) when a tray sets none.
DEFAULT_SERVICE_LEVEL_HOURS = {Urgency.IMMEDIATE: 2, Urgency.WITHIN_48H: 14, Urgency.ORDINARY: 35}


class ItemState(models.TextChoices):
    NEW = "nouvelle", "Nouvelle"
    ASSIGNED = "attribuee", "Attribuée"
    IN_PROGRESS = "en_cours", "En cours"
    WAITING = "en_attente", "En attente"
    TRANSFERRED = "transmise", "Transmise"
    CLOSED = "cloturee", "Clôturée"


OPEN_STATES = frozenset(state for state in ItemState if state != ItemState.CLOSED)


class Outcome(models.TextChoices):
    ANSWERED = "reponse_apportee", "Réponse apportée"
    ORIENTED = "orientee_partenaire", "Orientée vers un partenaire"
    NO_FOLLOW_UP = "sans_suite", "Sans suite"
    UNREACHABLE = "injoignable", "Personne injoignable"


class WaitReason(models.TextChoices):
    PERSON = "personne", "En attente de la personne"
    DOCUMENT = "document", "En attente d'un document"
    PARTNER = "partenaire", "En attente d'un partenaire"


# name: (states it applies from, state it leads to). Applied by `reception.workflows` only.
ITEM_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "take": (frozenset({ItemState.NEW, ItemState.TRANSFERRED}), ItemState.ASSIGNED),
    "assign": (
        frozenset({ItemState.NEW, ItemState.TRANSFERRED, ItemState.ASSIGNED, ItemState.IN_PROGRESS}),
        ItemState.ASSIGNED,
    ),
    "start": (frozenset({ItemState.ASSIGNED}), ItemState.IN_PROGRESS),
    "wait": (frozenset({ItemState.ASSIGNED, ItemState.IN_PROGRESS}), ItemState.WAITING),
    "resume": (frozenset({ItemState.WAITING}), ItemState.IN_PROGRESS),
    "transfer": (frozenset(OPEN_STATES), ItemState.TRANSFERRED),
    "close": (frozenset(OPEN_STATES), ItemState.CLOSED),
}
TRANSITION_LABELS = {
    "route": "Orientée vers la bannette",
    "take": "Prise en charge",
    "assign": "Attribuée",
    "start": "Traitement commencé",
    "wait": "Mise en attente",
    "resume": "Reprise",
    "transfer": "Transmise à une autre bannette",
    "close": "Clôturée",
    "acknowledge": "Information préoccupante reçue par la CRIP",
    "escalate": "Signalée au responsable (délai dépassé)",
    "identify": "Personne identifiée",
}


class TrayQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)

    def of_agent(self, agent):
        """The trays the agent belongs to (administrators: every tray)."""
        if agent.is_administrator:
            return self.all()
        return self.filter(members__agent=agent)

    def managed_by(self, agent):
        if agent.is_administrator:
            return self.all()
        return self.filter(members__agent=agent, members__is_manager=True)


class Tray(models.Model):
    departement = models.ForeignKey("territory.Departement", on_delete=models.PROTECT, related_name="trays")
    code = models.SlugField("code", max_length=60, unique=True)
    name = models.CharField("nom", max_length=200)
    service = models.CharField("service", max_length=30, choices=TrayService.choices)
    unit = models.ForeignKey(
        "territory.TerritorialUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="trays",
        verbose_name="unité territoriale",
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="trays",
        verbose_name="organisation partenaire",
    )
    active = models.BooleanField(
        "ouverte", default=True, help_text="Une bannette fermée ne reçoit plus rien."
    )

    objects = TrayQuerySet.as_manager()

    class Meta:
        verbose_name = "bannette"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_crip(self) -> bool:
        return self.service == TrayService.CRIP

    def service_level_hours(self, urgency: str) -> int:
        """First action within this many working hours, for an item of `urgency`."""
        for level in self.service_levels.all():
            if level.urgency == urgency:
                return level.first_action_hours
        return DEFAULT_SERVICE_LEVEL_HOURS[urgency]


class TrayMember(models.Model):
    tray = models.ForeignKey(Tray, on_delete=models.CASCADE, related_name="members")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tray_memberships"
    )
    is_manager = models.BooleanField("responsable de la bannette", default=False)

    class Meta:
        verbose_name = "membre d'une bannette"
        constraints = [models.UniqueConstraint(fields=["tray", "agent"], name="unique_tray_member")]

    def __str__(self) -> str:
        return f"{self.agent} ({self.tray})"


class ServiceLevel(models.Model):
    tray = models.ForeignKey(Tray, on_delete=models.CASCADE, related_name="service_levels")
    urgency = models.CharField("urgence", max_length=10, choices=Urgency.choices)
    first_action_hours = models.PositiveSmallIntegerField("première action sous (heures ouvrées)")

    class Meta:
        verbose_name = "niveau de service"
        constraints = [models.UniqueConstraint(fields=["tray", "urgency"], name="unique_service_level")]

    def __str__(self) -> str:
        return f"{self.tray} : {self.get_urgency_display()} sous {self.first_action_hours} h"


class RoutingRule(models.Model):
    """A routing rule: the first active rule (by `position`) whose conditions all match routes the
    need. Empty conditions match anything. The target is a fixed `tray`, or the tray of `service`
    in the person's territorial unit (their commune's unit; the provisional commune's for a person
    not yet identified; the site's unit otherwise)."""

    departement = models.ForeignKey(
        "territory.Departement", on_delete=models.PROTECT, related_name="routing_rules"
    )
    position = models.PositiveIntegerField("ordre", default=0)
    label = models.CharField("libellé", max_length=200)
    theme = models.ForeignKey(
        "reception.NeedTheme",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="thématique",
    )
    urgency = models.CharField("urgence", max_length=10, choices=Urgency.choices, blank=True)
    unit = models.ForeignKey(
        "territory.TerritorialUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="unité de la personne",
    )
    tray = models.ForeignKey(
        Tray, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="bannette cible"
    )
    service = models.CharField(
        "service cible (bannette de l'unité)", max_length=30, choices=TrayService.choices, blank=True
    )
    active = models.BooleanField("active", default=True)

    class Meta:
        verbose_name = "règle d'orientation"
        verbose_name_plural = "règles d'orientation"
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(tray__isnull=False) | ~Q(service=""), name="routing_rule_has_target"
            )
        ]

    def __str__(self) -> str:
        return self.label


class TrayItemQuerySet(models.QuerySet):
    def open(self):
        return self.exclude(state=ItemState.CLOSED)

    def closed(self):
        return self.filter(state=ItemState.CLOSED)

    def overdue(self, at=None):
        """Open items whose first action is late (the clock stops at the first action)."""
        return self.open().filter(first_action_at__isnull=True, due_at__lt=at or timezone.now())

    def in_trays_of(self, agent):
        return self.filter(tray__in=Tray.objects.of_agent(agent).values("pk"))


class TrayItem(models.Model):
    State = ItemState

    contact = models.ForeignKey("reception.Contact", on_delete=models.CASCADE, related_name="items")
    person = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.CASCADE, related_name="front_door_items"
    )
    need = models.ForeignKey(
        "reception.Need", on_delete=models.PROTECT, related_name="+", verbose_name="besoin"
    )
    urgency = models.CharField("urgence", max_length=10, choices=Urgency.choices, default=Urgency.ORDINARY)
    is_child_concern = models.BooleanField(
        "information préoccupante", default=False, help_text="Un enfant est peut-être en danger."
    )
    note = models.TextField("précisions", max_length=1000, blank=True)
    tray = models.ForeignKey(Tray, on_delete=models.PROTECT, related_name="items", verbose_name="bannette")
    routing_rule = models.ForeignKey(
        RoutingRule,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="règle appliquée",
    )
    routing_explanation = models.CharField("pourquoi cette bannette", max_length=300, blank=True)
    state = models.CharField("état", max_length=12, choices=ItemState.choices, default=ItemState.NEW)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="front_door_items",
    )
    created_at = models.DateTimeField("créée le", default=timezone.now)
    tray_entered_at = models.DateTimeField("arrivée dans la bannette le", default=timezone.now)
    due_at = models.DateTimeField("première action attendue avant le")
    first_action_at = models.DateTimeField("première action le", null=True, blank=True)
    waiting_since = models.DateTimeField("en attente depuis", null=True, blank=True)
    waiting_reason = models.CharField(
        "motif d'attente", max_length=12, choices=WaitReason.choices, blank=True
    )
    waiting_seconds = models.PositiveIntegerField("temps d'attente cumulé (secondes)", default=0)
    escalated_at = models.DateTimeField("signalée au responsable le", null=True, blank=True)
    crip_acknowledged_at = models.DateTimeField("reçue par la CRIP le", null=True, blank=True)
    crip_acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField("clôturée le", null=True, blank=True)
    outcome = models.CharField("issue", max_length=20, choices=Outcome.choices, blank=True)
    decision = models.TextField("ce qui a été décidé", max_length=1000, blank=True)
    transfers = models.PositiveSmallIntegerField("transmissions", default=0)

    objects = TrayItemQuerySet.as_manager()

    class Meta:
        verbose_name = "demande"
        ordering = ["due_at", "pk"]
        indexes = [
            # The tray's first page: its open items, the most urgent first.
            models.Index(fields=["tray", "state", "due_at"], name="reception_item_tray_queue"),
            models.Index(fields=["person", "state"], name="reception_item_person"),
            models.Index(fields=["state", "due_at"], name="reception_item_overdue"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(state=ItemState.CLOSED) & ~Q(outcome="") & Q(closed_at__isnull=False))
                | (~Q(state=ItemState.CLOSED) & Q(outcome="")),
                name="closed_item_has_outcome",
            ),
            models.CheckConstraint(
                condition=Q(is_child_concern=False)
                | ~Q(state=ItemState.CLOSED)
                | Q(crip_acknowledged_at__isnull=False),
                name="child_concern_closed_after_crip",
            ),
        ]

    def __str__(self) -> str:
        return f"Demande n° {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.state != ItemState.CLOSED

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.first_action_at is None and self.due_at < timezone.now()


class ItemTransition(models.Model):
    """One step of an item's history, appended by the workflows (never updated)."""

    item = models.ForeignKey(TrayItem, on_delete=models.CASCADE, related_name="transitions")
    name = models.CharField("transition", max_length=20)
    from_state = models.CharField("état avant", max_length=12, blank=True)
    to_state = models.CharField("état après", max_length=12)
    from_tray = models.ForeignKey(Tray, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    to_tray = models.ForeignKey(Tray, on_delete=models.PROTECT, related_name="+")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField("le", default=timezone.now)
    reason = models.CharField("motif", max_length=500, blank=True)

    class Meta:
        verbose_name = "étape d'une demande"
        ordering = ["at", "pk"]

    @property
    def label(self) -> str:
        return TRANSITION_LABELS.get(self.name, self.name)

    def __str__(self) -> str:
        return self.label
