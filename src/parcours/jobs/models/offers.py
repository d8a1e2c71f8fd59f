import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

MAX_HOURS_PER_WEEK = 48
EXPIRY_WARNING_DAYS = 50
EXPIRY_DAYS = 60


class ContractType(models.TextChoices):
    CDI = "cdi", "CDI"
    CDD = "cdd", "CDD"
    INTERIM = "interim", "Intérim"
    IAE = "iae", "Insertion par l'activité économique (IAE)"
    ALTERNANCE = "alternance", "Alternance"
    SAISONNIER = "saisonnier", "Saisonnier"


class EducationLevel(models.IntegerChoices):
    """Levels of the national qualifications framework (cadre national des certifications)."""

    NONE = 0, "Aucun diplôme"
    CAP = 3, "CAP, BEP (niveau 3)"
    BAC = 4, "Baccalauréat (niveau 4)"
    BAC2 = 5, "Bac + 2 (niveau 5)"
    BAC3 = 6, "Licence, Bac + 3 (niveau 6)"
    BAC5 = 7, "Master, Bac + 5 (niveau 7)"
    DOCTORAT = 8, "Doctorat (niveau 8)"


class Language(models.TextChoices):
    ENGLISH = "en", "Anglais"
    DUTCH = "nl", "Néerlandais"
    GERMAN = "de", "Allemand"
    SPANISH = "es", "Espagnol"
    ITALIAN = "it", "Italien"
    ARABIC = "ar", "Arabe"
    PORTUGUESE = "pt", "Portugais"
    POLISH = "pl", "Polonais"


LANGUAGE_BITS = {code: 1 << index for index, code in enumerate(Language.values)}


def languages_mask(codes: str) -> int:
    """The bit mask of a comma-separated list of language codes (unknown codes ignored)."""
    mask = 0
    for code in (codes or "").split(","):
        mask |= LANGUAGE_BITS.get(code.strip(), 0)
    return mask


def language_labels(codes: str) -> list[str]:
    labels = dict(Language.choices)
    return [labels[code] for code in (codes or "").split(",") if code in labels]


class OfferStatus(models.TextChoices):
    DRAFT = "brouillon", "Brouillon"
    PUBLISHED = "publiee", "Publiée"
    FILLED = "pourvue", "Pourvue"
    EXPIRED = "expiree", "Expirée"


class JobOfferQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=OfferStatus.PUBLISHED)

    def to_warn(self, now: datetime.datetime | None = None):
        """Published offers not refreshed for EXPIRY_WARNING_DAYS, not warned yet, not yet to expire."""
        now = now or timezone.now()
        return self.published().filter(
            refreshed_at__lte=now - datetime.timedelta(days=EXPIRY_WARNING_DAYS),
            refreshed_at__gt=now - datetime.timedelta(days=EXPIRY_DAYS),
            expiry_warned_at__isnull=True,
        )

    def to_expire(self, now: datetime.datetime | None = None):
        """Published offers not refreshed for EXPIRY_DAYS."""
        now = now or timezone.now()
        return self.published().filter(refreshed_at__lte=now - datetime.timedelta(days=EXPIRY_DAYS))

    def of_employer(self, employer):
        return self.filter(employer=employer)

    def search(self, text: str):
        text = (text or "").strip()
        if not text:
            return self
        return self.filter(
            Q(title__icontains=text)
            | Q(appellation__label__icontains=text)
            | Q(employer__name__icontains=text)
        )


