"""Screens of the orientations to services and of the mobility diagnosis.

- the orienting agent: from the person page, search the directory for the person (their commune
  and needs pre-filled), orient them to a service (consent, message, confirmation), fill their
  mobility diagnosis and orient them to one of the mobility services it proposes;
- the receiving structure's agents: « Orientations reçues » (their organisation's services only)
  and an orientation's page showing only what was sent (the person's name, contact, the need and
  the message), where they validate or refuse it after a confirmation.

Views write nothing themselves: they call `directory.orientations` and `directory.mobility` and
show their French `ValidationError`. Every person goes through `core.access.get_person_for` (404,
audited, when out of scope); an orientation of another structure answers 404, audited.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode

from parcours.accounts.permissions import agent_may
from parcours.core import audit
from parcours.core.access import get_person_for
from parcours.core.listings import Column, Listing
from parcours.core.models import AuditAction
from parcours.directory import mobility, orientations
from parcours.directory.access import RECEIVED_PURPOSE
from parcours.directory.forms_orientations import (
    INBOX_STATES,
    MobilityForm,
    OrientationForm,
    RefusalForm,
    ValidateForm,
)
from parcours.directory.models import Service, ServiceOrientation
from parcours.directory.models.orientations import OrientationState, RefusalReason
from parcours.jobs.models import MobilityMeans

ORIENT_REFUSAL = (
    "Votre rôle ne permet pas d'orienter une personne vers un service (accueil, chargés d'orientation, "
    "référents, coachs et responsables d'équipe)."
)
RECEIVE_REFUSAL = (
    "Les orientations reçues sont réservées aux agents des structures de l'annuaire qui les reçoivent."
)

INBOX_COLUMNS = {
    "envoi": Column("Envoyée le", lambda o: o.sent_at, ("sent_at",)),
    "personne": Column(
        "Personne", lambda o: o.person.full_name, ("person__last_name", "person__first_names")
    ),
    "service": Column("Service", lambda o: o.service.nom, ("service__nom",)),
    "besoin": Column("Besoin", lambda o: o.need.label if o.need else ""),
    "etat": Column("État", lambda o: o.get_state_display(), ("state",)),
    "echeance": Column("Sans réponse, expire le", lambda o: o.expires_on if o.is_open else None),
    "reponse": Column("Réponse le", lambda o: o.answered_at, ("answered_at",)),
}


def _titles(current: str, person=None) -> dict:
    links = []
    if person is not None:
        links = [
            {"url": reverse("people:search"), "title": "Personnes"},
            {"url": reverse("people:detail", args=[person.pk]), "title": person.full_name},
        ]
    else:
        links = [{"url": reverse("directory:orientation_inbox"), "title": "Orientations reçues"}]
    return {"title": current, "breadcrumb_data": {"links": links, "current": current}}


# -- the receiving structure ---------------------------------------------------------------------


@agent_may("may_receive_orientations", RECEIVE_REFUSAL)
def inbox(request):
    """The orientations sent to the services of the agent's organisation (open, or answered less
    than 90 days ago), filtered by state, sortable, paginated, exportable."""
    agent = request.user
    rows = (
        ServiceOrientation.objects.received_by(agent.organisation_id)
        .still_shown()
        .select_related("person", "service", "need")
    )
    state = request.GET.get("etat", "")
    if state in OrientationState.values:
        rows = rows.filter(state=state)
    listing = Listing(request, rows, INBOX_COLUMNS, default_sort="-envoi", name="orientations-recues")
    if listing.export_format:
        return listing.export()
    page = listing.page
    audit.record_shown(agent, [row.person_id for row in page], request=request, list="orientations-recues")
    context = {
        "title": "Orientations reçues",
        "page_obj": page,
        "listing": listing,
        "states": INBOX_STATES,
        "state": state,
    }
    return render(request, "directory/orientation_inbox.html", context)


def _received(request, orientation_id: int, *, audit_read: bool = True) -> ServiceOrientation:
    """The orientation if it was sent to the agent's organisation and is still shown to it, with
    its person (fetched through the one access rule, with the purpose-limited grant of received
    orientations: the structure sees the person here, never on the person page); else 404, the
    refusal audited."""
    agent = request.user
    orientation = (
        ServiceOrientation.objects.received_by(agent.organisation_id)
        .still_shown()
        .select_related("service__structure", "need", "sent_by__organisation")
        .filter(pk=orientation_id)
        .first()
    )
    if orientation is None:
        person_id = (
            ServiceOrientation.objects.filter(pk=orientation_id).values_list("person_id", flat=True).first()
        )
        _deny(agent, request, orientation_id, person_id)
        raise Http404("Orientation introuvable.")
    orientation.person = get_person_for(
        agent, orientation.person_id, request=request, audit_read=audit_read, purposes=(RECEIVED_PURPOSE,)
    )
    return orientation


def _deny(agent, request, orientation_id: int, person_id: int | None) -> None:
    from parcours.people.models import Person

    audit.record(
        agent,
        AuditAction.DENIED,
        person=Person(pk=person_id) if person_id else None,
        request=request,
        model="directory.ServiceOrientation",
        requested_id=orientation_id,
    )


@agent_may("may_receive_orientations", RECEIVE_REFUSAL)
def orientation_detail(request, orientation_id: int):
    orientation = _received(request, orientation_id)
    return _render_detail(request, orientation, refusal_form=RefusalForm())


def _render_detail(request, orientation: ServiceOrientation, *, refusal_form: RefusalForm):
    context = {
        "orientation": orientation,
        "person": orientation.person,
        "refusal_form": refusal_form,
        "may_answer": orientation.is_open and orientations.may_answer(request.user, orientation),
        "history": orientation.events.select_related("by"),
    }
    return render(
        request, "directory/orientation_detail.html", context | _titles(f"Orientation n°{orientation.pk}")
    )


@agent_may("may_receive_orientations", RECEIVE_REFUSAL)
def orientation_validate(request, orientation_id: int):
    """Validate an orientation, after a confirmation (POST without `confirmed` asks for it)."""
    orientation = _received(request, orientation_id, audit_read=request.method == "GET")
    form = ValidateForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and form.cleaned_data["confirmed"]:
        try:
            orientations.validate(request.user, orientation, request=request)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, f"L'orientation n°{orientation.pk} est validée : la personne est attendue."
            )
        return redirect("directory:orientation_detail", orientation_id=orientation.pk)
    context = {"orientation": orientation, "person": orientation.person, "action": "validate", "form": form}
    return render(request, "directory/orientation_confirm.html", context | _titles("Valider l'orientation"))


@agent_may("may_receive_orientations", RECEIVE_REFUSAL)
def orientation_refuse(request, orientation_id: int):
    """Refuse an orientation with a reason, after a confirmation."""
    orientation = _received(request, orientation_id, audit_read=request.method == "GET")
    form = RefusalForm(request.POST or None)
    if request.method != "POST" or not form.is_valid():
        return _render_detail(request, orientation, refusal_form=form)
    data = form.cleaned_data
    if data["confirmed"]:
        try:
            orientations.refuse(
                request.user, orientation, reason=data["reason"], comment=data["comment"], request=request
            )
        except ValidationError as error:
            form.add_error(None, error)
            return _render_detail(request, orientation, refusal_form=form)
        messages.success(
            request, f"L'orientation n°{orientation.pk} est refusée ; l'agent qui l'a envoyée est prévenu."
        )
        return redirect("directory:orientation_detail", orientation_id=orientation.pk)
    context = {
        "orientation": orientation,
        "person": orientation.person,
        "action": "refuse",
        "form": form,
        "reason_label": RefusalReason(data["reason"]).label,
    }
    return render(request, "directory/orientation_confirm.html", context | _titles("Refuser l'orientation"))


# -- the orienting agent -------------------------------------------------------------------------


def _person_needs(person) -> list:
    """The needs named in the person's latest accompaniment diagnosis (accompagnement global)."""
    from parcours.accompaniment.plans import Diagnosis

    diagnosis = (
        Diagnosis.objects.filter(accompaniment__person=person)
        .order_by("-on", "-id")
        .prefetch_related("items__need")
        .first()
    )
    if diagnosis is None:
        return []
    return [item.need for item in diagnosis.items.all() if item.need is not None]


