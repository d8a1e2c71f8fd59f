"""Forms of the envelopes' screens: open an envelope (scheme, year, optional unit, amount in
euros), change its voted amount (never below what is already committed and paid)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import F

from parcours.aids.models import Envelope, Scheme
from parcours.aids.models.envelopes import cents
from parcours.aids.money import euros
from parcours.core.forms import DsfrForm
from parcours.territory.models import Departement, TerritorialUnit

AMOUNT_HELP = "En euros, centimes après la virgule (ex. : 150000 ou 1250,50)."


def _amount_field(label: str) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        min_value=Decimal("0"),
        max_digits=12,
        decimal_places=2,
        help_text=AMOUNT_HELP,
        localize=True,
    )


class YearForm(DsfrForm):
    annee = forms.IntegerField(label="Année", min_value=2000, max_value=2100)


class EnvelopeForm(DsfrForm):
    scheme = forms.ModelChoiceField(label="Dispositif", queryset=Scheme.objects.order_by("name"))
    year = forms.IntegerField(label="Année", min_value=2000, max_value=2100)
    unit = forms.ModelChoiceField(
        label="Unité territoriale",
        queryset=TerritorialUnit.objects.none(),
        required=False,
        empty_label="Tout le département",
        help_text="Laissez « Tout le département » pour une enveloppe unique du dispositif.",
    )
    amount = _amount_field("Montant voté (€)")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = TerritorialUnit.objects.filter(
            departement=Departement.objects.current()
        ).order_by("code")

    def clean(self):
        data = super().clean()
        scheme, year, unit = data.get("scheme"), data.get("year"), data.get("unit")
        if scheme and year and Envelope.objects.filter(scheme=scheme, year=year, unit=unit).exists():
            where = f"l'unité {unit}" if unit else "tout le département"
            raise ValidationError(
                f"Une enveloppe « {scheme} » {year} existe déjà pour {where} : modifiez son montant plutôt."
            )
        return data

    def save(self) -> Envelope:
        data = self.cleaned_data
        return Envelope.objects.create(
            scheme=data["scheme"], year=data["year"], unit=data["unit"], amount_cents=cents(data["amount"])
        )


class AmountForm(DsfrForm):
    amount = _amount_field("Nouveau montant voté (€)")
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, envelope: Envelope, **kwargs):
        self.envelope = envelope
        super().__init__(*args, **kwargs)

    def _floor_error(self, envelope: Envelope) -> ValidationError:
        used = envelope.committed + envelope.consumed
        return ValidationError(
            f"Le montant ne peut pas être inférieur à ce qui est déjà engagé et payé sur l'enveloppe "
            f"({euros(used)}) : libérez d'abord des engagements ou choisissez au moins ce montant."
        )

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if cents(amount) < self.envelope.committed_cents + self.envelope.consumed_cents:
            raise self._floor_error(self.envelope)
        return amount

    def save(self) -> tuple[int, int]:
        """Set the amount with one conditional UPDATE (a grant committed meanwhile is never left
        uncovered); returns (old cents, new cents), or raises ValidationError."""
        value = cents(self.cleaned_data["amount"])
        old = self.envelope.amount_cents
        updated = Envelope.objects.filter(
            pk=self.envelope.pk, committed_cents__lte=value - F("consumed_cents")
        ).update(amount_cents=value)
        self.envelope.refresh_from_db()
        if not updated:
            raise self._floor_error(self.envelope)
        return old, value
