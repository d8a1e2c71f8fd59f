"""`parcours import-directory FICHIER… [--dry-run] [--json]`: import data·inclusion / DORA exports
(JSON, or CSV / XLSX / ODS one service a row) into the directory (see `directory.importer`).

Exit codes: 0 imported (possibly with quarantined records), 2 file rejected (nothing changed),
1 internal error."""

from django.core.management.base import BaseCommand

from parcours.directory.importer import DirectorySource
from parcours.imports import commands
from parcours.imports.runner import run_import


class Command(BaseCommand):
    requires_system_checks = []
    help = "Importe un export data·inclusion / DORA (JSON ou CSV) dans l'annuaire des services."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FICHIER")
        parser.add_argument("--dry-run", action="store_true", help="Simule l'import sans rien modifier.")
        parser.add_argument("--json", action="store_true", help="Affiche le compte rendu en JSON.")

    def handle(self, *args, **options):
        reports = []
        for path in options["files"]:
            reports.append(
                run_import(
                    DirectorySource(path),
                    path,
                    dry_run=options["dry_run"],
                    with_records="all" if options["json"] else "quarantined",
                )
            )
        commands.output(self, reports, as_json=options["json"])
        commands.finish(reports)
