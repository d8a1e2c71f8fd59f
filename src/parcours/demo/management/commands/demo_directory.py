"""`parcours demo-directory --departement CODE --seed N`: the demo directory of local services
(see parcours.demo.directory)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from parcours.core.french import plural
from parcours.demo.directory import generate_directory, play_orientations
from parcours.demo.generation import TerritoryNotLoaded


class Command(BaseCommand):
    help = (
        "Génère un annuaire de démonstration (CCAS, aide alimentaire, médiation numérique, plateforme "
        "mobilité, santé, parentalité, emploi…) dans les communes réelles du département, au prorata de "
        "leur population. Ne fait rien si l'annuaire de démonstration existe déjà."
    )

    def add_arguments(self, parser):
        parser.add_argument("--departement", default=None)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--density",
            type=float,
            default=1.0,
            help="Multiplie le nombre attendu de structures (1 par défaut).",
        )

    def handle(self, *args, departement=None, seed=1, density=1.0, **options):
        code = departement or settings.PARCOURS_DEPARTEMENT
        if density <= 0:
            raise CommandError("La densité doit être positive.")
        try:
            outcome = generate_directory(code, seed, density=density)
        except TerritoryNotLoaded as error:
            raise CommandError(str(error), returncode=2)
        if not outcome.created:
            self.stdout.write("L'annuaire de démonstration existe déjà dans ce département : rien à faire.")
            return
        sent = play_orientations(code, seed)
        self.stdout.write(
            self.style.SUCCESS(
                f"{plural(outcome.structures, 'structure')} et {plural(outcome.services, 'service')} créés "
                f"({outcome.stale} à mettre à jour, {plural(outcome.closed, 'fermé')}, "
                f"{plural(outcome.owned, 'structure')} rattachées aux organisations de démonstration) ; "
                f"{plural(sent, 'orientation')} vers leurs services."
            )
        )
