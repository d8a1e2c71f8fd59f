import datetime
import zipfile

import openpyxl
import pytest
from odf.opendocument import OpenDocumentSpreadsheet
from odf.table import Table, TableCell, TableRow
from odf.text import P

from parcours.imports.models import DuplicateCandidate, ImportBatch, ImportRecord
from parcours.imports.people import PeopleFileSource, identifier, parse_date, phone, split_postal_city
from parcours.imports.runner import run_import
from parcours.people.models import Household, Person
from parcours.people.nir import nir_with_key
from tests.people.factories import PersonFactory
from tests.territory.factories import CommuneFactory

pytestmark = pytest.mark.django_db

NIR_JEAN = nir_with_key("1800359350123")  # born March 1980
RDV_HEADERS = [
    "N° Allocataire",
    "Civilité",
    "NOM BÉNÉFICIAIRE",
    "Prénom bénéficiaire",
    "Date de\nNaissance",
    "Adresse",
    "CP Ville",
    "Rôle",
    "NIR",
    "N° Téléphones",
    "Adresses Mails",
    "ID IODAS\t",
]


@pytest.fixture
def lille(departement):
    return CommuneFactory(
        departement=departement, insee_code="59350", postal_codes="59000 59800", name="Lille"
    )


def import_people(path, file_format="rdv-insertion", **options):
    mapping = options.pop("mapping_file", None)
    return run_import(PeopleFileSource(path, file_format=file_format, mapping_file=mapping), path, **options)


def write_csv(path, rows, *, delimiter=";", encoding="utf-8", bom=False):
    lines = []
    for row in rows:
        cells = []
        for cell in row:
            text = str(cell)
            if any(c in text for c in (delimiter, "\n", '"')):
                text = '"' + text.replace('"', '""') + '"'
            cells.append(text)
        lines.append(delimiter.join(cells))
    data = ("\r\n".join(lines) + "\r\n").encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


def test_values_that_excel_mangled_are_cleaned():
    assert identifier(1803331476872.0) == "1803331476872"
    assert identifier("1803331476872.0") == "1803331476872"
    assert identifier("1.80333147687245E+14") == "180333147687245"
    assert phone(612345678.0) == "0612345678"
    assert phone("6 12 34 56 78") == "0612345678"
    assert phone("+33 6 12 34 56 78") == "0612345678"
    assert parse_date(29295.0) == datetime.date(1980, 3, 15)
    assert parse_date("15/03/1980") == datetime.date(1980, 3, 15)
    assert parse_date("1980-03-15") == datetime.date(1980, 3, 15)
    assert parse_date(datetime.datetime(1980, 3, 15, 0, 0)) == datetime.date(1980, 3, 15)
    assert split_postal_city("59000 Lille") == ("59000", "Lille")
    assert split_postal_city("Lille 59000") == ("59000", "Lille")


def test_messy_rdv_insertion_csv(tmp_path, lille):
    path = write_csv(
        tmp_path / "export.csv",
        [
            RDV_HEADERS,
            [
                "1234567.0",
                "M",
                "Dupont",
                "Jean",
                "15/03/1980",
                "3 rue de la Paix",
                "59000 Lille",
                "DEM",
                "1800359350123.0",
                "612345678",
                "jean@example.org",
                "42",
            ],
            [
                "1234567",
                "Mme",
                "Dupont",
                "Marie",
                "1982-07-01",
                "3 rue de la Paix",
                "59000 LILLE",
                "cjt",
                "",
                "0700000000",
                "pas-un-mail",
                "43",
            ],
            [
                "7654321",
                "Madame",
                "Durand",
                "Léa",
                "01/01/1990",
                "",
                "59999 Nulleville",
                "demandeur",
                "",
                "",
                "",
                "44",
            ],
        ],  # fmt: skip
    )
    report = import_people(path)
    assert report.exit_code == 0
    assert report.counts == {"created": 2, "updated": 0, "unchanged": 0, "quarantined": 1}
    jean = Person.objects.get(first_names="Jean")
    assert jean.nir == "1800359350123"
    assert jean.birth_date == datetime.date(1980, 3, 15)
    assert jean.phone == "0612345678"
    assert jean.commune == lille
    assert jean.postal_code == "59000"
    assert jean.caf_number == "1234567"
    assert jean.civility == "M"
    marie = Person.objects.get(first_names="Marie")
    assert marie.email == ""  # the invalid e-mail is dropped, the row imported
    household = Household.objects.get(caf_number="1234567")
    assert set(household.memberships.values_list("person__first_names", "role")) == {
        ("Jean", "demandeur"),
        ("Marie", "conjoint"),
    }
    quarantined = ImportRecord.objects.get(status="quarantined")
    assert quarantined.key == "44"
    assert quarantined.line == 4
    assert "commune inconnue" in quarantined.reason
    assert (
        dict(zip(quarantined.raw["columns"], quarantined.raw["values"], strict=True))["NOM BÉNÉFICIAIRE"]
        == "Durand"
    )


