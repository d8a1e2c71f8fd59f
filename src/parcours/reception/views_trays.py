"""The trays' screens: « Mes bannettes », a tray's queue, an item and the actions on it.

Thin views: the queries are the models' querysets, the rules are `reception.workflows`. A tray is
shown to its members (administrators: every tray; anyone else: 403, audited); an item to the
members of its current tray (anyone else: 404, audited: the item's existence is not revealed).
The person of an item is fetched with `get_person_for` (members see them through
`reception.access`: open items, and closed ones for 90 days; after that the item is shown without
its person), and every person shown is audited.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Case, Count, Exists, IntegerField, Min, OuterRef, Q, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from parcours.accounts.permissions import agent_may
from parcours.core import audit
from parcours.core.access import get_person_for, visible_persons
from parcours.core.listings import Column, Listing
from parcours.core.models import AuditAction
from parcours.reception import workflows
from parcours.reception.forms_trays import AssignForm, CloseForm, TransferForm, TrayFilterForm, WaitForm
from parcours.reception.models import ItemState, Tray, TrayItem, TrayMember
from parcours.reception.models.trays import ITEM_TRANSITIONS, OPEN_STATES
from parcours.reception.working_hours import working_hours_between

QUICK_ACTIONS = [
    ("take", "prendre", "Prendre la demande"),
    ("start", "commencer", "Commencer le traitement"),
    ("resume", "reprendre", "Reprendre"),
]
TRAYS_REFUSAL = "Les bannettes sont réservées à leurs membres."


def _shown_person_id(item: TrayItem) -> int | None:
    """The item's person id when the agent may see that person (`person_visible`, annotated)."""
    return item.person_id if item.person_id and getattr(item, "person_visible", False) else None


def _person_label(item: TrayItem) -> str:
    if item.person_id:
        # Members see the persons of their trays' items, closed ones for 90 days only.
        return item.person.full_name if _shown_person_id(item) else "Personne hors de votre périmètre"
    contact = item.contact
    known = " ".join(p for p in (contact.provisional_first_name, contact.provisional_last_name) if p)
    return f"Non identifiée ({known})" if known else "Non identifiée"


ITEM_COLUMNS = {
    "due": Column("Première action avant le", lambda item: item.due_at, ("late_rank", "due_at")),
    "received": Column("Reçue le", lambda item: item.created_at, ("created_at",)),
    "number": Column("N°", lambda item: item.pk, ("pk",)),
    "person": Column("Personne", _person_label),
    "need": Column("Besoin", lambda item: item.need.label),
    "urgency": Column("Urgence", lambda item: item.get_urgency_display(), ("urgency",)),
    "state": Column("État", lambda item: item.get_state_display(), ("state",)),
    "assigned": Column("Attribuée à", lambda item: str(item.assigned_to or "")),
    "child_concern": Column(
        "Information préoccupante", lambda item: "oui" if item.is_child_concern else "non"
    ),
}


def _denied(request, **detail):
    audit.record(request.user, AuditAction.DENIED, request=request, **detail)
    raise Http404("Demande introuvable.")


def _tray_for(request, tray_id: int) -> Tray:
    """The tray if the agent is a member (or an administrator): one query, membership included."""
    membership = TrayMember.objects.filter(tray=OuterRef("pk"), agent=request.user)
    tray = get_object_or_404(
        Tray.objects.select_related("unit", "departement").annotate(agent_is_member=Exists(membership)),
        pk=tray_id,
    )
    if not (request.user.is_administrator or tray.agent_is_member):
        audit.record(request.user, AuditAction.DENIED, request=request, tray=tray.pk)
        raise PermissionDenied("Cette bannette est réservée à ses membres.")
    return tray


def remaining_label(item: TrayItem, now) -> str:
    """« En retard », « 3 h 20 ouvrées » before the first action is due, or "" once acted."""
    if not item.is_open or item.first_action_at is not None:
        return ""
    if item.due_at <= now:
        return "En retard"
    hours = working_hours_between(now, item.due_at, departement_code=item.tray.departement.code)
    whole, minutes = int(hours), round((hours - int(hours)) * 60)
    if minutes == 60:
        whole, minutes = whole + 1, 0
    return f"{whole} h {minutes:02d} ouvrées" if whole else f"{minutes} min ouvrées"


