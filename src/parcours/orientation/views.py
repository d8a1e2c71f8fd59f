"""Agents' pages of the orientation: worklists, the follow-up and its interview, caseload.

Every person-related page goes through `parcours.core.access` (the one permission rule).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Subquery
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from parcours.accounts.permissions import agent_may
from parcours.appointments import invitations
from parcours.appointments.booking import record_attendance
from parcours.appointments.models import Booking
from parcours.core import audit
from parcours.core.access import get_person_for, visible_persons
from parcours.core.listings import Column, Listing
from parcours.orientation import decisions, forms
from parcours.orientation.followups import open_followup
from parcours.orientation.models import (
    Contract,
    FollowUp,
    Organism,
    OrientationDecision,
    OrientationKind,
    ReorientationRequest,
)
from parcours.orientation.next_steps import actions_for
from parcours.orientation.rules import propose
from parcours.orientation.status import Status
from parcours.people.models import Follow
from parcours.territory.models import Site

WORKLISTS = {
    "echeance": "Échéance dans les 7 jours",
    "retard": "En retard",
    "absents": "Absents",
    "expirees": "Invitation expirée",
    "sans_creneau": "Sans créneau libre",
    "tous": "Tous les suivis ouverts",
}

WORKLIST_COLUMNS = {
    "personne": Column(
        "Personne", lambda f: f.person.full_name, ("person__last_name", "person__first_names")
    ),
    "commune": Column(
        "Commune", lambda f: f.person.commune.name if f.person.commune else "", ("person__commune__name",)
    ),
    "droits": Column("Ouverture des droits", lambda f: f.rights_opened_on, ("rights_opened_on",)),
    "echeance": Column("Échéance", lambda f: f.due_on, ("due_on",)),
    "statut": Column("Statut", lambda f: f.derived_status_label, ("derived_status",)),
    "depuis": Column("Depuis le", lambda f: f.status_since, ("status_since",)),
}


def _visible_followups(agent):
    return FollowUp.objects.filter(person__in=visible_persons(agent))


def _worklist(followups, current: str):
    """The follow-ups of one worklist, with their status annotated (all in SQL)."""
    followups = followups.with_status()
    if current == "echeance":
        return followups.due_within(7)
    if current == "retard":
        return followups.overdue()
    if current == "sans_creneau":
        return followups.with_open_alert()
    if current == "absents":
        return followups.pending().filter(derived_status=Status.ABSENT)
    if current == "expirees":
        return followups.pending().filter(derived_status=Status.INVITATION_EXPIRED)
    return followups.open()


@agent_may("may_use_worklists")
def worklist(request):
    """Worklists of the agent's territory (optionally of one site, one status): sorted, paginated,
    exported in the database."""
    current = request.GET.get("liste", "echeance")
    if current not in WORKLISTS:
        current = "echeance"
    followups = _visible_followups(request.user)
    mine = request.GET.get("agent") == "moi"
    if mine:  # the follow-ups whose appointments are in the agent's own agenda
        followups = followups.in_agenda_of(request.user)
    site = None
    if request.GET.get("site", "").isdigit():
        site = get_object_or_404(Site, pk=request.GET["site"])
        followups = followups.for_site(site)
    followups = _worklist(followups, current).select_related("person__commune")
    status = request.GET.get("statut", "")
    if status in Status.values:
        followups = followups.filter(derived_status=status)
    listing = Listing(
        request, followups, WORKLIST_COLUMNS, default_sort="echeance", name=f"orientation-{current}"
    )
    if listing.export_format:
        return listing.export()
    page = listing.page
    audit.record_shown(request.user, [row.person_id for row in page], request=request, worklist=current)
    return render(
        request,
        "orientation/worklist.html",
        {
            "title": "Orientation",
            "page_obj": page,
            "listing": listing,
            "current": current,
            "worklists": WORKLISTS,
            "site": site,
            "sites": Site.objects.filter(opening_hours__isnull=False).distinct(),
            "mine": mine,
            "statuses": Status.choices,
            "status": status,
            "today": timezone.localdate(),
        },
    )


@agent_may("is_professional")
def followup_detail(request, followup_id: int):
    """Where the person stands, and only the actions this agent may take next."""
    followup = get_object_or_404(FollowUp, pk=followup_id)
    person = get_person_for(request.user, followup.person_id, request=request)
    followup = FollowUp.objects.for_status_display().get(pk=followup.pk)
    state = followup.pathway
    bookings = list(followup.bookings.select_related("slot__site", "slot__agent").order_by("-booked_at"))
    decisions_ = list(OrientationDecision.objects.filter(person=person).select_related("decided_by"))
    referents = list(
        Follow.objects.filter(person=person, kind="referent").select_related("agent").order_by("-started_on")
    )
    contracts = list(Contract.objects.filter(person=person).select_related("referent"))
    reorientations = list(ReorientationRequest.objects.filter(person=person))
    actions = actions_for(
        request.user,
        followup,
        state.status,
        bookings=bookings,
        decided=bool(decisions_),
        has_referent=any(f.ended_on is None for f in referents),
        has_contract=bool(contracts),
        pending=any(r.decided_at is None for r in reorientations),
    )
    proposal = propose(person, followup.departement) if actions.decide else None
    context = {
        "title": f"Orientation — {person.full_name}",
        "person": person,
        "followup": followup,
        "state": state,
        "actions": actions,
        "proposal": proposal,
        "bookings": bookings,
        "invitations": followup.invitations.prefetch_related("messages").order_by("-created_at"),
        "decisions": decisions_,
        "referents": referents,
        "contracts": contracts,
        "reorientations": reorientations,
        "decision_form": forms.DecisionForm(
            initial={"kind": proposal.orientation, "organism": proposal.rule.organism} if proposal else None
        ),
        "attendance_form": forms.AttendanceForm(),
        "referent_form": forms.ReferentForm(),
        "contract_form": forms.ContractForm(),
        "reorientation_form": forms.ReorientationRequestForm(),
    }
    return render(request, "orientation/followup.html", context)


@agent_may("may_decide_orientation")
@require_POST
def attendance(request, booking_id: int):
    booking = get_object_or_404(Booking.objects.select_related("slot", "followup"), pk=booking_id)
    get_person_for(request.user, booking.person_id, request=request, audit_read=False)
    form = forms.AttendanceForm(request.POST)
    if form.is_valid():
        try:
            record_attendance(booking, form.cleaned_data["attendance"], by=request.user)
            messages.success(request, "Présence enregistrée.")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    return redirect("orientation:followup", followup_id=booking.followup_id)


@agent_may("may_decide_orientation")
@require_POST
def convoke(request, followup_id: int):
    """Convoke the person to the earliest free slot of the nearest sites (after an absence, say)."""
    followup = get_object_or_404(
        FollowUp.objects.select_related("person__commune", "departement"), pk=followup_id
    )
    get_person_for(request.user, followup.person_id, request=request, audit_read=False)
    if followup.closed_at or followup.bookings.filter(cancelled_at__isnull=True, attendance="").exists():
        messages.error(request, "Ce suivi est clos ou a déjà un rendez-vous à venir.")
    elif invitations.convoke_nearest(followup, timezone.now()):
        invitations.notifications.deliver_pending()
        messages.success(request, "Convocation envoyée.")
    else:
        messages.error(request, "Aucun créneau libre dans les sites les plus proches : ouvrez des créneaux.")
    return redirect("orientation:followup", followup_id=followup.pk)


@agent_may("may_decide_orientation")
@require_POST
def decide(request, followup_id: int):
    followup = get_object_or_404(FollowUp, pk=followup_id)
    person = get_person_for(request.user, followup.person_id, request=request, audit_read=False)
    form = forms.DecisionForm(request.POST)
    if form.is_valid():
        try:
            decisions.decide_orientation(
                person,
                followup=followup,
                by=request.user,
                proposal=propose(person, followup.departement),
                **form.cleaned_data,
            )
            messages.success(request, "Orientation enregistrée.")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    return redirect("orientation:followup", followup_id=followup.pk)


def _followup_of(person):
    return FollowUp.objects.filter(person=person).order_by("-opened_at").first()


def _back(person):
    followup = _followup_of(person)
    if followup:
        return redirect("orientation:followup", followup_id=followup.pk)
    return redirect("people:detail", person_id=person.pk)


@agent_may("may_open_followups")
@require_POST
def open_for_person(request, person_id: int):
    person = get_person_for(request.user, person_id, request=request, audit_read=False)
    form = forms.OpenFollowUpForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Indiquez une date d'ouverture des droits valide.")
        return redirect("people:detail", person_id=person.pk)
    followup, created = open_followup(person, form.cleaned_data["rights_opened_on"], by=request.user)
    messages.success(request, "Suivi d'orientation ouvert." if created else "Un suivi est déjà ouvert.")
    return redirect("orientation:followup", followup_id=followup.pk)


@agent_may("may_decide_orientation")
@require_POST
def referent(request, person_id: int):
    person = get_person_for(request.user, person_id, request=request, audit_read=False)
    form = forms.ReferentForm(request.POST)
    if form.is_valid():
        decisions.designate_referent(person, form.cleaned_data["agent"], by=request.user)
        messages.success(request, "Référent désigné.")
    else:
        messages.error(request, "Choisissez un référent.")
    return _back(person)


@agent_may("may_sign_contracts")
@require_POST
def contract(request, person_id: int):
    person = get_person_for(request.user, person_id, request=request, audit_read=False)
    form = forms.ContractForm(request.POST)
    if form.is_valid():
        try:
            current = decisions.current_referent_follow(person)
            decisions.sign_contract(
                person,
                by=request.user,
                referent=current.agent if current else None,
                decision=OrientationDecision.objects.filter(person=person).first(),
                **form.cleaned_data,
            )
            messages.success(request, "Contrat enregistré.")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    else:
        messages.error(request, "Le contrat est incomplet.")
    return _back(person)


@agent_may("may_request_reorientation")
@require_POST
def reorientation_request(request, person_id: int):
    person = get_person_for(request.user, person_id, request=request, audit_read=False)
    form = forms.ReorientationRequestForm(request.POST)
    if form.is_valid():
        try:
            decisions.request_reorientation(person, by=request.user, **form.cleaned_data)
            messages.success(request, "Demande de réorientation transmise.")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    return _back(person)


REORIENTATION_COLUMNS = {
    "personne": Column(
        "Personne", lambda r: r.person.full_name, ("person__last_name", "person__first_names")
    ),
    "demandee": Column("Demandée le", lambda r: r.requested_at, ("requested_at",)),
    "par": Column("Par", lambda r: str(r.requested_by or ""), ("requested_by__last_name",)),
    "orientation": Column(
        "Orientation demandée", lambda r: r.get_requested_kind_display(), ("requested_kind",)
    ),
    "actuelle": Column(
        "Orientation actuelle",
        lambda r: r.current_decision.get_kind_display() if r.current_decision else "",
        ("current_decision__kind",),
    ),
    "motif": Column("Motif", lambda r: r.reason),
}


@agent_may("may_decide_orientation")
def reorientations(request):
    """The queue of pending reorientation requests of the agent's territory."""
    pending = (
        ReorientationRequest.objects.pending()
        .filter(person__in=visible_persons(request.user))
        .select_related("person", "requested_by", "current_decision")
    )
    listing = Listing(request, pending, REORIENTATION_COLUMNS, default_sort="demandee", name="reorientations")
    if listing.export_format:
        return listing.export()
    page = listing.page
    for item in page:
        item.form = forms.ReorientationDecisionForm(prefix=f"answer-{item.pk}")
    audit.record_shown(request.user, [r.person_id for r in page], request=request)
    context = {"title": "Demandes de réorientation", "page_obj": page, "listing": listing}
    return render(request, "orientation/reorientations.html", context)


