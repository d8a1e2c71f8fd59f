"""The contact-centre screen (`/premier-accueil/`): station, lookup by phone or identity, the
contact with its needs, screen pops, identification afterwards, person creation, callbacks.

Numbers, names and NIRs typed on the screen travel in POST bodies only (never in a URL, hence in
no log). Every person shown is audited; every write goes through `reception.workflows` (or
`reception.callbacks` for the queue itself).
"""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from parcours.accounts.permissions import agent_may
from parcours.core import audit
from parcours.core.access import get_person_for
from parcours.core.listings import Column, Listing
from parcours.core.models import AuditAction
from parcours.people.forms import PersonForm, snapshot
from parcours.reception import callbacks as callback_queue
from parcours.reception import contact_centre, telephony, workflows
from parcours.reception.forms_contacts import (
    DEFAULT_CHANNEL,
    DESK_CHANNEL,
    CallbackActionForm,
    ContactForm,
    IdentifyForm,
    LookupForm,
    NeedFormSet,
    StationForm,
    need_choices,
)
from parcours.reception.models import ScreenPop, TrayItem

STATION_SESSION_KEY = "reception_station"
TAKE_CONTACTS = "Le premier accueil est réservé aux agents qui reçoivent le public."


def current_station(request):
    """The station kept in the session, if still active (else forgotten)."""
    station_id = request.session.get(STATION_SESSION_KEY)
    if not station_id:
        return None
    station = contact_centre.stations().filter(pk=station_id).first()
    if station is None:
        request.session.pop(STATION_SESSION_KEY, None)
    return station


def _lookup(request, form: LookupForm) -> contact_centre.Lookup:
    """Run the lookup of a valid form and audit it (the search, then every person shown)."""
    if not (form.is_valid() and form.has_criteria()):
        return contact_centre.Lookup()
    data = form.cleaned_data
    if data["phone"]:
        lookup = contact_centre.by_phone(request.user, data["phone"])
    else:
        lookup = contact_centre.by_identity(request.user, data["q"], data["birth_date"])
    audit.record(
        request.user, AuditAction.SEARCH, request=request, results=len(lookup.persons), screen="accueil"
    )
    audit.record_shown(request.user, lookup.person_ids, request=request)
    return lookup


def _screen(request, *, form=None, needs=None, lookup_form=None, lookup=None, chosen=None, status=200):
    station = current_station(request)
    if form is None:
        initial = {"channel": DEFAULT_CHANNEL if station else DESK_CHANNEL}
        if chosen is not None:
            initial["person"] = chosen.pk
        form = ContactForm(agent=request.user, initial=initial)
    if needs is None:
        needs = NeedFormSet(prefix="besoins", form_kwargs={"need_choices": need_choices()})
    context = {
        "title": "Premier accueil",
        "station": station,
        "form": form,
        "needs": needs,
        "lookup_form": lookup_form or LookupForm(),
        "lookup": lookup,
        "chosen": chosen or getattr(form, "chosen_person", None),
        "max_needs": needs.max_num,
    }
    return render(request, "reception/contact_screen.html", context, status=status)


@agent_may("may_take_contacts", TAKE_CONTACTS)
def screen(request):
    """GET: a new contact (`?personne=<id>` chooses the person, audited). POST: record it, then
    show where each need went."""
    agent = request.user
    if request.method != "POST":
        chosen = None
        if request.GET.get("personne"):
            chosen = get_person_for(agent, request.GET["personne"], request=request)
        return _screen(request, chosen=chosen)
    station = current_station(request)
    form = ContactForm(request.POST, agent=agent)
    needs = NeedFormSet(request.POST, prefix="besoins")  # choices only if shown again (4 queries)
    if form.is_valid() and needs.is_valid():
        try:
            contact = workflows.record_contact(
                agent,
                needs=needs.need_inputs(),
                station=station,
                site=station.site if station else None,
                request=request,
                **form.workflow_arguments(),
            )
        except workflows.FrontDoorError as error:
            form.add_error(None, error.message)
        else:
            pop_id = request.POST.get("pop")
            if station and pop_id and pop_id.isdigit():
                ScreenPop.objects.filter(pk=pop_id, station=station, contact__isnull=True).update(
                    contact=contact
                )
            messages.success(request, "La sollicitation est enregistrée et orientée.")
            return redirect("reception:contact", contact_id=contact.pk)
    if form.chosen_person is not None:
        audit.record_shown(agent, [form.chosen_person.pk], request=request)
    needs.share_choices(need_choices())
    return _screen(request, form=form, needs=needs, status=422)


