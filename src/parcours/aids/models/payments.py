"""Payments of accorded aids, payment batches (SEPA credit transfer and CSV exports) and the
recovery of undue payments.

An accorded aid gets its `Payment`s (`aids.payments`): one for a one-off aid, one per month for a
recurring one (the student grant: 200 € a month). A monthly payment whose periodic certificate is
missing or out of date is *suspended* instead of paid. Payments due are gathered in a
`PaymentBatch`, exported (pain.001 XML and CSV), then marked paid: each payment consumes the
envelope.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class PaymentState(models.TextChoices):
    SCHEDULED = "prevu", "Prévu"
    SUSPENDED = "suspendu", "Suspendu (justificatif manquant)"
    IN_BATCH = "en_lot", "Dans un lot de paiement"
    PAID = "paye", "Payé"
    CANCELLED = "annule", "Annulé"


class Payment(models.Model):
    application = models.ForeignKey("aids.AidApplication", on_delete=models.PROTECT, related_name="payments")
    sequence = models.PositiveSmallIntegerField("échéance n°", default=1)
    amount = models.DecimalField("montant (€)", max_digits=10, decimal_places=2)
    due_on = models.DateField("à payer le")
    state = models.CharField(
        "état", max_length=10, choices=PaymentState.choices, default=PaymentState.SCHEDULED
    )
    suspension_reason = models.CharField("motif de suspension", max_length=200, blank=True)
    batch = models.ForeignKey(
        "aids.PaymentBatch", null=True, blank=True, on_delete=models.SET_NULL, related_name="payments"
    )
    paid_at = models.DateTimeField("payé le", null=True, blank=True)

    class Meta:
        verbose_name = "paiement"
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["state", "due_on"])]
        constraints = [
            models.UniqueConstraint(fields=["application", "sequence"], name="aids_payment_sequence_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="aids_payment_positive"),
        ]

    def __str__(self) -> str:
        return f"Paiement {self.sequence} de {self.amount} €"


class BatchState(models.TextChoices):
    DRAFT = "brouillon", "En préparation"
    EXPORTED = "exporte", "Exporté (virement à émettre)"
    PAID = "paye", "Payé"


class PaymentBatch(models.Model):
    reference = models.CharField("référence", max_length=35, unique=True)
    execution_date = models.DateField("date d'exécution demandée")
    state = models.CharField("état", max_length=10, choices=BatchState.choices, default=BatchState.DRAFT)
    total = models.DecimalField("total (€)", max_digits=12, decimal_places=2, default=0)
    count = models.PositiveIntegerField("nombre de virements", default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("créé le")
    exported_at = models.DateTimeField("exporté le", null=True, blank=True)
    paid_at = models.DateTimeField("payé le", null=True, blank=True)

    class Meta:
        verbose_name = "lot de paiement"
        verbose_name_plural = "lots de paiement"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.reference


class RecoveryState(models.TextChoices):
    OPEN = "a_recouvrer", "À recouvrer"
    RECOVERED = "recouvre", "Recouvré"
    WAIVED = "remise", "Remise gracieuse"


class Recovery(models.Model):
    """The recovery of an undue payment (a title of revenue issued to the person)."""

    application = models.ForeignKey(
        "aids.AidApplication", on_delete=models.PROTECT, related_name="recoveries"
    )
    amount = models.DecimalField("montant indu (€)", max_digits=10, decimal_places=2)
    reason = models.CharField("motif", max_length=200)
    state = models.CharField("état", max_length=12, choices=RecoveryState.choices, default=RecoveryState.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("constaté le")
    settled_at = models.DateTimeField("soldé le", null=True, blank=True)

    class Meta:
        verbose_name = "recouvrement d'indu"
        verbose_name_plural = "recouvrements d'indus"
        ordering = ["-created_at"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="aids_recovery_positive")]

    def __str__(self) -> str:
        return f"Indu de {self.amount} €"
