import csv
import json

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from parcours.accounts.models import Role
from parcours.accounts.permissions import agent_may
from parcours.core import audit
from parcours.core.access import visible_persons
from parcours.core.forms import AuditFilterForm
from parcours.core.models import AuditAction, AuditEvent
from parcours.core.spreadsheet_safety import neutralised
from parcours.people.forms import PersonSearchForm
from parcours.people.models import Follow, HouseholdMember, Person

AUDIT_PAGE_SIZE = 50
FOLLOWED_SHOWN = 50
RECENT_SHOWN = 10


@login_required
def home(request):
    """The agent's home page: what their role works on first (employers: their portal)."""
    agent = request.user
    if agent.is_employer:
        return redirect("jobs:portal")
    if not agent.is_professional:
        raise PermissionDenied("Votre compte ne donne accès à aucune page.")
    context = {
        "title": "Accueil",
        "search_form": PersonSearchForm(),
        "may_register": agent.may_register_persons,
        "is_follower": agent.may_hold_caseload,
    }
    if context["is_follower"]:
        follows = Follow.objects.caseload_of(agent)
        context["followed_count"] = follows.count()
        context["follows"] = list(
            follows.select_related("person__commune").order_by(
                "person__last_name", "person__first_names", "person_id"
            )[:FOLLOWED_SHOWN]
        )
        audit.record_shown(agent, [f.person_id for f in context["follows"]], request=request)
    if agent.role == Role.CHARGE_ORIENTATION:
        context["recent_persons"] = list(
            visible_persons(agent)
            .filter(commune__unit__in=agent.units.all())
            .select_related("commune__unit")
            .order_by("-created_at", "-id")[:RECENT_SHOWN]
        )
        audit.record_shown(agent, [p.pk for p in context["recent_persons"]], request=request)
    if agent.is_manager:
        context["unit_counts"] = unit_counts(agent)
    return render(request, "core/home.html", context)


def unit_counts(agent) -> list[dict]:
    """For each of the agent's units: persons living there, their households, and those followed."""
    units = list(agent.units.order_by("code"))
    persons = dict(
        Person.objects.filter(commune__unit__in=units)
        .values("commune__unit")
        .annotate(n=Count("id"))
        .values_list("commune__unit", "n")
    )
    households = dict(
        HouseholdMember.objects.filter(person__commune__unit__in=units)
        .values("person__commune__unit")
        .annotate(n=Count("household", distinct=True))
        .values_list("person__commune__unit", "n")
    )
    followed = dict(
        Follow.objects.active()
        .filter(person__commune__unit__in=units)
        .values("person__commune__unit")
        .annotate(n=Count("person", distinct=True))
        .values_list("person__commune__unit", "n")
    )
    return [
        {
            "unit": unit,
            "persons": persons.get(unit.pk, 0),
            "households": households.get(unit.pk, 0),
            "followed": followed.get(unit.pk, 0),
        }
        for unit in units
    ]


AUDIT_REFUSAL = "Le journal d'audit est réservé aux administrateurs."


@agent_may("may_view_audit_log", AUDIT_REFUSAL)
def audit_log(request):
    form = AuditFilterForm(request.GET or None)
    events = form.filter(AuditEvent.objects.all())
    page = Paginator(events, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page_obj": page, "title": "Journal d'audit", "query": request.GET.urlencode()}
    return render(request, "core/audit_log.html", context)


@agent_may("may_view_audit_log", AUDIT_REFUSAL)
def audit_export(request):
    """The filtered audit log as CSV; the export itself is audited."""
    form = AuditFilterForm(request.GET or None)
    events = form.filter(AuditEvent.objects.all()).order_by("-at", "-id")
    audit.record(
        request.user,
        AuditAction.EXPORT,
        request=request,
        export="journal_audit",
        rows=events.count(),
        filters=form.active_filters(),
    )
    response = StreamingHttpResponse(_csv_rows(events), content_type="text/csv; charset=utf-8")
    filename = f"journal-audit-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_rows(events):
    writer = csv.writer(_Echo(), delimiter=";")
    yield "\ufeff" + writer.writerow(["date", "agent", "action", "canal", "personne", "adresse", "détail"])
    for event in events.iterator(chunk_size=2000):
        yield writer.writerow(
            neutralised(
                [
                    timezone.localtime(event.at).isoformat(timespec="seconds"),
                    event.agent_label,
                    event.action,
                    event.channel,
                    event.person_id or "",
                    event.path,
                    json.dumps(event.detail, ensure_ascii=False) if event.detail else "",
                ]
            )
        )
