"""`parcours demo-front-door --departement CODE --seed N --months M`: the demo's front door (trays,
routing rules, stations, accounts) and its last months of contacts (see parcours.demo.front_door)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from parcours.core.french import plural
from parcours.demo.front_door import CONTACTS_PER_DAY, MONTHS, DemoAgentsMissing, simulate_front_door
from parcours.demo.generation import TerritoryNotLoaded


class Command(BaseCommand):
    help = (
        "Installe le premier accueil de démonstration (bannettes des unités, CRIP, CCAS partenaires, règles "
        "d'orientation, postes du centre de premier contact, comptes demo.operateur, demo.bannette, demo.ccas) "
        "et rejoue ses derniers mois de sollicitations par les traitements de Parcours. Ne fait rien si "
        "l'opérateur de démonstration a déjà pris des sollicitations."
    )

    def add_arguments(self, parser):
        parser.add_argument("--departement", default=None)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--months", type=int, default=MONTHS)
        parser.add_argument(
            "--per-day", type=int, default=CONTACTS_PER_DAY, help="Sollicitations par jour ouvré (environ)."
        )

    def handle(self, *args, departement=None, seed=1, months=MONTHS, per_day=CONTACTS_PER_DAY, **options):
        code = departement or settings.PARCOURS_DEPARTEMENT
        if months < 1 or months > 24:
            raise CommandError("Le nombre de mois doit être compris entre 1 et 24.")
        if per_day < 1:
            raise CommandError("Le nombre de sollicitations par jour doit être positif.")
        try:
            outcome = simulate_front_door(code, seed, months=months, per_day=per_day)
        except (TerritoryNotLoaded, DemoAgentsMissing) as error:
            raise CommandError(str(error), returncode=2)
        if not outcome.created:
            self.stdout.write(
                "L'opérateur de démonstration a déjà pris des sollicitations : le premier accueil de "
                "démonstration existe, rien à faire."
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"{plural(outcome.trays, 'bannette')}, {plural(outcome.rules, 'règle')} d'orientation, "
                f"{plural(outcome.stations, 'poste')} ; {plural(outcome.contacts, 'sollicitation')} sur "
                f"{months} mois, {plural(outcome.items, 'demande')} dont {outcome.open_items} ouvertes "
                f"({outcome.overdue} en retard), {plural(outcome.transfers, 'transmission')}, "
                f"{plural(outcome.escalated, 'signalement')} au responsable."
            )
        )
