"""`parcours process-invitations`: reminders, expiries and convocations, then delivery."""

import json

from django.core.management.base import BaseCommand

from parcours.appointments.invitations import process_invitations
from parcours.appointments.notifications import deliver_pending
from parcours.core.french import plural


class Command(BaseCommand):
    help = "Relance les invitations sans réponse et convoque après expiration (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        counts = process_invitations()
        counts["messages"] = deliver_pending()
        if options["json"]:
            self.stdout.write(json.dumps(counts))
        else:
            self.stdout.write(
                f"{plural(counts['reminders'], 'relance')}, {plural(counts['convocations'], 'convocation')}, "
                f"{plural(counts['alerts'], 'alerte')} sans créneau."
            )
