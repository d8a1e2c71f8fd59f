"""`parcours generate --departement CODE --seed N --scale S [--json]`: a synthetic population."""

import argparse
import json
import sys
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from parcours.demo.generation import TerritoryNotLoaded, generate

PROGRESS_FROM = 10_000  # households: smaller runs finish before a progress line is useful


def _scale(value: str) -> Decimal:
    try:
        scale = Decimal(value)
    except InvalidOperation:
        scale = None
    if scale is None or not (0 < scale <= 10):
        raise argparse.ArgumentTypeError(f"échelle invalide « {value} » : un nombre entre 0 (exclu) et 10.")
    return scale


class Command(BaseCommand):
    help = (
        "Génère une population fictive d'allocataires du RSA (foyers et personnes) dans les communes "
        "du département, de façon reproductible. Relancée avec les mêmes paramètres, elle ne fait "
        "rien ; avec d'autres, elle remplace la population générée précédemment (et elle seule)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--departement",
            default=None,
            help=f"Code INSEE du département (par défaut : {settings.PARCOURS_DEPARTEMENT}).",
        )
        parser.add_argument("--seed", type=int, default=1, help="Graine du tirage (par défaut : 1).")
        parser.add_argument(
            "--scale",
            type=_scale,
            default=Decimal("0.05"),
            help="Échelle, entre 0 et 10 : 1.0 correspond à environ 100 000 foyers pour le Nord "
            "(proportionnellement à la population du département). Par défaut : 0.05.",
        )
        parser.add_argument(
            "--force", action="store_true", help="Régénère même si les paramètres n'ont pas changé."
        )
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="Affiche uniquement le résultat, en JSON."
        )

    def handle(
        self, *args, departement=None, seed=1, scale=Decimal("0.05"), force=False, as_json=False, **options
    ):
        code = departement or settings.PARCOURS_DEPARTEMENT
        reported = [0]

        def progress(done: int, total: int) -> None:
            if total < PROGRESS_FROM:
                return
            tenth = done * 10 // total
            if tenth > reported[0]:
                reported[0] = tenth
                print(f"Génération : {tenth * 10} % ({done} foyers sur {total})", file=sys.stderr, flush=True)

        try:
            outcome = generate(code, seed, scale, force=force, progress=progress)
        except TerritoryNotLoaded as error:
            raise CommandError(str(error), returncode=2)
        generation = outcome.generation
        if as_json:
            self.stdout.write(
                json.dumps(
                    {
                        "departement": code,
                        "seed": generation.seed,
                        "scale": float(generation.scale),
                        "created": outcome.created,
                        "households": generation.household_count,
                        "persons": generation.person_count,
                        "removed_persons": outcome.removed_persons,
                        "seconds": generation.duration_seconds,
                    }
                )
            )
            return
        if not outcome.created:
            self.stdout.write(
                f"Population déjà générée pour le département {code} avec la graine {seed} et l'échelle "
                f"{generation.scale.normalize()} ({generation.household_count} foyers, "
                f"{generation.person_count} personnes) : rien à faire."
            )
            return
        if outcome.removed_persons:
            self.stdout.write(
                f"Population générée précédemment supprimée : {outcome.removed_persons} personnes."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Population fictive du département {code} (graine {seed}, échelle {generation.scale.normalize()}) : "
                f"{generation.household_count} foyers, {generation.person_count} personnes, "
                f"en {generation.duration_seconds:.1f} s."
            )
        )
