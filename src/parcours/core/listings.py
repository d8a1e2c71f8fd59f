"""List pages: sorting, pagination and CSV/XLSX export, done in the database.

A view describes its columns once (`Column`: a header, how to read a cell for the export, and
the ORM ordering when the column sorts) and wraps its queryset in a `Listing`:

    listing = Listing(request, followups, COLUMNS, default_sort="due_on", name="orientation")
    if listing.export_format:
        return listing.export()          # every row, audited
    rows = listing.page                  # one page, audited by the view (record_shown)

The query string carries no personal data: `tri` (a column key, `-` for descending), `page` and
`export` (`csv` or `xlsx`). Exports pass every cell through `core.spreadsheet_safety.neutralise`,
are audited as one EXPORT event naming the list, plus one VIEW event per person exported.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from parcours.core import audit
from parcours.core.models import AuditAction
from parcours.core.spreadsheet_safety import neutralise

PER_PAGE = 50
EXPORT_LIMIT = 50_000
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class Column:
    """One column of a list: its header, its exported value, and its ordering when it sorts."""

    label: str
    value: Callable[[Any], Any]
    order_by: tuple[str, ...] = ()

    @property
    def sortable(self) -> bool:
        return bool(self.order_by)


def _cell(value: Any) -> Any:
    """A value a spreadsheet reads: dates as dates, aware datetimes in Paris time, None as ""."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)
    return neutralise(value) if isinstance(value, str) else value


class Listing:
    """A queryset shown as a sortable, paginated, exportable list (see the module docstring)."""

    def __init__(
        self,
        request: HttpRequest,
        queryset: QuerySet,
        columns: dict[str, Column],
        *,
        default_sort: str,
        name: str,
        person_id: Callable[[Any], int | None] = lambda row: row.person_id,
        per_page: int = PER_PAGE,
    ):
        self.request, self.columns, self.name, self.person_id = request, columns, name, person_id
        wanted = request.GET.get("tri", default_sort)
        key = wanted.removeprefix("-")
        if key not in columns or not columns[key].sortable:
            wanted, key = default_sort, default_sort.removeprefix("-")
        self.sort, self.descending = key, wanted.startswith("-")
        order = [f"-{field}" if self.descending else field for field in columns[key].order_by]
        self.queryset = queryset.order_by(*order, "-pk" if self.descending else "pk")
        self.per_page = per_page
        export = request.GET.get("export", "")
        self.export_format = export if export in FORMATS else ""

    @property
    def page(self) -> Page:
        paginator = Paginator(self.queryset, self.per_page)
        return paginator.get_page(self.request.GET.get("page"))

    def _url(self, **params: str) -> str:
        query = self.request.GET.copy()
        for name in ("page", "export"):
            query.pop(name, None)
        for name, value in params.items():
            query[name] = value
        return "?" + query.urlencode()

    @property
    def headers(self) -> list[dict[str, Any]]:
        """Each column's header, with its sort link and `aria-sort` state when it sorts."""
        result = []
        for key, column in self.columns.items():
            active = key == self.sort
            header = {"label": column.label, "url": "", "aria_sort": ""}
            if column.sortable:
                header["url"] = self._url(tri=f"-{key}" if active and not self.descending else key)
                if active:
                    header["aria_sort"] = "descending" if self.descending else "ascending"
            result.append(header)
        return result

    @property
    def export_links(self) -> list[tuple[str, str]]:
        return [(fmt.upper(), self._url(export=fmt)) for fmt in FORMATS]

    def rows(self) -> list[list[Any]]:
        """Every row of the list (up to EXPORT_LIMIT), as exported cells; headers first."""
        self._exported_ids: list[int | None] = []
        table = [[column.label for column in self.columns.values()]]
        for row in self.queryset[:EXPORT_LIMIT]:
            self._exported_ids.append(self.person_id(row))
            table.append([_cell(column.value(row)) for column in self.columns.values()])
        return table

    def export(self) -> HttpResponse:
        """The whole list as a CSV or XLSX download, audited (one EXPORT, one VIEW per person)."""
        fmt, table = self.export_format, self.rows()
        agent = self.request.user
        audit.record(
            agent, AuditAction.EXPORT, request=self.request, list=self.name, format=fmt, rows=len(table) - 1
        )
        audit.record_shown(agent, self._exported_ids, request=self.request, export=self.name)
        response = HttpResponse(_render(fmt, table), content_type=FORMATS[fmt])
        filename = f"{self.name}-{timezone.localdate():%Y-%m-%d}.{fmt}"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


def _csv_text(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    return value


def _render(fmt: str, table: list[list[Any]]) -> bytes:
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, delimiter=";")
        for row in table:
            writer.writerow([_csv_text(value) for value in row])
        return ("\ufeff" + out.getvalue()).encode()  # a BOM, for Excel to read UTF-8
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Liste")
    for row in table:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
