"""The filters of the front door's figures: the period, the scope (unit) and, optionally, a tray."""

from __future__ import annotations

import datetime

from django import forms

from parcours.core.forms import DsfrForm
from parcours.indicators.forms import PeriodForm


class FiguresForm(DsfrForm, PeriodForm):
    """`indicators.forms.PeriodForm` (period, unit) plus the tray (`bannette`, a tray code), with
    the DSFR markup (labels above the fields, DSFR selects and date inputs)."""

    bannette = forms.ChoiceField(label="Bannette", required=False)

    def __init__(
        self,
        data,
        *,
        unit_choices: list[tuple[str, str]],
        tray_choices: list[tuple[str, str]],
        default: tuple[datetime.date, datetime.date],
    ):
        super().__init__(data, unit_choices=unit_choices, default=default)
        self.fields["bannette"].choices = [("", "Toutes les bannettes"), *tray_choices]
