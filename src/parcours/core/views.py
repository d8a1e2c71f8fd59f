from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render

from parcours.core.models import AuditEvent


@login_required
def home(request):
    return render(request, "core/home.html", {"title": "Accueil"})


@login_required
def audit_log(request):
    if not request.user.is_administrator:
        raise PermissionDenied
    events = AuditEvent.objects.select_related("agent")
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "core/audit_log.html", {"page_obj": page, "title": "Journal d'audit"})
