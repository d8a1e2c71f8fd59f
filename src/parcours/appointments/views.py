"""Agents' agenda pages: a site's slots for a week, with who booked them."""

import datetime

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from parcours.appointments.calendar import local_datetime
from parcours.appointments.models import Slot
from parcours.core.access import visible_persons
from parcours.territory.models import Site


@login_required
def agenda(request):
    sites = Site.objects.filter(opening_hours__isnull=False).distinct()
    site = (
        get_object_or_404(Site, pk=request.GET["site"])
        if request.GET.get("site", "").isdigit()
        else sites.first()
    )
    try:
        monday = datetime.date.fromisoformat(request.GET.get("semaine", ""))
    except ValueError:
        monday = timezone.localdate()
    monday -= datetime.timedelta(days=monday.weekday())
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
