from django.core.management.base import BaseCommand

from parcours.core.retention import purge_personal_files


class Command(BaseCommand):
    help = (
        "Supprime les fichiers contenant des données personnelles (imports, courriers, courriels, SMS) "
        "plus anciens que leur durée de conservation (PARCOURS_*_RETENTION_DAYS)."
    )

    def handle(self, *args, **options):
        counts = purge_personal_files()
        self.stdout.write(
            f"{counts['uploads']} fichier(s) d'import, {counts['letters']} courrier(s), "
            f"{counts['mails']} fichier(s) de courriels ou de SMS supprimé(s)."
        )
