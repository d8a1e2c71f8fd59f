"""`parcours load-needs [--json]`: bring the needs referential in line with its data file."""

import json

from django.core.management.base import BaseCommand, CommandError

from parcours.reception.needs_loader import LEVELS, NeedsDataError, load_needs

LABELS = {"themes": "thématiques", "situations": "situations", "needs": "besoins"}


class Command(BaseCommand):
    help = (
        "Charge le référentiel des besoins (thématiques, situations, besoins) livré avec Parcours. "
        "Met à jour les libellés, désactive les entrées retirées sans jamais les supprimer ; "
        "peut être relancée sans effet de bord."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="Affiche uniquement le résultat, en JSON."
        )

    def handle(self, *args, as_json=False, **options):
        try:
            report = load_needs()
        except NeedsDataError as error:
            raise CommandError(str(error), returncode=2)
        if as_json:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False))
            return
        for level in LEVELS:
            self.stdout.write(
                f"{LABELS[level].capitalize()} : {report.created[level]} créée(s), "
                f"{report.updated[level]} mise(s) à jour, {report.deactivated[level]} désactivée(s), "
                f"{report.unchanged[level]} inchangée(s)."
            )
        self.stdout.write(
            self.style.SUCCESS("Référentiel des besoins à jour." if report.changed else "Rien à changer.")
        )
