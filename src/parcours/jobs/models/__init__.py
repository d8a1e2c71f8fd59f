from parcours.jobs.models.applications import (
    Application,
    ApplicationEvent,
    ApplicationState,
    FollowUp,
    Placement,
    Transition,
)
from parcours.jobs.models.employers import Employer, EmployerContact, EmployerSite, SectorGroup, SectorNeed
from parcours.jobs.models.offers import ContractType, EducationLevel, JobOffer, Language, OfferStatus
from parcours.jobs.models.profiles import CandidateProfile, MatchingEntry, MobilityMeans, ProfileExperience
from parcours.jobs.models.reference import RomeAppellation, RomeCode

__all__ = [
    "Application",
    "ApplicationEvent",
    "ApplicationState",
    "CandidateProfile",
    "ContractType",
    "EducationLevel",
    "Employer",
    "EmployerContact",
    "EmployerSite",
    "FollowUp",
    "JobOffer",
    "MatchingEntry",
    "Language",
    "MobilityMeans",
    "OfferStatus",
    "Placement",
    "ProfileExperience",
    "RomeAppellation",
    "RomeCode",
    "SectorGroup",
    "SectorNeed",
    "Transition",
]
