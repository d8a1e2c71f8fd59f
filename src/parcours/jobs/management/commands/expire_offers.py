from django.core.management.base import BaseCommand

from parcours.jobs.expiry import expire_offers


class Command(BaseCommand):
    help = "Prévient les employeurs des offres non actualisées depuis 50 jours et retire celles de plus de 60 jours."

    def handle(self, *args, **options):
        counts = expire_offers()
        self.stdout.write(
            f"{counts['warned']} offre(s) signalée(s), {counts['expired']} offre(s) expirée(s)."
        )
