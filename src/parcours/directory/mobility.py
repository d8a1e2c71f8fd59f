"""The mobility diagnosis: what it derives, who writes it, the mobility services it proposes.

**Usable means.** Of the means the agent ticked, those the person can really use today: the car
needs a valid licence B, a vehicle (own or shared) not known to be broken and no fear of driving;
a two-wheeler a vehicle not known to be broken; public transport a line near home (not « non »)
and no fear of it; the bicycle no fear of cycling; walking is always possible.

**Job-search radius** (`job_search_radius_km`): the straight-line distance reachable in the time
the person accepts to travel (`max_travel_minutes`) with the fastest usable means, by the rule of
thumb of `directory.travel` (road distance = straight line × DETOUR_FACTOR 1.3; car 50 km/h,
two-wheeler 40 km/h, public transport 15 minutes of walking and waiting then 20 km/h, bicycle
15 km/h, walking 4.5 km/h), at most 10 km when the person fears leaving their commune, between 1 and
`jobs.MAX_MOBILITY_RADIUS_KM` (100). With no usable means but walking, walking counts.

**Job matching.** `record` copies the radius, the fastest usable means, the licence and the vehicle
to the person's job profile (`jobs.CandidateProfile`, when they have one and the agent ticks the
box) and rebuilds its rows of the matching index: the matching reads the profile as before.

**Proposals.** `proposals` maps the diagnosis to the kinds of mobility services (data·inclusion
thématiques « mobilite--… ») it calls for, each with the reason, and `nearby_services` finds the
open services of the directory of those kinds near the person's commune (eligible there).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from parcours.core import audit
from parcours.core.models import AuditAction
from parcours.directory import travel
from parcours.directory.models import MobilityDiagnosis
from parcours.directory.models.orientations import Answer, Fear, Licence, Vehicle
from parcours.jobs.models import MobilityMeans
from parcours.jobs.models.profiles import MAX_MOBILITY_RADIUS_KM

# Road speeds (km/h) and the fixed minutes lost before moving (public transport: walk and wait).
SPEED_KMH = {
    MobilityMeans.CAR: travel.CAR_KMH,
    MobilityMeans.MOTORBIKE: 40.0,
    MobilityMeans.PUBLIC_TRANSPORT: travel.TRANSIT_KMH,
    MobilityMeans.BIKE: 15.0,
    MobilityMeans.WALK: travel.WALK_KMH,
}
LOST_MINUTES = {MobilityMeans.PUBLIC_TRANSPORT: travel.TRANSIT_WAIT_MINUTES}
LOCAL_RADIUS_KM = 10  # the radius of a person who fears leaving their commune
LOW_BUDGET_EUR = 50  # a monthly budget under this calls for financing
SEARCH_KM = 30  # how far the mobility services are looked for around the person's commune


def usable_means(diagnosis: MobilityDiagnosis) -> list[str]:
    """The means the person can really use (module docstring), in `MobilityMeans` order."""
    ticked, fears = set(diagnosis.means or []), set(diagnosis.fears or [])
    vehicle_ok = diagnosis.vehicle_works is not False
    usable = {
        MobilityMeans.CAR: diagnosis.licence == Licence.B
        and diagnosis.vehicle != Vehicle.NONE
        and vehicle_ok
        and Fear.DRIVING not in fears,
        MobilityMeans.MOTORBIKE: vehicle_ok,
        MobilityMeans.PUBLIC_TRANSPORT: diagnosis.transport_near_home != Answer.NO
        and Fear.PUBLIC_TRANSPORT not in fears,
        MobilityMeans.BIKE: Fear.CYCLING not in fears,
        MobilityMeans.WALK: True,
    }
    return [means for means in MobilityMeans.values if means in ticked and usable[means]]


def reachable_km(minutes: float, means: str) -> float:
    """Straight-line km reachable in `minutes` with `means` (road distance / DETOUR_FACTOR)."""
    moving = max(0.0, minutes - LOST_MINUTES.get(means, 0.0))
    return moving / 60 * SPEED_KMH[means] / travel.DETOUR_FACTOR


def fastest_means(diagnosis: MobilityDiagnosis) -> str:
    """The usable means that reaches furthest in the accepted time (walking when none)."""
    means = usable_means(diagnosis) or [MobilityMeans.WALK]
    return max(
        means, key=lambda m: (reachable_km(diagnosis.max_travel_minutes, m), -MobilityMeans.values.index(m))
    )


def job_search_radius_km(diagnosis: MobilityDiagnosis) -> int:
    """The job-search radius in km (module docstring)."""
    km = reachable_km(diagnosis.max_travel_minutes, fastest_means(diagnosis))
    if Fear.LEAVING_TOWN in (diagnosis.fears or []):
        km = min(km, LOCAL_RADIUS_KM)
    return max(1, min(MAX_MOBILITY_RADIUS_KM, round(km)))


def latest(person) -> MobilityDiagnosis | None:
    return MobilityDiagnosis.objects.filter(person=person).select_related("made_by").first()


@transaction.atomic
def record(
    agent, person, diagnosis: MobilityDiagnosis, *, update_profile: bool = True, request=None
) -> MobilityDiagnosis:
    """Save `diagnosis` (unsaved, filled by the form) for `person`, audited; with `update_profile`,
    copy its radius and means to the person's job profile (module docstring). Refused while the
    person's restriction of processing is active."""
    from parcours.privacy.restriction import is_restricted

    if is_restricted(person.pk):
        raise ValidationError(
            "La personne a demandé la limitation du traitement de ses données : aucun diagnostic ne peut "
            "être enregistré tant que la limitation est active (« Données personnelles » sur la fiche)."
        )
    if diagnosis.made_on > timezone.localdate():
        raise ValidationError("La date du diagnostic ne peut pas être dans le futur.")
    diagnosis.person, diagnosis.made_by = person, agent
    diagnosis.fears = [code for code in Fear.values if code in (diagnosis.fears or [])]
    diagnosis.means = [code for code in MobilityMeans.values if code in (diagnosis.means or [])]
    diagnosis.save()
    fields = ["diagnostic mobilité"]
    audit.record(
        agent,
        AuditAction.CREATE,
        person=person,
        request=request,
        model="directory.MobilityDiagnosis",
        object_id=diagnosis.pk,
        fields=fields,
    )
    if update_profile:
        apply_to_profile(agent, diagnosis, request=request)
    return diagnosis


