from django.core.management.base import BaseCommand

from parcours.core.french import plural
from parcours.core.retention import purge_personal_files


class Command(BaseCommand):
    help = (
        "Supprime les fichiers contenant des données personnelles (imports, courriers, courriels, SMS) "
        "plus anciens que leur durée de conservation (PARCOURS_*_RETENTION_DAYS)."
    )

    def handle(self, *args, **options):
        counts = purge_personal_files()
        self.stdout.write(
            "Supprimés : "
            f"{plural(counts['uploads'], 'fichier')} d'import, {plural(counts['letters'], 'courrier')}, "
            f"{plural(counts['mails'], 'fichier')} de courriels ou de SMS."
        )
