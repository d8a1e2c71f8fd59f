from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.utils import timezone

from parcours.core.french import plural
from parcours.jobs.models.offers import MAX_HOURS_PER_WEEK, EducationLevel, language_labels

MAX_MOBILITY_RADIUS_KM = 100


class MobilityMeans(models.TextChoices):
    CAR = "voiture", "Voiture"
    PUBLIC_TRANSPORT = "transports", "Transports en commun"
    BIKE = "velo", "Vélo"
    MOTORBIKE = "deux_roues", "Deux-roues motorisé"
    WALK = "pied", "À pied"


class CandidateProfileQuerySet(models.QuerySet):
    def consenting(self):
        return self.filter(consents_to_employers=True)


INDEXED_FIELDS = (
    "mobility_radius_km",
    "has_driving_licence",
    "has_vehicle",
    "education_level",
    "languages",
    "childcare_hours_per_week",
    "max_hours_per_week",
    "available_from",
)


class CandidateProfile(models.Model):
    """What Parcours knows of a person's job search, used to rank candidates and offers."""

    person = models.OneToOneField("people.Person", on_delete=models.CASCADE, related_name="candidate_profile")
    target_appellations = models.ManyToManyField(
        "jobs.RomeAppellation", verbose_name="métiers recherchés", related_name="+", blank=True
    )
    education_level = models.PositiveSmallIntegerField(
        "niveau de formation", choices=EducationLevel.choices, default=EducationLevel.NONE
    )
    has_driving_licence = models.BooleanField("permis B", default=False)
    has_vehicle = models.BooleanField("véhicule", default=False)
    mobility_radius_km = models.PositiveSmallIntegerField(
        "rayon de mobilité (km)",
        default=20,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_MOBILITY_RADIUS_KM)],
    )
    mobility_means = models.CharField(
        "moyen de déplacement",
        max_length=20,
        choices=MobilityMeans.choices,
        default=MobilityMeans.PUBLIC_TRANSPORT,
    )
    languages = models.CharField("langues parlées", max_length=50, blank=True)
    childcare_hours_per_week = models.PositiveSmallIntegerField(
        "heures de garde d'enfants disponibles par semaine",
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_HOURS_PER_WEEK)],
        help_text="Vide : pas de contrainte de garde.",
    )
    max_hours_per_week = models.PositiveSmallIntegerField(
        "durée de travail maximale (h/semaine)",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_HOURS_PER_WEEK)],
        help_text="Vide : pas de limite (temps partiel thérapeutique, choix…).",
    )
    health_restrictions = models.TextField(
        "restrictions de santé", blank=True, help_text="Jamais montrées aux employeurs."
    )
    available_from = models.DateField("disponible à partir du", null=True, blank=True)
    consents_to_employers = models.BooleanField("accepte d'être proposé(e) à des employeurs", default=False)
    consent_recorded_at = models.DateTimeField("consentement recueilli le", null=True, blank=True)
    updated_at = models.DateTimeField("mis à jour le", auto_now=True)

    objects = CandidateProfileQuerySet.as_manager()

    class Meta:
        verbose_name = "profil de candidat"
        verbose_name_plural = "profils de candidats"
        indexes = [models.Index(fields=["consents_to_employers", "mobility_radius_km"])]

    def __str__(self) -> str:
        return f"Profil n°{self.pk}"

    @property
    def hours_limit(self) -> int | None:
        """The weekly hours the person can work: the lowest of their limits, None if unlimited."""
        limits = [
            value for value in (self.childcare_hours_per_week, self.max_hours_per_week) if value is not None
        ]
        return min(limits) if limits else None

    @property
    def language_list(self) -> list[str]:
        return language_labels(self.languages)

    @property
    def pseudonym(self) -> str:
        """How employers see the person before they agree: a stable code, no name."""
        return f"Candidat·e C-{self.pk:06d}"

    def matching_entries_to_index(self) -> list["MatchingEntry"]:
        """The search-index rows of this profile (none without consent or without a commune)."""
        person = self.person
        if not self.consents_to_employers or person.commune_id is None:
            return []
        common = {
            "profile": self,
            "person_id": person.pk,
            "commune_id": person.commune_id,
            **{name: getattr(self, name) for name in INDEXED_FIELDS},
        }
        entries = [
            MatchingEntry(rome_code=rome_id, appellation_id=code_ogr, **common)
            for code_ogr, rome_id in self.target_appellations.values_list("code_ogr", "rome_id")
        ]
        entries += [
            MatchingEntry(rome_code=rome_id, years=years, **common)
            for rome_id, years in self.experiences.values_list("rome_id", "years")
        ]
        return entries

    def reindex(self) -> None:
        """Rebuild this profile's rows of the ranking's search index."""
        with transaction.atomic():
            MatchingEntry.objects.filter(profile=self).delete()
            MatchingEntry.objects.bulk_create(self.matching_entries_to_index())

    def record_consent(self, consents: bool) -> None:
        if consents and not self.consents_to_employers:
            self.consent_recorded_at = timezone.now()
        if not consents:
            self.consent_recorded_at = None
        self.consents_to_employers = consents


class ProfileExperience(models.Model):
    profile = models.ForeignKey(CandidateProfile, on_delete=models.CASCADE, related_name="experiences")
    rome = models.ForeignKey(
        "jobs.RomeCode", verbose_name="métier (code ROME)", on_delete=models.PROTECT, related_name="+"
    )
    years = models.PositiveSmallIntegerField("années d'expérience", validators=[MaxValueValidator(50)])

    class Meta:
        verbose_name = "expérience"
        constraints = [models.UniqueConstraint(fields=["profile", "rome"], name="unique_profile_experience")]

    def __str__(self) -> str:
        return f"{self.rome_id} : {plural(self.years, 'an')}"


class MatchingEntry(models.Model):
    """The ranking's search index, derived from the profiles (never edited): one row per target job
    or experience of a consenting candidate who has a commune, with what the score needs, so that
    finding the candidates of a ROME code near an offer reads one indexed table.

    Rebuilt by `CandidateProfile.reindex()` (profile form, person saved) and, in bulk, by
    `parcours reindex-candidates`."""

    profile = models.ForeignKey(CandidateProfile, on_delete=models.CASCADE, related_name="matching_entries")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    rome_code = models.CharField(max_length=5)
    appellation_id = models.PositiveIntegerField(null=True)  # None: an experience row
    years = models.PositiveSmallIntegerField(default=0)
    commune_id = models.BigIntegerField()
    mobility_radius_km = models.PositiveSmallIntegerField()
    has_driving_licence = models.BooleanField()
    has_vehicle = models.BooleanField()
    education_level = models.PositiveSmallIntegerField()
    languages = models.CharField(max_length=50, blank=True)
    childcare_hours_per_week = models.PositiveSmallIntegerField(null=True)
    max_hours_per_week = models.PositiveSmallIntegerField(null=True)
    available_from = models.DateField(null=True)

    class Meta:
        verbose_name = "entrée de l'index de rapprochement"
        indexes = [models.Index(fields=["rome_code", "commune_id"])]

    def __str__(self) -> str:
        return f"{self.rome_code} (profil n°{self.profile_id})"
