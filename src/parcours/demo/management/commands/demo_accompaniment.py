"""`parcours demo-accompaniment --departement CODE --seed N --scale S`: the demo's last weeks of
coaching and accompagnement global (see parcours.demo.accompaniment)."""

from decimal import Decimal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from parcours.core.french import plural
from parcours.demo.accompaniment import WEEKS, DemoAgentsMissing, simulate_accompaniment
from parcours.demo.generation import TerritoryNotLoaded


class Command(BaseCommand):
    help = (
        "Rejoue les dernières semaines des accompagnements (entrées en coaching, contacts hebdomadaires, "
        "propositions d'offres, embauches, formations, fins, accompagnements globaux en binôme) par les "
        "traitements de Parcours. Ne fait rien si le coach de démonstration suit déjà des accompagnements."
    )

    def add_arguments(self, parser):
        parser.add_argument("--departement", default=None)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--scale", type=Decimal, default=Decimal("0.05"))
        parser.add_argument("--weeks", type=int, default=WEEKS)

    def handle(self, *args, departement=None, seed=1, scale=Decimal("0.05"), weeks=WEEKS, **options):
        code = departement or settings.PARCOURS_DEPARTEMENT
        if scale <= 0:
            raise CommandError("L'échelle doit être positive.")
        try:
            outcome = simulate_accompaniment(code, seed, scale, weeks=weeks)
        except (TerritoryNotLoaded, DemoAgentsMissing) as error:
            raise CommandError(str(error), returncode=2)
        if not outcome.created:
            self.stdout.write("Le coach de démonstration suit déjà des accompagnements : rien à faire.")
            return
        plans = (
            " Diagnostics et plans d'action non créés : leurs modèles n'existent pas encore."
            if outcome.plans_skipped
            else ""
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"{plural(outcome.coachings, 'coaching')} sur {weeks} semaines "
                f"(dont {outcome.open_coachings} en cours), {plural(outcome.contacts, 'contact')}, "
                f"{plural(outcome.proposals, 'proposition')} d'offre, {plural(outcome.hires, 'embauche')}, "
                f"{plural(outcome.trainings, 'formation')}, "
                f"{plural(outcome.globals, 'accompagnement global', 'accompagnements globaux')}.{plans}"
            )
        )
