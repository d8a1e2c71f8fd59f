import json
from pathlib import Path

import pytest
from django.core.management import call_command

from parcours.directory.importer import import_file
from parcours.directory.models import Service, Structure
from parcours.imports.models import ImportBatch, ImportKind
from parcours.territory.loader import load_territory
from tests.accounts.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parents[2] / "src/parcours/directory/data"
SAMPLE_JSON = DATA / "sample_data_inclusion.json"
SAMPLE_CSV = DATA / "sample_data_inclusion.csv"


@pytest.fixture
def nord(settings):
    settings.PARCOURS_DEPARTEMENT = "59"
    load_territory("59")


def reasons(report) -> dict[str, str]:
    return {r["key"]: r["reason"] for r in report.records if r["status"] == "quarantined"}


def test_sample_json_imports_with_the_bad_records_quarantined(nord):
    report = import_file(SAMPLE_JSON)
    assert report.status == "done", report.message
    assert report.counts == {"created": 57, "updated": 0, "unchanged": 0, "quarantined": 6}
    assert Structure.objects.count() == 20 and Service.objects.count() == 37
    quarantined = reasons(report)
    assert (
        "illisibles (syntaxe OpenStreetMap attendue)"
        in quarantined["service dora--ccas-lille--horaires-invalides"]
    )
    assert "Lu-Ve 9h-12h" in quarantined["service dora--ccas-lille--horaires-invalides"]
    assert "coordonnées hors du département" in quarantined["service dora--ccas-lille--hors-departement"]
    assert "code INSEE inconnu « 59999 »" in quarantined["service dora--ccas-lille--zone-inconnue"]
    assert (
        "thématique inconnu(e) « alimentation--colis-de-noel »"
        in quarantined["service dora--ccas-lille--thematique-inconnue"]
    )
    assert (
        "structure « dora--structure-absente » inconnue"
        in quarantined["service dora--structure-absente--service"]
    )
    assert "nom : champ obligatoire vide" in quarantined["structure dora--structure-sans-nom"]
    batch = ImportBatch.objects.get(pk=report.batch_id)
    assert batch.kind == ImportKind.DIRECTORY and batch.file_format == "json"
    epicerie = Service.objects.get(source_id="dora--ccas-lille--epicerie")
    assert epicerie.structure.nom == "CCAS de Lille"
    assert epicerie.commune.name == "Lille" and epicerie.category == "aide_alimentaire"
    assert epicerie.half_days_per_week == 3 and epicerie.open_weekdays == "135"
    assert epicerie.zone_eligibilite == ["59350"] and epicerie.frais == ["gratuit"]


def test_reimport_is_idempotent_and_updates_are_detected(nord, tmp_path):
    import_file(SAMPLE_JSON)
    again = import_file(SAMPLE_JSON)
    assert again.identical_to is not None  # the very same file: nothing done
    data = json.loads(SAMPLE_JSON.read_text())
    data["services"][0]["horaires_accueil"] = "Mo-Sa 09:00-12:00"
    data["services"][0]["date_maj"] = "2026-11-20"
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(data))
    report = import_file(changed)
    assert report.counts == {"created": 0, "updated": 1, "unchanged": 56, "quarantined": 6}
    updated = [r for r in report.records if r["status"] == "updated"]
    assert updated[0]["key"] == "service dora--ccas-lille--accueil"
    assert "horaires" in updated[0]["reason"] and "date de mise à jour" in updated[0]["reason"]
    service = Service.objects.get(source_id="dora--ccas-lille--accueil")
    assert service.half_days_per_week == 6


def test_an_older_record_does_not_overwrite_a_newer_local_update(nord, tmp_path):
    import_file(SAMPLE_JSON)
    service = Service.objects.get(source_id="dora--ccas-lille--accueil")
    service.nom = "Accueil social (mis à jour par la structure)"
    service.date_maj = service.date_maj.replace(year=2026, month=11, day=25)
    service.save()
    data = json.loads(SAMPLE_JSON.read_text())
    data["services"][0]["description"] = "Autre description venue de DORA."
    path = tmp_path / "older.json"
    path.write_text(json.dumps(data))
    report = import_file(path)
    record = next(r for r in report.records if r["key"] == "service dora--ccas-lille--accueil")
    assert record["status"] == "unchanged" and "conservé" in record["reason"]
    service.refresh_from_db()
    assert service.nom == "Accueil social (mis à jour par la structure)"


def test_csv_with_structure_columns(nord):
    report = import_file(SAMPLE_CSV)
    assert report.status == "done", report.message
    assert report.counts["created"] == 5 and report.counts["quarantined"] == 1
    quarantined = reasons(report)
    assert "« tous les jours » illisibles" in quarantined["service cd59--formule"]
    service = Service.objects.get(source_id="cd59--epicerie-denain")
    assert service.structure.nom == "Association Solidarité Denain"
    assert service.publics == ["beneficiaires-des-minimas-sociaux", "familles"]
    assert service.date_maj.isoformat() == "2026-10-15"


def test_new_structure_goes_to_the_organisation_with_its_siret(nord):
    organisation = OrganisationFactory(siret="21590350100017")
    import_file(SAMPLE_JSON)
    assert Structure.objects.get(source_id="dora--ccas-lille").organisation == organisation


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "Fichier JSON illisible"),
        (b"[" * 100000, "Fichier JSON illisible"),
        (b'{"structures": 3}', "doivent être des listes"),
        (b"[]", "aucune structure ni aucun service"),
        (b"nom;description\nx;y\n", "Colonnes obligatoires introuvables : id"),
    ],
)
def test_hostile_or_broken_files_are_rejected_whole(nord, tmp_path, content, message):
    path = tmp_path / "file.json"
    path.write_bytes(content)
    report = import_file(path)
    assert report.status == "rejected" and message in report.message
    assert not Service.objects.exists()


def test_json_over_the_size_cap_is_rejected(nord, tmp_path, settings):
    settings.PARCOURS_MAX_SPREADSHEET_UNZIPPED_MB = 0
    path = tmp_path / "big.json"
    path.write_text("[]")
    report = import_file(path)
    assert report.status == "rejected" and "dépasse 0 Mo" in report.message


def test_command(nord, capsys):
    call_command("import_directory", str(SAMPLE_JSON), "--json")
    out = json.loads(capsys.readouterr().out)
    assert out[0]["counts"]["created"] == 57
