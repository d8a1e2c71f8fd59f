"""Hostile beneficiary files are rejected whole, nothing changed: zip bombs (declared or hidden
by a lying zip directory), DOCTYPEs in a workbook's XML, too many rows, oversized uploads.
The limits are settings; the tests lower them to keep the files small."""

import io
import json
import struct
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from parcours.imports.models import ImportBatch
from parcours.imports.people import PeopleFileSource
from parcours.imports.runner import FileRejected, run_import
from parcours.imports.tabular import read_table
from parcours.people.models import Person
from tests.accounts.factories import AgentFactory
from tests.imports.test_commands import run_command
from tests.imports.test_people import _ods, write_csv
from tests.territory.factories import CommuneFactory

pytestmark = pytest.mark.django_db
HEADERS = ["Nom", "Prénom", "Date de naissance", "CP Ville"]
ROW = b'<row><c t="inlineStr"><is><t>Dupont</t></is></c><c t="inlineStr"><is><t>Jean</t></is></c></row>'


@pytest.fixture
def lille(departement):
    return CommuneFactory(departement=departement, insee_code="59350", postal_codes="59000", name="Lille")


def xlsx(
    rows=(), *, extra_rows: int = 0, prolog: bytes = b"", part: str = "xl/worksheets/sheet1.xml"
) -> bytes:
    """A workbook written by openpyxl; `extra_rows` repeated rows appended to its sheet (they
    compress about 500 times), `prolog` put before the root element of `part`."""
    workbook = openpyxl.Workbook()
    workbook.active.append(HEADERS)
    for row in rows:
        workbook.active.append(row)
    original = io.BytesIO()
    workbook.save(original)
    out = io.BytesIO()
    with zipfile.ZipFile(original) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</sheetData>", ROW * extra_rows + b"</sheetData>")
            if info.filename == part:
                data = prolog + data
            target.writestr(info.filename, data, compresslevel=9)
    return out.getvalue()


def understate(data: bytes, name: str, size: int) -> bytes:
    """The archive with the inflated size of member `name` falsified in its headers."""
    data = bytearray(data)
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo(name)
    struct.pack_into("<I", data, info.header_offset + 22, size)
    position = data.find(b"PK\x01\x02")
    while position != -1:
        length = struct.unpack_from("<H", data, position + 28)[0]
        if data[position + 46 : position + 46 + length] == name.encode():
            struct.pack_into("<I", data, position + 24, size)
        position = data.find(b"PK\x01\x02", position + 4)
    return bytes(data)


def rejection(path) -> str:
    with pytest.raises(FileRejected) as info:
        read_table(path)
    return info.value.message


def test_a_zip_bomb_is_refused_from_its_directory_before_calamine_opens_it(tmp_path, settings):
    settings.PARCOURS_MAX_SPREADSHEET_UNZIPPED_MB = 1
    path = tmp_path / "bombe.xlsx"
    path.write_bytes(xlsx(extra_rows=20_000))  # 2 Mo of XML in about 5 Ko
    assert path.stat().st_size < 20_000
    assert "décompressé dépasse 1 Mo" in rejection(path)


def test_a_zip_bomb_hidden_by_a_lying_directory_is_refused(tmp_path, settings):
    settings.PARCOURS_MAX_SPREADSHEET_UNZIPPED_MB = 1
    path = tmp_path / "menteur.xlsx"
    path.write_bytes(understate(xlsx(extra_rows=20_000), "xl/worksheets/sheet1.xml", 2000))
    assert sum(i.file_size for i in zipfile.ZipFile(path).infolist()) < 1024 * 1024
    assert "décompressé dépasse 1 Mo" in rejection(path)


def test_an_abnormal_compression_ratio_is_refused(tmp_path, settings):
    settings.PARCOURS_MAX_ZIP_RATIO = 100
    path = tmp_path / "ratio.xlsx"
    path.write_bytes(xlsx(extra_rows=20_000))
    assert "se décompresse plus de 100 fois" in rejection(path)


def test_a_big_ods_mimetype_member_is_not_read_whole(tmp_path, settings):
    settings.PARCOURS_MAX_SPREADSHEET_UNZIPPED_MB = 1
    path = _ods(tmp_path / "f.ods", [HEADERS, ["Dupont", "Jean", "15/03/1980", "59000 Lille"]])
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("Thumbnails/big.bin", b"\0" * 2_000_000, zipfile.ZIP_DEFLATED)
    assert "décompressé dépasse 1 Mo" in rejection(path)


