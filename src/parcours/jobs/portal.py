"""The employer portal: an employer account posts and refreshes its offers and answers the
proposals made to it. Employers never see persons, only the pseudonymised profile of the
candidates proposed to them, and a person's identity only once that person has agreed;
any other request for a person answers 404 and is audited."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from parcours.accounts.permissions import agent_may
from parcours.core import audit
from parcours.core.models import AuditAction
from parcours.jobs.forms import OfferForm, TransitionForm
from parcours.jobs.models import Application, Employer, JobOffer
from parcours.people.models import Person


def employer_required(view):
    """Employer accounts (role « employeur ») whose organisation is linked to an employer."""

    @wraps(view)
    @agent_may("may_use_employer_portal", "L'espace employeur est réservé aux comptes employeurs.")
    def wrapper(request, *args, **kwargs):
        employer = Employer.objects.filter(organisation_id=request.user.organisation_id).first()
        if request.user.organisation_id is None or employer is None:
            raise PermissionDenied
        return view(request, employer, *args, **kwargs)

    return wrapper


def person_for_employer(agent, employer: Employer, person_id: int, *, request=None) -> Person:
    """The person, if one of the employer's applications has their agreement; else Http404, audited."""
    application = (
        Application.objects.filter(offer__employer=employer, person_id=person_id, agreed_at__isnull=False)
        .select_related("person")
        .first()
    )
    if application is None:
        exists = Person.objects.filter(pk=person_id).exists()
        audit.record(
            agent,
            AuditAction.DENIED,
            person=Person(pk=person_id) if exists else None,
            request=request,
            requested_id=person_id,
            employer=employer.pk,
        )
        raise Http404("Personne introuvable.")
    audit.record(agent, AuditAction.VIEW, person=application.person, request=request, employer=employer.pk)
    return application.person


@employer_required
def home(request, employer):
    offers = employer.offers.select_related("appellation", "commune")
    proposals = Application.objects.for_employer(employer).select_related(
        "offer", "person__candidate_profile"
    )
    proposals = list(proposals)
    audit.record_shown(request.user, [a.person_id for a in proposals], request=request, employer=employer.pk)
    context = {"employer": employer, "offers": offers, "proposals": proposals, "title": "Espace employeur"}
    return render(request, "jobs/portal/home.html", context)


@employer_required
def offer_edit(request, employer, offer_id: int | None = None):
    offer = get_object_or_404(JobOffer, pk=offer_id, employer=employer) if offer_id else None
    form = OfferForm(request.POST or None, instance=offer, employer=employer)
    if request.method == "POST" and form.is_valid():
        if offer is None:
            form.instance.created_by = request.user
        offer = form.save()
        if offer.status == "brouillon" and "publish" in request.POST:
            offer.publish()
        messages.success(request, "Offre enregistrée.")
        return redirect("jobs:portal")
    title = "Modifier l'offre" if offer else "Déposer une offre"
    return render(request, "jobs/form.html", {"form": form, "title": title, "portal": True})


@employer_required
@require_POST
def offer_refresh(request, employer, offer_id: int):
    offer = get_object_or_404(JobOffer, pk=offer_id, employer=employer)
    try:
        offer.refresh()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Offre actualisée : elle reste en ligne 60 jours de plus.")
    return redirect("jobs:portal")


@employer_required
def proposal(request, employer, application_id: int):
    application = get_object_or_404(
        Application.objects.for_employer(employer).select_related("offer", "person__candidate_profile"),
        pk=application_id,
    )
    audit.record(
        request.user, AuditAction.VIEW, person=application.person, request=request, employer=employer.pk
    )
    context = {
        "application": application,
        "profile": getattr(application.person, "candidate_profile", None),
        "transitions": [
            (t, TransitionForm(name=t.name, offer=application.offer))
            for t in application.available_transitions(employer=True)
        ],
        "title": f"Candidature n°{application.pk}",
    }
    return render(request, "jobs/portal/proposal.html", context)


@employer_required
@require_POST
def proposal_transition(request, employer, application_id: int, name: str):
    """The employer's answer to a proposal (interview, hire, refusal), through the state machine."""
    application = get_object_or_404(
        Application.objects.for_employer(employer).select_related("offer", "person"), pk=application_id
    )
    form = TransitionForm(request.POST, name=name)
    if not form.is_valid():
        messages.error(request, form.error_message)
        return redirect("jobs:portal_proposal", application.pk)
    try:
        form.apply(application, request.user, as_employer=True)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        audit.record_changes(request.user, application.person, ["candidature"], request=request)
        messages.success(request, f"Candidature : {application.get_state_display()}.")
    return redirect("jobs:portal_proposal", application.pk)


@employer_required
def person(request, employer, person_id: int):
    """A candidate's identity and contact details, once they agreed; otherwise 404 (audited)."""
    found = person_for_employer(request.user, employer, person_id, request=request)
    return render(request, "jobs/portal/person.html", {"person": found, "title": found.full_name})
