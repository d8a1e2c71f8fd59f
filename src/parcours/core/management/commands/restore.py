from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from parcours.core.backup import BackupError, Database, restore


class Command(BaseCommand):
    help = (
        "Restaure une sauvegarde de `parcours backup` dans la base PostgreSQL donnée, puis la compare au "
        "manifeste. Refuse une base dont le schéma est plus récent que la sauvegarde, et une base non vide "
        "sans --remplacer."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "backup", type=Path, help="Le dossier de la sauvegarde (parcours-AAAAMMJJ-HHMMSS)."
        )
        parser.add_argument(
            "--database-url",
            required=True,
            help="Adresse de la base cible : postgres://utilisateur@hôte:port/base.",
        )
        parser.add_argument(
            "--remplacer",
            action="store_true",
            dest="replace",
            help="Effacer le contenu de la base cible (et les fichiers présents) avant de restaurer.",
        )
        parser.add_argument(
            "--fichiers",
            action="store_true",
            dest="files",
            help="Remettre aussi les fichiers privés (imports, courriers…) dans les dossiers de cette installation.",
        )
        parser.add_argument("--oui", action="store_true", dest="yes", help="Ne pas demander de confirmation.")

    def handle(self, *args, backup, database_url, replace, files, yes, **options):
        try:
            database = Database.from_url(database_url)
        except BackupError as error:
            raise CommandError(str(error)) from error
        if replace and not yes:
            answer = input(
                f"Effacer le contenu de la base « {database.name} » et y restaurer {backup} ? [oui/non] "
            )
            if answer.strip().lower() not in {"o", "oui"}:
                raise CommandError("Restauration abandonnée : rien n'a été modifié.")
        try:
            report = restore(backup, database, replace=replace, files=files)
        except BackupError as error:
            raise CommandError(str(error)) from error
        if report.ok:
            self.stdout.write(report.text())
            return
        self.stderr.write(report.text())
        raise SystemExit(1)
