from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models

from parcours.jobs.siret import clean_siret, validate_siret

validate_naf = RegexValidator(
    r"^\d{2}\.\d{2}[A-Z]$",
    "Le code NAF s'écrit comme 56.10A (deux chiffres, point, deux chiffres, une lettre).",
)


class SectorGroup(models.Model):
    """A sector group (GOME): employers of one sector who meet regularly with the département."""

    name = models.CharField("nom", max_length=200)
    sector = models.CharField("secteur", max_length=200)
    departement = models.ForeignKey(
        "territory.Departement", on_delete=models.PROTECT, related_name="sector_groups"
    )
    meeting_frequency = models.CharField("rythme des réunions", max_length=100, blank=True)
    next_meeting_on = models.DateField("prochaine réunion", null=True, blank=True)

    class Meta:
        verbose_name = "groupe sectoriel (GOME)"
        verbose_name_plural = "groupes sectoriels (GOME)"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SectorNeed(models.Model):
    """A recruitment need recorded at a sector group's meeting."""

    group = models.ForeignKey(SectorGroup, on_delete=models.CASCADE, related_name="needs")
    recorded_on = models.DateField("relevé le")
    appellation = models.ForeignKey(
        "jobs.RomeAppellation",
        verbose_name="métier",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    quantity = models.PositiveIntegerField("nombre de postes", default=1)
    horizon = models.CharField("échéance", max_length=100, blank=True)
    description = models.TextField("précisions", blank=True)

    class Meta:
        verbose_name = "besoin du groupe sectoriel"
        verbose_name_plural = "besoins des groupes sectoriels"
        ordering = ["-recorded_on", "-id"]

    def __str__(self) -> str:
        return f"{self.group} : {self.quantity} × {self.appellation or self.description[:40]}"


class Employer(models.Model):
    """An employer (one establishment, identified by its SIRET)."""

    siret = models.CharField("SIRET", max_length=14, unique=True, validators=[validate_siret])
    name = models.CharField("raison sociale", max_length=200)
    naf_code = models.CharField("code NAF", max_length=6, validators=[validate_naf])
    sector_group = models.ForeignKey(
        SectorGroup,
        verbose_name="groupe sectoriel",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="employers",
    )
    # The employer portal: agents with role "employeur" of this organisation act for the employer.
    organisation = models.OneToOneField(
        "accounts.Organisation",
        verbose_name="organisation (portail employeur)",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="employer",
    )
    created_at = models.DateTimeField("créé le", auto_now_add=True)

    class Meta:
        verbose_name = "employeur"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def siren(self) -> str:
        return self.siret[:9]

    def clean(self) -> None:
        self.siret = clean_siret(self.siret)
        self.naf_code = (self.naf_code or "").strip().upper()
        if self.organisation_id and self.organisation.kind != "employer":
            raise ValidationError({"organisation": "L'organisation doit être de type « Employeur »."})


class EmployerSite(models.Model):
    employer = models.ForeignKey(Employer, on_delete=models.CASCADE, related_name="sites")
    name = models.CharField("nom du site", max_length=200)
    address = models.CharField("adresse", max_length=250)
    commune = models.ForeignKey("territory.Commune", on_delete=models.PROTECT, related_name="employer_sites")

    class Meta:
        verbose_name = "site de l'employeur"
        verbose_name_plural = "sites de l'employeur"
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.commune.name})"


class EmployerContact(models.Model):
    employer = models.ForeignKey(Employer, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField("nom", max_length=200)
    job_title = models.CharField("fonction", max_length=200, blank=True)
    email = models.EmailField("e-mail", blank=True)
    phone = models.CharField("téléphone", max_length=20, blank=True)

    class Meta:
        verbose_name = "contact de l'employeur"
        verbose_name_plural = "contacts de l'employeur"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
