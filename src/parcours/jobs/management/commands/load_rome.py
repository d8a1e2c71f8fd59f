from django.core.management.base import BaseCommand

from parcours.jobs.models import RomeAppellation, RomeCode
from parcours.jobs.rome import load_reference


class Command(BaseCommand):
    help = "Charge (ou met à jour) le référentiel ROME livré avec Parcours. Idempotent."

    def handle(self, *args, **options):
        counts = load_reference(RomeCode, RomeAppellation)
        self.stdout.write(
            f"ROME : {counts['codes_created']} code(s) créé(s), {counts['codes_updated']} mis à jour ; "
            f"{counts['appellations_created']} appellation(s) créée(s), {counts['appellations_updated']} mise(s) à jour."
        )
