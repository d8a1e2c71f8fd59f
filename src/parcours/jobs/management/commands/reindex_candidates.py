from django.core.management.base import BaseCommand

from parcours.core.french import plural
from parcours.jobs.indexing import rebuild


class Command(BaseCommand):
    help = "Reconstruit l'index de rapprochement des candidats (après un import en masse, par exemple)."

    def handle(self, *args, **options):
        self.stdout.write(f"{plural(rebuild(), 'entrée indexée', 'entrées indexées')}.")
