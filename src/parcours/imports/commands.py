"""What the import commands share: printing reports and choosing the exit code."""

from __future__ import annotations

import json
import sys

from parcours.core.french import plural
from parcours.imports.runner import EXIT_INTERNAL_ERROR, EXIT_OK, EXIT_REJECTED, ImportReport

STATUS_LABELS = {
    "created": "créés",
    "updated": "mis à jour",
    "unchanged": "inchangés",
    "quarantined": "en quarantaine",
}


def exit_code(reports: list[ImportReport]) -> int:
    """1 if any import failed internally, else 2 if any file was rejected, else 0."""
    codes = {report.exit_code for report in reports}
    if EXIT_INTERNAL_ERROR in codes:
        return EXIT_INTERNAL_ERROR
    if EXIT_REJECTED in codes:
        return EXIT_REJECTED
    return EXIT_OK


def output(command, reports: list[ImportReport], *, as_json: bool) -> None:
    """Print the reports: one JSON document (a list, one entry per file) or French text."""
    if as_json:
        command.stdout.write(json.dumps([r.as_dict() for r in reports], ensure_ascii=False, default=str))
        return
    for report in reports:
        counts = ", ".join(f"{report.counts.get(k, 0)} {label}" for k, label in STATUS_LABELS.items())
        line = f"{report.file_name} : {report.status} — {plural(report.total, 'enregistrement')} : {counts}"
        if report.exit_code == EXIT_OK:
            command.stdout.write(line)
        else:
            command.stderr.write(line)
        if report.message:
            (command.stdout if report.exit_code == EXIT_OK else command.stderr).write(f"  {report.message}")
        for record in report.records:
            if record["status"] == "quarantined":
                command.stdout.write(
                    f"  quarantaine (ligne {record['line']}, {record['key']}) : {record['reason']}"
                )


def finish(reports: list[ImportReport]) -> None:
    code = exit_code(reports)
    if code:
        sys.exit(code)
