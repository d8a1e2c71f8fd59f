"""/api/v1/emploi/: published offers and the ranked candidates of an offer (agents only)."""

from __future__ import annotations

import datetime

from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.errors import HttpError

from parcours.accounts.permissions import allows
from parcours.core import audit
from parcours.core.models import AuditAction
from parcours.jobs import matching
from parcours.jobs.models import JobOffer

router = Router(tags=["emploi"])


class OfferOut(Schema):
    id: int
    title: str
    employer: str
    rome_code: str
    appellation: str
    commune_insee: str
    contract_type: str
    hours_per_week: float
    start_date: datetime.date
    status: str


class LineOut(Schema):
    label: str
    points: int


class CandidateOut(Schema):
    person_id: int
    score: int
    distance_km: float
    lines: list[LineOut]


def _agent(request):
    if not allows(request.auth, "may_use_job_platform"):
        audit.record(request.auth, AuditAction.DENIED, request=request, permission="may_use_job_platform")
        raise HttpError(403, "Réservé aux agents de la plateforme emploi.")
    return request.auth


def _offer_out(offer: JobOffer) -> dict:
    return {
        "id": offer.pk,
        "title": offer.title,
        "employer": offer.employer.name,
        "rome_code": offer.appellation.rome_id,
        "appellation": offer.appellation.label,
        "commune_insee": offer.commune.insee_code,
        "contract_type": offer.contract_type,
        "hours_per_week": float(offer.hours_per_week),
        "start_date": offer.start_date,
        "status": offer.status,
    }


@router.get("/offres", response=list[OfferOut])
def offers(request):
    _agent(request)
    published = JobOffer.objects.published().select_related("employer", "appellation", "commune")[:500]
    return [_offer_out(offer) for offer in published]


@router.get("/offres/{offer_id}/candidats", response=list[CandidateOut])
def candidates(request, offer_id: int, limit: int = 20):
    agent = _agent(request)
    offer = get_object_or_404(JobOffer.objects.select_related("appellation", "commune"), pk=offer_id)
    ranked = matching.rank_candidates(offer, agent, limit=min(limit, 100))
    audit.record(agent, AuditAction.SEARCH, request=request, offer=offer.pk, results=len(ranked))
    audit.record_shown(agent, [match.person_id for match in ranked], request=request, offer=offer.pk)
    return [
        {
            "person_id": match.person_id,
            "score": match.score,
            "distance_km": round(match.distance_km, 1),
            "lines": [{"label": line.label, "points": line.points} for line in match.lines],
        }
        for match in ranked
    ]
