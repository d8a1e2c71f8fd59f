from django import forms

from parcours.imports.models import ImportKind
from parcours.imports.people import FORMATS

FORMAT_LABELS = {
    "rdv-insertion": "rdv-insertion (colonnes usuelles)",
    "carnet-de-bord": "carnet de bord",
    "csv": "Autre fichier (colonnes reconnues ou fichier de correspondance)",
}


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(label="Type de fichier", choices=ImportKind.choices, initial=ImportKind.CNAF)
    file_format = forms.ChoiceField(
        label="Format du fichier de bénéficiaires",
        choices=[(f, FORMAT_LABELS[f]) for f in FORMATS],
        required=False,
        help_text="Uniquement pour un fichier de bénéficiaires (CSV, XLSX ou ODS).",
    )
    file = forms.FileField(label="Fichier", help_text="Flux XML de la CNAF, ou fichier CSV, XLSX ou ODS.")
    mapping = forms.FileField(
        label="Fichier de correspondance des colonnes (TOML, facultatif)",
        required=False,
        help_text="Pour un fichier dont les colonnes ne suivent pas un format connu.",
    )
    dry_run = forms.BooleanField(label="Simulation (ne rien modifier)", required=False)