@agent_may("may_use_trays", TRAYS_REFUSAL)
def my_trays(request):
    """The agent's trays with their open and overdue counts and their oldest open item (one query)."""
    now = timezone.now()
    open_items = Q(items__state__in=OPEN_STATES)
    trays = (
        Tray.objects.of_agent(request.user)
        .filter(active=True)
        .select_related("unit")
        .annotate(
            open_count=Count("items", filter=open_items),
            overdue_count=Count(
                "items", filter=open_items & Q(items__first_action_at__isnull=True, items__due_at__lt=now)
            ),
            oldest=Min("items__created_at", filter=open_items),
            child_concerns=Count(
                "items",
                filter=open_items & Q(items__is_child_concern=True, items__crip_acknowledged_at__isnull=True),
            ),
        )
        .order_by("name")
    )
    return render(request, "reception/trays.html", {"title": "Mes bannettes", "trays": trays})


@agent_may("may_use_trays", TRAYS_REFUSAL)
def tray(request, tray_id: int):
    """A tray's items: open ones by default, the overdue first then by due date; filters,
    pagination, CSV/XLSX export. Query count does not grow with the rows.

    The plan on PostgreSQL: the open states are asked as `state IN (…)` (`TrayFilterForm`), so the
    index `reception_item_tray_queue` (tray, state, due_at) reads the tray's open items only, never
    the closed ones a tray keeps for years; the order (overdue first — no first action and due
    before now, which depends on the clock and cannot be indexed — then due date) is a top-N sort
    of that backlog. Whom the agent may see is asked for the page's persons only."""
    tray = _tray_for(request, tray_id)
    now = timezone.now()
    filters = TrayFilterForm(request.GET or None)
    items = (
        TrayItem.objects.filter(tray=tray)
        .select_related("need", "person", "assigned_to", "contact")
        .annotate(
            late_rank=Case(
                When(state__in=OPEN_STATES, first_action_at__isnull=True, due_at__lt=now, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
    )
    items = filters.filter(items, agent=request.user, now=now)
    listing = Listing(
        request,
        items,
        ITEM_COLUMNS,
        default_sort="due",
        name=f"bannette-{tray.pk}",
        person_id=_shown_person_id,
    )
    if listing.export_format:
        listing.queryset = listing.queryset.annotate(
            person_visible=Exists(visible_persons(request.user).filter(pk=OuterRef("person_id")))
        )
        return listing.export()
    page = listing.page
    rows = list(page.object_list)
    # Whom the agent may see, for this page's persons only (not an EXISTS over every open item).
    visible = set(
        visible_persons(request.user)
        .filter(pk__in={item.person_id for item in rows if item.person_id})
        .order_by()
        .values_list("pk", flat=True)
    )
    for item in rows:
        item.tray = tray  # read once, with its département
        item.person_visible = item.person_id in visible
        item.remaining = remaining_label(item, now)
        item.person_label = _person_label(item)
    audit.record_shown(
        request.user, [_shown_person_id(item) for item in rows if _shown_person_id(item)], request=request
    )
    context = {
        "title": tray.name,
        "tray": tray,
        "filters": filters,
        "listing": listing,
        "page_obj": page,
        "rows": rows,
        "crip_waiting": tray.is_crip
        and TrayItem.objects.filter(tray=tray, is_child_concern=True, crip_acknowledged_at__isnull=True)
        .open()
        .exists(),
    }
    template = "reception/tray_rows.html" if request.htmx else "reception/tray.html"
    return render(request, template, context)


def _item_for(request, item_id: int) -> TrayItem:
    item = (
        TrayItem.objects.select_related(
            "tray__unit",
            "tray__departement",
            "need__situation__theme",
            "routing_rule",
            "assigned_to",
            "crip_acknowledged_by",
            "contact__taken_by",
            "contact__station",
            "contact__site",
            "contact__provisional_commune",
        )
        .filter(pk=item_id)
        .first()
    )
    if item is None or not workflows.is_member(request.user, item.tray):
        _denied(request, item=item_id)
    return item


def _item_context(request, item: TrayItem, **extra) -> dict:
    agent = request.user
    person = None
    if item.person_id:
        try:
            person = get_person_for(agent, item.person_id, request=request)  # audited either way
        except Http404:
            person = None  # a member, after the 90 days of a closed item: the item without the person
    manager = workflows.is_manager(agent, item.tray)
    available = {name for name, (sources, _) in ITEM_TRANSITIONS.items() if item.state in sources}
    quick_actions = [(slug, label) for name, slug, label in QUICK_ACTIONS if name in available]
    if item.is_child_concern and item.crip_acknowledged_at is None and item.tray.is_crip:
        quick_actions.append(("accuser", "Accuser réception (CRIP)"))
    context = {
        "title": f"Demande n° {item.pk}",
        "item": item,
        "person": person,
        "contact": item.contact,
        "manager": manager,
        "remaining": remaining_label(item, timezone.now()),
        "transitions": item.transitions.select_related("agent", "from_tray", "to_tray"),
        "wait_form": WaitForm(),
        "transfer_form": TransferForm(item=item),
        "close_form": CloseForm(),
        "assign_form": AssignForm(item=item) if manager and item.is_open else None,
        "states": ItemState,
        "quick_actions": quick_actions,
        "may_wait": "wait" in available,
    }
    context.update(extra)
    return context


@agent_may("may_use_trays", TRAYS_REFUSAL)
def item(request, item_id: int):
    """An item: the need, its urgency, why it is in this tray, the contact, the person, its history
    and the actions the agent may take."""
    item = _item_for(request, item_id)
    return render(request, "reception/item.html", _item_context(request, item))


ACTIONS = {"prendre", "attribuer", "commencer", "attendre", "reprendre", "transmettre", "cloturer", "accuser"}


def _respond(request, item: TrayItem, **extra):
    context = _item_context(request, item, **extra)
    template = "reception/item_panel.html" if request.htmx else "reception/item.html"
    return render(request, template, context)


def _run(request, item: TrayItem, transition: str):
    """Apply `transition` from the posted form; returns (done message, confirmation context)."""
    agent, data = request.user, request.POST
    if transition == "prendre":
        return workflows.take(agent, item, request=request), "Vous avez pris la demande.", {}
    if transition == "commencer":
        return workflows.start(agent, item, request=request), "Traitement commencé.", {}
    if transition == "reprendre":
        return workflows.resume(agent, item, request=request), "Demande reprise.", {}
    if transition == "accuser":
        return (
            workflows.acknowledge_child_concern(agent, item, request=request),
            "Information préoccupante accusée.",
            {},
        )
    if transition == "attribuer":
        form = AssignForm(data, item=item)
        if not form.is_valid():
            raise workflows.FrontDoorError("Choisissez un membre de la bannette.")
        to_agent = form.cleaned_data["to_agent"]
        return (
            workflows.assign(agent, item, to_agent, request=request),
            f"Demande attribuée à {to_agent}.",
            {},
        )
    if transition == "attendre":
        form = WaitForm(data)
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        return workflows.wait(agent, item, reason=reason, request=request), "Demande mise en attente.", {}
    if transition == "transmettre":
        form = TransferForm(data, item=item)
        if not form.is_valid():
            return None, "", {"transfer_form": form}
        to_tray, reason = form.cleaned_data["to_tray"], form.cleaned_data["reason"]
        if not form.cleaned_data.get("confirm"):
            if not to_tray.active:  # say it before asking for a confirmation
                workflows.transfer(agent, item, to_tray=to_tray, reason=reason, request=request)
            return None, "", {"confirming": "transfer", "transfer_form": form, "to_tray": to_tray}
        item = workflows.transfer(agent, item, to_tray=to_tray, reason=reason, request=request)
        return item, f"Demande transmise à la bannette « {to_tray.name} ».", {}
    form = CloseForm(data)
    form.is_valid()
    outcome = form.cleaned_data.get("outcome", "")
    decision = form.cleaned_data.get("decision", "")
    if not form.cleaned_data.get("confirm"):
        if not outcome or item.is_child_concern and item.crip_acknowledged_at is None:
            workflows.close(agent, item, outcome=outcome, decision=decision, request=request)  # raises
        return (
            None,
            "",
            {
                "confirming": "close",
                "close_form": form,
                "outcome_label": dict(form.fields["outcome"].choices)[outcome],
            },
        )
    item = workflows.close(agent, item, outcome=outcome, decision=decision, request=request)
    return item, "Demande clôturée.", {}


@agent_may("may_use_trays", TRAYS_REFUSAL)
@require_POST
def item_action(request, item_id: int, transition: str):
    """Apply one action to the item. On success: a redirect to the item (htmx: the refreshed
    panel); on refusal: the item with the workflow's message (the loser of a race is told who won)."""
    item = _item_for(request, item_id)
    if transition not in ACTIONS:
        raise Http404("Action inconnue.")
    from_tray_id = item.tray_id
    try:
        done, message, extra = _run(request, item, transition)
    except workflows.FrontDoorError as error:
        item = _item_for(request, item_id)
        return _respond(request, item, error=error.message)
    if done is None:
        return _respond(request, item, **extra)
    if transition == "transmettre" and not workflows.is_member(request.user, done.tray):
        messages.success(request, message)
        target = reverse("reception:tray", kwargs={"tray_id": from_tray_id})
        return HttpResponseClientRedirect(target) if request.htmx else redirect(target)
    if request.htmx:
        return _respond(request, _item_for(request, item_id), success=message)
    messages.success(request, message)
    return redirect("reception:item", item_id=item.pk)