@agent_may("may_take_contacts", TAKE_CONTACTS)
@require_POST
def lookup(request):
    """The persons behind a number (or a name, a NIR, a birth date) and their open requests; the
    results only for htmx, the whole screen otherwise."""
    form = LookupForm(request.POST)
    found = _lookup(request, form)
    if request.htmx:
        return render(request, "reception/contact_matches.html", {"lookup": found, "lookup_form": form})
    return _screen(request, lookup_form=form, lookup=found)


@agent_may("may_take_contacts", TAKE_CONTACTS)
def choose_station(request):
    """Choose the station (kept in the session): its incoming calls pop on the screen."""
    form = StationForm(request.POST or None, initial={"station": request.session.get(STATION_SESSION_KEY)})
    if request.method == "POST" and form.is_valid():
        station = form.cleaned_data["station"]
        if station is None:
            request.session.pop(STATION_SESSION_KEY, None)
            messages.info(request, "Aucun poste : vous recevez le public sans appels entrants.")
        else:
            request.session[STATION_SESSION_KEY] = station.pk
            messages.success(request, f"Vous êtes au poste « {station.label} ».")
        return redirect("reception:contact_screen")
    return render(request, "reception/station_choice.html", {"form": form, "title": "Choisir mon poste"})


@agent_may("may_take_contacts", TAKE_CONTACTS)
def incoming_call(request):
    """Polled by the screen every two seconds: the newest call of the session's station not shown
    yet, with the persons behind the number (audited); 204 when there is none."""
    station = current_station(request)
    pop = telephony.pending_pop(station.pk) if station else None
    if pop is None:
        return HttpResponse(status=204)
    telephony.mark_shown(pop)
    found = contact_centre.by_phone(request.user, pop.phone)
    audit.record(
        request.user, AuditAction.SEARCH, request=request, results=len(found.persons), screen_pop=pop.pk
    )
    audit.record_shown(request.user, found.person_ids, request=request, screen_pop=pop.pk)
    return render(
        request, "reception/contact_incoming.html", {"pop": pop, "lookup": found, "station": station}
    )


@agent_may("may_take_contacts", TAKE_CONTACTS)
def contact_detail(request, contact_id: int):
    """A recorded contact: where each need went and why, its callbacks, identification."""
    contact = contact_centre.contact_for(request.user, contact_id, request=request)
    items = (
        TrayItem.objects.filter(contact=contact)
        .select_related("tray", "need__situation__theme", "routing_rule", "assigned_to")
        .order_by("pk")
    )
    context = {
        "title": f"Sollicitation n° {contact.pk}",
        "contact": contact,
        "items": items,
        "callbacks": contact.callbacks.order_by("due_at"),
        "may_identify": contact.person_id is None,
        "duration": _duration(contact.duration_seconds),
    }
    return render(request, "reception/contact_detail.html", context)


def _duration(seconds: int | None) -> str:
    if seconds is None:
        return ""
    minutes, rest = divmod(seconds, 60)
    return f"{minutes} min {rest:02d} s" if minutes else f"{rest} s"


@agent_may("may_take_contacts", TAKE_CONTACTS)
def identify(request, contact_id: int):
    """Identify the person of a contact recorded without them: search (the provisional phone is
    looked up at once), choose, confirm; or create the person. The history stays."""
    agent = request.user
    contact = contact_centre.contact_for(agent, contact_id, request=request)
    if contact.person_id is not None:
        messages.info(request, "Cette sollicitation est déjà rattachée à une personne.")
        return redirect("reception:contact", contact_id=contact.pk)
    if request.method == "POST" and "person" in request.POST:
        form = IdentifyForm(request.POST)
        if form.is_valid():
            person = get_person_for(agent, form.cleaned_data["person"], request=request)
            try:
                workflows.identify(agent, contact, person, request=request)
            except workflows.FrontDoorError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, f"La sollicitation est rattachée à {person.full_name}.")
            return redirect("reception:contact", contact_id=contact.pk)
    if request.method == "POST":
        lookup_form = LookupForm(request.POST)
        found = _lookup(request, lookup_form)
    else:
        lookup_form = LookupForm(initial={"phone": contact.provisional_phone})
        found = contact_centre.Lookup()
        if contact.provisional_phone:
            found = _lookup(request, LookupForm({"phone": contact.provisional_phone}))
    context = {
        "title": "Identifier la personne",
        "contact": contact,
        "lookup_form": lookup_form,
        "lookup": found,
    }
    return render(request, "reception/contact_identify.html", context)