@pytest.mark.parametrize(
    "part", ["xl/worksheets/sheet1.xml", "xl/workbook.xml", "[Content_Types].xml", "_rels/.rels"]
)
def test_a_doctype_in_any_xml_part_of_a_workbook_is_refused(tmp_path, part):
    path = tmp_path / "entites.xlsx"
    path.write_bytes(xlsx(prolog=b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY a "b">]>', part=part))
    message = rejection(path)
    assert "DOCTYPE ou des entités XML, refusées par sécurité" in message
    assert part in message


def test_a_doctype_in_an_ods_is_refused(tmp_path):
    path = _ods(tmp_path / "f.ods", [HEADERS, ["Dupont", "Jean", "15/03/1980", "59000 Lille"]])
    out = tmp_path / "entites.ods"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "content.xml":
                data = data.replace(b"?>", b'?><!DOCTYPE x [<!ENTITY a "b">]>', 1)
            target.writestr(info, data)
    assert "DOCTYPE" in rejection(out)


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_more_rows_than_the_limit_are_refused_with_the_limit_named(tmp_path, settings, kind):
    settings.PARCOURS_MAX_IMPORT_ROWS = 5
    path = tmp_path / f"lignes.{kind}"
    rows = [["Dupont", f"Jean{n}", "15/03/1980", "59000 Lille"] for n in range(5)]
    for count, accepted in ((4, True), (5, False)):  # the header row counts
        if kind == "csv":
            write_csv(path, [HEADERS, *rows[:count]])
        else:
            path.write_bytes(xlsx(rows[:count]))
        if accepted:
            assert len(read_table(path)) == count + 1
        else:
            assert rejection(path) == (
                "Le fichier compte plus de 5 lignes, la limite d'un import : découpez-le en plusieurs fichiers."
            )


def test_a_csv_field_over_the_csv_module_limit_is_a_rejected_file(tmp_path):
    path = tmp_path / "champ.csv"
    write_csv(path, [HEADERS, ["a" * 200_000, "Jean", "15/03/1980", "59000 Lille"]])
    assert rejection(path).startswith("Ligne 2 : fichier CSV illisible (field larger than field limit")


def test_a_rejected_bomb_changes_nothing_and_the_command_exits_2(tmp_path, settings, lille):
    settings.PARCOURS_MAX_SPREADSHEET_UNZIPPED_MB = 1
    path = tmp_path / "bombe.xlsx"
    path.write_bytes(xlsx([["Dupont", "Jean", "15/03/1980", "59000 Lille"]], extra_rows=20_000))
    report = run_import(PeopleFileSource(path), path)
    assert (report.status, report.exit_code) == ("rejected", 2)
    code, out = run_command("import_people", str(path), "--json")
    assert code == 2
    assert "décompressé" in json.loads(out)[0]["message"]
    assert not Person.objects.exists()


@pytest.fixture
def admin_client(client, settings, tmp_path, lille):
    settings.PARCOURS_IMPORTS_SYNC = True
    settings.VAR_DIR = tmp_path
    settings.PARCOURS_DEMO = True
    client.force_login(AgentFactory(role="administrateur", otp_exempt=True, units=[lille.unit]))
    return client


def test_a_bomb_uploaded_on_the_import_page_is_a_rejected_batch(admin_client, settings):
    settings.PARCOURS_MAX_SPREADSHEET_UNZIPPED_MB = 1
    upload = SimpleUploadedFile("bombe.xlsx", xlsx(extra_rows=20_000))
    admin_client.post(reverse("imports:index"), {"kind": "people", "file_format": "csv", "file": upload})
    batch = ImportBatch.objects.get()
    assert batch.status == "rejected"
    assert "décompressé dépasse 1 Mo" in batch.message
    assert not Person.objects.exists()


@pytest.mark.parametrize(
    ("kind", "setting", "expected"),
    [
        (
            "people",
            "PARCOURS_MAX_SPREADSHEET_UPLOAD_MB",
            "la limite est de 1 Mo pour un fichier de bénéficiaires",
        ),
    ],
)
def test_an_upload_over_the_size_limit_is_refused_by_the_form(
    admin_client, settings, kind, setting, expected
):
    setattr(settings, setting, 1)
    upload = SimpleUploadedFile("gros.csv", b"Nom;Prenom\n" + b"x" * (1024 * 1024 + 1))
    response = admin_client.post(
        reverse("imports:index"), {"kind": kind, "file_format": "csv", "file": upload}
    )
    assert response.status_code == 200
    assert f"Le fichier pèse 1,0 Mo : {expected}" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_an_upload_over_the_largest_limit_is_not_even_stored(admin_client, settings, tmp_path):
    """Past PARCOURS_MAX_UPLOAD_MB the upload handler stops storing the file (parcours.core.uploads)."""
    settings.PARCOURS_MAX_UPLOAD_MB = 1
    upload = SimpleUploadedFile("flux.xml", b"<x>" + b"x" * (3 * 1024 * 1024) + b"</x>")
    response = admin_client.post(reverse("imports:index"), {"kind": "cnaf", "file": upload})
    assert response.status_code == 200
    assert "Le fichier dépasse 1 Mo, la taille maximale acceptée" in response.content.decode()
    assert not ImportBatch.objects.exists()
    assert not list((tmp_path / "imports").glob("*")) if (tmp_path / "imports").exists() else True
