"""Reading spreadsheets as they come from the départements: CSV, XLSX and ODS.

`read_table(path)` returns the rows of the first sheet as lists of cells, whatever the
format: CSV with `;`, `,` or tab, in UTF-8 (with or without BOM) or windows-1252; XLSX and
ODS through python-calamine (typed cells: numbers, dates, text). It raises `FileRejected`
with a French message when the file cannot be read at all, and for hostile files:

- a workbook (a zip archive) is checked before calamine opens it (`check_archive`): the
  sizes its directory declares, once inflated, stay under PARCOURS_MAX_SPREADSHEET_UNZIPPED_MB
  and PARCOURS_MAX_ZIP_RATIO times the compressed size; every member is then inflated once,
  counting, in case the directory lies; its XML parts hold no DOCTYPE (`core.xml_safety`);
- more than PARCOURS_MAX_IMPORT_ROWS non-empty rows stop the reading.
"""

from __future__ import annotations

import copy
import csv
import io
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

from django.conf import settings
from python_calamine import CalamineWorkbook

from parcours.core.xml_safety import UnsafeXml, check_prolog
from parcours.imports.runner import FileRejected

ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
MB = 1024 * 1024
# Below this inflated size, a high compression ratio is harmless (and common in tiny workbooks).
RATIO_FLOOR = 1 * MB
XML_MEMBERS = (".xml", ".rels")
# ZipExtFile stops at the size the directory declares; this one makes it read the real data.
UNBOUNDED = 1 << 62


def detect_format(path: Path) -> str:
    """'xlsx', 'ods' or 'csv', from the content (extensions lie)."""
    with open(path, "rb") as f:
        head = f.read(4)
    if head.startswith(b"PK"):
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
                if "mimetype" in names:
                    with archive.open("mimetype") as mimetype:  # only its first bytes: it may be a bomb
                        if mimetype.read(len(ODS_MIMETYPE) + 10).strip() == ODS_MIMETYPE:
                            return "ods"
                if "xl/workbook.xml" in names:
                    return "xlsx"
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError):
            pass
        raise FileRejected("Le fichier est une archive qui n'est ni un classeur XLSX ni un classeur ODS.")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "xls"
    return "csv"


def decode_text(data: bytes) -> str:
    """UTF-8 (BOM or not), else windows-1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            raise FileRejected(
                "Encodage du fichier non reconnu : enregistrez-le en CSV UTF-8 ou windows-1252."
            ) from None


def _delimiter(text: str) -> str:
    first_lines = text[:5000].splitlines()[:5]
    sample = "\n".join(first_lines)
    counts = {d: sample.count(d) for d in (";", ",", "\t")}
    return max(counts, key=counts.get) if any(counts.values()) else ";"


def read_csv(path: Path) -> Iterator[list]:
    text = decode_text(path.read_bytes())
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        yield from reader
    except csv.Error as error:  # a field over csv.field_size_limit() (128 Ko)…
        raise FileRejected(f"Ligne {reader.line_num} : fichier CSV illisible ({error}).") from None


def _unzipped_too_large(limit: int) -> FileRejected:
    return FileRejected(
        f"Le classeur décompressé dépasse {limit // MB} Mo, la limite d'un import : fichier refusé "
        "par sécurité. Enregistrez-le en CSV, ou découpez-le en plusieurs fichiers."
    )


def check_archive(path: Path) -> None:
    """Refuse a workbook that would inflate beyond the limits, or whose XML declares a DOCTYPE,
    before any XML parser reads it (see the module docstring)."""
    limit = settings.PARCOURS_MAX_SPREADSHEET_UNZIPPED_MB * MB
    ratio = settings.PARCOURS_MAX_ZIP_RATIO
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            declared = sum(member.file_size for member in members)
            packed = sum(member.compress_size for member in members)
            if declared > limit:
                raise _unzipped_too_large(limit)
            if declared > RATIO_FLOOR and declared > ratio * max(packed, 1):
                raise FileRejected(
                    f"Le classeur se décompresse plus de {ratio} fois (de {packed // 1024} Ko à "
                    f"{declared // 1024} Ko) : archive suspecte, fichier refusé par sécurité."
                )
            inflated = 0
            for member in members:
                real = copy.copy(member)
                real.file_size = UNBOUNDED
                if member.filename.lower().endswith(XML_MEMBERS):
                    with archive.open(real) as stream:
                        try:
                            check_prolog(stream)
                        except UnsafeXml as unsafe:
                            raise FileRejected(
                                f"{unsafe.message} (partie « {member.filename} » du classeur)"
                            ) from None
                with archive.open(real) as stream:
                    while block := stream.read(1 << 16):
                        inflated += len(block)
                        if inflated > limit:
                            raise _unzipped_too_large(limit)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as error:
        raise FileRejected(f"Classeur illisible (archive endommagée ou chiffrée) : {error}") from None


def read_workbook(path: Path) -> Iterator[list]:
    """The rows of the first sheet, one at a time (calamine has the sheet in memory: the limits
    on the archive bound it)."""
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        if not workbook.sheet_names:
            return
        sheet = workbook.get_sheet_by_index(0)
        if sheet.start is None:
            return
        # Leading empty rows are left out (read_table drops empty rows), not leading columns.
        padding = [""] * sheet.start[1]
        for row in sheet.iter_rows():
            yield padding + row if padding else row
    except Exception as error:  # calamine raises its own error types for broken files
        raise FileRejected(f"Classeur illisible : {error}") from None


def _limited(rows: Iterable[list], limit: int) -> list[list]:
    """The non-empty rows; FileRejected as soon as there are more than `limit`."""
    kept = []
    for row in rows:
        if any(cell not in (None, "") and str(cell).strip() for cell in row):
            if len(kept) == limit:
                count = f"{limit:,}".replace(",", "\u202f")
                raise FileRejected(
                    f"Le fichier compte plus de {count} lignes, la limite d'un import : "
                    "découpez-le en plusieurs fichiers."
                )
            kept.append(row)
    return kept


def read_table(path: str | Path) -> list[list]:
    """The rows of the first sheet (or of the CSV), empty rows removed."""
    path = Path(path)
    if path.stat().st_size == 0:
        raise FileRejected("Le fichier est vide.")
    kind = detect_format(path)
    if kind in ("xlsx", "ods"):
        check_archive(path)
    rows = read_workbook(path) if kind in ("xls", "xlsx", "ods") else read_csv(path)
    return _limited(rows, settings.PARCOURS_MAX_IMPORT_ROWS)
