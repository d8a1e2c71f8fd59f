"""`parcours create-demo-agendas --departement CODE`: default agendas, rules and slots for the demo."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from parcours.appointments.agendas import generate_slots
from parcours.appointments.defaults import install_default_agendas
from parcours.core.french import plural
from parcours.orientation.rules import install_default_rules
from parcours.territory.models import Departement, Site, SiteKind


class Command(BaseCommand):
    help = "Crée l'agenda type (chargés d'orientation, plages, créneaux) des MDIE et les règles de pré-orientation."

    def add_arguments(self, parser):
        parser.add_argument("--departement", required=True)
        parser.add_argument("--weeks", type=int, default=6)

    def handle(self, *args, **options):
        departement = Departement.objects.filter(code=options["departement"]).first()
        if departement is None:
            raise CommandError("Département inconnu : lancez d'abord parcours load-territory.")
        sites = Site.objects.filter(departement=departement, kind=SiteKind.MDIE).select_related("departement")
        periods = sum(install_default_agendas(site) for site in sites)
        rules = install_default_rules(departement)
        today = timezone.localdate()
        slots = generate_slots(today, today + datetime.timedelta(weeks=options["weeks"]), sites=sites)
        self.stdout.write(
            f"{plural(sites.count(), 'site')}, {plural(periods, 'plage')} d'ouverture, {plural(rules, 'règle')}, "
            f"{plural(slots, 'créneau', 'créneaux')}."
        )
