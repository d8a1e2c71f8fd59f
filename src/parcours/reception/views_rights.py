"""« Accès aux droits »: the simulation at reception (for a person, a contact, or anonymous) and the
follow-up of the rights identified (`reception.rights`).

The simulation posts its answers (incomes never go in a URL). Its result travels back to
« Enregistrer les droits identifiés » signed (`django.core.signing`, one hour), so that recording
does not ask OpenFisca again and cannot be altered on the way.
"""

from __future__ import annotations

from django.contrib import messages
from django.core import signing
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from parcours.accounts.permissions import agent_may
from parcours.core import audit
from parcours.core.access import get_person_for
from parcours.core.french import plural
from parcours.core.listings import Column, Listing
from parcours.core.models import AuditAction
from parcours.core.openfisca import SimulationUnavailable
from parcours.reception import rights
from parcours.reception.contact_centre import contact_for
from parcours.reception.forms_rights import NotOpenedForm, RightsFilterForm, RightsForm
from parcours.reception.models import RightState, RightStatus
from parcours.reception.models.rights import RIGHT_TRANSITIONS

REFUSAL = "Votre rôle ne permet pas de simuler ni de suivre l'accès aux droits."
SIGNING_SALT = "parcours.reception.rights"
SIGNED_MAX_AGE = 3600


def _check(request, *, person=None, contact=None):
    """The form, the simulation's result, and the recording of the rights identified."""
    agent = request.user
    if request.method == "POST" and request.POST.get("action") == "enregistrer":
        return _record(request, person=person, contact=contact)
    initial = {"housing_status": "locataire_vide"}
    if person is not None:
        initial.update(rights.defaults_for(person))
    elif contact is not None and contact.provisional_commune_id:
        initial["commune"] = contact.provisional_commune.insee_code
    form = RightsForm(request.POST or None, initial=initial)
    simulation, unavailable, token = None, False, ""
    if request.method == "POST" and form.is_valid():
        answers = form.answers()
        try:
            simulation = rights.simulate(answers)
        except SimulationUnavailable:
            unavailable = True
        else:
            token = _sign(answers, simulation, person=person, contact=contact, agent=agent)
    context = {
        "person": person,
        "contact": contact,
        "form": form,
        "simulation": simulation,
        "unavailable": unavailable,
        "token": token,
        "title": "Accès aux droits",
    }
    return render(request, "reception/rights_check.html", context)


def _sign(answers: dict, simulation, *, person, contact, agent) -> str:
    """The result to record, signed for this agent, person and contact (`_record` checks them)."""
    payload = {
        "answers": answers,
        "results": simulation.as_json(),
        "person": person.pk if person else None,
        "contact": contact.pk if contact else None,
        "agent": agent.pk,
    }
    return signing.dumps(payload, salt=SIGNING_SALT, compress=True)


def _record(request, *, person, contact):
    """Record the signed result posted back (« Enregistrer les droits identifiés »)."""
    try:
        signed = signing.loads(request.POST.get("resultat", ""), salt=SIGNING_SALT, max_age=SIGNED_MAX_AGE)
    except signing.BadSignature:
        messages.error(
            request, "Ce résultat n'est plus valable (plus d'une heure, ou modifié) : relancez la simulation."
        )
        return redirect(request.path)
    expected = (person.pk if person else None, contact.pk if contact else None, request.user.pk)
    if (signed["person"], signed["contact"], signed["agent"]) != expected:
        raise Http404("Simulation introuvable.")
    try:
        check = rights.record_check(
            request.user,
            person=person,
            contact=contact,
            answers=signed["answers"],
            results=signed["results"],
            request=request,
        )
    except rights.RightsError as error:
        messages.error(request, str(error))
        return redirect(request.path)
    count = check.rights.count()
    if count:
        recorded = "enregistrés" if count > 1 else "enregistré"
        messages.success(request, f"{plural(count, 'droit')} à suivre {recorded}.")
    else:
        messages.info(request, "Simulation enregistrée : aucun nouveau droit à suivre.")
    return redirect(reverse("reception:rights_followup"))


@agent_may("may_check_rights", REFUSAL)
@require_http_methods(["GET", "POST"])
def check(request):
    """A simulation for a household not (yet) known to Parcours."""
    return _check(request)


@agent_may("may_check_rights", REFUSAL)
@require_http_methods(["GET", "POST"])
def check_person(request, person_id: int):
    """A simulation for a person (answers prefilled from what Parcours knows of them)."""
    person = get_person_for(request.user, person_id, request=request)
    return _check(request, person=person)


@agent_may("may_check_rights", REFUSAL)
@require_http_methods(["GET", "POST"])
def check_contact(request, contact_id: int):
    """A simulation from a contact of the front door (its person if identified)."""
    contact = contact_for(request.user, contact_id, request=request)
    return _check(request, person=contact.person if contact.person_id else None, contact=contact)


def _person_of(status: RightStatus):
    if status.person_id:
        return status.person
    contact = status.check_run.contact
    return contact.person if contact is not None and contact.person_id else None


