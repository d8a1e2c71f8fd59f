"""`parcours import-cnaf FILE... [--dry-run] [--json]`: import CNAF "flux bénéficiaires RSA".

Exit codes: 0 imported (possibly with quarantined dossiers), 2 a file was rejected
(nothing changed for that file), 1 internal error."""

from django.core.management.base import BaseCommand
from django_q.tasks import async_task

from parcours.imports import commands
from parcours.imports.runner import run_import
from parcours.orientation.followups import open_followups_after_import
from parcours.rsa.importer import CnafFluxSource


class Command(BaseCommand):
    # The system checks cost a few tenths of a second that an import run from a script would pay each time.
    requires_system_checks = []
    help = "Importe un ou plusieurs flux CNAF bénéficiaires RSA (schéma vrsb0801), dans l'ordre donné."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FICHIER")
        parser.add_argument("--dry-run", action="store_true", help="Simule l'import sans rien modifier.")
        parser.add_argument("--json", action="store_true", help="Affiche le compte rendu en JSON.")
        parser.add_argument("--departement", help="Département attendu (par défaut PARCOURS_DEPARTEMENT).")

    def handle(self, *args, **options):
        reports = []
        for path in options["files"]:
            source = CnafFluxSource(path, departement=options.get("departement"))
            report = run_import(
                source,
                path,
                dry_run=options["dry_run"],
                with_records="all" if options["json"] else "quarantined",
            )
            # The importer writes its events in bulk: the follow-ups they open are opened by the
            # task queue right after (orientation/followups.py), as after a web import, so that the
            # import itself stays as fast as the reading of the file.
            if report.batch_id and not options["dry_run"]:
                async_task(
                    open_followups_after_import, report.batch_id, task_name=f"suivis-import-{report.batch_id}"
                )
            reports.append(report)
        commands.output(self, reports, as_json=options["json"])
        commands.finish(reports)
