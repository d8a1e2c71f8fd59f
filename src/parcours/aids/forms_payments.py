"""Forms of the aids' payments: the account to credit, scheduling, batches, confirmations and
recoveries of undue payments."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from parcours.aids.iban import validate_bic, validate_iban
from parcours.aids.models import PayeeKind, RecoveryState
from parcours.core.forms import DsfrForm

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PayeeForm(DsfrForm):
    """The account to credit. The IBAN is typed again to be changed (never prefilled)."""

    payee_kind = forms.ChoiceField(
        label="Le paiement est versé à", choices=PayeeKind.choices, widget=forms.RadioSelect
    )
    payee_name = forms.CharField(
        label="Titulaire du compte",
        max_length=140,
        help_text="Tel qu'il figure sur le RIB (la personne, ou le tiers : auto-école, bailleur…).",
    )
    iban = forms.CharField(
        label="IBAN",
        max_length=42,
        help_text="27 caractères pour un compte français (FR76…), espaces acceptés.",
    )
    bic = forms.CharField(
        label="BIC",
        max_length=14,
        required=False,
        help_text="Facultatif : déduit de l'IBAN quand la banque est connue.",
    )

    def clean_iban(self) -> str:
        return validate_iban(self.cleaned_data["iban"])

    def clean(self):
        data = super().clean()
        if data.get("iban"):
            try:
                data["bic"] = validate_bic(data.get("bic", ""), data["iban"])
            except ValidationError as error:
                self.add_error("bic", error)
        return data


class StartPaymentForm(DsfrForm):
    first_due = forms.DateField(
        label="Date de paiement (aide ponctuelle)",
        required=False,
        widget=DATE_WIDGET,
        help_text="Vide : aujourd'hui. Une aide mensuelle est payée le 5 de chaque mois à partir du mois suivant.",
    )


class DueFilterForm(DsfrForm):
    until = forms.DateField(label="Paiements dus jusqu'au", required=False, widget=DATE_WIDGET)


class BatchForm(DsfrForm):
    """A batch of the payments ticked (`payment` values, read by the view)."""

    execution_date = forms.DateField(label="Date d'exécution demandée à la banque", widget=DATE_WIDGET)

    def clean_execution_date(self) -> datetime.date:
        day = self.cleaned_data["execution_date"]
        if day < timezone.localdate():
            raise ValidationError("La date d'exécution ne peut pas être passée.")
        return day


class ConfirmForm(DsfrForm):
    confirm = forms.BooleanField(label="Je confirme", required=True)


class RecoveryForm(DsfrForm):
    amount = forms.DecimalField(
        label="Montant indu (€)", min_value=Decimal("0.01"), max_digits=10, decimal_places=2
    )
    reason = forms.CharField(
        label="Motif",
        max_length=200,
        help_text="Ex. : formation abandonnée avant le premier mois, double paiement.",
    )


class SettleForm(DsfrForm):
    outcome = forms.ChoiceField(
        label="Issue",
        choices=[(RecoveryState.RECOVERED, "Indu recouvré"), (RecoveryState.WAIVED, "Remise gracieuse")],
        widget=forms.RadioSelect,
    )
