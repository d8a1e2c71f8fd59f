"""Forms of the contact-centre screen: the station, the lookup, the contact and its needs, the
callbacks. Validation only: the views call `reception.workflows` with the cleaned data."""

from __future__ import annotations

import datetime
import re

from django import forms
from django.utils import timezone

from parcours.core.access import visible_persons
from parcours.core.forms import DsfrForm
from parcours.people.forms import PersonSearchForm, communes_for_code
from parcours.people.phones import phone_key
from parcours.reception.contact_centre import stations
from parcours.reception.models import CallerRelation, Channel, Urgency
from parcours.reception.needs import NeedChoiceField, active_needs
from parcours.reception.workflows import NeedInput

# The default channel where the contact is taken: a station of the contact centre takes calls.
DEFAULT_CHANNEL = Channel.PHONE
DESK_CHANNEL = Channel.WALK_IN
MAX_NEEDS = 10
DURATION_PATTERN = re.compile(r"(\d{1,3})(?::([0-5]?\d))?")


class StationForm(DsfrForm):
    station = forms.ModelChoiceField(
        label="Poste",
        queryset=None,
        empty_label="Aucun poste (accueil physique)",
        required=False,
        help_text="Le poste où vous prenez les appels ; les appels entrants s'y affichent.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["station"].queryset = stations()


class LookupForm(PersonSearchForm):
    """The caller's number (any format), or the usual search by name, NIR, CAF number, birth date."""

    field_order = ["phone", "q", "birth_date"]

    phone = forms.CharField(
        label="Numéro de l'appelant",
        required=False,
        max_length=30,
        help_text="Sous toute forme : 06 12 34 56 78, +33 6 12 34 56 78…",
        widget=forms.TextInput(
            attrs={"type": "tel", "autocomplete": "off", "autofocus": True, "data-lookup-phone": ""}
        ),
    )

    def clean_phone(self) -> str:
        number = self.cleaned_data["phone"].strip()
        if number and not phone_key(number):
            raise forms.ValidationError("Numéro incomplet : saisissez au moins ses neuf derniers chiffres.")
        return number

    def has_criteria(self) -> bool:
        return bool(self.cleaned_data.get("phone")) or super().has_criteria()


def parse_duration(text: str) -> int | None:
    """Seconds from « 4:30 » (minutes:seconds) or « 4 » (minutes); None when empty."""
    text = (text or "").strip()
    if not text:
        return None
    match = DURATION_PATTERN.fullmatch(text)
    if not match:
        raise forms.ValidationError("Durée invalide : écrivez minutes:secondes, par exemple 4:30.")
    minutes, seconds = match.groups()
    return int(minutes) * 60 + int(seconds or 0)


class ContactForm(DsfrForm):
    """One contact: who is concerned (a person chosen on the screen, or what is known of them), who
    called, what was said, and an optional callback. Its needs are the `NeedFormSet`."""

    channel = forms.ChoiceField(label="Canal", choices=Channel.choices)
    person = forms.IntegerField(required=False, widget=forms.HiddenInput(attrs={"data-chosen-person": ""}))
    provisional_first_name = forms.CharField(label="Prénom", required=False, max_length=100)
    provisional_last_name = forms.CharField(label="Nom (si connu)", required=False, max_length=150)
    provisional_commune = forms.CharField(
        label="Commune (code INSEE ou postal)",
        required=False,
        max_length=5,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    provisional_phone = forms.CharField(
        label="Téléphone",
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "data-provisional-phone": ""}),
    )
    caller_relation = forms.ChoiceField(
        label="Qui appelle ?", choices=CallerRelation.choices, required=False, initial=""
    )
    caller_name = forms.CharField(label="Nom de l'appelant", required=False, max_length=150)
    caller_phone = forms.CharField(label="Téléphone de l'appelant", required=False, max_length=20)
    caller_organisation = forms.CharField(label="Organisme de l'appelant", required=False, max_length=150)
    summary = forms.CharField(
        label="Résumé", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    duration = forms.CharField(
        label="Durée (min:s)",
        required=False,
        max_length=12,
        help_text="Mesurée depuis l'ouverture de l'écran ; modifiable.",
        widget=forms.TextInput(attrs={"data-duration": "", "autocomplete": "off"}),
    )
    callback_at = forms.DateTimeField(
        label="Rappeler le",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"],
    )
    callback_phone = forms.CharField(
        label="Numéro à rappeler",
        required=False,
        max_length=20,
        help_text="Par défaut : celui de l'appelant, sinon celui de la personne.",
    )

    def __init__(self, *args, agent, **kwargs):
        super().__init__(*args, **kwargs)
        self.agent = agent
        self.chosen_person = None

    def clean_person(self):
        person_id = self.cleaned_data.get("person")
        if not person_id:
            return None
        person = visible_persons(self.agent).select_related("commune__unit").filter(pk=person_id).first()
        if person is None:
            raise forms.ValidationError("Personne introuvable : recherchez-la de nouveau.")
        self.chosen_person = person
        return person

    def clean_provisional_commune(self):
        code = self.cleaned_data["provisional_commune"].strip()
        if not code:
            return None
        communes = communes_for_code(code)
        if not communes:
            raise forms.ValidationError("Commune inconnue : saisissez son code INSEE ou son code postal.")
        if len(communes) > 1:
            names = ", ".join(f"{commune.name} ({commune.insee_code})" for commune in communes[:6])
            raise forms.ValidationError(
                f"Ce code postal couvre plusieurs communes : saisissez le code INSEE ({names})."
            )
        return communes[0]

    def clean_duration(self) -> int | None:
        return parse_duration(self.cleaned_data["duration"])

    def clean_callback_at(self):
        value = self.cleaned_data.get("callback_at")
        if value and value < timezone.now() - datetime.timedelta(minutes=5):
            raise forms.ValidationError("La date de rappel est passée : choisissez une date à venir.")
        return value

    def clean(self) -> dict:
        data = super().clean()
        if data.get("callback_at") and not (
            data.get("callback_phone")
            or data.get("caller_phone")
            or data.get("provisional_phone")
            or (self.chosen_person is not None and self.chosen_person.phone)
        ):
            self.add_error("callback_phone", "Indiquez le numéro à rappeler.")
        if data.get("caller_relation") and not (data.get("caller_name") or data.get("caller_phone")):
            self.add_error("caller_name", "Indiquez le nom ou le numéro de l'appelant (un tiers).")
        return data

    def workflow_arguments(self) -> dict:
        """The keyword arguments of `workflows.record_contact` (but for `needs` and the place)."""
        data = self.cleaned_data
        person = data["person"]
        return {
            "channel": data["channel"],
            "person": person,
            "duration_seconds": data["duration"],
            "provisional": None
            if person
            else {
                "first_name": data["provisional_first_name"],
                "last_name": data["provisional_last_name"],
                "commune": data["provisional_commune"],
                "phone": data["provisional_phone"],
            },
            "caller": {
                "relation": data["caller_relation"],
                "name": data["caller_name"],
                "phone": data["caller_phone"],
                "organisation": data["caller_organisation"],
            }
            if data["caller_relation"]
            else None,
            "summary": data["summary"],
            "callback_at": data["callback_at"],
            "callback_phone": data["callback_phone"],
        }


class NeedForm(DsfrForm):
    need = NeedChoiceField(
        label="Besoin",
        empty_label="— Choisir un besoin —",
        error_messages={"required": "Choisissez le besoin dans le référentiel."},
    )
    urgency = forms.ChoiceField(label="Urgence", choices=Urgency.choices, initial=Urgency.ORDINARY)
    is_child_concern = forms.BooleanField(
        label="Enfant peut-être en danger (information préoccupante)",
        required=False,
        help_text="Transmise à la CRIP immédiatement, avec une alerte.",
    )
    note = forms.CharField(label="Précisions", required=False, max_length=1000)

    def __init__(self, *args, need_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The chosen need comes with its situation and theme: routing and the log read them.
        self.fields["need"].queryset = active_needs().select_related("situation__theme")
        if need_choices is not None:  # computed once for every row of the formset
            self.fields["need"].widget.choices = need_choices

    def need_input(self) -> NeedInput:
        data = self.cleaned_data
        return NeedInput(
            need=data["need"],
            urgency=data["urgency"],
            is_child_concern=data["is_child_concern"],
            note=data["note"],
        )


class BaseNeedFormSet(forms.BaseFormSet):
    def share_choices(self, choices: list) -> None:
        """Give every row (and the empty form) the same need choices (`need_choices()`): a posted
        formset validates without them and gets them only when it is shown again."""
        self.form_kwargs = {**self.form_kwargs, "need_choices": choices}
        for form in self.forms:
            form.fields["need"].widget.choices = choices

    def need_inputs(self) -> list[NeedInput]:
        return [
            form.need_input() for form in self.forms if form.has_changed() and form.cleaned_data.get("need")
        ]

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        if not self.need_inputs():
            raise forms.ValidationError("Indiquez au moins un besoin exprimé.")


NeedFormSet = forms.formset_factory(
    NeedForm, formset=BaseNeedFormSet, extra=1, max_num=MAX_NEEDS, validate_max=True, absolute_max=MAX_NEEDS
)


def need_choices() -> list:
    """The grouped choices of the need field, computed once (4 queries) for every row."""
    return list(NeedChoiceField(empty_label="— Choisir un besoin —").choices)


class IdentifyForm(DsfrForm):
    person = forms.IntegerField(widget=forms.HiddenInput)


class CallbackActionForm(DsfrForm):
    """What the operator did with a callback: take it, an attempt without answer (with a new
    time), done, or cancelled."""

    TAKE, FAILED, DONE, CANCEL = "prendre", "sans_reponse", "fait", "annuler"
    action = forms.ChoiceField(
        choices=[(TAKE, "Prendre"), (FAILED, "Sans réponse"), (DONE, "Rappel fait"), (CANCEL, "Annuler")]
    )
    note = forms.CharField(label="Note", required=False, max_length=300)
    retry_at = forms.DateTimeField(
        label="Nouvel essai le",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
