"""`parcours load-aid-schemes [--with-envelopes] [--file PATH]`: bring the aid schemes' catalogue
in line with its data file (`aids/data/catalogue.json`, see `aids.catalogue.load_catalogue`)."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from parcours.aids.catalogue import DATA_FILE, load_catalogue


class Command(BaseCommand):
    help = (
        "Charge le catalogue des dispositifs d'aide livré avec Parcours (Activ'Emploi, FDAJ, fonds "
        "d'urgence, EVA, bourse des étudiants anciennement confiés à l'ASE, aide au véhicule, cumul "
        "RSA et salaire). Crée les dispositifs absents, crée une nouvelle version quand les règles ont "
        "changé (les demandes déposées gardent la leur) ; peut être relancée sans effet de bord."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--with-envelopes",
            action="store_true",
            help="Crée aussi l'enveloppe de l'année en cours de chaque dispositif qui n'en a pas.",
        )
        parser.add_argument("--file", type=Path, default=DATA_FILE, help="Autre fichier de catalogue (JSON).")

    def handle(self, *args, with_envelopes=False, file=DATA_FILE, **options):
        try:
            report = load_catalogue(file, with_envelopes=with_envelopes)
        except (OSError, ValueError, KeyError) as error:
            raise CommandError(f"Fichier de catalogue illisible ({file}) : {error}", returncode=2)
        except ValidationError as error:
            raise CommandError(f"Catalogue invalide : {' '.join(error.messages)}", returncode=2)
        for line in report.lines:
            self.stdout.write(line)
        self.stdout.write(
            self.style.SUCCESS("Catalogue des aides à jour." if report.changed else "Rien à changer.")
        )
