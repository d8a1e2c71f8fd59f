"""`parcours load-territory --departement CODE [--json]`: communes, territorial units and sites."""

import json
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from parcours.territory.loader import load_territory
from parcours.territory.reference import TerritoryDataError


class Command(BaseCommand):
    help = (
        "Charge le territoire d'un département (communes, unités territoriales, sites) depuis les "
        "données de référence livrées avec Parcours. Peut être relancée sans effet de bord."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--departement",
            default=None,
            help=f"Code INSEE du département (par défaut : {settings.PARCOURS_DEPARTEMENT}, PARCOURS_DEPARTEMENT).",
        )
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="Affiche uniquement le résultat, en JSON."
        )

    def handle(self, *args, departement=None, as_json=False, **options):
        code = departement or settings.PARCOURS_DEPARTEMENT
        started = time.perf_counter()
        try:
            report = load_territory(code)
        except TerritoryDataError as error:
            raise CommandError(str(error), returncode=2)
        elapsed = time.perf_counter() - started
        if as_json:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False))
            return
        c = report.changes
        arrondissements = (
            f" dont {report.arrondissements_municipaux} arrondissements municipaux"
            if report.arrondissements_municipaux
            else ""
        )
        self.stdout.write(
            f"{report.name} ({report.departement}) : {report.communes} communes{arrondissements}, "
            f"{report.units} unités territoriales, {report.sites} sites."
        )
        for label, key in (("Communes", "communes"), ("Unités", "units"), ("Sites", "sites")):
            self.stdout.write(
                f"  {label} : {c[key].created} créé(e)s, {c[key].updated} mis(es) à jour, "
                f"{c[key].unchanged} inchangé(e)s."
            )
        self.stdout.write(self.style.SUCCESS(f"Territoire chargé en {elapsed:.1f} s."))
