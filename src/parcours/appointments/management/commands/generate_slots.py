"""`parcours generate-slots --weeks N`: cut the opening hours into slots (idempotent)."""

import datetime

from django.core.management.base import BaseCommand
from django.utils import timezone

from parcours.appointments.agendas import generate_slots
from parcours.appointments.invitations import resolve_alerts
from parcours.core.french import plural


class Command(BaseCommand):
    help = "Génère les créneaux des plages d'ouverture, jours fériés exclus (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--weeks", type=int, default=6)

    def handle(self, *args, **options):
        start = timezone.localdate()
        created = generate_slots(start, start + datetime.timedelta(weeks=options["weeks"]))
        # New seats: follow-ups waiting on a capacity alert are planned again at the next sending.
        resolved = resolve_alerts() if created else 0
        self.stdout.write(
            f"{plural(created, 'créneau créé', 'créneaux créés')}, {plural(resolved, 'alerte levée', 'alertes levées')}."
        )
