"""Forms of the core pages: the audit log's filters."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from dsfr.forms import DsfrBaseForm, DsfrDjangoTemplates

from parcours.core.models import AuditAction, AuditChannel


class DsfrForm(DsfrBaseForm):
    """The base of Parcours's forms: DSFR markup, rendered by django-dsfr's template engine
    (which finds both django-dsfr's field snippets and Django's own widget templates)."""

    default_renderer = DsfrDjangoTemplates


class AuditFilterForm(DsfrForm):
    agent = forms.ModelChoiceField(
        label="Agent", queryset=get_user_model().objects.none(), required=False, empty_label="Tous"
    )
    person = forms.IntegerField(label="Identifiant de la personne", required=False, min_value=1)
    action = forms.ChoiceField(label="Action", required=False, choices=[("", "Toutes"), *AuditAction.choices])
    channel = forms.ChoiceField(label="Canal", required=False, choices=[("", "Tous"), *AuditChannel.choices])
    start = forms.DateField(
        label="Du", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    end = forms.DateField(
        label="Au (inclus)", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = get_user_model().objects.order_by(
            "last_name", "first_name", "username"
        )

    def clean(self) -> dict:
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            self.add_error("end", "La date de fin précède la date de début.")
        return cleaned

    def filter(self, events):
        """`events` narrowed to the valid filters (all of them when the form is unbound)."""
        if not self.is_bound or not self.is_valid():
            return events
        data = self.cleaned_data
        if data["agent"]:
            events = events.filter(agent=data["agent"])
        if data["person"]:
            events = events.filter(person_id=data["person"])
        if data["action"]:
            events = events.filter(action=data["action"])
        if data["channel"]:
            events = events.filter(channel=data["channel"])
        if data["start"]:
            events = events.filter(at__gte=_start_of(data["start"]))
        if data["end"]:
            events = events.filter(at__lt=_start_of(data["end"] + datetime.timedelta(days=1)))
        return events

    def active_filters(self) -> dict:
        """The filters in effect, for the audit trace of an export (no personal data)."""
        if not self.is_bound or not self.is_valid():
            return {}
        return {
            name: (value.pk if hasattr(value, "pk") else str(value))
            for name, value in self.cleaned_data.items()
            if value not in (None, "")
        }


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
