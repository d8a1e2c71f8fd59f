from django.core.management.base import BaseCommand

from parcours.jobs.models import RomeAppellation, RomeCode
from parcours.jobs.rome import load_reference


class Command(BaseCommand):
    help = "Charge (ou met à jour) le référentiel ROME livré avec Parcours. Idempotent."

    def handle(self, *args, **options):
        counts = load_reference(RomeCode, RomeAppellation)
        self.stdout.write(
            f"ROME : codes créés : {counts['codes_created']}, mis à jour : {counts['codes_updated']} ; "
            f"appellations créées : {counts['appellations_created']}, "
            f"mises à jour : {counts['appellations_updated']}."
        )
