"""Forms of the aid applications: filing (built from the scheme's version), the queue's filters,
the instructor's actions, documents and ASE placements."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError

from parcours.aids import workflows
from parcours.aids.models import (
    AidApplication,
    AmountKind,
    ChildProtectionPlacement,
    RefusalReason,
    Scheme,
    SchemeVersion,
    SubsidiarityStatus,
)
from parcours.aids.models.applications import QUEUE_STATES
from parcours.aids.money import euros
from parcours.core.forms import DsfrForm

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def has_resources_rule(version: SchemeVersion) -> bool:
    return any(rule.get("kind") == "resources" for rule in version.rules or [])


class ApplicationForm(DsfrForm):
    """The filing form of one version: purpose, amount or units, emergency (when the version has
    an emergency procedure), declared resources (when a rule reads them) and one subsidiarity row
    per other aid to ask first. `deposit=True` requires every subsidiarity row answered."""

    purpose = forms.CharField(
        label="Objet de la demande",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="Le besoin, en quelques lignes (sans donnée de santé).",
    )

    def __init__(self, *args, version: SchemeVersion, deposit: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.version, self.deposit = version, deposit
        kind = version.amount_kind
        if kind == AmountKind.PER_ITEM:
            self.fields["items"] = forms.IntegerField(
                label=f"Nombre de {version.item_label or 'unités'}",
                min_value=1,
                max_value=version.max_items,
                help_text=f"Au plus {version.max_items}, financé(e)s {euros(version.amount)} chacun(e).",
            )
        if kind in (AmountKind.CEILING, AmountKind.PER_ITEM):
            self.fields["requested_amount"] = forms.DecimalField(
                label="Montant demandé (€)",
                min_value=Decimal("0.01"),
                max_digits=10,
                decimal_places=2,
                required=kind == AmountKind.CEILING,
                help_text=f"Plafond : {euros(version.ceiling)}."
                + (
                    " Laissé vide : le nombre d'unités × le montant unitaire."
                    if kind == AmountKind.PER_ITEM
                    else ""
                ),
            )
        if version.emergency_service_level_hours:
            self.fields["emergency"] = forms.BooleanField(
                label="Urgence",
                required=False,
                help_text=(
                    f"Un risque immédiat pour la personne : la demande est décidée sous "
                    f"{version.emergency_service_level_hours} h ({version.get_clock_display().lower()}) "
                    "et passe en tête de la file d'instruction."
                ),
            )
        if has_resources_rule(version):
            self.fields["declared_resources"] = forms.DecimalField(
                label="Ressources mensuelles du foyer (€)",
                min_value=Decimal("0"),
                max_digits=10,
                decimal_places=2,
            )
            self.fields["household_size"] = forms.IntegerField(
                label="Nombre de personnes au foyer", min_value=1, max_value=30
            )
        for entry in version.subsidiarity or []:
            code = entry.get("code", "")
            self.fields[f"sub_{code}_status"] = forms.ChoiceField(
                label=entry.get("label", code),
                choices=[("", "— Non renseigné —"), *SubsidiarityStatus.choices],
                required=False,
            )
            self.fields[f"sub_{code}_note"] = forms.CharField(
                label=f"Justification ({entry.get('label', code)})",
                required=False,
                max_length=500,
                help_text="Réponse reçue, date, ou pourquoi elle n'a pas été sollicitée.",
            )

    @classmethod
    def initial_from(cls, application: AidApplication) -> dict:
        initial = {
            "purpose": application.purpose,
            "requested_amount": application.requested_amount,
            "items": application.items,
            "emergency": application.emergency,
            "declared_resources": application.declared_resources,
            "household_size": application.household_size,
        }
        for code, answer in (application.subsidiarity or {}).items():
            initial[f"sub_{code}_status"] = answer.get("status", "")
            initial[f"sub_{code}_note"] = answer.get("note", "")
        return initial

    def subsidiarity_rows(self) -> list[tuple]:
        """(label, status field, note field) per subsidiarity entry, for the template."""
        return [
            (entry.get("label", entry.get("code")), self[f"sub_{entry.get('code')}_status"],
             self[f"sub_{entry.get('code')}_note"])
            for entry in self.version.subsidiarity or []
        ]  # fmt: skip

    def clean(self) -> dict:
        cleaned = super().clean()
        if self.deposit:
            for entry in self.version.subsidiarity or []:
                code = entry.get("code", "")
                if not cleaned.get(f"sub_{code}_status"):
                    self.add_error(
                        f"sub_{code}_status",
                        "Indiquez si cette aide a été sollicitée (« Non sollicitée » est possible) avant de déposer.",
                    )
        try:
            workflows.check_amount(self.version, cleaned.get("requested_amount"), cleaned.get("items"))
        except ValidationError as error:
            field = "requested_amount" if "requested_amount" in self.fields else None
            for message in error.messages:
                self.add_error(field, message)
        return cleaned

    @property
    def subsidiarity(self) -> dict:
        """The answers as stored: {code: {"status", "note"}} (unanswered rows left out)."""
        answers = {}
        for entry in self.version.subsidiarity or []:
            code = entry.get("code", "")
            status = self.cleaned_data.get(f"sub_{code}_status")
            if status:
                answers[code] = {"status": status, "note": self.cleaned_data.get(f"sub_{code}_note", "")}
        return answers

    @property
    def values(self) -> dict:
        """The application's fields, as `workflows.create_draft` takes them."""
        data = self.cleaned_data
        return {
            "purpose": data["purpose"],
            "requested_amount": data.get("requested_amount"),
            "items": data.get("items"),
            "emergency": bool(data.get("emergency")),
            "declared_resources": data.get("declared_resources"),
            "household_size": data.get("household_size"),
        }


