"""Forms of the employment platform (agents' pages and employer portal)."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html
from dsfr.forms import DsfrDjangoTemplates

from parcours.core.forms import DsfrForm
from parcours.jobs.models import (
    CandidateProfile,
    ContractType,
    Employer,
    EmployerContact,
    EmployerSite,
    FollowUp,
    JobOffer,
    Language,
    Placement,
    ProfileExperience,
    RomeAppellation,
    RomeCode,
    SectorGroup,
    SectorNeed,
)
from parcours.jobs.rome import ROME_CODE_RE
from parcours.jobs.siret import clean_siret
from parcours.territory.models import TerritorialUnit

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
APPELLATION_CODE_RE = re.compile(r"\[(\d+)\]\s*$")


class AppellationInput(forms.TextInput):
    """A text input whose suggestions (a datalist) come from the appellation search, via htmx.

    Rendered as safe HTML (the input, then its empty datalist): a plain string would be escaped
    by the field template and show as text, leaving the form without its field."""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        datalist = f"{attrs.get('id', name)}-suggestions"
        context["widget"]["attrs"].update(
            {
                "list": datalist,
                "autocomplete": "off",
                "hx-get": reverse("jobs:appellations"),
                "hx-trigger": "keyup changed delay:300ms",
                "hx-target": f"#{datalist}",
                "hx-vals": f'{{"list": "{datalist}"}}',
                "hx-swap": "outerHTML",
            }
        )
        return context

    def render(self, name, value, attrs=None, renderer=None):
        html = super().render(name, value, attrs, renderer)
        datalist = f"{(attrs or {}).get('id', name)}-suggestions"
        return format_html('{}<datalist id="{}"></datalist>', html, datalist)


class AppellationField(forms.CharField):
    """An appellation chosen by label, as « Libellé [code OGR] » (what the suggestions hold),
    a bare OGR code, or an exact label."""

    widget = AppellationInput

    def prepare_value(self, value):
        if isinstance(value, RomeAppellation):
            return f"{value.label} [{value.code_ogr}]"
        if isinstance(value, int | str) and str(value).isdigit():
            found = RomeAppellation.objects.filter(code_ogr=int(value)).first()
            return f"{found.label} [{found.code_ogr}]" if found else value
        return value

    def to_python(self, value):
        value = super().to_python(value).strip()
        if not value:
            return None
        match = APPELLATION_CODE_RE.search(value)
        code = match.group(1) if match else (value if value.isdigit() else None)
        if code is not None:
            found = RomeAppellation.objects.filter(code_ogr=int(code)).first()
        else:
            found = RomeAppellation.objects.filter(label__iexact=value).first()
        if found is None:
            raise ValidationError(
                "Métier inconnu du référentiel ROME : choisissez une appellation dans la liste proposée."
            )
        return found


class EmployerForm(DsfrForm, forms.ModelForm):
    siret = forms.CharField(
        label="SIRET", max_length=20, help_text="14 chiffres (SIREN + NIC). Les espaces sont ignorés."
    )

    class Meta:
        model = Employer
        fields = ["siret", "name", "naf_code", "sector_group"]
        help_texts = {
            "siret": "14 chiffres (SIREN + NIC). Les espaces sont ignorés.",
            "naf_code": "Exemple : 88.10A",
        }

    def clean_siret(self):
        return clean_siret(self.cleaned_data["siret"])


class SiteForm(DsfrForm, forms.ModelForm):
    class Meta:
        model = EmployerSite
        fields = ["name", "address", "commune"]


class ContactForm(DsfrForm, forms.ModelForm):
    class Meta:
        model = EmployerContact
        fields = ["name", "job_title", "email", "phone"]


class SectorGroupForm(DsfrForm, forms.ModelForm):
    class Meta:
        model = SectorGroup
        fields = ["name", "sector", "meeting_frequency", "next_meeting_on"]
        widgets = {"next_meeting_on": DATE_WIDGET}


class SectorNeedForm(DsfrForm, forms.ModelForm):
    appellation = AppellationField(label="Métier", required=False)

    class Meta:
        model = SectorNeed
        fields = ["recorded_on", "appellation", "quantity", "horizon", "description"]
        widgets = {"recorded_on": DATE_WIDGET, "description": forms.Textarea(attrs={"rows": 2})}


class OfferForm(DsfrForm, forms.ModelForm):
    appellation = AppellationField(
        label="Métier (appellation ROME)", help_text="Tapez quelques mots : aide domicile…"
    )
    languages = forms.MultipleChoiceField(
        label="Langues exigées", choices=Language.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = JobOffer
        fields = [
            "employer",
            "site",
            "appellation",
            "title",
            "description",
            "commune",
            "contract_type",
            "hours_per_week",
            "hourly_wage",
            "start_date",
            "openings",
            "requires_driving_licence",
            "requires_vehicle",
            "qualification_level",
            "languages",
        ]
        widgets = {"start_date": DATE_WIDGET, "description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, employer: Employer | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fixed_employer = employer
        self.fields["site"].queryset = EmployerSite.objects.select_related("commune", "employer")
        if employer is not None:
            del self.fields["employer"]
            self.fields["site"].queryset = employer.sites.select_related("commune")
        if self.instance.pk:
            self.initial["languages"] = [c for c in self.instance.languages.split(",") if c]

    def clean_languages(self):
        return ",".join(self.cleaned_data["languages"])

    def save(self, commit=True):
        if self.fixed_employer is not None:
            self.instance.employer = self.fixed_employer
        return super().save(commit)


class ProfileForm(DsfrForm, forms.ModelForm):
    target_1 = AppellationField(label="Métier recherché n°1", required=False)
    target_2 = AppellationField(label="Métier recherché n°2", required=False)
    target_3 = AppellationField(label="Métier recherché n°3", required=False)
    languages = forms.MultipleChoiceField(
        label="Langues parlées (hors français)",
        choices=Language.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = CandidateProfile
        fields = [
            "education_level",
            "has_driving_licence",
            "has_vehicle",
            "mobility_radius_km",
            "mobility_means",
            "languages",
            "childcare_hours_per_week",
            "max_hours_per_week",
            "health_restrictions",
            "available_from",
            "consents_to_employers",
        ]
        widgets = {"available_from": DATE_WIDGET, "health_restrictions": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            targets = list(self.instance.target_appellations.all()[:3])
            for index, target in enumerate(targets, start=1):
                self.initial[f"target_{index}"] = target
            self.initial["languages"] = [c for c in self.instance.languages.split(",") if c]

    def clean_languages(self):
        return ",".join(self.cleaned_data["languages"])

    def save(self, commit=True):
        profile = super().save(commit=False)
        profile.consents_to_employers = bool(self.initial.get("consents_to_employers"))
        profile.record_consent(self.cleaned_data["consents_to_employers"])
        if commit:
            profile.save()
            targets = [self.cleaned_data[f"target_{i}"] for i in (1, 2, 3)]
            profile.target_appellations.set([t for t in targets if t is not None])
        return profile


class RomeCodeField(forms.CharField):
    def to_python(self, value):
        value = (super().to_python(value) or "").strip().upper()
        if not value:
            return None
        if not ROME_CODE_RE.match(value) or not RomeCode.objects.filter(code=value).exists():
            raise ValidationError(f"Code ROME inconnu : « {value} » (exemple : K1304).", code="unknown_rome")
        return RomeCode.objects.get(code=value)


class ExperienceForm(DsfrForm, forms.ModelForm):
    rome = RomeCodeField(label="Code ROME")

    class Meta:
        model = ProfileExperience
        fields = ["rome", "years"]


ExperienceFormSet = forms.inlineformset_factory(
    CandidateProfile,
    ProfileExperience,
    form=ExperienceForm,
    extra=2,
    can_delete=True,
    max_num=10,
    renderer=DsfrDjangoTemplates(),
)


class PlacementForm(DsfrForm, forms.ModelForm):
    class Meta:
        model = Placement
        fields = ["start_date", "contract_type", "hours_per_week"]
        widgets = {"start_date": DATE_WIDGET}


class TransitionForm(DsfrForm):
    """What one transition of an application asks (agents' pages and employer portal): a note;
    the date and time of an *interview*; the terms of the job for a *hire*, which records the
    `Placement`. Each transition's form has its own field ids, as a page shows several."""

    note = forms.CharField(label="Commentaire", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, name: str, offer: JobOffer | None = None, **kwargs):
        kwargs.setdefault("auto_id", f"id_{name}_%s")
        super().__init__(*args, **kwargs)
        self.name = name
        if name == "interview":
            self.fields["interview_at"] = forms.DateTimeField(
                label="Date et heure de l'entretien",
                help_text="Le Département transmet la date au candidat ou à la candidate.",
                widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            )
        self.placement_form = None
        if name == "hire":
            terms = {}
            if offer is not None:
                terms = {
                    "start_date": offer.start_date,
                    "contract_type": offer.contract_type,
                    "hours_per_week": offer.hours_per_week,
                }
            self.placement_form = PlacementForm(*args[:1], initial=terms, auto_id=f"id_{name}_%s")

    def is_valid(self) -> bool:
        valid = super().is_valid()
        return (self.placement_form is None or self.placement_form.is_valid()) and valid

    @property
    def error_message(self) -> str:
        if self.name == "hire":
            return "Précisez la date d'embauche, le contrat et la durée hebdomadaire."
        if self.name == "interview":
            return "Précisez la date et l'heure de l'entretien."
        return "Action impossible : vérifiez le formulaire."

    def apply(self, application, actor, *, as_employer: bool = False):
        """Apply the transition with this (valid) form's data; raises what `Application.apply` raises."""
        return application.apply(
            self.name,
            actor,
            note=self.cleaned_data["note"],
            as_employer=as_employer,
            interview_at=self.cleaned_data.get("interview_at"),
            placement=self.placement_form.instance if self.placement_form is not None else None,
        )


class FollowUpForm(DsfrForm, forms.ModelForm):
    still_employed = forms.TypedChoiceField(
        label="Toujours en poste ?",
        choices=[("1", "Oui"), ("0", "Non")],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )

    class Meta:
        model = FollowUp
        fields = ["done_on", "still_employed", "note"]
        widgets = {"done_on": DATE_WIDGET, "note": forms.Textarea(attrs={"rows": 2})}


class CandidateFilterForm(DsfrForm):
    unit = forms.ModelChoiceField(
        label="Unité territoriale",
        queryset=TerritorialUnit.objects.all(),
        required=False,
        empty_label="Toutes",
    )
    max_km = forms.IntegerField(label="Distance maximale (km)", required=False, min_value=1, max_value=100)


class CandidateTableFilterForm(CandidateFilterForm):
    """The filters of an offer's ranked candidates (a GET form: ids and numbers only)."""

    min_score = forms.IntegerField(label="Score minimal", required=False, min_value=-100, max_value=200)
    proposed = forms.ChoiceField(
        label="Déjà présélectionné·e",
        choices=[("", "Indifférent"), ("non", "Non"), ("oui", "Oui")],
        required=False,
    )


class OfferFilterForm(CandidateFilterForm):
    contract_type = forms.ChoiceField(
        label="Type de contrat", choices=[("", "Tous"), *ContractType.choices], required=False
    )


class SimulationForm(DsfrForm):
    rent = forms.DecimalField(
        label="Loyer mensuel (€)", min_value=0, max_digits=7, decimal_places=2, initial=0
    )
    housing_status = forms.ChoiceField(label="Logement", choices=[])

    def __init__(self, *args, **kwargs):
        from parcours.jobs.earnings import HOUSING_STATUSES

        super().__init__(*args, **kwargs)
        self.fields["housing_status"].choices = list(HOUSING_STATUSES.items())
