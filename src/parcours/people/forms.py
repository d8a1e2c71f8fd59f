"""Forms of the persons' pages: search, identity and address, household membership."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.urls import reverse_lazy

from parcours.core.forms import DsfrForm
from parcours.people.models import Household, HouseholdMember, MemberRole, Person
from parcours.people.nir import clean_nir, validate_nir
from parcours.territory.models import Commune

MIN_SEARCH_LENGTH = 2


class PersonSearchForm(DsfrForm):
    q = forms.CharField(
        label="Nom, NIR ou numéro CAF/MSA",
        help_text="Nom d'usage ou de naissance et prénom, dans n'importe quel ordre.",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off", "spellcheck": "false"}),
    )
    birth_date = forms.DateField(
        label="Date de naissance",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean_q(self) -> str:
        text = self.cleaned_data["q"].strip()
        if text and len(text) < MIN_SEARCH_LENGTH:
            raise forms.ValidationError(f"Saisissez au moins {MIN_SEARCH_LENGTH} caractères.")
        return text

    def has_criteria(self) -> bool:
        return bool(self.cleaned_data.get("q") or self.cleaned_data.get("birth_date"))

    def criteria(self) -> dict[str, str]:
        """The valid criteria as form data (to bind this form again): what `saved_searches` keeps."""
        birth_date = self.cleaned_data.get("birth_date")
        return {
            "q": self.cleaned_data.get("q", ""),
            "birth_date": birth_date.isoformat() if birth_date else "",
        }


def communes_for_code(code: str) -> list[Commune]:
    """Communes whose INSEE code or one of whose postal codes is exactly `code`."""
    code = (code or "").strip()
    if len(code) != 5:
        return []
    candidates = Commune.objects.filter(Q(insee_code=code) | Q(postal_codes__contains=code)).select_related(
        "unit"
    )
    return [c for c in candidates if c.insee_code == code or code in c.postal_code_list]


class PersonForm(DsfrForm, forms.ModelForm):
    """A person's identity, contact and address. The commune is given by its INSEE code
    or a postal code (then, when it covers several communes, a choice among them); it
    must belong to one of the agent's territorial units unless the agent is an administrator."""

    nir = forms.CharField(
        label="NIR (numéro de sécurité sociale)",
        required=False,
        max_length=25,
        help_text="13 caractères, ou 15 avec la clé ; les espaces sont acceptés.",
    )
    commune_code = forms.CharField(
        label="Code INSEE ou code postal de la commune",
        max_length=5,
        min_length=5,
        help_text="5 chiffres, par exemple 59350 ou 59000.",
        error_messages={
            "required": "Indiquez la commune de résidence.",
            "min_length": "Le code compte 5 caractères.",
        },
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "postal-code",
                # The commune (or the choice among several) shows up while typing.
                "hx-get": reverse_lazy("people:commune_choices"),
                "hx-trigger": "input changed delay:300ms",
                "hx-target": "#commune-choice",
            }
        ),
    )
    commune_choice = forms.ModelChoiceField(
        label="Commune",
        queryset=Commune.objects.none(),
        required=False,
        empty_label="Choisissez la commune",
        help_text="Ce code postal couvre plusieurs communes.",
    )

    class Meta:
        model = Person
        fields = [
            "civility",
            "last_name",
            "birth_name",
            "first_names",
            "birth_date",
            "sex",
            "nir",
            "caf_number",
            "france_travail_id",
            "email",
            "phone",
            "address",
            "address_complement",
        ]
        widgets = {
            "birth_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "email": forms.EmailInput(attrs={"autocomplete": "off"}),
        }
        error_messages = {
            "last_name": {"required": "Indiquez le nom d'usage."},
            "first_names": {"required": "Indiquez au moins un prénom."},
            "birth_date": {
                "required": "Indiquez la date de naissance.",
                "invalid": "Saisissez une date de naissance valide.",
            },
        }

    def __init__(self, *args, agent, **kwargs):
        super().__init__(*args, **kwargs)
        self.agent = agent
        self.fields["civility"].choices = [("", "Non renseignée"), *self.fields["civility"].choices[1:]]
        self.fields["sex"].choices = [("", "Non renseigné"), *self.fields["sex"].choices[1:]]
        instance = self.instance
        if instance.pk and instance.commune_id and not self.is_bound:
            self.initial["commune_code"] = instance.postal_code or instance.commune.insee_code
            self.initial["commune_choice"] = instance.commune_id
        code = (
            self.data.get(self.add_prefix("commune_code")) if self.is_bound else None
        ) or self.initial.get("commune_code")
        self.commune_candidates = communes_for_code(code) if code else []
        self.fields["commune_choice"].queryset = Commune.objects.filter(
            pk__in=[c.pk for c in self.commune_candidates]
        )

    @property
    def needs_commune_choice(self) -> bool:
        return len(self.commune_candidates) > 1

    def clean_nir(self) -> str:
        nir = clean_nir(self.cleaned_data["nir"])
        if nir:
            validate_nir(nir)
        return nir

    def clean_commune_code(self) -> str:
        code = self.cleaned_data["commune_code"].strip()
        if not self.commune_candidates:
            raise forms.ValidationError(f"Commune inconnue : {code}.", code="unknown_commune")
        return code

    def clean(self) -> dict:
        cleaned = super().clean()
        code = cleaned.get("commune_code")
        if not code:
            return cleaned
        commune = self._resolve_commune(code, cleaned.get("commune_choice"))
        if commune is None:
            return cleaned
        moving = commune.pk != self.instance.commune_id
        if moving and not self.agent.may_register_in(commune):
            self.add_error(
                "commune_code",
                f"{commune.name} n'est pas dans l'une de vos unités territoriales : "
                "vous ne pouvez pas y enregistrer une personne.",
            )
            return cleaned
        self.instance.commune = commune
        self.instance.postal_code = code if code in commune.postal_code_list else commune.main_postal_code
        return cleaned

    def _resolve_commune(self, code: str, chosen: Commune | None) -> Commune | None:
        candidates = self.commune_candidates
        if chosen is not None and chosen in candidates:
            return chosen
        by_insee = [c for c in candidates if c.insee_code == code]
        if len(candidates) == 1:
            return candidates[0]
        if by_insee and not any(code in c.postal_code_list for c in candidates if c not in by_insee):
            return by_insee[0]
        self.add_error(
            "commune_choice",
            forms.ValidationError(
                "Plusieurs communes ont ce code : choisissez la commune dans la liste.",
                code="commune_choice",
            ),
        )
        return None

    def audited_fields(self) -> list[str]:
        """The model fields this form may change, for the audit trail."""
        return [*self.Meta.fields, "commune", "postal_code"]


