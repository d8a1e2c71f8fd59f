"""Pages of the employment platform for the département's agents (employers use portal.py)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from parcours.accounts.permissions import agent_may
from parcours.core import audit
from parcours.core.access import get_person_for, visible_persons
from parcours.core.listings import Column, Listing
from parcours.core.models import AuditAction
from parcours.jobs import candidate_table, earnings, matching, stats
from parcours.jobs.forms import (
    CandidateTableFilterForm,
    ContactForm,
    EmployerForm,
    ExperienceFormSet,
    FollowUpForm,
    OfferFilterForm,
    OfferForm,
    ProfileForm,
    SectorGroupForm,
    SectorNeedForm,
    SimulationForm,
    SiteForm,
    TransitionForm,
)
from parcours.jobs.models import (
    Application,
    ApplicationState,
    CandidateProfile,
    Employer,
    FollowUp,
    JobOffer,
    OfferStatus,
    RomeAppellation,
    SectorGroup,
)
from parcours.privacy.restriction import is_restricted


@agent_may("may_use_rome_reference")
def appellations(request):
    """htmx: the <datalist> of appellations matching `q` (id given by `list`)."""
    query = request.GET.get("q") or next((v for k, v in request.GET.items() if k not in ("list",)), "")
    results = RomeAppellation.objects.search(query).select_related("rome")[:20] if len(query) >= 2 else []
    return render(
        request,
        "jobs/_appellations.html",
        {"results": results, "list_id": request.GET.get("list", "suggestions")},
    )


# Employers and sector groups


def _no_person(row) -> None:
    return None


EMPLOYER_COLUMNS = {
    "nom": Column("Raison sociale", lambda e: e.name, ("name",)),
    "siret": Column("SIRET", lambda e: e.siret, ("siret",)),
    "naf": Column("NAF", lambda e: e.naf_code, ("naf_code",)),
    "groupe": Column("Groupe sectoriel", lambda e: str(e.sector_group or ""), ("sector_group__name",)),
}
OFFER_COLUMNS = {
    "offre": Column("Offre", lambda o: o.title, ("title",)),
    "employeur": Column("Employeur", lambda o: o.employer.name, ("employer__name",)),
    "commune": Column("Commune", lambda o: o.commune.name if o.commune else "", ("commune__name",)),
    "contrat": Column("Contrat", lambda o: o.get_contract_type_display(), ("contract_type",)),
    "statut": Column("Statut", lambda o: o.get_status_display(), ("status",)),
    "expire": Column("Expire le", lambda o: o.expires_on),
    "creee": Column("Créée le", lambda o: o.created_at, ("created_at",)),
}
APPLICATION_COLUMNS = {
    "personne": Column(
        "Personne", lambda a: a.person.full_name, ("person__last_name", "person__first_names")
    ),
    "offre": Column("Offre", lambda a: f"{a.offer.title} — {a.offer.employer.name}", ("offer__title",)),
    "etat": Column("État", lambda a: a.get_state_display(), ("state",)),
    "creee": Column("Créée le", lambda a: a.created_at, ("created_at",)),
}


@agent_may("may_manage_employers")
def employers(request):
    query = request.GET.get("q", "").strip()
    items = Employer.objects.select_related("sector_group")
    if query:
        items = items.filter(name__icontains=query) | items.filter(siret__startswith=query.replace(" ", ""))
    listing = Listing(
        request, items, EMPLOYER_COLUMNS, default_sort="nom", name="employeurs", person_id=_no_person
    )
    if listing.export_format:
        return listing.export()
    context = {"page_obj": listing.page, "listing": listing, "query": query, "title": "Employeurs"}
    return render(request, "jobs/employers.html", context)


@agent_may("may_manage_employers")
def employer_create(request):
    form = EmployerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        employer = form.save()
        messages.success(request, "Employeur enregistré.")
        return redirect("jobs:employer", employer.pk)
    return render(request, "jobs/form.html", {"form": form, "title": "Nouvel employeur"})


@agent_may("may_manage_employers")
def employer_detail(request, employer_id: int):
    employer = get_object_or_404(Employer.objects.select_related("sector_group"), pk=employer_id)
    site_form, contact_form = SiteForm(prefix="site"), ContactForm(prefix="contact")
    if request.method == "POST":
        if "site-name" in request.POST:
            site_form = SiteForm(request.POST, prefix="site")
            if site_form.is_valid():
                site_form.instance.employer = employer
                site_form.save()
                messages.success(request, "Site ajouté.")
                return redirect("jobs:employer", employer.pk)
        else:
            contact_form = ContactForm(request.POST, prefix="contact")
            if contact_form.is_valid():
                contact_form.instance.employer = employer
                contact_form.save()
                messages.success(request, "Contact ajouté.")
                return redirect("jobs:employer", employer.pk)
    context = {
        "employer": employer,
        "offers": employer.offers.select_related("appellation", "commune"),
        "site_form": site_form,
        "contact_form": contact_form,
        "title": employer.name,
    }
    return render(request, "jobs/employer_detail.html", context)


@agent_may("may_manage_employers")
def sector_groups(request):
    groups = SectorGroup.objects.prefetch_related("employers")
    form = SectorGroupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.instance.departement_id = _departement_id(request)
        group = form.save()
        return redirect("jobs:sector_group", group.pk)
    return render(
        request, "jobs/sector_groups.html", {"groups": groups, "form": form, "title": "Groupes sectoriels"}
    )


def _departement_id(request) -> int:
    from django.conf import settings

    from parcours.territory.models import Departement

    if request.user.organisation_id:
        return request.user.organisation.departement_id
    return Departement.objects.get(code=settings.PARCOURS_DEPARTEMENT).pk


@agent_may("may_manage_employers")
def sector_group_detail(request, group_id: int):
    group = get_object_or_404(SectorGroup, pk=group_id)
    form = SectorNeedForm(request.POST or None, initial={"recorded_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        form.instance.group = group
        form.save()
        messages.success(request, "Besoin enregistré.")
        return redirect("jobs:sector_group", group.pk)
    context = {
        "group": group,
        "needs": group.needs.select_related("appellation"),
        "employers": group.employers.all(),
        "form": form,
        "title": group.name,
    }
    return render(request, "jobs/sector_group_detail.html", context)


# Offers


@agent_may("may_use_job_platform")
def offers(request):
    status = request.GET.get("statut", "")
    items = JobOffer.objects.select_related("employer", "appellation", "commune").search(
        request.GET.get("q", "")
    )
    if status in OfferStatus.values:
        items = items.filter(status=status)
    listing = Listing(
        request, items, OFFER_COLUMNS, default_sort="-creee", name="offres", person_id=_no_person
    )
    if listing.export_format:
        return listing.export()
    context = {
        "page_obj": listing.page,
        "listing": listing,
        "statuses": OfferStatus.choices,
        "status": status,
        "title": "Offres d'emploi",
    }
    return render(request, "jobs/offers.html", context)


@agent_may("may_manage_employers")
def offer_edit(request, offer_id: int | None = None):
    offer = get_object_or_404(JobOffer, pk=offer_id) if offer_id else None
    initial = {"employer": request.GET.get("employeur")} if offer is None else None
    form = OfferForm(request.POST or None, instance=offer, initial=initial)
    if request.method == "POST" and form.is_valid():
        if offer is None:
            form.instance.created_by = request.user
        offer = form.save()
        messages.success(request, "Offre enregistrée.")
        return redirect("jobs:offer", offer.pk)
    title = "Modifier l'offre" if offer else "Nouvelle offre"
    return render(request, "jobs/form.html", {"form": form, "title": title, "appellation_search": True})


@agent_may("may_use_job_platform")
def offer_detail(request, offer_id: int):
    offer = get_object_or_404(
        JobOffer.objects.select_related("employer", "appellation__rome", "commune"), pk=offer_id
    )
    # Only the applicants the agent may see are named; the others are counted.
    applications = list(
        offer.applications.filter(person__in=visible_persons(request.user))
        .select_related("person")
        .order_by("-created_at")
    )
    hidden = offer.applications.count() - len(applications)
    audit.record_shown(request.user, [a.person_id for a in applications], request=request, offer=offer.pk)
    context = {
        "offer": offer,
        "applications": applications,
        "hidden_applications": hidden,
        "may_manage": request.user.may_manage_employers,
        "title": offer.title,
    }
    return render(request, "jobs/offer_detail.html", context)


@agent_may("may_manage_employers")
@require_POST
def offer_action(request, offer_id: int, action: str):
    offer = get_object_or_404(JobOffer, pk=offer_id)
    try:
        {"publier": offer.publish, "actualiser": offer.refresh, "pourvue": offer.mark_filled}[action]()
    except KeyError:
        raise Http404
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Offre mise à jour.")
    return redirect("jobs:offer", offer.pk)


@agent_may("may_use_job_platform")
def offer_candidates(request, offer_id: int):
    """The ranked candidates of an offer among the persons the agent may see: a table sorted,
    filtered and paginated by the server (`jobs/candidate_table.py`)."""
    offer = get_object_or_404(
        JobOffer.objects.select_related("appellation__rome", "commune", "employer"), pk=offer_id
    )
    form = CandidateTableFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    unit = filters.get("unit")
    table = candidate_table.build(
        offer,
        request.user,
        request.GET,
        unit_id=unit.pk if unit else None,
        max_km=filters.get("max_km"),
        min_score=filters.get("min_score"),
        proposed=filters.get("proposed", ""),
    )
    audit.record(request.user, AuditAction.SEARCH, request=request, offer=offer.pk, results=table.total)
    audit.record_shown(request.user, table.person_ids, request=request, offer=offer.pk)
    context = {
        "offer": offer,
        "table": table,
        "form": form,
        "limit": candidate_table.TABLE_LIMIT,
        "title": f"Candidats — {offer.title}",
    }
    template = "jobs/_candidates.html" if request.htmx else "jobs/offer_candidates.html"
    return render(request, template, context)


@agent_may("may_use_job_platform")
@require_POST
def shortlist(request, offer_id: int, person_id: int):
    offer = get_object_or_404(JobOffer, pk=offer_id)
    person = get_person_for(request.user, person_id, request=request, action=AuditAction.UPDATE)
    if not offer.is_open:
        messages.error(request, "L'offre n'est plus ouverte : présélection impossible.")
        return redirect("jobs:offer", offer.pk)
    if is_restricted(person.pk):
        messages.error(request, RESTRICTED_MATCHING)
        return redirect("jobs:offer", offer.pk)
    application, created = Application.objects.get_or_create(
        offer=offer,
        person=person,
        defaults={"created_by": request.user, "score": _int_or_none(request.POST.get("score"))},
    )
    if created:
        application.events.create(transition="shortlist", to_state=application.state, by=request.user)
        audit.record_changes(request.user, person, ["candidature"], request=request, created=True)
        messages.success(request, "Candidat·e présélectionné·e.")
    return redirect("jobs:application", application.pk)


RESTRICTED_MATCHING = (
    "La personne a demandé la limitation du traitement de ses données : pas de rapprochement avec "
    "des offres ni de présélection tant que la limitation est active (« Données personnelles » sur la fiche)."
)


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# Candidate profile of a person


@agent_may("may_use_job_platform")
def profile(request, person_id: int):
    person = get_person_for(request.user, person_id, request=request)
    instance = CandidateProfile.objects.filter(person=person).first() or CandidateProfile(person=person)
    form = ProfileForm(request.POST or None, instance=instance)
    formset = ExperienceFormSet(request.POST or None, instance=instance, prefix="exp")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        created = instance.pk is None
        with transaction.atomic():
            saved = form.save()
            formset.instance = saved
            formset.save()
            saved.reindex()
        audit.record_changes(
            request.user, person, form.changed_data or ["profil"], request=request, created=created
        )
        messages.success(request, "Profil enregistré.")
        return redirect("jobs:profile", person.pk)
    context = {
        "person": person,
        "form": form,
        "formset": formset,
        "profile": instance if instance.pk else None,
        "applications": Application.objects.filter(person=person).select_related("offer__employer"),
        "title": f"Profil emploi — {person.full_name}",
    }
    return render(request, "jobs/profile.html", context)


@agent_may("may_use_job_platform")
def profile_offers(request, person_id: int):
    person = get_person_for(request.user, person_id, request=request)
    profile = CandidateProfile.objects.filter(person=person).first()
    if profile is None:
        messages.info(request, "Renseignez d'abord le profil emploi de la personne.")
        return redirect("jobs:profile", person.pk)
    if is_restricted(person.pk):
        messages.error(request, RESTRICTED_MATCHING)
        return redirect("jobs:profile", person.pk)
    form = OfferFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    unit = filters.get("unit")
    ranked = matching.rank_offers(
        profile,
        limit=30,
        unit_id=unit.pk if unit else None,
        max_km=filters.get("max_km"),
        contract_type=filters.get("contract_type") or None,
    )
    context = {
        "person": person,
        "profile": profile,
        "ranked": ranked,
        "form": form,
        "title": "Offres pour la personne",
    }
    return render(request, "jobs/profile_offers.html", context)


@agent_may("may_use_job_platform")
def simulation(request, person_id: int, offer_id: int):
    """What the person would receive each month with this job (OpenFisca), or « indisponible »."""
    person = get_person_for(request.user, person_id, request=request)
    offer = get_object_or_404(JobOffer.objects.select_related("appellation", "employer"), pk=offer_id)
    form = SimulationForm(request.GET or None, initial={"rent": 0, "housing_status": "locataire_vide"})
    result, unavailable = None, False
    if form.is_valid():
        household = earnings.household_of(
            person,
            rent=form.cleaned_data["rent"] or Decimal(0),
            housing_status=form.cleaned_data["housing_status"],
        )
        try:
            result = earnings.simulate(offer, household, today=timezone.localdate())
        except earnings.SimulationUnavailable:
            unavailable = True
    context = {
        "person": person,
        "offer": offer,
        "form": form,
        "result": result,
        "unavailable": unavailable,
        "sector": earnings.cumulation_sector(offer),
        "title": "Simulation des revenus",
    }
    return render(request, "jobs/simulation.html", context)


# Applications


@agent_may("may_use_job_platform")
def applications(request):
    state = request.GET.get("etat", "")
    items = Application.objects.filter(person__in=visible_persons(request.user)).select_related(
        "person", "offer__employer"
    )
    if state in ApplicationState.values:
        items = items.filter(state=state)
    listing = Listing(request, items, APPLICATION_COLUMNS, default_sort="-creee", name="candidatures")
    if listing.export_format:
        return listing.export()
    page = listing.page
    audit.record_shown(request.user, [a.person_id for a in page], request=request)
    context = {
        "page_obj": page,
        "listing": listing,
        "states": ApplicationState.choices,
        "state": state,
        "title": "Candidatures",
    }
    return render(request, "jobs/applications.html", context)


@agent_may("may_use_job_platform")
def application_detail(request, application_id: int):
    application = get_object_or_404(Application.objects.select_related("offer__employer"), pk=application_id)
    person = get_person_for(request.user, application.person_id, request=request)
    placement = getattr(application, "placement", None)
    context = {
        "application": application,
        "person": person,
        "events": application.events.select_related("by"),
        "transitions": [
            (t, TransitionForm(name=t.name, offer=application.offer))
            for t in application.available_transitions()
        ],
        "placement": placement,
        "follow_ups": placement.follow_ups.all() if placement else [],
        "follow_up_form": FollowUpForm(initial={"done_on": timezone.localdate()}),
        "today": timezone.localdate(),
        "title": f"Candidature n°{application.pk}",
    }
    return render(request, "jobs/application_detail.html", context)


@agent_may("may_use_job_platform")
@require_POST
def application_transition(request, application_id: int, name: str):
    application = get_object_or_404(Application.objects.select_related("offer"), pk=application_id)
    person = get_person_for(request.user, application.person_id, request=request, audit_read=False)
    form = TransitionForm(request.POST, name=name)
    if not form.is_valid():
        messages.error(request, form.error_message)
        return redirect("jobs:application", application.pk)
    try:
        form.apply(application, request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        audit.record_changes(request.user, person, ["candidature"], request=request)
        messages.success(request, f"Candidature : {application.get_state_display()}.")
    return redirect("jobs:application", application.pk)


@agent_may("may_use_job_platform")
@require_POST
def follow_up(request, follow_up_id: int):
    item = get_object_or_404(FollowUp.objects.select_related("placement__application"), pk=follow_up_id)
    application = item.placement.application
    get_person_for(request.user, application.person_id, request=request, audit_read=False)
    form = FollowUpForm(request.POST, instance=item)
    if form.is_valid():
        form.instance.done_by = request.user
        form.save()
        messages.success(request, f"Suivi à {item.months} mois enregistré.")
    else:
        messages.error(
            request, "Suivi non enregistré : indiquez la date et si la personne est toujours en poste."
        )
    return redirect("jobs:application", application.pk)


@agent_may("may_manage_employers")
def statistics(request):
    today = timezone.localdate()
    since = (today.replace(day=1) - datetime.timedelta(days=365)).replace(day=1)
    context = {
        "since": since,
        "monthly": stats.monthly(since),
        "by_group": stats.by_sector_group(since),
        "by_unit": stats.by_unit(since),
        "title": "Statistiques de la plateforme emploi",
    }
    return render(request, "jobs/statistics.html", context)
