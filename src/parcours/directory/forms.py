"""Forms of the directory: the search, a structure agent's edit of a service, the import upload."""

from __future__ import annotations

import datetime

from data_inclusion.schema import v1
from django import forms
from django.conf import settings
from django.utils import timezone

from parcours.core.forms import DsfrForm
from parcours.directory import hours
from parcours.directory.models import Category, Service
from parcours.directory.schema import Territory, check_service
from parcours.directory.search import Criteria, thematiques_for
from parcours.reception.needs import NeedChoiceField
from parcours.territory.models import Commune

DAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
OPEN_CHOICES = [("", "Peu importe"), ("maintenant", "Ouvert maintenant")] + [
    (str(day), f"Ouvert le {name}") for day, name in enumerate(DAYS)
]
MB = 1024 * 1024
# The schema check's reasons (`schema.check_service`) shown on the field they are about.
FIELD_OF_REASON = [
    ("courriel", "courriel"),
    ("téléphone", "telephone"),
    ("coordonnées", "latitude"),
    ("zone d'éligibilité", "zone"),
    ("code insee de la commune", "commune"),
    ("horaires", "horaires_accueil"),
]


def _choices(enum) -> list[tuple[str, str]]:
    return [(item.value, item.label) for item in enum]


def thematique_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The schema's thématiques grouped by category (`<optgroup>`), with their French labels."""
    groups = []
    for categorie in v1.Categorie:
        options = [(t.value, t.label) for t in v1.Thematique if t.value.startswith(categorie.value + "--")]
        if options:
            groups.append((categorie.label, options))
    return groups


def departement_communes():
    return Commune.objects.filter(departement__code=settings.PARCOURS_DEPARTEMENT).order_by("name")


class CommuneField(forms.ModelChoiceField):
    def label_from_instance(self, commune) -> str:
        return f"{commune.name} ({commune.main_postal_code})"


