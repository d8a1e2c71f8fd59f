"""`parcours stats --from YYYY-MM-DD --to YYYY-MM-DD [--unit CODE] --format {json,csv,xlsx}`:
every indicator of the period (keys documented in docs/indicators.md). The output records the
run's date and time (`period.computed_at`) and the last day of the log it read
(`period.events_until`, the cut-off an event export must reach to recompute it); both are also
printed on stderr."""

import datetime
import sys

from django.core.management.base import BaseCommand, CommandError

from parcours.indicators import exports
from parcours.indicators.stats import compute
from parcours.territory.models import Departement, TerritorialUnit


def iso_date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"Date invalide « {value} » : format attendu AAAA-MM-JJ.")


class Command(BaseCommand):
    help = "Calcule tous les indicateurs d'une période (dates de Paris, bornes incluses)."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="start", required=True, help="Premier jour (AAAA-MM-JJ).")
        parser.add_argument("--to", dest="end", required=True, help="Dernier jour (AAAA-MM-JJ).")
        parser.add_argument(
            "--unit", default="", help="Code d'une unité territoriale (défaut : tout le département)."
        )
        parser.add_argument("--format", choices=["json", "csv", "xlsx"], default="json")
        parser.add_argument("--output", default="", help="Fichier de sortie (obligatoire pour xlsx).")

    def handle(self, *args, start, end, unit, format, output, **options):
        start, end = iso_date(start), iso_date(end)
        if end < start:
            raise CommandError("La date de fin précède la date de début.")
        unit_ids, label = None, ""
        if unit:
            departement = Departement.objects.current()
            found = TerritorialUnit.objects.filter(code=unit, departement=departement).first()
            if found is None:
                raise CommandError(f"Unité territoriale inconnue : « {unit} ».")
            unit_ids, label = [found.pk], found.code
        result = compute(start, end, unit_ids=unit_ids, unit_label=label)
        period = result["period"]
        self.stderr.write(
            f"Calcul du {period['computed_at']} ; événements lus jusqu'au {period['events_until'] or '—'} "
            "(un export pour le recalcul doit aller au moins jusqu'à ce jour : docs/indicators.md)."
        )
        if format == "xlsx":
            content = exports.to_xlsx(result)
            if output:
                with open(output, "wb") as handle:
                    handle.write(content)
            else:
                sys.stdout.buffer.write(content)
            return
        text = exports.to_json(result) + "\n" if format == "json" else exports.to_csv(result)
        if output:
            with open(output, "w", encoding="utf-8") as handle:
                handle.write(text)
        else:
            self.stdout.write(text, ending="")
