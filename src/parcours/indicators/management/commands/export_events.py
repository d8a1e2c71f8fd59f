"""`parcours export-events --from YYYY-MM-DD --to YYYY-MM-DD --format {csv,parquet}`: the
pseudonymised event log (columns documented in docs/indicators.md). `--stream accueil` exports the
front door's events instead (`reception.FrontDoorEvent`, `parcours.reception.event_export`),
`--stream aides` the aid funds' events (`aids.AidEvent`, `parcours.aids.event_export`)."""

import io
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from parcours.core import audit
from parcours.core.models import AuditAction
from parcours.indicators import event_export
from parcours.indicators.management.commands.stats import iso_date


class Command(BaseCommand):
    help = "Exporte le journal des événements du parcours, pseudonymisé (CSV ou Parquet)."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="start", required=True, help="Premier jour (AAAA-MM-JJ).")
        parser.add_argument("--to", dest="end", required=True, help="Dernier jour (AAAA-MM-JJ).")
        parser.add_argument("--format", choices=["csv", "parquet"], default="csv")
        parser.add_argument("--output", default="", help="Fichier de sortie (obligatoire pour parquet).")
        parser.add_argument(
            "--stream",
            choices=["parcours", "accueil", "aides"],
            default="parcours",
            help=(
                "parcours : événements des personnes (par défaut) ; accueil : événements du premier accueil ; "
                "aides : événements des aides financières."
            ),
        )

    def handle(self, *args, start, end, format, output, stream="parcours", **options):
        start, end = iso_date(start), iso_date(end)
        if end < start:
            raise CommandError("La date de fin précède la date de début.")
        if format == "parquet" and not output:
            raise CommandError("--output est obligatoire pour le format parquet.")
        exporter = event_export
        if stream == "accueil":
            from parcours.reception import event_export as exporter
        elif stream == "aides":
            from parcours.aids import event_export as exporter
        if output:
            count = exporter.write(start, end, format, Path(output))
        else:
            buffer = io.StringIO()
            count = exporter.write(start, end, format, buffer)
            self.stdout.write(buffer.getvalue(), ending="")
        audit.record(
            None,
            AuditAction.EXPORT,
            export={"parcours": "events", "accueil": "events_accueil", "aides": "events_aides"}[stream],
            start=start.isoformat(),
            end=end.isoformat(),
            rows=count,
        )
        if output:
            self.stderr.write(
                f"{count} événements exportés dans {output} (jusqu'au {end.isoformat()} inclus)."
            )
