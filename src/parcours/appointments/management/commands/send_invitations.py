"""`parcours send-invitations`: open follow-ups from new intake events, invite, deliver."""

import json

from django.core.management.base import BaseCommand

from parcours.appointments.invitations import plan_invitations
from parcours.appointments.notifications import deliver_pending
from parcours.core.french import plural
from parcours.orientation.followups import open_followups_from_events


class Command(BaseCommand):
    help = "Invite les personnes à orienter au site le plus proche ayant des créneaux libres (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--no-delivery", action="store_true", help="Planifier sans envoyer les messages.")
        parser.add_argument("--json", action="store_true", help="Résultat en JSON.")

    def handle(self, *args, **options):
        opened = open_followups_from_events()
        result = plan_invitations()
        delivered = {} if options["no_delivery"] else deliver_pending()
        summary = {
            "followups_opened": opened["opened"],
            "followups_closed": opened["closed"],
            "invited": len(result.invited),
            "alerts_no_free_slot": len(result.alerted),
            "messages": delivered,
        }
        if options["json"]:
            self.stdout.write(json.dumps(summary))
        else:
            self.stdout.write(
                f"{plural(summary['invited'], 'invitation')}, {plural(summary['alerts_no_free_slot'], 'alerte')} sans créneau, "
                f"messages : {delivered or 'aucun'}."
            )