def test_reimport_is_unchanged_and_a_certain_match_updates(tmp_path, lille):
    rows = [
        RDV_HEADERS,
        ["1234567", "M", "Dupont", "Jean", "15/03/1980", "", "59000 Lille", "dem", "", "", "", "1"],
    ]
    import_people(write_csv(tmp_path / "a.csv", rows))
    report = import_people(write_csv(tmp_path / "a.csv", rows))
    assert report.counts["unchanged"] == 1
    rows[1][4] = "1980-03-15"  # same data written differently: still unchanged record by record
    rows[1][5] = "8 rue Neuve"
    report = import_people(write_csv(tmp_path / "b.csv", rows, delimiter=",", encoding="cp1252"))
    assert report.counts == {"created": 0, "updated": 1, "unchanged": 0, "quarantined": 0}
    assert Person.objects.get().address == "8 rue Neuve"


def test_cp1252_and_bom_csv(tmp_path, lille):
    rows = [
        RDV_HEADERS,
        ["1", "Mme", "Lefèvre", "Anaïs", "02/02/1992", "", "59000 Lille", "dem", "", "", "", "1"],
    ]
    import_people(write_csv(tmp_path / "cp1252.csv", rows, encoding="cp1252"))
    assert Person.objects.get().last_name == "Lefèvre"
    Person.objects.all().delete()
    ImportBatch.objects.all().delete()
    import_people(write_csv(tmp_path / "bom.csv", rows, bom=True))
    assert Person.objects.get().first_names == "Anaïs"


def test_xlsx_with_excel_numbers_and_dates(tmp_path, lille):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Export du 01/07/2024"])  # a title row before the headers
    sheet.append(RDV_HEADERS)
    sheet.append([1234567, "M", "Dupont", "Jean", datetime.date(1980, 3, 15), "3 rue X", "59000 Lille", "DEM",
                  1800359350123, 612345678, "", 42])  # fmt: skip
    path = tmp_path / "export.xlsx"
    workbook.save(path)
    report = import_people(path)
    assert report.counts["created"] == 1, report.records
    jean = Person.objects.get()
    assert (jean.nir, jean.phone, jean.birth_date, jean.caf_number) == (
        "1800359350123",
        "0612345678",
        datetime.date(1980, 3, 15),
        "1234567",
    )
    assert ImportRecord.objects.get().line == 3


def _ods(path, rows):
    document = OpenDocumentSpreadsheet()
    table = Table(name="Feuille1")
    for row in rows:
        tr = TableRow()
        for value in row:
            if isinstance(value, float):
                cell = TableCell(valuetype="float", value=value)
            elif isinstance(value, datetime.date):
                cell = TableCell(valuetype="date", datevalue=value.isoformat())
            else:
                cell = TableCell(valuetype="string")
            cell.addElement(P(text=str(value)))
            tr.addElement(cell)
        table.addElement(tr)
    document.spreadsheet.addElement(table)
    document.save(str(path))
    return path