@agent_may("may_orient_to_services", ORIENT_REFUSAL)
def orient_search(request, person_id: int):
    """The directory's search for this person: their commune and needs pre-filled, their id (never
    their name) in the query string so that each result offers « Orienter vers ce service »."""
    person = get_person_for(request.user, person_id, request=request)
    params = {"personne": person.pk}
    if person.commune_id:
        params["commune"] = person.commune.insee_code
    needs = _person_needs(person)
    if needs:
        params["besoin"] = needs[0].pk
    return redirect(f"{reverse('directory:search')}?{urlencode(params)}")


def _service_from(request) -> Service | None:
    value = request.GET.get("service", "")
    if not value.isdigit():
        return None
    return Service.objects.select_related("structure", "commune").filter(pk=int(value)).first()


def _need_from(request):
    from parcours.reception.needs import active_needs

    value = request.GET.get("besoin", "")
    return active_needs().filter(pk=int(value)).first() if value.isdigit() else None


@agent_may("may_orient_to_services", ORIENT_REFUSAL)
def orient(request, person_id: int):
    """Orient the person to the service `?service=<id>`: the form, a confirmation, the sending."""
    agent = request.user
    person = get_person_for(agent, person_id, request=request, audit_read=request.method == "GET")
    service = _service_from(request)
    if service is None:
        messages.info(request, "Choisissez d'abord un service dans l'annuaire.")
        return redirect("directory:orient_search", person_id=person.pk)
    initial_need = None
    if request.method == "GET":  # the need searched for, else the first of the person's needs
        initial_need = _need_from(request) or next(iter(_person_needs(person)), None)
    form = OrientationForm(request.POST or None, agent=agent, initial_need=initial_need)
    refusal = orientations.send_refusal(agent, person, service)
    confirming = False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["confirmed"]:
            try:
                orientations.send(
                    agent,
                    person,
                    service,
                    origin=data["origin"],
                    consent_given=data["consent_given"],
                    consent_on=data["consent_on"],
                    consent_mode=data["consent_mode"],
                    message=data["message"],
                    need=data["need"],
                    request=request,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request, f"L'orientation vers « {service.nom} » est envoyée ; la structure est prévenue."
                )
                return redirect("people:detail", person_id=person.pk)
        else:
            confirming = True
    context = {
        "person": person,
        "service": service,
        "form": form,
        "refusal": refusal,
        "confirming": confirming and not refusal,
        "structure_in_parcours": service.structure.organisation_id is not None,
        "query": urlencode({"service": service.pk}),
    }
    return render(
        request, "directory/orientation_form.html", context | _titles("Orienter vers un service", person)
    )