def apply_to_profile(agent, diagnosis: MobilityDiagnosis, *, request=None):
    """Copy the diagnosis's radius, fastest means, licence and vehicle to the person's job profile
    and reindex it for the matching; None when the person has no job profile."""
    from parcours.jobs.models import CandidateProfile

    profile = CandidateProfile.objects.filter(person_id=diagnosis.person_id).first()
    if profile is None:
        return None
    profile.mobility_radius_km = job_search_radius_km(diagnosis)
    profile.mobility_means = fastest_means(diagnosis)
    profile.has_driving_licence = diagnosis.licence == Licence.B
    profile.has_vehicle = diagnosis.vehicle != Vehicle.NONE and diagnosis.vehicle_works is not False
    profile.save(
        update_fields=[
            "mobility_radius_km",
            "mobility_means",
            "has_driving_licence",
            "has_vehicle",
            "updated_at",
        ]
    )
    profile.reindex()
    audit.record_changes(
        agent,
        diagnosis.person,
        ["profil emploi : rayon de mobilité, moyen de déplacement, permis, véhicule"],
        request=request,
    )
    return profile


# -- proposals -----------------------------------------------------------------------------------

PREPARE_LICENCE = "mobilite--preparer-un-permis"
GET_VEHICLE = "mobilite--acceder-a-un-vehicule"
FINANCE = "mobilite--financer-ma-mobilite"
REPAIR = "mobilite--entretenir-reparer-son-vehicule"
SUPPORT = "mobilite--etre-accompagne-dans-son-parcours-mobilite"
SHARED = "mobilite--mobilite-douce-partagee-collective"

KIND_LABELS = {
    PREPARE_LICENCE: "Préparer le code ou le permis de conduire",
    GET_VEHICLE: "Louer ou emprunter un véhicule",
    FINANCE: "Financer sa mobilité (micro-crédit, aides)",
    REPAIR: "Faire réparer son véhicule (garage solidaire)",
    SUPPORT: "Être accompagné par un conseiller mobilité",
    SHARED: "Vélo, covoiturage, transport à la demande",
}


@dataclass
class Proposal:
    """A kind of mobility service the diagnosis calls for, why, and the services found."""

    thematique: str
    reason: str
    services: list = field(default_factory=list)

    @property
    def label(self) -> str:
        return KIND_LABELS[self.thematique]


def proposals(diagnosis: MobilityDiagnosis) -> list[Proposal]:
    """The kinds of mobility services the diagnosis calls for, in the order of KIND_LABELS."""
    reasons: dict[str, str] = {}
    if diagnosis.licence != Licence.B:
        reasons[PREPARE_LICENCE] = f"Permis : {Licence(diagnosis.licence).label.lower()}"
    if diagnosis.vehicle == Vehicle.NONE:
        reasons[GET_VEHICLE] = "Pas de véhicule"
    if diagnosis.vehicle != Vehicle.NONE and diagnosis.vehicle_works is False:
        reasons[REPAIR] = "Véhicule hors d'état de marche"
    if diagnosis.monthly_budget_eur is not None and diagnosis.monthly_budget_eur < LOW_BUDGET_EUR:
        reasons[FINANCE] = f"Budget mobilité de {diagnosis.monthly_budget_eur} € par mois"
    elif diagnosis.licence == Licence.B and diagnosis.vehicle == Vehicle.NONE:
        reasons[FINANCE] = "Permis sans véhicule : un micro-crédit peut financer l'achat"
    if diagnosis.fears:
        reasons[SUPPORT] = "Appréhensions : " + ", ".join(label.lower() for label in diagnosis.fear_labels())
    if Answer.NO in (diagnosis.transport_near_home, diagnosis.transport_near_job):
        reasons[SHARED] = "Pas de transports en commun près du domicile ou du lieu de travail"
    return [Proposal(code, reasons[code]) for code in KIND_LABELS if code in reasons]


def nearby_services(person, wanted: list[Proposal], km: float = SEARCH_KM) -> list[Proposal]:
    """Fill each proposal with the open mobility services of its kind within `km` of the person's
    commune, nearest first (3 at most), eligible in the commune. One query."""
    from parcours.directory.models import Service

    commune = person.commune
    if commune is None or not wanted:
        return wanted
    found = (
        Service.objects.open()
        .in_category("mobilite")
        .with_thematiques([proposal.thematique for proposal in wanted])
        .select_related("structure")
        .near(commune.latitude, commune.longitude, km)
    )
    for service in found:
        if service.zone_eligibilite and commune.insee_code not in service.zone_eligibilite:
            continue
        for proposal in wanted:
            if proposal.thematique in (service.thematiques or []) and len(proposal.services) < 3:
                proposal.services.append(service)
    return wanted
