"""The access-to-rights forms: the few answers a simulation needs, and the follow-up's filters."""

from __future__ import annotations

import re
from decimal import Decimal

from django import forms

from parcours.core.forms import DsfrForm
from parcours.people.forms import communes_for_code
from parcours.reception.models import Benefit, RightState
from parcours.reception.rights import DISABILITY_RATES, HOUSING_STATUSES, NOT_OPENED_REASONS, RENTING


def _money(label: str, **kwargs) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        min_value=0,
        max_value=100_000,
        max_digits=8,
        decimal_places=2,
        required=False,
        initial=0,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
        **kwargs,
    )


class RightsForm(DsfrForm):
    """The household, its resources and its housing, in a few questions (`reception.rights`)."""

    age = forms.IntegerField(label="Âge de la personne", min_value=16, max_value=120)
    couple = forms.BooleanField(
        label="Vit en couple (mariage, PACS ou union libre)",
        required=False,
        widget=forms.CheckboxInput(attrs={"data-couple": ""}),
    )
    partner_age = forms.IntegerField(label="Âge du conjoint", min_value=16, max_value=120, required=False)
    children_ages = forms.CharField(
        label="Âges des enfants à charge",
        help_text="Séparés par des virgules, par exemple « 3, 7 ». Laissez vide s'il n'y en a pas.",
        required=False,
        max_length=100,
    )
    salary = _money(
        "Revenus d'activité nets de la personne (€ par mois)",
        help_text="Salaire ou revenus d'indépendant, moyenne des 3 derniers mois.",
    )
    unemployment = _money("Allocations chômage nettes de la personne (€ par mois)")
    partner_salary = _money("Revenus d'activité nets du conjoint (€ par mois)")
    partner_unemployment = _money("Allocations chômage nettes du conjoint (€ par mois)")
    pension = _money("Pension de retraite ou d'invalidité de la personne (€ par mois)")
    alimony = _money("Pension alimentaire reçue (€ par mois)")
    already = forms.MultipleChoiceField(
        label="Prestations déjà perçues",
        choices=Benefit.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    housing_status = forms.ChoiceField(label="Situation de logement", choices=list(HOUSING_STATUSES.items()))
    rent = _money("Loyer mensuel hors charges (€)", help_text="Pour un locataire ou un foyer.")
    commune = forms.CharField(label="Code INSEE ou code postal de la commune", max_length=5, min_length=5)
    disability_rate = forms.ChoiceField(
        label="Taux d'incapacité reconnu par la MDPH",
        choices=list(DISABILITY_RATES.items()),
        required=False,
    )
    rsdae = forms.BooleanField(
        label="Restriction substantielle et durable d'accès à l'emploi reconnue (RSDAE)",
        help_text="Nécessaire pour l'AAH avec un taux de 50 à 79 %.",
        required=False,
    )

    def clean_children_ages(self) -> list[int]:
        text = self.cleaned_data["children_ages"].strip()
        if not text:
            return []
        parts = [part for part in re.split(r"[\s,;]+", text) if part]
        if not all(part.isdigit() for part in parts):
            raise forms.ValidationError("Indiquez les âges en nombres entiers, séparés par des virgules.")
        ages = [int(part) for part in parts]
        if any(age > 24 for age in ages):
            raise forms.ValidationError("Un enfant à charge a 24 ans au plus.")
        if len(ages) > 12:
            raise forms.ValidationError("Indiquez 12 enfants au plus.")
        return ages

    def clean_commune(self):
        code = self.cleaned_data["commune"].strip()
        candidates = communes_for_code(code)
        if not candidates:
            raise forms.ValidationError(
                f"Commune inconnue : {code}. Indiquez son code INSEE ou son code postal."
            )
        exact = [commune for commune in candidates if commune.insee_code == code]
        if exact:
            # An INSEE code wins over the same digits used as another commune's postal code
            # (59220: Faches-Thumesnil's INSEE code, Denain's postal code); otherwise the code
            # the message below asks for could never be accepted.
            return exact[0]
        if len(candidates) > 1:
            names = ", ".join(f"{c.name} ({c.insee_code})" for c in candidates[:8])
            raise forms.ValidationError(
                f"Ce code postal couvre plusieurs communes : indiquez le code INSEE ({names})."
            )
        return candidates[0]

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("couple") and cleaned.get("partner_age") is None:
            self.add_error("partner_age", "Indiquez l'âge du conjoint (ou décochez « Vit en couple »).")
        if cleaned.get("housing_status") in RENTING and not cleaned.get("rent"):
            self.add_error("rent", "Indiquez le loyer (hors charges) : les aides au logement en dépendent.")
        return cleaned

    def answers(self) -> dict:
        """The cleaned answers as `reception.rights` reads them (JSON-safe: stored on the check)."""
        data = self.cleaned_data
        couple = bool(data["couple"])

        def amount(name: str) -> str:
            return str((data.get(name) or Decimal(0)).quantize(Decimal("0.01")))

        commune = data["commune"]
        return {
            "age": data["age"],
            "couple": couple,
            "partner_age": data["partner_age"] if couple else None,
            "children_ages": data["children_ages"],
            "salary": amount("salary"),
            "unemployment": amount("unemployment"),
            "partner_salary": amount("partner_salary") if couple else "0.00",
            "partner_unemployment": amount("partner_unemployment") if couple else "0.00",
            "pension": amount("pension"),
            "alimony": amount("alimony"),
            "already": sorted(data["already"]),
            "housing_status": data["housing_status"],
            "rent": amount("rent") if data["housing_status"] in RENTING else "0.00",
            "commune": commune.insee_code,
            "commune_name": commune.name,
            "disability_rate": data["disability_rate"] or "",
            "rsdae": bool(data["rsdae"]),
        }

    @classmethod
    def initial_from_answers(cls, answers: dict) -> dict:
        """Form data that gives back `answers` (to keep them on the page)."""
        initial = {**answers}
        initial["children_ages"] = ", ".join(str(age) for age in answers.get("children_ages") or [])
        return initial


class RightsFilterForm(DsfrForm):
    """The follow-up list's filters (GET)."""

    benefit = forms.ChoiceField(
        label="Prestation", choices=[("", "Toutes"), *Benefit.choices], required=False
    )
    state = forms.ChoiceField(
        label="État",
        choices=[("", "À suivre (identifiés ou demandés)"), *RightState.choices, ("tous", "Tous")],
        required=False,
    )


class NotOpenedForm(DsfrForm):
    reason = forms.ChoiceField(
        label="Pourquoi le droit n'a-t-il pas été ouvert ?",
        choices=list(NOT_OPENED_REASONS.items()),
        widget=forms.RadioSelect,
        error_messages={"required": "Indiquez pourquoi le droit n'a pas été ouvert."},
    )
