from django.db import models

from parcours.territory.geo import distance_km


class Departement(models.Model):
    code = models.CharField("code", max_length=3, unique=True)
    name = models.CharField("nom", max_length=100)

    class Meta:
        verbose_name = "département"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class TerritorialUnit(models.Model):
    """A territorial unit of the département (Nord: a direction territoriale), a set of communes."""

    departement = models.ForeignKey(Departement, on_delete=models.CASCADE, related_name="units")
    code = models.CharField("code", max_length=20)
    name = models.CharField("nom", max_length=150)

    class Meta:
        verbose_name = "unité territoriale"
        verbose_name_plural = "unités territoriales"
        ordering = ["departement__code", "code"]
        constraints = [models.UniqueConstraint(fields=["departement", "code"], name="unique_unit_code")]

    def __str__(self) -> str:
        return self.name


class CommuneQuerySet(models.QuerySet):
    def search(self, text: str):
        text = text.strip()
        if text.isdigit():
            return self.filter(models.Q(insee_code__startswith=text) | models.Q(postal_codes__contains=text))
        return self.filter(name__icontains=text)


class Commune(models.Model):
    """A commune from the INSEE's official geographic code (see territory/data/README.md)."""

    insee_code = models.CharField("code INSEE", max_length=5, unique=True)
    departement = models.ForeignKey(Departement, on_delete=models.CASCADE, related_name="communes")
    name = models.CharField("nom", max_length=150, db_index=True)
    # INSEE's "type de nom" (TNCC): 0–1 no article, 2 Le, 3 La, 4 Les, 5 L', 6 Aux, 7 Las, 8 Los.
    tncc = models.PositiveSmallIntegerField("type de nom", default=0)
    postal_codes = models.CharField("codes postaux", max_length=200, help_text="Séparés par des espaces.")
    population = models.PositiveIntegerField("population", default=0)
    latitude = models.FloatField("latitude")
    longitude = models.FloatField("longitude")
    unit = models.ForeignKey(
        TerritorialUnit,
        verbose_name="unité territoriale",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="communes",
    )

    objects = CommuneQuerySet.as_manager()

    class Meta:
        verbose_name = "commune"
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.insee_code})"

    @property
    def postal_code_list(self) -> list[str]:
        return self.postal_codes.split()

    @property
    def main_postal_code(self) -> str:
        return self.postal_code_list[0] if self.postal_codes else ""

    @property
    def point(self) -> tuple[float, float]:
        return (self.latitude, self.longitude)


class SiteKind(models.TextChoices):
    MDIE = "mdie", "Maison départementale insertion et emploi (MDIE)"
    UTPAS = "utpas", "Unité territoriale de prévention et d'action sociale (UTPAS)"
    FRANCE_TRAVAIL = "france_travail", "Agence France Travail"
    RELAIS_AUTONOMIE = "relais_autonomie", "Relais autonomie"
    MAISON_PARENTS = "maison_parents", "Maison des parents"
    CCAS = "ccas", "Centre communal d'action sociale (CCAS)"


class SiteQuerySet(models.QuerySet):
    def nearest_to(self, commune: Commune, limit: int | None = None) -> list["Site"]:
        """Sites sorted by distance from the commune, each with a `distance` attribute in km."""
        sites = list(self.select_related("commune"))
        for site in sites:
            site.distance = distance_km(commune.point, site.point)
        sites.sort(key=lambda site: (site.distance, site.name))
        return sites[:limit] if limit else sites


class Site(models.Model):
    """A place where the département or a partner receives people."""

    departement = models.ForeignKey(Departement, on_delete=models.CASCADE, related_name="sites")
    kind = models.CharField("type", max_length=30, choices=SiteKind.choices)
    code = models.CharField("code", max_length=40)
    name = models.CharField("nom", max_length=200)
    address = models.CharField("adresse", max_length=250)
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="sites")
    unit = models.ForeignKey(
        TerritorialUnit, null=True, blank=True, on_delete=models.SET_NULL, related_name="sites"
    )
    latitude = models.FloatField("latitude")
    longitude = models.FloatField("longitude")
    phone = models.CharField("téléphone", max_length=20, blank=True)

    objects = SiteQuerySet.as_manager()

    class Meta:
        verbose_name = "site"
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["departement", "code"], name="unique_site_code")]

    def __str__(self) -> str:
        return self.name

    @property
    def point(self) -> tuple[float, float]:
        return (self.latitude, self.longitude)

    def distance_from(self, commune: Commune) -> float:
        return distance_km(commune.point, self.point)
