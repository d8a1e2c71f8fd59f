from django.core.management.base import BaseCommand, CommandError

from parcours.core.french import plural
from parcours.jobs.models import Employer
from parcours.jobs.synthetic import generate_demo
from parcours.territory.models import Departement


class Command(BaseCommand):
    help = (
        "Génère les données de démonstration de la plateforme emploi : employeurs, groupes sectoriels, "
        "offres et profils de candidats pour une partie des personnes déjà générées."
    )

    def add_arguments(self, parser):
        parser.add_argument("--departement", required=True, help="Code INSEE du département, ex. 59")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--employers", type=int, default=36)
        parser.add_argument("--offers", type=int, default=120)
        parser.add_argument(
            "--profile-share", type=float, default=0.3, help="Part des adultes avec un profil"
        )

    def handle(self, *args, **options):
        departement = Departement.objects.filter(code=options["departement"]).first()
        if departement is None:
            raise CommandError(
                f"Département {options['departement']} inconnu : lancez d'abord parcours load-territory."
            )
        if Employer.objects.filter(sites__commune__departement=departement).exists():
            self.stdout.write(
                f"Données emploi de démonstration déjà présentes pour le département {departement.code} : "
                "rien à faire."
            )
            return
        try:
            counts = generate_demo(
                departement,
                seed=options["seed"],
                employers=options["employers"],
                offers=options["offers"],
                profile_share=options["profile_share"],
            )
        except ValueError as error:
            raise CommandError(str(error))
        self.stdout.write(
            f"{plural(counts['employers'], 'employeur')}, {plural(counts['offers'], 'offre')}, "
            f"{plural(counts['profiles'], 'profil')} de candidat."
        )