def test_ods_carnet_de_bord_layout(tmp_path, lille):
    headers = ["Identifiant dans le SI*", "Prénom*", "Nom*", "Date de naissance*", "NIR", "Téléphone", "Email",
               "Adresse", "Adresse (complément)", "Code postal", "Ville", "Numéro allocataire CAF/MSA",
               "Identifiant Pôle emploi", "Emploi recherché (code ROME)"]  # fmt: skip
    row = ["SI-1", "Jean", "Dupont", datetime.date(1980, 3, 15), 1800359350123.0, 612345678.0, "j@example.org",
           "3 rue X", "Bât B", 59000.0, "Lille", "1234567", "1234567A", "K1302"]  # fmt: skip
    path = _ods(tmp_path / "cdb.ods", [headers, row])
    with zipfile.ZipFile(path) as archive:
        assert archive.read("mimetype") == b"application/vnd.oasis.opendocument.spreadsheet"
    report = import_people(path, "carnet-de-bord")
    assert report.counts["created"] == 1, report.records
    jean = Person.objects.get()
    assert jean.france_travail_id == "1234567A"
    assert jean.address_complement == "Bât B"
    assert jean.commune == lille
    assert jean.nir == "1800359350123"


def test_toml_mapping_for_another_layout(tmp_path, lille):
    mapping = tmp_path / "mapping.toml"
    mapping.write_text(
        '[columns]\nlast_name = "NOM USAGE"\nfirst_names = ["PRENOMS"]\nbirth_date = "NE LE"\n'
        'caf_number = "MATRICULE"\npostal_code_city = "COMMUNE"\n',
        encoding="utf-8",
    )
    path = write_csv(tmp_path / "autre.csv", [["NOM USAGE", "PRENOMS", "NE LE", "MATRICULE", "COMMUNE"],
                                              ["Martin", "Paul", "05/06/1975", "111", "59000 Lille"]])  # fmt: skip
    report = import_people(path, "csv", mapping_file=mapping)
    assert report.counts["created"] == 1
    assert Person.objects.get().last_name == "Martin"


def test_file_without_the_required_columns_is_rejected(tmp_path, lille):
    path = write_csv(tmp_path / "x.csv", [["Foo", "Bar"], ["1", "2"]])
    report = import_people(path)
    assert report.exit_code == 2
    assert "Colonnes obligatoires introuvables" in report.message
    assert not Person.objects.exists()


def test_empty_file_is_rejected(tmp_path, lille):
    path = tmp_path / "vide.csv"
    path.write_bytes(b"")
    assert import_people(path).exit_code == 2


def test_rows_missing_names_or_with_bad_dates_or_nir_are_quarantined(tmp_path, lille):
    bad_key = NIR_JEAN[:13] + "00"
    path = write_csv(
        tmp_path / "q.csv",
        [
            RDV_HEADERS,
            ["1", "M", "", "Jean", "15/03/1980", "", "", "dem", "", "", "", "1"],
            ["2", "M", "Martin", "Paul", "31/02/1980", "", "", "dem", "", "", "", "2"],
            ["3", "M", "Durand", "Luc", "15/03/1980", "", "", "dem", bad_key, "", "", "3"],
            ["4", "M", "Petit", "Léo", "15/03/1980", "", "", "dem", "", "", "", "4"],
        ],
    )
    report = import_people(path)
    assert report.counts == {"created": 1, "updated": 0, "unchanged": 0, "quarantined": 3}
    reasons = [r["reason"] for r in report.records if r["status"] == "quarantined"]
    assert "obligatoire" in reasons[0] and "nom" in reasons[0]
    assert "date de naissance illisible" in reasons[1]
    assert "NIR invalide" in reasons[2]


def test_dry_run_changes_nothing(tmp_path, lille):
    rows = [
        RDV_HEADERS,
        ["1", "M", "Dupont", "Jean", "15/03/1980", "", "59000 Lille", "dem", "", "", "", "1"],
    ]
    report = import_people(write_csv(tmp_path / "a.csv", rows), dry_run=True)
    assert report.counts["created"] == 1
    assert not Person.objects.exists()
    assert not ImportBatch.objects.exists()


def test_uncertain_match_goes_to_the_duplicates_queue(tmp_path, lille):
    known = PersonFactory(
        nir="", last_name="Dupont-Leroy", first_names="Jean Pierre", birth_date=datetime.date(1980, 3, 15)
    )
    rows = [
        RDV_HEADERS,
        ["", "M", "DUPONT LEROY", "Pierre Jean", "15/03/1980", "", "59000 Lille", "", "", "", "", "9"],
    ]
    report = import_people(write_csv(tmp_path / "a.csv", rows))
    assert report.counts["created"] == 1
    assert "doublon" in report.records[0]["reason"]
    candidate = DuplicateCandidate.objects.get()
    assert candidate.person == known
