from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from parcours.core.backup import BackupError, restore_check
from parcours.core.throwaway_cluster import ClusterUnavailable


class Command(BaseCommand):
    help = (
        "Restaure une sauvegarde de `parcours backup` dans un serveur PostgreSQL jetable, puis compare le "
        "nombre de lignes et l'empreinte de chaque table, et chaque fichier, avec le manifeste ; vérifie aussi "
        "le journal d'audit de la copie. Code de sortie 1 au moindre écart."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "backup", type=Path, help="Le dossier de la sauvegarde (parcours-AAAAMMJJ-HHMMSS)."
        )
        parser.add_argument("--jobs", type=int, default=2, help="Processus de pg_restore en parallèle (2).")
        parser.add_argument(
            "--sans-audit",
            action="store_true",
            dest="no_audit",
            help="Ne pas vérifier la chaîne du journal d'audit de la copie.",
        )

    def handle(self, *args, backup, jobs, no_audit, **options):
        try:
            report = restore_check(backup, jobs=jobs, audit=not no_audit)
        except (BackupError, ClusterUnavailable) as error:
            raise CommandError(str(error)) from error
        if report.ok:
            self.stdout.write(report.text())
            return
        self.stderr.write(report.text())
        raise SystemExit(1)
