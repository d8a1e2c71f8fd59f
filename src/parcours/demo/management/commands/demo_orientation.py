"""`parcours demo-orientation --departement CODE --seed N --scale S`: the demo's last weeks of orientation."""

from decimal import Decimal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from parcours.core.french import plural
from parcours.demo.generation import TerritoryNotLoaded
from parcours.demo.orientation import simulate_recent_weeks


class Command(BaseCommand):
    help = (
        "Rejoue les dernières semaines de l'orientation (flux CNAF, invitations, rendez-vous, présences, "
        "décisions) par les traitements de Parcours : la démo commence avec des suivis en cours. "
        "Ne fait rien si le département a déjà des suivis."
    )

    def add_arguments(self, parser):
        parser.add_argument("--departement", default=None)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--scale", type=Decimal, default=Decimal("0.05"))
        parser.add_argument("--weeks", type=int, default=6)

    def handle(self, *args, departement=None, seed=1, scale=Decimal("0.05"), weeks=6, **options):
        code = departement or settings.PARCOURS_DEPARTEMENT
        try:
            outcome = simulate_recent_weeks(code, seed, scale, weeks=weeks)
        except TerritoryNotLoaded as error:
            raise CommandError(str(error), returncode=2)
        if not outcome.created:
            self.stdout.write(f"Le département {code} a déjà des suivis d'orientation : rien à faire.")
            return
        messages = ", ".join(f"{status} : {n}" for status, n in outcome.messages.items()) or "aucun"
        statuses = ", ".join(f"{label} : {n}" for label, n in sorted(outcome.statuses.items()))
        self.stdout.write(
            self.style.SUCCESS(
                f"{plural(outcome.entrants, 'entrant')} des {weeks} dernières semaines, "
                f"{plural(outcome.followups, 'suivi')} "
                f"({statuses}) ; messages : {messages}."
            )
        )