class QueueFilterForm(DsfrForm):
    scheme = forms.ModelChoiceField(
        label="Dispositif", queryset=Scheme.objects.order_by("name"), required=False, empty_label="Tous"
    )
    state = forms.ChoiceField(
        label="État",
        required=False,
        choices=[("", "Tous"), *[(s.value, s.label) for s in QUEUE_STATES]],
    )
    unit = forms.ModelChoiceField(label="Unité", queryset=None, required=False, empty_label="Toutes")
    emergency = forms.ChoiceField(
        label="Urgence",
        required=False,
        choices=[("", "Toutes"), ("oui", "Urgences"), ("non", "Hors urgence")],
    )
    mine = forms.BooleanField(label="Mes dossiers", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from parcours.territory.models import TerritorialUnit

        self.fields["unit"].queryset = TerritorialUnit.objects.order_by("name")


class RequestDocumentsForm(DsfrForm):
    note = forms.CharField(
        label="Pièces demandées", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class NoteForm(DsfrForm):
    note = forms.CharField(
        label="Note", required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class GrantForm(DsfrForm):
    amount = forms.DecimalField(
        label="Montant accordé (€)", min_value=Decimal("0.01"), max_digits=10, decimal_places=2
    )
    note = forms.CharField(
        label="Motivation", required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class RefuseForm(DsfrForm):
    reasons = forms.MultipleChoiceField(
        label="Motifs du refus", choices=RefusalReason.choices, widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(
        label="Motivation", required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class ConfirmForm(DsfrForm):
    """Withdraw or cancel: a motive and an explicit confirmation."""

    note = forms.CharField(label="Motif", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    confirm = forms.BooleanField(label="Je confirme", error_messages={"required": "Cochez « Je confirme »."})


class DocumentForm(DsfrForm):
    code = forms.ChoiceField(label="Pièce")
    file = forms.FileField(label="Fichier (PDF, JPEG ou PNG)")
    valid_until = forms.DateField(label="Valable jusqu'au (facultatif)", required=False, widget=DATE_WIDGET)

    def __init__(self, *args, version: SchemeVersion, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].choices = [
            (d.get("code"), d.get("label", d.get("code"))) for d in version.documents
        ]


class DocumentCheckForm(DsfrForm):
    verdict = forms.ChoiceField(
        label="Contrôle", choices=[("conforme", "Conforme"), ("non_conforme", "Non conforme")]
    )
    reason = forms.CharField(label="Motif de non-conformité", required=False, max_length=200)


class PlacementForm(DsfrForm, forms.ModelForm):
    class Meta:
        model = ChildProtectionPlacement
        fields = ["placed_from", "placed_until", "attested_by"]
        widgets = {"placed_from": DATE_WIDGET, "placed_until": DATE_WIDGET}

    def clean(self) -> dict:
        cleaned = super().clean()
        start, end = cleaned.get("placed_from"), cleaned.get("placed_until")
        if start and end and end < start:
            self.add_error("placed_until", "La fin du placement précède son début.")
        return cleaned
