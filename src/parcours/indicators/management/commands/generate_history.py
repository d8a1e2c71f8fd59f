"""`parcours generate-history --departement 59 --year 2019 --seed N [--scale S]`: a synthetic,
seed-calibrated pathway history (see parcours.indicators.history)."""

import json

from django.core.management.base import BaseCommand, CommandError

from parcours.indicators.history import generate_history


class Command(BaseCommand):
    help = "Génère l'historique fictif des parcours d'un département sur une année (remplace le précédent)."

    def add_arguments(self, parser):
        parser.add_argument("--departement", required=True)
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--scale", type=float, default=1.0)
        parser.add_argument("--json", dest="as_json", action="store_true", help="Résumé en JSON.")

    def handle(self, *args, departement, year, seed, scale, as_json: bool = False, **options):
        if scale <= 0:
            raise CommandError("L'échelle doit être positive.")
        try:
            outcome = generate_history(departement, year, seed, scale)
        except ValueError as error:
            raise CommandError(str(error))
        summary = {
            "persons": outcome.persons,
            "created_persons": outcome.created_persons,
            "events": outcome.events,
            "removed_events": outcome.removed_events,
        }
        if as_json:
            self.stdout.write(json.dumps(summary))
        else:
            self.stdout.write(
                f"{outcome.events} événements pour {outcome.persons} personnes "
                f"({outcome.created_persons} créées, {outcome.removed_events} événements remplacés)."
            )