def snapshot(person: Person, fields: list[str]) -> dict:
    return {name: getattr(person, f"{name}_id" if name == "commune" else name) for name in fields}


def changed_fields(before: dict, after: dict) -> list[str]:
    return sorted(name for name, value in after.items() if before.get(name) != value)


class HouseholdForm(DsfrForm):
    """Put a person in a household: the one of a CAF/MSA dossier (created if unknown),
    or a new household without dossier number."""

    organism = forms.ChoiceField(label="Organisme", choices=Household.Organism.choices)
    caf_number = forms.CharField(
        label="Numéro de dossier CAF/MSA",
        required=False,
        max_length=15,
        help_text="Laissez vide pour créer un foyer sans numéro de dossier.",
    )
    role = forms.ChoiceField(label="Rôle dans le foyer", choices=MemberRole.choices)

    def __init__(self, *args, person: Person, agent=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person
        self.agent = agent

    def clean_caf_number(self) -> str:
        number = self.cleaned_data["caf_number"].replace(" ", "")
        if number and not number.isdigit():
            raise forms.ValidationError("Le numéro de dossier ne contient que des chiffres.")
        return number

    def clean(self) -> dict:
        cleaned = super().clean()
        number = cleaned.get("caf_number")
        if (
            number
            and HouseholdMember.objects.filter(
                person=self.person, household__organism=cleaned.get("organism"), household__caf_number=number
            ).exists()
        ):
            self.add_error("caf_number", "La personne fait déjà partie de ce foyer.")
        elif number and self.agent is not None and not self.agent.is_administrator:
            # Joining a dossier would show its members: only one whose members the agent sees.
            members = HouseholdMember.objects.filter(
                household__organism=cleaned.get("organism"), household__caf_number=number
            ).values("person_id")
            hidden = members.exclude(person_id__in=Person.objects.visible_to(self.agent).values("pk"))
            if hidden.exists():
                self.add_error(
                    "caf_number",
                    "Ce dossier compte des personnes hors de votre périmètre : le rattachement "
                    "doit être fait par un agent de leur unité ou par un administrateur.",
                )
        return cleaned

    def save(self) -> HouseholdMember:
        number = self.cleaned_data["caf_number"]
        if number:
            household, _ = Household.objects.get_or_create(
                organism=self.cleaned_data["organism"], caf_number=number
            )
        else:
            household = Household.objects.create(organism=self.cleaned_data["organism"])
        return HouseholdMember.objects.create(
            household=household, person=self.person, role=self.cleaned_data["role"]
        )
