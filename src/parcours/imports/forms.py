from django import forms
from django.conf import settings

from parcours.core.forms import DsfrForm
from parcours.imports.models import ImportKind
from parcours.imports.people import FORMATS

FORMAT_LABELS = {
    "rdv-insertion": "rdv-insertion (colonnes usuelles)",
    "carnet-de-bord": "carnet de bord",
    "csv": "Autre fichier (colonnes reconnues ou fichier de correspondance)",
}
MB = 1024 * 1024
MAPPING_MAX_MB = 1


class ImportUploadForm(DsfrForm):
    # The directory's files have their own page (annuaire/import/), not this one.
    kind = forms.ChoiceField(
        label="Type de fichier",
        choices=[(k, label) for k, label in ImportKind.choices if k != ImportKind.DIRECTORY],
        initial=ImportKind.CNAF,
    )
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

    def __init__(self, *args, agent=None, upload_refused: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.upload_refused = upload_refused  # set by parcours.core.uploads on a too large upload
        # The CNAF flux covers the whole département: only those who may import it see it.
        if agent is not None and not agent.may_import_cnaf:
            self.fields["kind"].choices = [(ImportKind.PEOPLE, ImportKind.PEOPLE.label)]
            self.fields["kind"].initial = ImportKind.PEOPLE

    def clean(self):
        """Refuse an upload over the size allowed for its kind (settings PARCOURS_MAX_UPLOAD_MB for
        the CNAF flux, PARCOURS_MAX_SPREADSHEET_UPLOAD_MB for a beneficiary file)."""
        data = super().clean()
        if self.upload_refused:
            self.errors.pop("file", None)
            self.add_error("file", self.upload_refused)
            return data
        upload, kind = data.get("file"), data.get("kind")
        if kind == ImportKind.CNAF:
            limit, what = settings.PARCOURS_MAX_UPLOAD_MB, "un flux CNAF"
            advice = "Un administrateur peut l'importer en ligne de commande (parcours import-cnaf)."
        else:
            limit, what = settings.PARCOURS_MAX_SPREADSHEET_UPLOAD_MB, "un fichier de bénéficiaires"
            advice = "Découpez-le en plusieurs fichiers."
        if upload is not None and upload.size > limit * MB:
            size = f"{upload.size / MB:.1f}".replace(".", ",")
            self.add_error(
                "file", f"Le fichier pèse {size} Mo : la limite est de {limit} Mo pour {what}. {advice}"
            )
        mapping = data.get("mapping")
        if mapping is not None and mapping.size > MAPPING_MAX_MB * MB:
            self.add_error("mapping", f"Un fichier de correspondance ne dépasse pas {MAPPING_MAX_MB} Mo.")
        return data
