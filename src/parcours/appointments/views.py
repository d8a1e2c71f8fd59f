"""Agents' agenda pages: a site's slots for a week, with who booked them."""

import datetime

from django.contrib import messages
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from parcours.accounts.permissions import agent_may
from parcours.appointments.calendar import local_datetime
from parcours.appointments.models import Slot
from parcours.core import audit
from parcours.core.access import visible_persons
from parcours.territory.models import Site

WEEK = datetime.timedelta(days=7)


def _monday_of(request) -> datetime.date:
    """The Monday of the week asked (`semaine`, any day of it), else of the current week.

    A week too close to the calendar's ends to have a previous and a next week is refused."""
    asked = request.GET.get("semaine", "")
    try:
        day = datetime.date.fromisoformat(asked)
    except ValueError:
        day = None
    # date.min is a Monday; the week after the asked one must end before date.max.
    if day is None or not datetime.date.min + WEEK <= day <= datetime.date.max - 2 * WEEK:
        if asked:
            messages.warning(request, f"Semaine « {asked[:20]} » invalide : voici la semaine en cours.")
        day = timezone.localdate()
    return day - datetime.timedelta(days=day.weekday())


@agent_may("may_use_agendas")
def agenda(request):
    sites = Site.objects.filter(opening_hours__isnull=False).distinct()
    site = (
        get_object_or_404(Site, pk=request.GET["site"])
        if request.GET.get("site", "").isdigit()
        else sites.first()
    )
    monday = _monday_of(request)
    start = local_datetime(monday, datetime.time())
    end = local_datetime(monday + datetime.timedelta(days=7), datetime.time())
    slots = (
        Slot.objects.filter(site=site, starts_at__gte=start, starts_at__lt=end, cancelled_at__isnull=True)
        .select_related("agent", "slot_type")
        .prefetch_related("bookings__person")
        if site
        else Slot.objects.none()
    )
    slots = list(slots)
    booked_ids = {b.person_id for s in slots for b in s.bookings.all()}
    visible = set(visible_persons(request.user).filter(pk__in=booked_ids).values_list("pk", flat=True))
    audit.record_shown(request.user, sorted(visible), request=request)
    return render(
        request,
        "appointments/agenda.html",
        {
            "title": "Agendas",
            "sites": sites,
            "site": site,
            "slots": slots,
            "visible": visible,
            "monday": monday,
            "previous": monday - datetime.timedelta(days=7),
            "next": monday + datetime.timedelta(days=7),
        },
    )
