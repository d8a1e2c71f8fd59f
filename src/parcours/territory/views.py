from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from parcours.territory.models import Site, TerritorialUnit


@login_required
def overview(request):
    units = TerritorialUnit.objects.all()
    sites = Site.objects.select_related("commune")
    return render(request, "territory/overview.html", {"units": units, "sites": sites, "title": "Territoire"})
