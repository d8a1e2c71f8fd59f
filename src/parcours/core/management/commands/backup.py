from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from parcours.core.backup import MANIFEST, BackupError, create_backup, read_manifest


class Command(BaseCommand):
    help = (
        "Sauvegarde la base PostgreSQL (pg_dump, format custom) et les fichiers privés (imports, courriers, "
        "courriels, SMS) dans un dossier parcours-AAAAMMJJ-HHMMSS, avec un manifeste (lignes et empreinte de "
        "chaque table, migrations, fichiers) que `parcours restore-check` compare après restauration."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--destination",
            type=Path,
            default=None,
            help="Dossier où écrire la sauvegarde (par défaut PARCOURS_BACKUP_DIR, var/backups).",
        )

    def handle(self, *args, destination=None, **options):
        try:
            folder = create_backup(destination)
        except BackupError as error:
            raise CommandError(str(error)) from error
        manifest = read_manifest(folder)
        tables = manifest["database"]["tables"]
        size = sum(artifact["size"] for artifact in manifest["artifacts"].values())
        self.stdout.write(
            f"Sauvegarde écrite : {folder} ({len(tables)} tables, {sum(t['rows'] for t in tables.values())} lignes, "
            f"{len(manifest['files'])} fichier(s), {size / 1e6:.1f} Mo, {manifest['seconds']:.1f} s). "
            f"Vérifiez-la avec : parcours restore-check {folder} (manifeste : {MANIFEST})."
        )