@agent_may("may_register_persons")
def person_create(request):
    """Create a person from the screen with the people app's own form and validation. From an
    unidentified contact (`?sollicitation=<id>`), the new person identifies it; otherwise the
    screen opens with the person chosen."""
    agent = request.user
    contact = None
    if request.GET.get("sollicitation"):
        contact = contact_centre.contact_for(agent, request.GET["sollicitation"], request=request)
    initial = {}
    if contact is not None and contact.person_id is None:
        initial = {
            "first_names": contact.provisional_first_name,
            "last_name": contact.provisional_last_name,
            "phone": contact.provisional_phone,
            "commune_code": contact.provisional_commune.insee_code if contact.provisional_commune else "",
        }
    form = PersonForm(request.POST or None, agent=agent, initial=initial)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            person = form.save()
            filled = [name for name, value in snapshot(person, form.audited_fields()).items() if value]
            audit.record_changes(agent, person, filled, request=request, created=True)
            if contact is not None and contact.person_id is None:
                workflows.identify(agent, contact, person, request=request)
        messages.success(request, "La personne est enregistrée.")
        if contact is not None:
            return redirect("reception:contact", contact_id=contact.pk)
        return redirect(reverse("reception:contact_screen") + f"?personne={person.pk}")
    return render(request, "people/form.html", {"form": form, "title": "Enregistrer une personne"})


CALLBACK_COLUMNS = {
    "due_at": Column("À rappeler le", lambda callback: timezone.localtime(callback.due_at), ("due_at", "pk")),
    "who": Column("Personne", lambda callback: _callback_who(callback)),
    "phone": Column("Numéro", lambda callback: callback.phone),
    "attempts": Column("Tentatives", lambda callback: callback.attempts, ("attempts", "due_at")),
    "assigned_to": Column("Pris par", lambda callback: str(callback.assigned_to or "")),
    "reason": Column("Motif", lambda callback: callback.reason),
}


def _callback_who(callback) -> str:
    contact = callback.contact
    if contact.person_id:
        return contact.person.full_name
    known = " ".join(part for part in (contact.provisional_first_name, contact.provisional_last_name) if part)
    return known or "Personne non identifiée"


@agent_may("may_take_contacts", TAKE_CONTACTS)
def callbacks(request):
    """The callback queue: pending callbacks, the oldest due first, overdue ones flagged."""
    listing = Listing(
        request,
        callback_queue.queue(request.user),
        CALLBACK_COLUMNS,
        default_sort="due_at",
        name="rappels",
        person_id=lambda callback: callback.contact.person_id,
        per_page=30,
    )
    if listing.export_format:
        return listing.export()
    page = listing.page
    audit.record_shown(request.user, [callback.contact.person_id for callback in page], request=request)
    context = {
        "title": "Rappels à faire",
        "listing": listing,
        "page_obj": page,
        "now": timezone.now(),
        "action_form": CallbackActionForm(),
    }
    return render(request, "reception/callbacks.html", context)


@agent_may("may_take_contacts", TAKE_CONTACTS)
@require_POST
def callback_action(request, callback_id: int):
    """Take a callback, record an attempt without answer, mark it done or cancel it."""
    agent = request.user
    callback = callback_queue.callback_for(agent, callback_id, request=request)
    form = CallbackActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Action inconnue : choisissez prendre, sans réponse, fait ou annuler.")
        return redirect("reception:callbacks")
    action, note = form.cleaned_data["action"], form.cleaned_data["note"]
    try:
        if action == form.TAKE:
            callback_queue.take(agent, callback)
            messages.success(request, "Vous avez pris ce rappel.")
        elif action == form.FAILED:
            callback = callback_queue.failed_attempt(
                agent, callback, retry_at=form.cleaned_data["retry_at"], note=note
            )
            when = timezone.localtime(callback.due_at)
            messages.info(request, f"Tentative sans réponse notée ; nouvel essai le {when:%d/%m/%Y à %H:%M}.")
        else:
            workflows.complete_callback(agent, callback, done=action == form.DONE, note=note, request=request)
            messages.success(request, "Rappel fait." if action == form.DONE else "Rappel annulé.")
    except workflows.FrontDoorError as error:
        messages.error(request, error.message)
    return redirect("reception:callbacks")