class JobOffer(models.Model):
    employer = models.ForeignKey(
        "jobs.Employer", verbose_name="employeur", on_delete=models.PROTECT, related_name="offers"
    )
    site = models.ForeignKey(
        "jobs.EmployerSite",
        verbose_name="site",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="offers",
    )
    appellation = models.ForeignKey(
        "jobs.RomeAppellation",
        verbose_name="métier (appellation ROME)",
        on_delete=models.PROTECT,
        related_name="offers",
    )
    title = models.CharField("intitulé", max_length=200)
    description = models.TextField("description", blank=True)
    commune = models.ForeignKey(
        "territory.Commune", verbose_name="commune", on_delete=models.PROTECT, related_name="job_offers"
    )
    contract_type = models.CharField("type de contrat", max_length=20, choices=ContractType.choices)
    hours_per_week = models.DecimalField(
        "heures par semaine",
        max_digits=4,
        decimal_places=1,
        validators=[
            MinValueValidator(1, "Indiquez au moins 1 heure par semaine."),
            MaxValueValidator(
                MAX_HOURS_PER_WEEK,
                f"La durée du travail ne peut dépasser {MAX_HOURS_PER_WEEK} heures par semaine.",
            ),
        ],
    )
    hourly_wage = models.DecimalField(
        "salaire horaire brut (€)",
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Laisser vide : SMIC horaire.",
    )
    start_date = models.DateField("date de début")
    openings = models.PositiveSmallIntegerField(
        "nombre de postes", default=1, validators=[MinValueValidator(1)]
    )
    requires_driving_licence = models.BooleanField("permis B exigé", default=False)
    requires_vehicle = models.BooleanField("véhicule exigé", default=False)
    qualification_level = models.PositiveSmallIntegerField(
        "niveau de qualification requis", choices=EducationLevel.choices, default=EducationLevel.NONE
    )
    languages = models.CharField(
        "langues exigées", max_length=50, blank=True, help_text="Codes séparés par des virgules."
    )
    status = models.CharField(
        "statut", max_length=10, choices=OfferStatus.choices, default=OfferStatus.DRAFT, db_index=True
    )
    published_at = models.DateTimeField("publiée le", null=True, blank=True)
    refreshed_at = models.DateTimeField("actualisée le", null=True, blank=True, db_index=True)
    expiry_warned_at = models.DateTimeField("alerte d'expiration le", null=True, blank=True)
    expired_at = models.DateTimeField("expirée le", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("créée le", default=timezone.now, db_index=True)

    objects = JobOfferQuerySet.as_manager()

    class Meta:
        verbose_name = "offre d'emploi"
        verbose_name_plural = "offres d'emploi"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "refreshed_at"])]

    def __str__(self) -> str:
        return f"{self.title} — {self.employer}"

    @property
    def rome_code(self) -> str:
        return self.appellation.rome_id

    @property
    def language_list(self) -> list[str]:
        return language_labels(self.languages)

    @property
    def is_open(self) -> bool:
        """Whether candidates may be proposed: published and not past its expiry."""
        if self.status != OfferStatus.PUBLISHED:
            return False
        return self.refreshed_at is None or timezone.now() - self.refreshed_at < datetime.timedelta(
            days=EXPIRY_DAYS
        )

    @property
    def expires_on(self) -> datetime.date | None:
        if self.status != OfferStatus.PUBLISHED or self.refreshed_at is None:
            return None
        return timezone.localdate(self.refreshed_at + datetime.timedelta(days=EXPIRY_DAYS))

    def clean(self) -> None:
        if self.site_id and self.employer_id and self.site.employer_id != self.employer_id:
            raise ValidationError({"site": "Ce site n'appartient pas à l'employeur."})

    def publish(self, now: datetime.datetime | None = None) -> None:
        now = now or timezone.now()
        if self.status not in (OfferStatus.DRAFT, OfferStatus.EXPIRED):
            raise ValidationError("Seule une offre en brouillon ou expirée peut être publiée.")
        self.status = OfferStatus.PUBLISHED
        self.published_at = self.published_at or now
        self.refreshed_at = now
        self.expiry_warned_at = None
        self.expired_at = None
        self.save(update_fields=["status", "published_at", "refreshed_at", "expiry_warned_at", "expired_at"])

    def refresh(self, now: datetime.datetime | None = None) -> None:
        """The employer confirms the offer is still open: the 60-day expiry starts again."""
        if self.status == OfferStatus.EXPIRED:
            self.publish(now)
            return
        if self.status != OfferStatus.PUBLISHED:
            raise ValidationError("Seule une offre publiée peut être actualisée.")
        self.refreshed_at = now or timezone.now()
        self.expiry_warned_at = None
        self.save(update_fields=["refreshed_at", "expiry_warned_at"])

    def mark_filled(self) -> None:
        self.status = OfferStatus.FILLED
        self.save(update_fields=["status"])
