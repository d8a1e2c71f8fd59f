"""Forms of the orientation and mobility screens. They check what belongs to one field (a date in
the future, a text too long) and leave the rules to `directory.orientations` and
`directory.mobility`, whose French `ValidationError` the views show as the form's error."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone

from parcours.accounts.models import Role
from parcours.core.forms import DsfrForm
from parcours.directory.models import MobilityDiagnosis
from parcours.directory.models.orientations import (
    COMMENT_MAX_LENGTH,
    MESSAGE_MAX_LENGTH,
    Answer,
    ConsentMode,
    Fear,
    Licence,
    OrientationOrigin,
    OrientationState,
    RefusalReason,
    Vehicle,
)
from parcours.jobs.models import MobilityMeans
from parcours.reception.needs import NeedChoiceField

# The origin an agent's role suggests (the agent may change it).
ORIGIN_OF_ROLE = {
    Role.ACCUEIL: OrientationOrigin.FRONT_DOOR,
    Role.CHARGE_ORIENTATION: OrientationOrigin.FRONT_DOOR,
    Role.REFERENT: OrientationOrigin.REFERENT,
    Role.COACH_EMPLOI: OrientationOrigin.COACH,
}


def _date_field(label: str, *, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
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


class OrientationForm(DsfrForm):
    """Orient a person to a service: the need, who orients, the person's consent, the message."""

    need = NeedChoiceField(label="Besoin", required=False, empty_label="Aucun besoin en particulier")
    origin = forms.ChoiceField(label="Orientation proposée par", choices=OrientationOrigin.choices)
    consent_given = forms.BooleanField(
        label="La personne consent à cette orientation et à la transmission de ses coordonnées et du message",
        required=False,
    )
    consent_on = _date_field("Date du consentement")
    consent_mode = forms.ChoiceField(
        label="Forme du consentement", choices=ConsentMode.choices, widget=forms.RadioSelect
    )
    message = forms.CharField(
        label="Message à la structure",
        required=False,
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=(
            f"Ce que la structure lira avec le nom et les coordonnées de la personne ({MESSAGE_MAX_LENGTH} "
            "caractères au plus) : la demande, les disponibilités. Rien de plus que nécessaire."
        ),
    )
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, agent, initial_need=None, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("consent_on", timezone.localdate())
            self.initial.setdefault("origin", ORIGIN_OF_ROLE.get(agent.role, OrientationOrigin.OTHER))
            if initial_need is not None:
                self.initial.setdefault("need", initial_need)

    def clean_consent_on(self):
        return _not_future(self.cleaned_data.get("consent_on"), "La date du consentement")

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("consent_given"):
            self.add_error(
                "consent_given",
                "Recueillez le consentement de la personne avant d'envoyer l'orientation.",
            )
        return cleaned


class ValidateForm(DsfrForm):
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)


class RefusalForm(DsfrForm):
    reason = forms.ChoiceField(
        label="Motif du refus",
        choices=[("", "Choisissez un motif"), *RefusalReason.choices],
        error_messages={"required": "Choisissez le motif du refus."},
    )
    comment = forms.CharField(
        label="Commentaire",
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=f"Lu par l'agent qui a orienté la personne ({COMMENT_MAX_LENGTH} caractères au plus).",
    )
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("reason") == RefusalReason.OTHER and not (cleaned.get("comment") or "").strip():
            self.add_error("comment", "Précisez le motif du refus (motif « autre »).")
        return cleaned


INBOX_STATES = [("", "Tous les états"), *OrientationState.choices]


class MobilityForm(DsfrForm, forms.ModelForm):
    """The mobility diagnosis; `update_profile` copies its radius and means to the job profile."""

    fears = forms.MultipleChoiceField(
        label="Appréhensions", choices=Fear.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    means = forms.MultipleChoiceField(
        label="Moyens de déplacement utilisables",
        choices=MobilityMeans.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Ceux que la personne peut utiliser aujourd'hui, même avec de l'aide.",
    )
    vehicle_works = forms.TypedChoiceField(
        label="Le véhicule est-il en état de marche ?",
        choices=[("", "Sans objet ou ne sait pas"), ("oui", "Oui"), ("non", "Non")],
        coerce=lambda value: {"oui": True, "non": False}.get(value),
        empty_value=None,
        required=False,
    )
    update_profile = forms.BooleanField(
        label="Mettre à jour le rayon et le moyen de déplacement du profil emploi de la personne",
        required=False,
        initial=True,
    )

    class Meta:
        model = MobilityDiagnosis
        fields = [
            "made_on",
            "licence",
            "vehicle",
            "vehicle_works",
            "transport_near_home",
            "transport_near_job",
            "monthly_budget_eur",
            "fears",
            "max_travel_minutes",
            "means",
            "comment",
        ]
        widgets = {
            "made_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "comment": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["licence"].choices = Licence.choices
        self.fields["vehicle"].choices = Vehicle.choices
        self.fields["transport_near_home"].choices = Answer.choices
        self.fields["transport_near_job"].choices = Answer.choices
        if not self.is_bound and self.instance.pk is None:
            self.initial.setdefault("made_on", timezone.localdate())
        if self.instance.pk and self.instance.vehicle_works is not None:
            self.initial["vehicle_works"] = "oui" if self.instance.vehicle_works else "non"

    def clean_made_on(self):
        return _not_future(self.cleaned_data.get("made_on"), "La date du diagnostic")
