"""`parcours import-people FILE --format {rdv-insertion,carnet-de-bord,csv} [--mapping FILE.toml]
[--dry-run] [--json]`: import a beneficiary file (CSV, XLSX or ODS).

Exit codes: 0 imported (possibly with quarantined rows), 2 file rejected (nothing changed),
1 internal error."""

from django.core.management.base import BaseCommand

from parcours.imports import commands
from parcours.imports.people import FORMATS, PeopleFileSource
from parcours.imports.runner import run_import


class Command(BaseCommand):
    # The system checks cost a few tenths of a second that an import run from a script would pay each time.
    requires_system_checks = []
    help = "Importe un fichier de bénéficiaires (CSV, XLSX ou ODS) : rdv-insertion, carnet de bord ou autre."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FICHIER")
        parser.add_argument("--format", dest="file_format", choices=FORMATS, default="csv")
        parser.add_argument("--mapping", help="Fichier TOML de correspondance des colonnes.")
        parser.add_argument("--dry-run", action="store_true", help="Simule l'import sans rien modifier.")
        parser.add_argument("--json", action="store_true", help="Affiche le compte rendu en JSON.")

    def handle(self, *args, **options):
        reports = []
        for path in options["files"]:
            source = PeopleFileSource(
                path, file_format=options["file_format"], mapping_file=options["mapping"]
            )
            reports.append(
                run_import(
                    source,
                    path,
                    dry_run=options["dry_run"],
                    with_records="all" if options["json"] else "quarantined",
                )
            )
        commands.output(self, reports, as_json=options["json"])
        commands.finish(reports)
