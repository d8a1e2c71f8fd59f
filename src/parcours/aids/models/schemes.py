"""The catalogue of aid schemes, as data: a `Scheme` (stable identity) and its `SchemeVersion`s,
each valid over a period of dates.

A version holds everything an application is judged by: the eligibility rules
(`aids.eligibility`, a list of JSON rules each explained in French), the amount rule
(`AmountKind`), the required documents, the other aids to ask first (subsidiarity), who decides,
the service level and the waiting period. An application keeps the version it was filed under:
editing a scheme while applications are open creates a new version (`aids.catalogue`), never
changes the one those applications point to.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q


class SchemeFamily(models.TextChoices):
    INSERTION = "insertion", "Insertion et retour à l'emploi"
    YOUTH = "jeunesse", "Jeunesse (FDAJ)"
    EMERGENCY = "urgence", "Urgence et subsidiarité"
    CHILD_PROTECTION = "protection_enfance", "Sortants de l'aide sociale à l'enfance"
    CUMULATION = "cumul", "Cumul RSA et salaire"


class AmountKind(models.TextChoices):
    FIXED = "forfait", "Montant forfaitaire"
    CEILING = "plafond", "Montant demandé dans la limite d'un plafond"
    PER_ITEM = "par_unite", "Montant par unité (heure, leçon, nuitée…) dans la limite d'un nombre"
    MONTHLY = "mensuel", "Montant mensuel pendant un nombre de mois"


class Decider(models.TextChoices):
    INSTRUCTOR = "instructeur", "L'instructeur"
    HEAD_OF_SERVICE = "chef_service", "Le chef de service"
    COMMISSION = "commission", "La commission"


class ClockKind(models.TextChoices):
    WORKING = "ouvre", "En heures ouvrées"
    CALENDAR = "calendaire", "En heures calendaires"


class Scheme(models.Model):
    code = models.SlugField("code", max_length=40, unique=True)
    name = models.CharField("nom", max_length=150)
    family = models.CharField("famille", max_length=30, choices=SchemeFamily.choices)
    is_active = models.BooleanField("ouvert aux demandes", default=True)
    created_at = models.DateTimeField("créé le", auto_now_add=True)

    class Meta:
        verbose_name = "dispositif d'aide"
        verbose_name_plural = "dispositifs d'aide"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def version_on(self, day: datetime.date) -> SchemeVersion | None:
        """The version valid on `day`, if any."""
        return self.versions.valid_on(day).order_by("-valid_from").first()


class SchemeVersionQuerySet(models.QuerySet):
    def valid_on(self, day: datetime.date):
        return self.filter(valid_from__lte=day).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=day))


class SchemeVersion(models.Model):
    """One version of a scheme's rules, valid from `valid_from` to `valid_until` (included; open
    when empty). Versions of a scheme do not overlap (`clean`)."""

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveSmallIntegerField("version")
    valid_from = models.DateField("valable à partir du")
    valid_until = models.DateField("valable jusqu'au", null=True, blank=True)
    summary = models.TextField("présentation", blank=True)
    # Eligibility rules (`aids.eligibility.RULE_KINDS`): [{"kind": "age", "min": 16, "max": 25}, …]
    rules = models.JSONField("critères d'éligibilité", default=list, blank=True)
    amount_kind = models.CharField("règle de montant", max_length=20, choices=AmountKind.choices)
    # FIXED: the amount; CEILING: the ceiling; PER_ITEM: the amount per unit; MONTHLY: per month.
    amount = models.DecimalField(
        "montant (€)", max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    max_items = models.PositiveIntegerField("nombre maximal d'unités", null=True, blank=True)
    item_label = models.CharField("unité", max_length=40, blank=True, help_text="Ex. : leçon de conduite.")
    months = models.PositiveSmallIntegerField("nombre de mois", null=True, blank=True)
    # A recurring aid is suspended when this document (code) is missing or out of date
    # (e.g. the yearly school certificate of the student grant).
    certificate_code = models.CharField("justificatif périodique (code)", max_length=40, blank=True)
    certificate_months = models.PositiveSmallIntegerField(
        "validité du justificatif (mois)", null=True, blank=True
    )
    # [{"code": "devis", "label": "Devis de l'auto-école"}, …]
    documents = models.JSONField("pièces à fournir", default=list, blank=True)
    # [{"code": "fsl", "label": "Fonds de solidarité logement (FSL)"}, …]
    subsidiarity = models.JSONField("aides à solliciter d'abord", default=list, blank=True)
    decider = models.CharField("décision", max_length=20, choices=Decider.choices, default=Decider.INSTRUCTOR)
    service_level_hours = models.PositiveIntegerField("délai de décision (heures)", null=True, blank=True)
    emergency_service_level_hours = models.PositiveIntegerField(
        "délai de décision en urgence (heures)", null=True, blank=True
    )
    clock = models.CharField(
        "décompte du délai", max_length=12, choices=ClockKind.choices, default=ClockKind.WORKING
    )
    waiting_period_days = models.PositiveIntegerField(
        "délai de carence entre deux demandes (jours)", default=0
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("créée le", auto_now_add=True)

    objects = SchemeVersionQuerySet.as_manager()

    class Meta:
        verbose_name = "version d'un dispositif"
        verbose_name_plural = "versions des dispositifs"
        ordering = ["scheme", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "number"], name="aids_version_number_unique"),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="aids_version_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scheme} (v{self.number})"

    def clean(self) -> None:
        if self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": "La fin de validité précède son début."})
        if self.amount_kind == AmountKind.MONTHLY and not self.months:
            raise ValidationError({"months": "Une aide mensuelle a un nombre de mois."})
        if self.amount_kind == AmountKind.PER_ITEM and not self.max_items:
            raise ValidationError({"max_items": "Une aide par unité a un nombre maximal d'unités."})
        if self.scheme_id:
            others = SchemeVersion.objects.filter(scheme_id=self.scheme_id).exclude(pk=self.pk)
            end = self.valid_until or datetime.date.max
            overlapping = others.filter(valid_from__lte=end).filter(
                Q(valid_until__isnull=True) | Q(valid_until__gte=self.valid_from)
            )
            if overlapping.exists():
                raise ValidationError(
                    "Cette période chevauche une autre version du dispositif : une seule version est "
                    "valable à une date donnée."
                )

    @property
    def ceiling(self) -> Decimal:
        """The most one application may be granted under this version."""
        if self.amount_kind == AmountKind.PER_ITEM:
            return self.amount * (self.max_items or 0)
        if self.amount_kind == AmountKind.MONTHLY:
            return self.amount * (self.months or 0)
        return self.amount

    def document_label(self, code: str) -> str:
        return next((d.get("label", code) for d in self.documents if d.get("code") == code), code)

    @property
    def certificate_label(self) -> str:
        return self.document_label(self.certificate_code) if self.certificate_code else ""

    def service_level_for(self, emergency: bool) -> int | None:
        if emergency and self.emergency_service_level_hours:
            return self.emergency_service_level_hours
        return self.service_level_hours