@agent_may("may_orient_to_services", ORIENT_REFUSAL)
def mobility_page(request, person_id: int):
    """The person's last mobility diagnosis, what it derives, and the mobility services it proposes."""
    person = get_person_for(request.user, person_id, request=request)
    diagnosis = mobility.latest(person)
    found = mobility.nearby_services(person, mobility.proposals(diagnosis)) if diagnosis else []
    context = {
        "person": person,
        "diagnosis": diagnosis,
        "proposals": found,
        "search_km": mobility.SEARCH_KM,
        "radius_km": diagnosis.job_search_radius_km() if diagnosis else None,
        "usable_means": [MobilityMeans(code).label for code in mobility.usable_means(diagnosis)]
        if diagnosis
        else [],
    }
    return render(request, "directory/mobility.html", context | _titles("Mobilité", person))


@agent_may("may_orient_to_services", ORIENT_REFUSAL)
def mobility_new(request, person_id: int):
    """Fill a mobility diagnosis (it starts from the last one); saving proposes mobility services."""
    person = get_person_for(request.user, person_id, request=request, audit_read=request.method == "GET")
    previous = mobility.latest(person)
    initial = {}
    if previous is not None and request.method == "GET":
        initial = {
            name: getattr(previous, name)
            for name in MobilityForm.Meta.fields
            if name not in {"made_on", "comment", "vehicle_works"}
        }
        if previous.vehicle_works is not None:
            initial["vehicle_works"] = "oui" if previous.vehicle_works else "non"
    form = MobilityForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            diagnosis = mobility.record(
                request.user,
                person,
                form.save(commit=False),
                update_profile=form.cleaned_data["update_profile"],
                request=request,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                f"Diagnostic mobilité enregistré : rayon de recherche d'emploi de {diagnosis.job_search_radius_km()} km.",
            )
            return redirect("directory:mobility", person_id=person.pk)
    context = {"person": person, "form": form, "previous": previous}
    return render(request, "directory/mobility_form.html", context | _titles("Diagnostic mobilité", person))
