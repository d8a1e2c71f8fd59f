"""Forms of the commission sessions: the session, the agenda picker, the decisions of the agenda
(one `DecisionRowForm` per application, prefixed by its id, in one HTML form)."""

from __future__ import annotations

from django import forms
from django.db.models import Q

from parcours.aids import commissions
from parcours.aids.models import CommissionSession, RefusalReason, Scheme
from parcours.aids.money import euros
from parcours.core.forms import DsfrForm


class SessionForm(DsfrForm, forms.ModelForm):
    class Meta:
        model = CommissionSession
        fields = ["title", "held_on", "place", "scheme", "unit", "chair", "members"]
        widgets = {
            "held_on": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "members": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "members": "Un membre par ligne (nom et qualité).",
            "scheme": "Vide : la séance examine les demandes de tous les dispositifs décidés en commission.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scheme"].queryset = Scheme.objects.filter(is_active=True).order_by("name")
        self.fields["scheme"].empty_label = "Tous les dispositifs"
        self.fields["unit"].empty_label = "Tout le Département"
        self.fields["held_on"].input_formats = ["%Y-%m-%dT%H:%M"]


class AgendaFilterForm(DsfrForm):
    scheme = forms.ModelChoiceField(
        label="Dispositif", queryset=Scheme.objects.none(), required=False, empty_label="Tous"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scheme"].queryset = Scheme.objects.filter(is_active=True).order_by("name")


class EnlistForm(DsfrForm):
    """The application page's form: enlist one application into a chosen planned session."""

    session = forms.ModelChoiceField(
        label="Séance", queryset=CommissionSession.objects.none(), empty_label=None
    )

    def __init__(self, *args, application=None, **kwargs):
        super().__init__(*args, **kwargs)
        sessions = commissions.planned()
        if application is not None:  # sessions of all schemes, or of the application's
            sessions = sessions.filter(Q(scheme__isnull=True) | Q(scheme_id=application.scheme_id))
        self.fields["session"].queryset = sessions


class DecisionRowForm(DsfrForm):
    """The decision on one application of the agenda."""

    decision = forms.ChoiceField(label="Décision", choices=commissions.CHOICES, widget=forms.RadioSelect)
    amount = forms.DecimalField(label="Montant accordé (€)", required=False, min_value=0, decimal_places=2)
    reasons = forms.MultipleChoiceField(
        label="Motifs du refus",
        required=False,
        choices=RefusalReason.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(
        label="Motivation", required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Obligatoire pour un ajournement et pour le motif « autre ».",
    )  # fmt: skip

    def __init__(self, *args, application, **kwargs):
        kwargs.setdefault("prefix", f"row-{application.pk}")
        kwargs.setdefault("initial", {"amount": application.requested_amount or application.version.ceiling})
        super().__init__(*args, **kwargs)
        self.application = application
        ceiling = f"Plafond du dispositif : {euros(application.version.ceiling)}."
        # DsfrBaseForm's __init__ has already built the bound fields, which copy their help text.
        self.fields["amount"].help_text = self["amount"].help_text = ceiling

    def clean(self) -> dict:
        cleaned = super().clean()
        decision = cleaned.get("decision")
        if decision == commissions.GRANT and cleaned.get("amount") in (None, ""):
            self.add_error("amount", "Indiquez le montant accordé.")
        if decision == commissions.REFUSE and not cleaned.get("reasons"):
            self.add_error("reasons", "Un refus doit être motivé : choisissez au moins un motif.")
        if decision == commissions.ADJOURN and not (cleaned.get("note") or "").strip():
            self.add_error("note", "Précisez ce qui manque pour décider (motif de l'ajournement).")
        return cleaned

    def as_decision(self) -> commissions.Decision:
        data = self.cleaned_data
        return commissions.Decision(
            application=self.application,
            decision=data["decision"],
            amount=data.get("amount") if data["decision"] == commissions.GRANT else None,
            reasons=list(data.get("reasons") or []) if data["decision"] == commissions.REFUSE else [],
            note=data.get("note") or "",
        )
