"""Forms of the administration screens: agents, organisations, territorial units, list filters."""

from __future__ import annotations

from django import forms
from django.contrib.auth import password_validation

from parcours.accounts.administration import AGENT_SORTS
from parcours.accounts.models import Agent, Organisation, OrganisationKind, Role
from parcours.core.forms import DsfrForm
from parcours.territory.models import Commune, Departement, TerritorialUnit

# Roles that work on no territory of their own: administrators see everyone, employers no one.
ROLES_WITHOUT_UNITS = frozenset({Role.ADMINISTRATEUR, Role.EMPLOYEUR})


def _units():
    return TerritorialUnit.objects.filter(departement=Departement.objects.current()).order_by("code")


class AgentFilterForm(DsfrForm):
    """The agents' list filters and sort, read from the query string (no personal data in it)."""

    role = forms.ChoiceField(label="Rôle", required=False, choices=[("", "Tous"), *Role.choices])
    unite = forms.ModelChoiceField(
        label="Unité territoriale",
        queryset=TerritorialUnit.objects.none(),
        required=False,
        empty_label="Toutes",
    )
    actif = forms.ChoiceField(
        label="Compte",
        required=False,
        choices=[("", "Tous"), ("oui", "Actifs"), ("non", "Désactivés")],
    )
    tri = forms.ChoiceField(
        label="Trier par",
        required=False,
        choices=[(key, key) for key in AGENT_SORTS] + [(f"-{key}", key) for key in AGENT_SORTS],
        widget=forms.HiddenInput,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unite"].queryset = _units()

    def criteria(self) -> dict:
        """The keyword arguments of `administration.agents_listed` (no filter when invalid)."""
        if not self.is_bound or not self.is_valid():
            return {}
        data = self.cleaned_data
        active = {"oui": True, "non": False}.get(data["actif"])
        return {"role": data["role"], "unit": data["unite"], "active": active, "sort": data["tri"] or "nom"}


class AgentForm(DsfrForm, forms.ModelForm):
    """An agent's account: identity, role, organisation and units (and a first password on creation)."""

    password1 = forms.CharField(
        label="Mot de passe initial",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="12 caractères au moins ; l'agent enrôle son second facteur à sa première connexion.",
    )
    password2 = forms.CharField(
        label="Confirmation du mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    class Meta:
        model = Agent
        fields = ["username", "first_name", "last_name", "email", "phone", "role", "organisation", "units"]
        labels = {
            "username": "Identifiant",
            "first_name": "Prénom",
            "last_name": "Nom",
            "email": "Adresse e-mail",
        }
        widgets = {"units": forms.CheckboxSelectMultiple}
        # Declared here, not set in __init__: DsfrBaseForm builds the bound fields while initialising.
        help_texts = {"units": "L'agent voit les personnes des communes de ces unités."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("first_name", "last_name", "email", "organisation"):
            self.fields[name].required = True
        self.fields["organisation"].queryset = Organisation.objects.order_by("name")
        self.fields["organisation"].empty_label = "Choisir une organisation"
        self.fields["units"].queryset = _units()
        if self.instance.pk is not None:
            del self.fields["password1"], self.fields["password2"]

    def clean_username(self) -> str:
        username = self.cleaned_data["username"].strip()
        taken = Agent.objects.filter(username__iexact=username).exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError("Cet identifiant est déjà utilisé par un autre agent.")
        return username

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if Agent.objects.filter(email__iexact=email).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("Cette adresse e-mail est déjà celle d'un autre agent.")
        return email

    def clean(self) -> dict:
        cleaned = super().clean()
        role, organisation, units = cleaned.get("role"), cleaned.get("organisation"), cleaned.get("units")
        if role and organisation:
            is_employer_organisation = organisation.kind == OrganisationKind.EMPLOYER
            if role == Role.EMPLOYEUR and not is_employer_organisation:
                self.add_error(
                    "organisation", "Un compte employeur appartient à une organisation de type « Employeur »."
                )
            if role != Role.EMPLOYEUR and is_employer_organisation:
                self.add_error(
                    "organisation", "Seul un compte employeur appartient à une organisation « Employeur »."
                )
        if role and units is not None:
            if role == Role.EMPLOYEUR and units.exists():
                self.add_error("units", "Un compte employeur n'est rattaché à aucune unité territoriale.")
            if role not in ROLES_WITHOUT_UNITS and not units.exists():
                self.add_error(
                    "units", "Choisissez au moins une unité territoriale : l'agent n'y verrait personne."
                )
        if "password1" in self.fields:
            self._clean_password(cleaned)
        return cleaned

    def _clean_password(self, cleaned: dict) -> None:
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", "Les deux mots de passe ne sont pas identiques.")
            return
        if first:
            candidate = Agent(
                username=cleaned.get("username", ""),
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
                email=cleaned.get("email", ""),
            )
            try:
                password_validation.validate_password(first, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)

    def save(self, commit: bool = True) -> Agent:
        agent = super().save(commit=False)
        if "password1" in self.fields:
            agent.set_password(self.cleaned_data["password1"])
        if commit:
            agent.save()
            self.save_m2m()
        return agent


class ConfirmForm(DsfrForm):
    """The confirmation of an act that cannot be undone from the same page."""

    confirm = forms.BooleanField(label="Je confirme", required=True)


class OrganisationForm(DsfrForm, forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["name", "kind", "siret"]

    def clean_siret(self) -> str:
        siret = self.cleaned_data["siret"].replace(" ", "")
        if siret and (len(siret) != 14 or not siret.isdigit()):
            raise forms.ValidationError("Un SIRET compte 14 chiffres.")
        return siret

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        taken = Organisation.objects.filter(name__iexact=name).exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError("Une organisation porte déjà ce nom.")
        return name


class UnitForm(DsfrForm, forms.ModelForm):
    """A territorial unit and the communes it covers (of the département served)."""

    communes = forms.ModelMultipleChoiceField(
        label="Communes",
        queryset=Commune.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 15}),
        help_text=(
            "Maintenez Ctrl (ou Cmd) pour en choisir plusieurs. Une commune choisie quitte son unité "
            "actuelle ; les personnes qui y résident sont alors visibles des agents de cette unité-ci."
        ),
    )

    class Meta:
        model = TerritorialUnit
        fields = ["code", "name", "seat"]

    def __init__(self, *args, departement: Departement, **kwargs):
        super().__init__(*args, **kwargs)
        self.departement = departement
        communes = Commune.objects.filter(departement=departement).select_related("unit").order_by("name")
        self.fields["communes"].queryset = communes
        self.fields["communes"].label_from_instance = _commune_label
        self.fields["seat"].queryset = communes
        self.fields["seat"].label_from_instance = _commune_label
        if self.instance.pk is not None:
            self.fields["communes"].initial = list(self.instance.communes.values_list("pk", flat=True))

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip().upper()
        units = TerritorialUnit.objects.filter(departement=self.departement, code__iexact=code)
        if units.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("Une unité de ce département porte déjà ce code.")
        return code

    def clean(self) -> dict:
        cleaned = super().clean()
        seat, communes = cleaned.get("seat"), cleaned.get("communes")
        if seat is not None and communes is not None and seat not in communes:
            self.add_error("seat", "La commune siège est l'une des communes de l'unité.")
        return cleaned

    def save(self, commit: bool = True) -> TerritorialUnit:
        unit = super().save(commit=False)
        unit.departement = self.departement
        if commit:
            unit.save()
        return unit


def _commune_label(commune: Commune) -> str:
    unit = f" — {commune.unit.name}" if commune.unit_id else ""
    return f"{commune.name} ({commune.insee_code}){unit}"
