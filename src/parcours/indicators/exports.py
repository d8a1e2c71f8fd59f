"""The indicators as files: JSON, CSV (key, value), XLSX and ODS (one sheet of key/value, one
per breakdown). Keys are the dotted paths of `stats.compute`'s dict, documented in
docs/indicators.md; breakdown rows are flattened as `breakdowns.<dimension>.<group>.<field>`.
The cells of CSV, XLSX and ODS go through `core.spreadsheet_safety.neutralise`.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

from parcours.core.spreadsheet_safety import neutralised

BREAKDOWN_COLUMNS = [
    "key",
    "label",
    "entrants",
    "received",
    "share_received",
    "mean_delay_first_interview_days",
    "share_received_within_30_days",
    "oriented",
    "drees_population",
]
BREAKDOWN_SHEETS = {
    "unit": "par unité",
    "site": "par site",
    "month": "par mois",
    "age_band": "par âge",
    "sex": "par sexe",
    "family_situation": "par situation familiale",
}


def flatten(stats: dict, prefix: str = "") -> Iterator[tuple[str, object]]:
    """(dotted key, value) of every figure, breakdowns included, in a stable order."""
    for key, value in stats.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            yield from flatten(value, f"{path}.")
        elif isinstance(value, list):
            for row in value:
                group = row.get("key", "") or "_"
                for field, cell in row.items():
                    if field not in ("key", "label"):
                        yield f"{path}.{group}.{field}", cell
        else:
            yield path, value


def to_json(stats: dict) -> str:
    return json.dumps(stats, ensure_ascii=False, indent=2)


def to_csv(stats: dict) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["key", "value"])
    for key, value in flatten(stats):
        writer.writerow(neutralised([key, "" if value is None else value]))
    return out.getvalue()


def sheets(stats: dict) -> list[tuple[str, list[str], list[list]]]:
    """(sheet name, headers, rows): the figures without breakdowns, then one sheet per breakdown."""
    main = {key: value for key, value in stats.items() if key != "breakdowns"}
    result = [("indicateurs", ["key", "value"], [neutralised([key, value]) for key, value in flatten(main)])]
    for dimension, rows in stats.get("breakdowns", {}).items():
        result.append(
            (
                BREAKDOWN_SHEETS.get(dimension, dimension),
                BREAKDOWN_COLUMNS,
                [neutralised(row.get(column) for column in BREAKDOWN_COLUMNS) for row in rows],
            )
        )
    return result


def to_xlsx(stats: dict) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, headers, rows in sheets(stats):
        sheet = workbook.create_sheet(name[:31])
        sheet.append(headers)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def to_ods(stats: dict) -> bytes:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    document = OpenDocumentSpreadsheet()
    for name, headers, rows in sheets(stats):
        table = Table(name=name)
        for values in [headers, *rows]:
            row = TableRow()
            for value in values:
                if isinstance(value, bool) or value is None or isinstance(value, str):
                    cell = TableCell(valuetype="string")
                    cell.addElement(P(text="" if value is None else str(value)))
                else:
                    cell = TableCell(valuetype="float", value=value)
                    cell.addElement(P(text=str(value)))
                row.addElement(cell)
            table.addElement(row)
        document.spreadsheet.addElement(table)
    out = io.BytesIO()
    document.write(out)
    return out.getvalue()