@agent_may("may_decide_orientation")
@require_POST
def reorientation_decide(request, request_id: int):
    found = get_object_or_404(ReorientationRequest, pk=request_id)
    get_person_for(request.user, found.person_id, request=request, audit_read=False)
    form = forms.ReorientationDecisionForm(request.POST, prefix=f"answer-{found.pk}")
    if form.is_valid():
        try:
            decisions.decide_reorientation(
                found,
                accepted=form.cleaned_data["accepted"],
                by=request.user,
                note=form.cleaned_data["note"],
                organism=form.cleaned_data["organism"],
            )
            messages.success(request, "Décision enregistrée.")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    return redirect("orientation:reorientations")


def _orientation_label(follow) -> str:
    if not follow.latest_orientation:
        return ""
    return f"{OrientationKind(follow.latest_orientation).label} — {Organism(follow.latest_organism).label}"


CASELOAD_COLUMNS = {
    "personne": Column(
        "Personne", lambda f: f.person.full_name, ("person__last_name", "person__first_names")
    ),
    "commune": Column(
        "Commune", lambda f: f.person.commune.name if f.person.commune else "", ("person__commune__name",)
    ),
    "depuis": Column("Suivi depuis", lambda f: f.started_on, ("started_on",)),
    "orientation": Column(
        "Orientation", lambda f: _orientation_label(f), ("latest_orientation", "latest_organism")
    ),
}


@agent_may("may_hold_caseload")
def caseload(request):
    """The agent's caseload: the persons they follow today (as référent, coach…), as counted on
    the home page."""
    latest = OrientationDecision.objects.filter(person=OuterRef("person_id")).order_by("-decided_at", "-pk")
    follows = (
        Follow.objects.caseload_of(request.user)
        .filter(person__in=visible_persons(request.user))
        .select_related("person__commune")
        .annotate(
            latest_orientation=Subquery(latest.values("kind")[:1]),
            latest_organism=Subquery(latest.values("organism")[:1]),
            latest_followup=Subquery(
                FollowUp.objects.filter(person=OuterRef("person_id")).order_by("-opened_at").values("pk")[:1]
            ),
        )
    )
    listing = Listing(request, follows, CASELOAD_COLUMNS, default_sort="personne", name="portefeuille")
    if listing.export_format:
        return listing.export()
    page = listing.page
    for follow in page:
        follow.orientation_label = _orientation_label(follow)
    audit.record_shown(request.user, [f.person_id for f in page], request=request)
    return render(
        request,
        "orientation/caseload.html",
        {"title": "Mon portefeuille", "page_obj": page, "listing": listing},
    )
