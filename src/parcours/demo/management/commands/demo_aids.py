"""`parcours demo-aids --departement CODE --seed N --months M`: the demo's aid funds (catalogue,
envelopes, about a year of applications, commissions and payments; see parcours.demo.aids)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from parcours.core.french import plural
from parcours.demo.aids import MONTHS, PER_MONTH, DemoAgentsMissing, simulate_aids
from parcours.demo.generation import TerritoryNotLoaded


class Command(BaseCommand):
    help = (
        "Charge le catalogue des aides, fixe les enveloppes de l'année et rejoue environ un an de demandes "
        "d'aide par les traitements de Parcours (dépôts, instruction, commissions mensuelles, décisions, "
        "paiements par lots, bourses mensuelles, indu, cumul RSA et salaire). Ne fait rien si les demandes "
        "de démonstration existent déjà."
    )

    def add_arguments(self, parser):
        parser.add_argument("--departement", default=None)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--months", type=int, default=MONTHS)
        parser.add_argument(
            "--per-month", type=int, default=PER_MONTH, help="Demandes déposées par mois (environ)."
        )

    def handle(self, *args, departement=None, seed=1, months=MONTHS, per_month=PER_MONTH, **options):
        code = departement or settings.PARCOURS_DEPARTEMENT
        if months < 1 or months > 24:
            raise CommandError("Le nombre de mois doit être compris entre 1 et 24.")
        if per_month < 1:
            raise CommandError("Le nombre de demandes par mois doit être positif.")
        try:
            outcome = simulate_aids(code, seed, months=months, per_month=per_month)
        except (TerritoryNotLoaded, DemoAgentsMissing) as error:
            raise CommandError(str(error), returncode=2)
        if not outcome.created:
            self.stdout.write("Les demandes d'aide de démonstration existent déjà : rien à faire.")
            return
        states = ", ".join(f"{label} : {count}" for label, count in sorted(outcome.by_state.items()))
        self.stdout.write(
            self.style.SUCCESS(
                f"{plural(outcome.applications, 'demande')} d'aide ({states}) ; "
                f"{plural(outcome.sessions, 'commission tenue', 'commissions tenues')}, "
                f"{plural(outcome.batches, 'lot')} de paiement, {plural(outcome.payments, 'paiement effectué', 'paiements effectués')}."
            )
        )
