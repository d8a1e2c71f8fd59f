"""`parcours simulate-orientation`: capacity planning by discrete-event simulation."""

import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from parcours.appointments.defaults import Period
from parcours.appointments.models import OpeningHours
from parcours.core.french import plural
from parcours.orientation.simulation import default_site_weeks, minimum_weekly_slots, simulate


def configured_site_weeks() -> list[list[Period]]:
    """The weekly periods of the sites configured in the database."""
    weeks: dict[int, list[Period]] = {}
    agents: dict[tuple[int, int], int] = {}
    for opening in OpeningHours.objects.filter(agent__is_active=True).select_related("slot_type"):
        index = agents.setdefault((opening.site_id, opening.agent_id), len(agents))
        weeks.setdefault(opening.site_id, []).append(
            Period(index, opening.weekday, opening.starts_at, opening.ends_at, opening.slot_type.kind)
        )
    return list(weeks.values())


class Command(BaseCommand):
    help = (
        "Simule arrivées, invitations, prises de rendez-vous, absences et convocations ; "
        "donne le délai jusqu'à l'entretien et la capacité hebdomadaire minimale."
    )

    def add_arguments(self, parser):
        parser.add_argument("--entrants-per-year", type=int, required=True)
        parser.add_argument("--sites", type=int, help="K sites générés avec l'agenda par défaut de la démo.")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        entrants = options["entrants_per_year"]
        if entrants <= 0:
            raise CommandError("--entrants-per-year doit être positif.")
        if options["sites"] is not None:
            if options["sites"] <= 0:
                raise CommandError("--sites doit être positif.")
            weeks = default_site_weeks(options["sites"])
        else:
            weeks = configured_site_weeks()
            if not weeks:
                raise CommandError("Aucune plage d'ouverture configurée : indiquez --sites K.")
        code = settings.PARCOURS_DEPARTEMENT
        result = simulate(entrants, weeks, seed=options["seed"], departement_code=code)
        minimum_95, at_95 = minimum_weekly_slots(entrants, len(weeks), seed=options["seed"])
        minimum_goal, at_goal = minimum_weekly_slots(
            entrants, len(weeks), seed=options["seed"], median_days=14
        )
        report = {
            "configured": result.as_dict(),
            "minimum_weekly_slots_95_within_30_days": minimum_95,
            "at_minimum_95": at_95.as_dict(),
            "minimum_weekly_slots_goal": minimum_goal,
            "at_minimum_goal": at_goal.as_dict(),
        }
        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False))
            return
        self.stdout.write(
            f"{plural(result.sites, 'site')}, {result.weekly_seats} places/semaine, {entrants} entrants/an :\n"
            f"  délai ouverture des droits → entretien : moyenne {result.mean_days} j, "
            f"médiane {result.median_days} j, 90e centile {result.p90_days} j\n"
            f"  entretiens tenus sous 30 jours : {result.share_within_30_days:.1%}\n"
            f"  capacité minimale pour 95 % sous 30 jours : {minimum_95} entretiens/semaine\n"
            f"  capacité minimale pour 95 % sous 30 jours et médiane ≤ 14 j : {minimum_goal} entretiens/semaine"
        )
