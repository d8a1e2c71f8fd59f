import datetime

from django import forms
from django.utils import timezone


class PeriodForm(forms.Form):
    """The period (Paris calendar days, both included) and the unit of a dashboard."""

    du = forms.DateField(label="Du", widget=forms.DateInput(attrs={"type": "date"}))
    au = forms.DateField(label="Au", widget=forms.DateInput(attrs={"type": "date"}))
    unite = forms.ChoiceField(label="Périmètre", required=False)

    def __init__(
        self,
        data,
        *,
        unit_choices: list[tuple[str, str]],
        default: tuple[datetime.date, datetime.date] | None = None,
    ):
        """`default`: the period shown when `data` names none (this year so far when not given)."""
        today = timezone.localdate()
        start, end = default or (datetime.date(today.year, 1, 1), today)
        defaults = {"du": start.isoformat(), "au": end.isoformat(), "unite": ""}
        super().__init__({**defaults, **{k: v for k, v in data.items() if v}})
        self.fields["unite"].choices = unit_choices

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("du"), cleaned.get("au")
        if start and end and end < start:
            raise forms.ValidationError("La fin de la période précède son début.")
        if start and end and (end - start).days > 366 * 5:
            raise forms.ValidationError("La période ne peut pas dépasser cinq ans.")
        return cleaned


class YearForm(forms.Form):
    annee = forms.IntegerField(label="Année", min_value=2000, max_value=2100)
    unite = forms.ChoiceField(label="Périmètre", required=False)

    def __init__(self, data, *, unit_choices: list[tuple[str, str]], default: int | None = None):
        """`default`: the year shown when `data` names none (last year when not given)."""
        defaults = {"annee": default or timezone.localdate().year - 1, "unite": ""}
        super().__init__({**defaults, **{k: v for k, v in data.items() if v}})
        self.fields["unite"].choices = unit_choices
