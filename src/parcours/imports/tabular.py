"""Reading spreadsheets as they come from the départements: CSV, XLSX and ODS.

`read_table(path)` returns the rows of the first sheet as lists of cells, whatever the
format: CSV with `;`, `,` or tab, in UTF-8 (with or without BOM) or windows-1252; XLSX and
ODS through python-calamine (typed cells: numbers, dates, text). It raises `FileRejected`
with a French message when the file cannot be read at all.
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

from python_calamine import CalamineWorkbook

from parcours.imports.runner import FileRejected

ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"


def detect_format(path: Path) -> str:
    """'xlsx', 'ods' or 'csv', from the content (extensions lie)."""
    with open(path, "rb") as f:
        head = f.read(4)
    if head.startswith(b"PK"):
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
                if "mimetype" in names and archive.read("mimetype").strip() == ODS_MIMETYPE:
                    return "ods"
                if "xl/workbook.xml" in names:
                    return "xlsx"
        except zipfile.BadZipFile:
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


def read_csv(path: Path) -> list[list]:
    text = decode_text(path.read_bytes())
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    return list(reader)


def read_workbook(path: Path) -> list[list]:
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        if not workbook.sheet_names:
            return []
        return workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception as error:  # calamine raises its own error types for broken files
        raise FileRejected(f"Classeur illisible : {error}") from None


def read_table(path: str | Path) -> list[list]:
    """The rows of the first sheet (or of the CSV), empty rows removed."""
    path = Path(path)
    if path.stat().st_size == 0:
        raise FileRejected("Le fichier est vide.")
    kind = detect_format(path)
    rows = read_workbook(path) if kind in ("xls", "xlsx", "ods") else read_csv(path)
    return [row for row in rows if any(cell not in (None, "") and str(cell).strip() for cell in row)]
