from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce, Concat

from parcours.territory.geo import distance_km


class DepartementQuerySet(models.QuerySet):
    def current(self) -> "Departement | None":
        """The département this instance serves (settings.PARCOURS_DEPARTEMENT), if loaded."""
        return self.filter(code=settings.PARCOURS_DEPARTEMENT).first()


class Departement(models.Model):
    code = models.CharField("code", max_length=3, unique=True)
    name = models.CharField("nom", max_length=100)

    objects = DepartementQuerySet.as_manager()

    class Meta:
        verbose_name = "département"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class TerritorialUnitQuerySet(models.QuerySet):
    def with_stats(self):
        """Annotate `commune_count` and `population` (sum over the unit's communes)."""
        return self.annotate(
            commune_count=models.Count("communes"),
            population=Coalesce(models.Sum("communes__population"), 0),
        )


class TerritorialUnit(models.Model):
    """A territorial unit of the département (Nord: a direction territoriale), a set of communes."""

    departement = models.ForeignKey(Departement, on_delete=models.CASCADE, related_name="units")
    code = models.CharField("code", max_length=20)
    name = models.CharField("nom", max_length=150)
    seat = models.ForeignKey(
        "Commune",
        verbose_name="commune siège",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = TerritorialUnitQuerySet.as_manager()

    class Meta:
        verbose_name = "unité territoriale"
        verbose_name_plural = "unités territoriales"
        ordering = ["departement__code", "code"]
        constraints = [models.UniqueConstraint(fields=["departement", "code"], name="unique_unit_code")]

    def __str__(self) -> str:
        return self.name


class CommuneKind(models.TextChoices):
    COMMUNE = "commune", "Commune"
    # Paris, Lyon and Marseille are shipped as their arrondissements municipaux (see data/README.md).
    ARRONDISSEMENT_MUNICIPAL = "arrondissement_municipal", "Arrondissement municipal"


class CommuneQuerySet(models.QuerySet):
    def search(self, text: str):
        """Communes matching a name fragment, or the start of an INSEE or postal code.

        Digits (and Corsica's 2A/2B) are matched against codes; anything else against the name,
        case-insensitively. An empty text matches nothing."""
        text = text.strip()
        if not text:
            return self.none()
        if text.isdigit() or (len(text) >= 2 and text[:2].upper() in {"2A", "2B"} and text[2:].isdigit()):
            # Postal codes are stored space-separated: " code" finds a code starting with `text`.
            return self.annotate(_postal=Concat(models.Value(" "), "postal_codes")).filter(
                models.Q(insee_code__istartswith=text) | models.Q(_postal__contains=f" {text}")
            )
        return self.filter(name__icontains=text)

    def by_insee_code(self, code: str) -> "Commune | None":
        """The commune with this INSEE code, or the one that absorbed a former commune with this
        code (commune nouvelle, commune déléguée or associée). None when unknown."""
        code = code.strip().upper()
        if len(code) != 5:
            return None
        found = self.filter(insee_code=code).first()
        if found is None:
            # Codes are five characters without spaces, so a substring match is a whole-code match.
            found = self.filter(former_codes__contains=code).first()
        return found


class Commune(models.Model):
    """A commune from the INSEE's official geographic code (see territory/data/README.md)."""

    insee_code = models.CharField("code INSEE", max_length=5, unique=True)
    departement = models.ForeignKey(Departement, on_delete=models.CASCADE, related_name="communes")
    kind = models.CharField("type", max_length=30, choices=CommuneKind.choices, default=CommuneKind.COMMUNE)
    name = models.CharField("nom", max_length=150, db_index=True)
    # INSEE's "type de nom" (TNCC): 0–1 no article, 2 Le, 3 La, 4 Les, 5 L', 6 Aux, 7 Las, 8 Los.
    tncc = models.PositiveSmallIntegerField("type de nom", default=0)
    postal_codes = models.CharField("codes postaux", max_length=200, help_text="Séparés par des espaces.")
    population = models.PositiveIntegerField("population", default=0)
    latitude = models.FloatField("latitude")
    longitude = models.FloatField("longitude")
    # Where the point comes from: "mairie" (town hall), "polygone" (computed inside the commune's
    # outline), "code_postal" (approximate: a neighbour sharing its postal code).
    location_source = models.CharField("origine du point", max_length=20, blank=True)
    arrondissement = models.CharField("arrondissement (code INSEE)", max_length=4, blank=True)
    parent_code = models.CharField(
        "code de la commune", max_length=5, blank=True, help_text="Pour un arrondissement municipal."
    )
    former_codes = models.CharField(
        "anciens codes INSEE", max_length=300, blank=True, help_text="Séparés par des espaces."
    )
    town_hall_address = models.CharField("adresse de la mairie", max_length=250, blank=True)
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
    def former_code_list(self) -> list[str]:
        return self.former_codes.split()

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
        """Sites sorted by distance from the commune (as the crow flies, `distance_km` between the
        commune's point and the site's), each with a `distance` attribute in km; ties are broken by
        name then code. At most `limit` sites when given.

        Sorted in Python: a département has at most a few hundred sites."""
        sites = list(self.select_related("commune", "unit"))
        for site in sites:
            site.distance = distance_km(commune.point, site.point)
        sites.sort(key=lambda site: (site.distance, site.name, site.code))
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
    address_is_indicative = models.BooleanField(
        "adresse indicative",
        default=False,
        help_text="Adresse générée (celle de la mairie de la commune), à remplacer par l'adresse réelle.",
    )

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

    @property
    def full_address(self) -> str:
        """The address with its town written once: the shipped addresses already end with
        "<postal code> <town>", an address typed by hand may not."""
        town = self.commune.name
        if town.casefold() in self.address.casefold():
            return self.address
        postal_code = self.commune.postal_codes.split()[0] if self.commune.postal_codes else ""
        return f"{self.address}, {postal_code} {town}".replace(",  ", ", ")

    def distance_from(self, commune: Commune) -> float:
        """Distance in km, as the crow flies, from the commune's point to the site."""
        return distance_km(commune.point, self.point)
