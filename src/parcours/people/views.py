from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST
from django_htmx.http import push_url

from parcours.accounts.permissions import agent_may
from parcours.core import audit
from parcours.core.access import get_person_for, visible_persons
from parcours.core.models import AuditAction
from parcours.core.person_panels import panels_for
from parcours.people import saved_searches
from parcours.people.forms import HouseholdForm, PersonForm, PersonSearchForm, changed_fields, snapshot
from parcours.people.models import Follow, HouseholdMember, Person
from parcours.people.record_history import record_changes, with_field_labels
from parcours.privacy.restriction import REFUSAL as RESTRICTION_REFUSAL
from parcours.privacy.restriction import is_restricted

RESULTS_PER_PAGE = 20
SEARCH_PARAM = "recherche"
EVENTS_SHOWN = 100
HISTORY_SHOWN = 50


@agent_may("may_search_persons")
def search(request):
    """Search among the persons the agent may see; an htmx request gets the results only.

    The criteria are POSTed and kept in the session (`saved_searches`); the results are at
    `?recherche=<key>&page=<n>`: the text searched (a name, a NIR) is in no URL, hence in no log."""
    if request.method == "POST":
        form = PersonSearchForm(request.POST)
        searched = form.is_valid() and form.has_criteria()
        key = saved_searches.remember(request.session, form.criteria()) if searched else ""
    else:
        key = request.GET.get(SEARCH_PARAM, "")
        form = PersonSearchForm(saved_searches.recall(request.session, key) if key else None)
    url = reverse("people:search") + (f"?{urlencode({SEARCH_PARAM: key})}" if key else "")
    if request.method == "POST" and key and not request.htmx:
        return redirect(url)
    page = None
    if key and form.is_bound and form.is_valid():
        persons = (
            visible_persons(request.user)
            .search(form.cleaned_data["q"], form.cleaned_data["birth_date"])
            .select_related("commune__unit")
            .order_by("last_name", "first_names", "id")
        )
        page = Paginator(persons, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
        audit.record(request.user, AuditAction.SEARCH, request=request, results=page.paginator.count)
        audit.record_shown(request.user, [person.pk for person in page], request=request)
    context = {
        "form": form,
        "page_obj": page,
        "search_key": key,
        "expired": bool(key) and not form.is_bound,
        "may_register": request.user.may_register_persons,
        "title": "Rechercher une personne",
    }
    if request.htmx and not request.htmx.boosted and not request.htmx.history_restore_request:
        response = render(request, "people/_results.html", context)
        return push_url(response, url) if request.method == "POST" else response
    return render(request, "people/search.html", context)


@agent_may("may_search_persons")
def detail(request, person_id: int):
    agent = request.user
    person = get_person_for(agent, person_id, request=request)
    memberships = list(
        person.memberships.select_related("household").prefetch_related(
            Prefetch(
                "household__memberships",
                queryset=HouseholdMember.objects.select_related("person").order_by(
                    "role", "person__birth_date"
                ),
            )
        )
    )
    member_ids = {m.person_id for ms in memberships for m in ms.household.memberships.all()}
    visible_ids = set(visible_persons(agent).filter(pk__in=member_ids).values_list("pk", flat=True))
    audit.record_shown(agent, sorted(visible_ids - {person.pk}), request=request, household_of=person.pk)
    follows = Follow.objects.active().filter(person=person).select_related("agent__organisation")
    history = with_field_labels(record_changes(person)[:HISTORY_SHOWN])
    may_register = agent.may_register_persons
    panel_templates, panel_context = panels_for(person, agent)
    context = {
        "person": person,
        "memberships": memberships,
        "visible_ids": visible_ids,
        "follows": follows,
        "events": person.events.order_by("-occurred_at", "-id")[:EVENTS_SHOWN],
        "history": history,
        "may_register": may_register,
        "household_form": HouseholdForm(person=person, agent=agent) if may_register else None,
        "title": person.full_name,
        "breadcrumb_data": _breadcrumb(person.full_name),
        "panel_templates": panel_templates,
        **panel_context,
    }
    return render(request, "people/detail.html", context)


@agent_may("may_register_persons")
def create(request):
    agent = request.user
    form = PersonForm(request.POST or None, agent=agent)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            person = form.save()
            filled = [name for name, value in snapshot(person, form.audited_fields()).items() if value]
            audit.record_changes(agent, person, filled, request=request, created=True)
        messages.success(request, "La personne est enregistrée.")
        return redirect("people:detail", person_id=person.pk)
    return render(
        request,
        "people/form.html",
        {
            "form": form,
            "title": "Enregistrer une personne",
            "breadcrumb_data": _breadcrumb("Nouvelle personne"),
        },
    )


@agent_may("may_register_persons")
def edit(request, person_id: int):
    agent = request.user
    person = get_person_for(agent, person_id, request=request, audit_read=request.method == "GET")
    if is_restricted(person.pk):
        return _refuse_under_restriction(request, person)
    form = PersonForm(request.POST or None, instance=person, agent=agent)
    before = snapshot(person, form.audited_fields())
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            person = form.save()
            changed = changed_fields(before, snapshot(person, form.audited_fields()))
            if changed:
                audit.record_changes(agent, person, changed, request=request)
        messages.success(
            request, "Les modifications sont enregistrées." if changed else "Aucune modification."
        )
        return redirect("people:detail", person_id=person.pk)
    return render(
        request,
        "people/form.html",
        {
            "form": form,
            "person": person,
            "title": f"Modifier {person.full_name}",
            "breadcrumb_data": _breadcrumb("Modifier", person),
        },
    )


@agent_may("may_register_persons")
def commune_choices(request):
    """The commune matching the code being typed in the person form (htmx partial)."""
    code = request.GET.get("commune_code", "").strip()
    form = PersonForm(initial={"commune_code": code}, agent=request.user)
    return render(request, "people/_commune_choice.html", {"form": form, "code": code})


@agent_may("may_register_persons")
@require_POST
def household_add(request, person_id: int):
    agent = request.user
    person = get_person_for(agent, person_id, request=request, audit_read=False)
    if is_restricted(person.pk):
        return _refuse_under_restriction(request, person)
    form = HouseholdForm(request.POST, person=person, agent=agent)
    if form.is_valid():
        with transaction.atomic():
            form.save()
            audit.record_changes(agent, person, ["foyer"], request=request)
        messages.success(request, "La personne est ajoutée au foyer.")
    else:
        errors = " ".join(str(e) for field_errors in form.errors.values() for e in field_errors)
        messages.error(request, f"Le foyer n'a pas été modifié : {errors}")
    return redirect(reverse("people:detail", args=[person.pk]) + "#foyers")


@agent_may("may_register_persons")
@require_POST
def household_leave(request, person_id: int, membership_id: int):
    agent = request.user
    person = get_person_for(agent, person_id, request=request, audit_read=False)
    if is_restricted(person.pk):
        return _refuse_under_restriction(request, person)
    membership = get_object_or_404(HouseholdMember, pk=membership_id, person=person)
    with transaction.atomic():
        membership.delete()
        audit.record_changes(agent, person, ["foyer"], request=request)
    messages.success(request, "La personne ne fait plus partie de ce foyer.")
    return redirect(reverse("people:detail", args=[person.pk]) + "#foyers")


def _refuse_under_restriction(request, person: Person):
    """An edit of a person under a restriction of processing: refused, the agent told why."""
    messages.error(request, RESTRICTION_REFUSAL)
    return redirect("people:detail", person_id=person.pk)


def _breadcrumb(current: str, person: Person | None = None) -> dict:
    links = [{"url": reverse("people:search"), "title": "Personnes"}]
    if person is not None:
        links.append({"url": reverse("people:detail", args=[person.pk]), "title": person.full_name})
    return {"links": links, "current": current}
