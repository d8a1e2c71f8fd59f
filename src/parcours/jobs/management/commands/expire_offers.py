from django.core.management.base import BaseCommand

from parcours.core.french import plural
from parcours.jobs.expiry import expire_offers


class Command(BaseCommand):
    help = "Prévient les employeurs des offres non actualisées depuis 50 jours et retire celles de plus de 60 jours."

    def handle(self, *args, **options):
        counts = expire_offers()
        self.stdout.write(
            f"{plural(counts['warned'], 'offre signalée', 'offres signalées')}, "
            f"{plural(counts['expired'], 'offre expirée', 'offres expirées')}."
        )
