"""Forms of the référent de parcours and of the charter's signatures. Each has a `confirmed`
field: the first valid POST shows a confirmation, the second (confirmed) one acts."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone

from parcours.core.forms import DsfrForm
from parcours.reception.models.referents import ConsentMode
from parcours.reception.referents import EndReason, eligible_referents

DATE_WIDGET = {"type": "date"}


def _date_field(label: str, **kwargs) -> forms.DateField:
    return forms.DateField(
        label=label, widget=forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d"), **kwargs
    )


class DesignateReferentForm(DsfrForm):
    """Choose the référent among the professionals of the signatory organisations (a select
    grouped by organisation, filtered as one types: `static/parcours/select_filter.js`), and
    record the person's consent."""

    referent_agent = forms.TypedChoiceField(
        label="Référent de parcours",
        coerce=int,
        help_text="Un professionnel d'une organisation signataire de la charte d'accueil.",
    )
    consent_on = _date_field(
        "Accord de la personne donné le",
        help_text="La personne a accepté que ce professionnel coordonne son parcours.",
    )
    consent_mode = forms.ChoiceField(
        label="Forme de l'accord", choices=ConsentMode.choices, widget=forms.RadioSelect
    )
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.agents = {agent.pk: agent for agent in eligible_referents()}
        groups: dict[str, list[tuple[int, str]]] = {}
        for agent in self.agents.values():
            label = f"{agent.last_name.upper()} {agent.first_name}".strip() or agent.username
            groups.setdefault(agent.organisation.name, []).append(
                (agent.pk, f"{label} — {agent.get_role_display()}")
            )
        self.fields["referent_agent"].choices = [("", "Choisir un professionnel"), *groups.items()]
        self.fields["referent_agent"].widget.attrs["data-filtered-select"] = ""
        if not self.is_bound:
            self.initial.setdefault("consent_on", timezone.localdate())

    def clean_referent_agent(self):
        agent = self.agents.get(self.cleaned_data["referent_agent"])
        if agent is None:
            raise forms.ValidationError("Choisissez un professionnel d'une organisation signataire.")
        return agent

    def clean_consent_on(self) -> datetime.date:
        value = self.cleaned_data["consent_on"]
        if value > timezone.localdate():
            raise forms.ValidationError("La date de l'accord ne peut pas être dans le futur.")
        return value


class EndReferentForm(DsfrForm):
    reason = forms.ChoiceField(
        label="Motif de fin",
        choices=[
            (value, label.capitalize()) for value, label in EndReason.choices if value != EndReason.REPLACED
        ],
        help_text="Pour changer de référent, désignez directement le nouveau : l'actuel prend fin « remplacé ».",
    )
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)


class SignCharterForm(DsfrForm):
    signed_on = _date_field("Charte signée le")
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("signed_on", timezone.localdate())


class EndCharterForm(DsfrForm):
    ended_on = _date_field(
        "Fin de la signature le",
        help_text="À partir de ce jour, l'organisation ne peut plus fournir de référent de parcours.",
    )
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, signature=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.signature = signature
        if not self.is_bound:
            self.initial.setdefault("ended_on", timezone.localdate())

    def clean_ended_on(self) -> datetime.date:
        value = self.cleaned_data["ended_on"]
        if self.signature is not None and value <= self.signature.signed_on:
            raise forms.ValidationError(
                f"La fin doit suivre la signature du {self.signature.signed_on:%d/%m/%Y}."
            )
        return value
