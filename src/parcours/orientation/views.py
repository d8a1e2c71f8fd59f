"""Agents' pages of the orientation: worklists, the follow-up and its interview, caseload.

Every person-related page goes through `parcours.core.access` (the one permission rule).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from parcours.accounts.permissions import agent_may
from parcours.appointments import invitations
from parcours.appointments.booking import record_attendance
from parcours.appointments.models import Booking
from parcours.core import audit
from parcours.core.access import get_person_for, visible_persons
from parcours.orientation import decisions, forms
from parcours.orientation.followups import open_followup
from parcours.orientation.models import Contract, FollowUp, OrientationDecision, ReorientationRequest
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
}


def _visible_followups(agent):
    return FollowUp.objects.filter(person__in=visible_persons(agent))


@agent_may("may_use_worklists")
def worklist(request):
    """Worklists of the agent's territory, optionally of one site."""
    current = request.GET.get("liste", "echeance")
    if current not in WORKLISTS:
        current = "echeance"
    followups = _visible_followups(request.user)
    mine = request.GET.get("agent") == "moi"
    if mine:  # the follow-ups whose appointments are in the agent's own agenda
        followups = followups.filter(bookings__slot__agent=request.user).distinct()
    site = None
    if request.GET.get("site", "").isdigit():
        site = get_object_or_404(Site, pk=request.GET["site"])
        followups = followups.for_site(site)
    if current == "echeance":
        rows = list(followups.due_within(7).for_status_display()[:200])
    elif current == "retard":
        rows = list(followups.overdue().for_status_display()[:200])
    elif current == "sans_creneau":
        rows = list(followups.open().filter(alerts__resolved_at__isnull=True).for_status_display()[:200])
    else:
        wanted = Status.ABSENT if current == "absents" else Status.INVITATION_EXPIRED
        rows = [f for f in followups.pending().for_status_display()[:1000] if f.pathway.status == wanted][
            :200
        ]
    sites = Site.objects.filter(opening_hours__isnull=False).distinct()
    audit.record_shown(request.user, [row.person_id for row in rows], request=request, worklist=current)
    return render(
        request,
        "orientation/worklist.html",
        {
            "title": "Orientation",
            "rows": rows,
            "current": current,
            "worklists": WORKLISTS,
            "site": site,
            "sites": sites,
            "mine": mine,
            "today": timezone.localdate(),
        },
    )


@agent_may("is_professional")
def followup_detail(request, followup_id: int):
    followup = get_object_or_404(FollowUp, pk=followup_id)
    person = get_person_for(request.user, followup.person_id, request=request)
    followup = FollowUp.objects.for_status_display().get(pk=followup.pk)
    proposal = propose(person, followup.departement)
    bookings = followup.bookings.select_related("slot__site", "slot__agent").order_by("-booked_at")
    context = {
        "title": f"Orientation — {person.full_name}",
        "person": person,
        "followup": followup,
        "state": followup.pathway,
        "proposal": proposal,
        "bookings": bookings,
        "invitations": followup.invitations.prefetch_related("messages").order_by("-created_at"),
        "decisions": OrientationDecision.objects.filter(person=person).select_related("decided_by"),
        "referents": Follow.objects.filter(person=person, kind="referent")
        .select_related("agent")
        .order_by("-started_on"),
        "contracts": Contract.objects.filter(person=person).select_related("referent"),
        "reorientations": ReorientationRequest.objects.filter(person=person),
        "decision_form": forms.DecisionForm(
            initial={"kind": proposal.orientation, "organism": proposal.rule.organism} if proposal else None
        ),
        "attendance_form": forms.AttendanceForm(),
        "referent_form": forms.ReferentForm(),
        "contract_form": forms.ContractForm(),
        "reorientation_form": forms.ReorientationRequestForm(),
        "can_decide": request.user.may_decide_orientation,
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


@agent_may("may_decide_orientation")
def reorientations(request):
    pending = (
        ReorientationRequest.objects.pending()
        .filter(person__in=visible_persons(request.user))
        .select_related("person", "requested_by", "current_decision")
    )
    pending = list(pending)
    audit.record_shown(request.user, [r.person_id for r in pending], request=request)
    return render(
        request,
        "orientation/reorientations.html",
        {"title": "Demandes de réorientation", "pending": pending, "form": forms.ReorientationDecisionForm()},
    )


@agent_may("may_decide_orientation")
@require_POST
def reorientation_decide(request, request_id: int):
    found = get_object_or_404(ReorientationRequest, pk=request_id)
    get_person_for(request.user, found.person_id, request=request, audit_read=False)
    form = forms.ReorientationDecisionForm(request.POST)
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


@agent_may("may_hold_caseload")
def caseload(request):
    """The référent's caseload: the persons they follow as référent today."""
    follows = (
        Follow.objects.active()
        .filter(agent=request.user, kind="referent", person__in=visible_persons(request.user))
        .select_related("person__commune")
        .order_by("person__last_name")
    )
    latest = {}
    for decision in OrientationDecision.objects.filter(person__in=[f.person_id for f in follows]).order_by(
        "decided_at"
    ):
        latest[decision.person_id] = decision
    rows = [{"follow": f, "person": f.person, "decision": latest.get(f.person_id)} for f in follows]
    audit.record_shown(request.user, [row["person"].pk for row in rows], request=request)
    return render(request, "orientation/caseload.html", {"title": "Mon portefeuille", "rows": rows})