class SearchForm(DsfrForm):
    """The search criteria (GET). `criteria()` turns the valid form into `search.Criteria`."""

    besoin = NeedChoiceField(label="Besoin", required=False, empty_label="Tous les besoins")
    categorie = forms.ChoiceField(
        label="Catégorie de service", required=False, choices=[("", "Toutes")] + list(Category.choices)
    )
    commune = CommuneField(
        label="Commune de la personne",
        queryset=Commune.objects.none(),
        required=False,
        empty_label="Toutes les communes",
        to_field_name="insee_code",
        help_text="Centre de la recherche ; seuls les services ouverts aux habitants de la commune sont montrés.",
    )
    latitude = forms.FloatField(
        label="Latitude d'une adresse précise", required=False, min_value=-90, max_value=90
    )
    longitude = forms.FloatField(label="Longitude", required=False, min_value=-180, max_value=180)
    rayon = forms.IntegerField(
        label="Distance maximale (km, à vol d'oiseau)", required=False, min_value=1, max_value=200
    )
    duree = forms.IntegerField(
        label="ou temps de trajet maximal (minutes)", required=False, min_value=5, max_value=240,
        help_text="Estimation (distance × 1,3 à vitesse moyenne), pas un itinéraire.",
    )  # fmt: skip
    mode = forms.ChoiceField(label="Déplacement", required=False)
    ouvert = forms.ChoiceField(label="Ouverture", required=False, choices=OPEN_CHOICES)
    public = forms.ChoiceField(
        label="Public", required=False, choices=[("", "Tous")] + _choices(v1.Public)[1:]
    )
    gratuit = forms.BooleanField(label="Gratuit uniquement", required=False)
    q = forms.CharField(label="Nom du service ou de la structure", required=False, max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = departement_communes()
        self.fields["besoin"].queryset = self.fields["besoin"].queryset.select_related("situation__theme")
        self.fields["mode"].choices = _travel_modes()

    def clean(self):
        data = super().clean()
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            raise forms.ValidationError("Donnez la latitude et la longitude ensemble, ou aucune des deux.")
        return data

    @property
    def centre(self) -> tuple[float, float] | None:
        data = self.cleaned_data
        if data.get("latitude") is not None:
            return (data["latitude"], data["longitude"])
        commune = data.get("commune")
        return commune.point if commune else None

    def radius_km(self) -> float | None:
        data = self.cleaned_data
        if data.get("duree") and data.get("mode"):
            from parcours.directory import travel

            return travel.reachable_km(data["duree"], data["mode"])
        return data.get("rayon") or None

    def criteria(self, now: datetime.datetime | None = None) -> Criteria:
        data = self.cleaned_data
        opening = data.get("ouvert") or ""
        commune, need = data.get("commune"), data.get("besoin")
        return Criteria(
            thematiques=tuple(thematiques_for(need.situation.theme.data_inclusion_thematique))
            if need
            else (),
            category=data.get("categorie") or "",
            centre=self.centre,
            radius_km=self.radius_km(),
            zone_code=commune.insee_code if commune else "",
            open_at=(now or timezone.now()) if opening == "maintenant" else None,
            weekday=int(opening) if opening.isdigit() else None,
            public=data.get("public") or "",
            free=bool(data.get("gratuit")),
            text=(data.get("q") or "").strip(),
        )


def _travel_modes() -> list[tuple[str, str]]:
    try:
        from parcours.directory.travel import Mode
    except ImportError:  # pragma: no cover
        return [("", "—")]
    return list(Mode.choices)


class ServiceForm(DsfrForm, forms.ModelForm):
    """A structure agent's edit of one of their services: every value checked as an import would
    (the data·inclusion schema, the opening hours, the zone's INSEE codes, the point in the
    département), with French errors. Saving dates the service (`date_maj` today) and clears its
    last reminder."""

    thematiques = forms.MultipleChoiceField(
        label="Thématiques", choices=thematique_choices, widget=forms.SelectMultiple(attrs={"size": 12})
    )
    types = forms.MultipleChoiceField(
        label="Types de service",
        choices=_choices(v1.TypeService),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    frais = forms.ChoiceField(
        label="Frais", choices=[("", "Non précisé")] + _choices(v1.Frais), required=False
    )
    publics = forms.MultipleChoiceField(
        label="Publics", choices=_choices(v1.Public), required=False, widget=forms.CheckboxSelectMultiple
    )
    modes_accueil = forms.MultipleChoiceField(
        label="Modes d'accueil",
        choices=_choices(v1.ModeAccueil),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    modes_mobilisation = forms.MultipleChoiceField(
        label="Modes de mobilisation",
        choices=_choices(v1.ModeMobilisation),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    zone = forms.CharField(
        label="Zone d'éligibilité (codes INSEE)",
        required=False,
        help_text="Codes de communes, de départements ou d'EPCI séparés par des espaces ; vide : sans restriction.",
    )
    horaires_accueil = forms.CharField(
        label="Horaires d'accueil",
        required=False,
        max_length=500,
        help_text="Syntaxe OpenStreetMap, par exemple « Mo-Fr 09:00-12:00,14:00-17:00; Sa 09:00-12:00 » "
        "(Mo lundi, Tu mardi, We mercredi, Th jeudi, Fr vendredi, Sa samedi, Su dimanche).",
    )
    commune = CommuneField(label="Commune", queryset=Commune.objects.none(), required=False)

    class Meta:
        model = Service
        fields = [
            "nom",
            "description",
            "thematiques",
            "types",
            "frais",
            "publics",
            "modes_accueil",
            "modes_mobilisation",
            "horaires_accueil",
            "adresse",
            "code_postal",
            "commune",
            "latitude",
            "longitude",
            "telephone",
            "courriel",
            "contact_nom",
            "closed_on",
        ]
        widgets = {"closed_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        labels = {"closed_on": "Service fermé le (laisser vide s'il est ouvert)"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = departement_communes()
        if self.instance.pk:
            self.initial["frais"] = (self.instance.frais or [""])[0]
            self.initial["zone"] = " ".join(self.instance.zone_eligibilite or [])

    def clean_horaires_accueil(self) -> str:
        try:
            return hours.validate(self.cleaned_data.get("horaires_accueil", ""))
        except hours.InvalidHours as error:
            message = str(error)
            raise forms.ValidationError(message[:1].upper() + message[1:]) from None

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        commune = data.get("commune")
        record = {
            "source": self.instance.source or "parcours",
            "id": self.instance.source_id or "nouveau",
            "structure_id": getattr(self.instance.structure, "source_id", "")
            if self.instance.structure_id
            else "x",
            "nom": data.get("nom"),
            "description": data.get("description"),
            "date_maj": timezone.localdate().isoformat(),
            "thematiques": data.get("thematiques"),
            "types": data.get("types"),
            "frais": [data["frais"]] if data.get("frais") else [],
            "publics": data.get("publics"),
            "modes_accueil": data.get("modes_accueil"),
            "modes_mobilisation": data.get("modes_mobilisation"),
            "zone_eligibilite": (data.get("zone") or "").split(),
            "horaires_accueil": data.get("horaires_accueil"),
            "code_insee": commune.insee_code if commune else "",
            "latitude": data.get("latitude"),
            "longitude": data.get("longitude"),
            "courriel": data.get("courriel"),
            "telephone": data.get("telephone"),
        }
        checked = check_service(record, Territory())
        for reason in checked.reasons:
            field = next(
                (name for prefix, name in FIELD_OF_REASON if reason.lower().startswith(prefix)), None
            )
            self.add_error(field, reason[:1].upper() + reason[1:] + ".")
        if checked.ok:
            self.checked_values = checked.values
        return data

    def save(self, commit: bool = True) -> Service:
        service = super().save(commit=False)
        values = self.checked_values
        for name in ("thematiques", "types", "frais", "publics", "modes_accueil", "modes_mobilisation"):
            setattr(service, name, values[name])
        service.zone_eligibilite = values["zone_eligibilite"]
        service.code_insee = values["code_insee"]
        service.date_maj = timezone.localdate()
        service.reminded_at = None
        if commit:
            service.save()
        return service


class DirectoryImportForm(DsfrForm):
    file = forms.FileField(
        label="Fichier",
        help_text="Export data·inclusion ou DORA : JSON, ou CSV / XLSX / ODS (un service par ligne).",
    )
    dry_run = forms.BooleanField(label="Simulation (ne rien modifier)", required=False)

    def __init__(self, *args, upload_refused: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.upload_refused = upload_refused

    def clean(self):
        """Refuse an upload over PARCOURS_MAX_SPREADSHEET_UPLOAD_MB (the imports app's cap)."""
        data = super().clean()
        if self.upload_refused:
            self.errors.pop("file", None)
            self.add_error("file", self.upload_refused)
            return data
        upload = data.get("file")
        limit = settings.PARCOURS_MAX_SPREADSHEET_UPLOAD_MB
        if upload is not None and upload.size > limit * MB:
            size = f"{upload.size / MB:.1f}".replace(".", ",")
            self.add_error(
                "file",
                f"Le fichier pèse {size} Mo : la limite est de {limit} Mo. Découpez-le, ou faites-le importer "
                "en ligne de commande (parcours import-directory).",
            )
        return data
