"""`parcours create-demo-agents --departement CODE [--json]`: one demo account per role."""

import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from parcours.demo.agents import create_demo_agents
from parcours.demo.generation import TerritoryNotLoaded

COLUMNS = (
    ("identifiant", "username"),
    ("mot de passe", "password"),
    ("rôle", "role_label"),
    ("organisation", "organisation"),
    ("unité", "unit"),
)


class Command(BaseCommand):
    help = (
        "Crée ou met à jour les comptes de démonstration : un agent par rôle, avec ses organisations "
        "(Département, France Travail, CCAS, association, employeur). Peut être relancée sans effet de bord."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--departement",
            default=None,
            help=f"Code INSEE du département (par défaut : {settings.PARCOURS_DEPARTEMENT}).",
        )
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="Affiche uniquement les comptes, en JSON."
        )

    def handle(self, *args, departement=None, as_json=False, **options):
        code = departement or settings.PARCOURS_DEPARTEMENT
        try:
            accounts, followed_unit = create_demo_agents(code)
        except TerritoryNotLoaded as error:
            raise CommandError(str(error), returncode=2)
        if as_json:
            self.stdout.write(json.dumps([account.as_dict() for account in accounts], ensure_ascii=False))
            return
        rows = [[header for header, _ in COLUMNS]] + [
            [str(getattr(account, attr)) for _, attr in COLUMNS] for account in accounts
        ]
        widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
        self.stdout.write(f"Comptes de démonstration du département {code} :")
        for index, row in enumerate(rows):
            self.stdout.write(
                "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
            )
            if index == 0:
                self.stdout.write("  ".join("-" * width for width in widths))
        followers = [a for a in accounts if a.followed]
        if followers:
            names = " et ".join(a.username for a in followers)
            self.stdout.write(
                f"{names} suivent chacun {followers[0].followed} personnes de l'unité « {followed_unit} »."
            )
        else:
            self.stdout.write(
                "Aucune personne suivie : générez d'abord une population (parcours generate) puis relancez."
            )
        self.stdout.write(
            "La connexion sans second facteur n'est permise que si le serveur tourne avec PARCOURS_DEMO=1."
        )
