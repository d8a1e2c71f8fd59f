"""Forms of the accompaniment screens: they check what belongs to one field (a date in the future,
an end before a start, a note too long) and leave the rules to `accompaniment.workflows`, whose
French `ValidationError` the views show as the form's error."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from parcours.accompaniment.models import (
    NOTE_MAX_LENGTH,
    ContactMode,
    EndReason,
    ExitReason,
    JobContractType,
    Programme,
)
from parcours.accounts.models import Role
from parcours.core.forms import DsfrForm
from parcours.jobs.models.offers import MAX_HOURS_PER_WEEK
from parcours.territory.models import Site

# The roles an accompaniment's référent may hold (those of `Agent.may_accompany`).
REFERENT_ROLES = (Role.COACH_EMPLOI, Role.REFERENT, Role.MANAGER)


def _date_field(label: str, *, required: bool = True, help_text: str = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "invalid": "Saisissez une date valide (jj/mm/aaaa).",
            "required": "Indiquez la date.",
        },
    )


def _not_future(day: datetime.date | None, what: str) -> datetime.date | None:
    if day and day > timezone.localdate():
        raise forms.ValidationError(f"{what} ne peut pas être dans le futur.")
    return day


def _fr(day: datetime.date) -> str:
    return day.strftime("%d/%m/%Y")


class StartForm(DsfrForm):
    programme = forms.ChoiceField(label="Programme", choices=Programme.choices, initial=Programme.COACHING)
    referents = forms.ModelMultipleChoiceField(
        label="Référent(s)",
        queryset=get_user_model().objects.none(),
        help_text="Maintenez Ctrl (ou Cmd) pour en choisir plusieurs ; un accompagnement global en demande deux.",
        error_messages={"required": "Désignez au moins un référent."},
    )
    on = _date_field("Date de début")
    site = forms.ModelChoiceField(
        label="Site", queryset=Site.objects.none(), required=False, empty_label="Aucun site en particulier"
    )
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, agent, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["referents"].queryset = (
            get_user_model()
            .objects.filter(is_active=True, role__in=REFERENT_ROLES)
            .select_related("organisation")
            .order_by("last_name", "first_name", "username")
        )
        self.fields["site"].queryset = Site.objects.order_by("name")
        if not self.is_bound:
            self.initial.setdefault("on", timezone.localdate())
            if agent.role in REFERENT_ROLES:
                self.initial.setdefault("referents", [agent.pk])

    def clean_on(self):
        return _not_future(self.cleaned_data.get("on"), "La date de début")


class ContactForm(DsfrForm):
    on = _date_field("Date du contact")
    mode = forms.ChoiceField(label="Nature", choices=ContactMode.choices)
    note = forms.CharField(
        label="Commentaire",
        required=False,
        max_length=NOTE_MAX_LENGTH,
        help_text=f"{NOTE_MAX_LENGTH} caractères au plus.",
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": NOTE_MAX_LENGTH}),
        error_messages={
            "max_length": f"Le commentaire fait %(show_value)d caractères : {NOTE_MAX_LENGTH} au plus, raccourcissez-le."
        },
    )

    def __init__(self, *args, accompaniment, **kwargs):
        super().__init__(*args, **kwargs)
        self.accompaniment = accompaniment
        if not self.is_bound:
            self.initial.setdefault("on", timezone.localdate())

    def clean_on(self):
        on = _not_future(self.cleaned_data.get("on"), "La date du contact")
        started = self.accompaniment.started_on
        if on and on < started:
            raise forms.ValidationError(f"Le contact précède le début de l'accompagnement ({_fr(started)}).")
        ended = self.accompaniment.ended_on
        if on and ended and on > ended:
            raise forms.ValidationError(f"L'accompagnement s'est terminé le {_fr(ended)}.")
        return on


class EndForm(DsfrForm):
    on = _date_field("Date de fin")
    reason = forms.ChoiceField(
        label="Motif de fin", choices=[("", "Choisissez un motif"), *EndReason.choices]
    )
    note = forms.CharField(
        label="Commentaire",
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": NOTE_MAX_LENGTH}),
    )
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, accompaniment, **kwargs):
        super().__init__(*args, **kwargs)
        self.accompaniment = accompaniment
        self.fields["reason"].error_messages["required"] = "Choisissez le motif de fin."
        if not self.is_bound:
            self.initial.setdefault("on", timezone.localdate())

    def clean_on(self):
        on = _not_future(self.cleaned_data.get("on"), "La date de fin")
        if on and on < self.accompaniment.started_on:
            raise forms.ValidationError(
                f"La fin précède le début de l'accompagnement ({_fr(self.accompaniment.started_on)})."
            )
        return on


class TrainingForm(DsfrForm):
    organism = forms.CharField(
        label="Organisme de formation",
        max_length=200,
        error_messages={"required": "Indiquez l'organisme de formation."},
    )
    title = forms.CharField(label="Intitulé de la formation", max_length=200, required=False)
    started_on = _date_field("Date de début")
    ended_on = _date_field("Date de fin (prévue)", required=False)
    qualifying = forms.TypedChoiceField(
        label="Formation qualifiante",
        choices=[("", "Choisissez"), ("oui", "Oui, qualifiante"), ("non", "Non qualifiante")],
        coerce=lambda value: value == "oui",
        error_messages={"required": "Indiquez si la formation est qualifiante."},
    )

    def clean(self):
        cleaned = super().clean()
        started, ended = cleaned.get("started_on"), cleaned.get("ended_on")
        if started and ended and ended < started:
            self.add_error("ended_on", f"La fin de la formation précède son début ({_fr(started)}).")
        return cleaned


class JobForm(DsfrForm):
    contract_type = forms.ChoiceField(
        label="Type de contrat", choices=[("", "Choisissez un contrat"), *JobContractType.choices]
    )
    hours_per_week = forms.DecimalField(
        label="Heures par semaine",
        required=False,
        min_value=1,
        max_value=MAX_HOURS_PER_WEEK,
        max_digits=4,
        decimal_places=1,
        error_messages={
            "min_value": "Indiquez au moins 1 heure par semaine.",
            "max_value": f"Au plus {MAX_HOURS_PER_WEEK} heures par semaine.",
            "invalid": "Saisissez un nombre d'heures (par exemple 24 ou 17.5).",
        },
    )
    sector = forms.CharField(label="Secteur ou code ROME", max_length=200, required=False)
    employer_name = forms.CharField(label="Employeur", max_length=200, required=False)
    started_on = _date_field("Date de début du contrat")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contract_type"].error_messages["required"] = "Choisissez le type de contrat."


class ExitForm(DsfrForm):
    on = _date_field("Date de sortie")
    reason = forms.ChoiceField(label="Motif", choices=[("", "Choisissez un motif"), *ExitReason.choices])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].error_messages["required"] = "Choisissez le motif de sortie."
        if not self.is_bound:
            self.initial.setdefault("on", timezone.localdate())

    def clean_on(self):
        return _not_future(self.cleaned_data.get("on"), "La date de sortie")