def _subject(status: RightStatus) -> str:
    person = _person_of(status)
    if person is not None:
        return person.full_name
    if status.check_run.contact_id:
        return f"Personne non identifiée (sollicitation n° {status.check_run.contact_id})"
    return "Personne non identifiée"


COLUMNS = {
    "identifie": Column("Identifié le", lambda s: s.identified_at, ("identified_at",)),
    "personne": Column("Personne", _subject),
    "prestation": Column("Prestation", lambda s: s.get_benefit_display(), ("benefit",)),
    "montant": Column("Montant mensuel estimé (€)", lambda s: s.monthly_amount, ("monthly_amount",)),
    "etat": Column("État", lambda s: s.get_state_display(), ("state",)),
    "demande": Column("Demande engagée le", lambda s: s.claim_started_at, ("claim_started_at",)),
    "par": Column("Simulation faite par", lambda s: str(s.check_run.made_by)),
}


@agent_may("may_check_rights", REFUSAL)
def followup(request):
    """The rights identified and not yet opened (oldest first), filterable, paginated, exportable."""
    filters = RightsFilterForm(request.GET or None)
    statuses = rights.visible_rights(request.user).select_related(
        "person", "check_run__contact__person", "check_run__made_by"
    )
    benefit, state = "", ""
    if filters.is_valid():
        benefit, state = filters.cleaned_data["benefit"], filters.cleaned_data["state"]
    if benefit:
        statuses = statuses.filter(benefit=benefit)
    if state in RightState.values:
        statuses = statuses.filter(state=state)
    elif state != "tous":
        statuses = statuses.filter(state__in=rights.FOLLOWED_STATES)
    listing = Listing(
        request,
        statuses,
        COLUMNS,
        default_sort="identifie",
        name="droits-identifies",
        person_id=lambda s: (
            s.person_id or (s.check_run.contact.person_id if s.check_run.contact_id else None)
        ),
    )
    if listing.export_format:
        return listing.export()
    page = listing.page
    for status in page:
        status.subject = _subject(status)
        status.subject_person = _person_of(status)
    audit.record_shown(request.user, [s.subject_person.pk for s in page if s.subject_person], request=request)
    context = {
        "page_obj": page,
        "listing": listing,
        "filters": filters,
        "title": "Suivi des droits identifiés",
    }
    return render(request, "reception/rights_followup.html", context)


def _right_for(request, right_id: int) -> RightStatus:
    """The right `right_id` if the agent may follow it (its person through `get_person_for`,
    audited); otherwise Http404, the refusal audited."""
    status = (
        RightStatus.objects.select_related("person", "check_run__contact__person", "check_run__made_by")
        .filter(pk=right_id)
        .first()
    )
    if status is None:
        raise Http404("Droit introuvable.")
    person = _person_of(status)
    if person is not None:
        get_person_for(request.user, person.pk, request=request)
    elif not rights.visible_rights(request.user).filter(pk=status.pk).exists():
        audit.record(request.user, AuditAction.DENIED, request=request, right=status.pk)
        raise Http404("Droit introuvable.")
    status.subject = _subject(status)
    return status


TRANSITIONS = {
    "start_claim": ("Demande engagée", "Indiquer que la demande est engagée"),
    "open": ("Droit ouvert", "Indiquer que le droit est ouvert"),
    "not_open": ("Droit non ouvert", "Indiquer que le droit n'est pas ouvert"),
}


def _transition(request, right_id: int, name: str):
    status = _right_for(request, right_id)
    form = NotOpenedForm(request.POST if request.method == "POST" else None) if name == "not_open" else None
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            if name == "start_claim":
                rights.start_claim(request.user, status, request=request)
            elif name == "open":
                rights.mark_opened(request.user, status, request=request)
            else:
                rights.mark_not_opened(
                    request.user, status, reason=form.cleaned_data["reason"], request=request
                )
        except rights.RightsError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request, f"{status.get_benefit_display()} : « {TRANSITIONS[name][0]} » enregistré."
            )
            return redirect(reverse("reception:rights_followup"))
    allowed, _target = RIGHT_TRANSITIONS[name]
    context = {
        "status": status,
        "name": name,
        "refusal": "" if status.state in allowed else str(rights.refusal(status, name)),
        "target": TRANSITIONS[name][0],
        "form": form,
        "claim": rights.claim_guidance(status.benefit),
        "title": TRANSITIONS[name][1],
    }
    return render(request, "reception/rights_transition.html", context)


@agent_may("may_check_rights", REFUSAL)
@require_http_methods(["GET", "POST"])
def start_claim(request, right_id: int):
    return _transition(request, right_id, "start_claim")


@agent_may("may_check_rights", REFUSAL)
@require_http_methods(["GET", "POST"])
def mark_opened(request, right_id: int):
    return _transition(request, right_id, "open")


@agent_may("may_check_rights", REFUSAL)
@require_http_methods(["GET", "POST"])
def mark_not_opened(request, right_id: int):
    return _transition(request, right_id, "not_open")
