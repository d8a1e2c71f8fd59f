"""Structures and services of the directory, modelled on the data·inclusion schema (v1).

Field names follow `data_inclusion.schema.v1.Structure` / `Service`; list fields hold the schema's
codes (validated by `parcours.directory.schema`). A service's `type` and `frais` are single values
in schema v1; they are kept as lists (`types`, `frais`) so that older DORA exports (lists) fit too.

Search needs indexed forms of the lists, on SQLite as on PostgreSQL: each list field used as a
filter has a denormalised text key written at save, "|code|code|", filtered with `contains`
("|code|"): `thematiques_key`, `publics_key`, `categories_key`. The JSON lists stay the display
form. `category` is the service's main coverage category (the first of `Category` order its
thématiques map to); `categories_key` holds all of them. The bounding-box filter of `near()` uses
the (latitude, longitude) index; the category filter the (category, latitude) index or the key.
"""

from __future__ import annotations

import datetime
from math import cos, radians

from django.db import models

from parcours.core.dates import add_months
from parcours.directory import hours
from parcours.territory.geo import distance_km

STALE_AFTER_MONTHS = 6


class Category(models.TextChoices):
    """The coverage categories (D2's analysis), in priority order for a service's main one."""

    AIDE_ALIMENTAIRE = "aide_alimentaire", "Aide alimentaire"
    ACCUEIL_SOCIAL = "accueil_social", "Accueil social"
    MEDIATION_NUMERIQUE = "mediation_numerique", "Médiation numérique"
    MOBILITE = "mobilite", "Mobilité"
    SANTE = "sante", "Santé"
    PARENTALITE = "parentalite", "Parentalité"
    EMPLOI = "emploi", "Emploi"
    LOGEMENT = "logement", "Logement"
    ACCES_AUX_DROITS = "acces_aux_droits", "Accès aux droits"
    HANDICAP = "handicap", "Handicap"


# data·inclusion thématique (exact code, or "categorie--" prefix) → coverage category. Exact codes
# win over prefixes. A thématique mapping to nothing gives no category (e.g. s'ouvrir à l'international).
CATEGORY_OF_THEMATIQUE: dict[str, str] = {
    "equipement-et-alimentation--alimentation": Category.AIDE_ALIMENTAIRE,
    "equipement-et-alimentation--": Category.ACCUEIL_SOCIAL,
    "difficultes-financieres--": Category.ACCUEIL_SOCIAL,
    "difficultes-administratives-ou-juridiques--accompagnement-aux-demarches-administratives": (
        Category.ACCUEIL_SOCIAL
    ),
    "remobilisation--lien-social": Category.ACCUEIL_SOCIAL,
    "difficultes-administratives-ou-juridiques--": Category.ACCES_AUX_DROITS,
    "numerique--": Category.MEDIATION_NUMERIQUE,
    "mobilite--": Category.MOBILITE,
    "sante--constituer-un-dossier-mdph-invalidite": Category.HANDICAP,
    "sante--": Category.SANTE,
    "famille--prise-en-charge-personne-dependante": Category.HANDICAP,
    "famille--": Category.PARENTALITE,
    "trouver-un-emploi--": Category.EMPLOI,
    "preparer-sa-candidature--": Category.EMPLOI,
    "choisir-un-metier--": Category.EMPLOI,
    "se-former--": Category.EMPLOI,
    "creer-une-entreprise--": Category.EMPLOI,
    "logement-hebergement--": Category.LOGEMENT,
}


def category_of_thematique(code: str) -> str:
    """The coverage category of one thématique code, "" when none."""
    if code in CATEGORY_OF_THEMATIQUE:
        return str(CATEGORY_OF_THEMATIQUE[code])
    prefix = code.split("--")[0] + "--"
    return str(CATEGORY_OF_THEMATIQUE.get(prefix, ""))


def categories_of(thematiques: list[str]) -> list[str]:
    """The coverage categories of these thématiques, in `Category` order, without repeats."""
    found = {category_of_thematique(code) for code in thematiques} - {""}
    return [value for value in Category.values if value in found]


def list_key(codes) -> str:
    """The denormalised search key of a list of codes: "|a|b|" ("" when empty)."""
    codes = sorted({str(code) for code in codes or [] if code})
    return f"|{'|'.join(codes)}|" if codes else ""


def bounding_box(lat: float, lon: float, km: float) -> tuple[float, float, float, float]:
    """(lat_min, lat_max, lon_min, lon_max) of a square containing the disc of radius km."""
    dlat = km / 111.0
    dlon = km / (111.320 * max(cos(radians(lat)), 0.01))
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon


class StructureQuerySet(models.QuerySet):
    def editable_by(self, agent) -> StructureQuerySet:
        """Structures `agent` may edit: all for administrators and managers, else those of their organisation."""
        if agent.is_administrator or agent.is_manager:
            return self
        if agent.organisation_id is None:
            return self.none()
        return self.filter(organisation_id=agent.organisation_id)


class Structure(models.Model):
    """An organisation's place offering services (a CCAS, a food bank, a France services…)."""

    source = models.CharField("source", max_length=50, default="parcours")
    source_id = models.CharField("identifiant chez la source", max_length=200)
    siret = models.CharField("SIRET", max_length=14, blank=True)
    nom = models.CharField("nom", max_length=250)
    description = models.TextField("description", blank=True)
    adresse = models.CharField("adresse", max_length=250, blank=True)
    complement_adresse = models.CharField("complément d'adresse", max_length=250, blank=True)
    code_postal = models.CharField("code postal", max_length=5, blank=True)
    commune = models.ForeignKey(
        "territory.Commune",
        verbose_name="commune",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    code_insee = models.CharField("code INSEE", max_length=5, blank=True)
    latitude = models.FloatField("latitude", null=True, blank=True)
    longitude = models.FloatField("longitude", null=True, blank=True)
    telephone = models.CharField("téléphone", max_length=30, blank=True)
    courriel = models.EmailField("courriel", blank=True)
    site_web = models.URLField("site web", blank=True, max_length=500)
    horaires_accueil = models.CharField("horaires d'accueil", max_length=500, blank=True)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name="organisation partenaire",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="directory_structures",
        help_text="Ses agents mettent à jour les services de la structure.",
    )
    date_maj = models.DateField("date de mise à jour", null=True, blank=True)
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    objects = StructureQuerySet.as_manager()

    class Meta:
        verbose_name = "structure"
        ordering = ["nom"]
        constraints = [
            models.UniqueConstraint(fields=["source", "source_id"], name="directory_structure_source")
        ]

    def __str__(self) -> str:
        return self.nom


class ServiceQuerySet(models.QuerySet):
    def open(self) -> ServiceQuerySet:
        """Services not closed (`closed_on` empty or in the future)."""
        today = datetime.date.today()
        return self.filter(models.Q(closed_on__isnull=True) | models.Q(closed_on__gt=today))

    def in_category(self, code: str) -> ServiceQuerySet:
        """Services one of whose thématiques maps to coverage category `code`."""
        return self.filter(categories_key__contains=f"|{code}|")

    def with_thematiques(self, codes) -> ServiceQuerySet:
        """Services addressing at least one of these data·inclusion thématiques."""
        condition = models.Q()
        for code in codes:
            condition |= models.Q(thematiques_key__contains=f"|{code}|")
        return self.filter(condition) if condition else self

    def for_public(self, code: str) -> ServiceQuerySet:
        """Services open to public `code` (or to everyone: `tous-publics`, or no public given)."""
        return self.filter(
            models.Q(publics_key__contains=f"|{code}|")
            | models.Q(publics_key__contains="|tous-publics|")
            | models.Q(publics_key="")
        )

    def free(self) -> ServiceQuerySet:
        """Services whose frais say `gratuit`."""
        return self.filter(is_free=True)

    def located(self) -> ServiceQuerySet:
        return self.filter(latitude__isnull=False, longitude__isnull=False)

    def in_box(self, lat: float, lon: float, km: float) -> ServiceQuerySet:
        """Services inside the bounding box of the disc (SQL only, uses the coordinates index)."""
        lat_min, lat_max, lon_min, lon_max = bounding_box(lat, lon, km)
        return self.filter(
            latitude__gte=lat_min, latitude__lte=lat_max, longitude__gte=lon_min, longitude__lte=lon_max
        )

    def near(self, lat: float, lon: float, km: float) -> list[Service]:
        """Services within `km` (straight line) of the point, nearest first, each with `distance`
        (km): bounding box in SQL, then the exact haversine distance in Python on the candidates."""
        found = []
        for service in self.in_box(lat, lon, km):
            service.distance = distance_km((lat, lon), (service.latitude, service.longitude))
            if service.distance <= km:
                found.append(service)
        found.sort(key=lambda service: (service.distance, service.nom, service.pk))
        return found

    def stale(self, today: datetime.date | None = None) -> ServiceQuerySet:
        """Open services not updated for STALE_AFTER_MONTHS months (no date counts as stale)."""
        limit = add_months(today or datetime.date.today(), -STALE_AFTER_MONTHS)
        return self.open().filter(models.Q(date_maj__lt=limit) | models.Q(date_maj__isnull=True))

    def editable_by(self, agent) -> ServiceQuerySet:
        """Services `agent` may edit: all for administrators and managers, else those of the
        structures of their organisation."""
        if agent.is_administrator or agent.is_manager:
            return self
        if agent.organisation_id is None:
            return self.none()
        return self.filter(structure__organisation_id=agent.organisation_id)


class Service(models.Model):
    """A service offered by a structure (data·inclusion `Service`)."""

    structure = models.ForeignKey(
        Structure, verbose_name="structure", on_delete=models.CASCADE, related_name="services"
    )
    source = models.CharField("source", max_length=50, default="parcours")
    source_id = models.CharField("identifiant chez la source", max_length=200)
    nom = models.CharField("nom", max_length=250)
    description = models.TextField("description", blank=True)
    thematiques = models.JSONField("thématiques", default=list, blank=True)
    types = models.JSONField("types", default=list, blank=True)
    frais = models.JSONField("frais", default=list, blank=True)
    frais_precisions = models.TextField("précisions sur les frais", blank=True)
    publics = models.JSONField("publics", default=list, blank=True)
    publics_precisions = models.TextField("précisions sur les publics", blank=True)
    conditions_acces = models.TextField("conditions d'accès", blank=True)
    modes_accueil = models.JSONField("modes d'accueil", default=list, blank=True)
    modes_mobilisation = models.JSONField("modes de mobilisation", default=list, blank=True)
    mobilisable_par = models.JSONField("mobilisable par", default=list, blank=True)
    zone_eligibilite = models.JSONField(
        "zone d'éligibilité", default=list, blank=True, help_text="Codes INSEE ; vide = sans restriction."
    )
    horaires_accueil = models.CharField("horaires d'accueil", max_length=500, blank=True)
    half_days_per_week = models.PositiveSmallIntegerField("demi-journées d'ouverture par semaine", default=0)
    category = models.CharField("catégorie", max_length=30, choices=Category.choices, blank=True)
    # Denormalised search keys ("|code|code|"), written at save: see the module docstring.
    thematiques_key = models.TextField(blank=True, editable=False)
    publics_key = models.CharField(max_length=500, blank=True, editable=False)
    categories_key = models.CharField(max_length=300, blank=True, editable=False)
    is_free = models.BooleanField("gratuit", default=False, editable=False)
    open_weekdays = models.CharField(
        "jours d'ouverture", max_length=7, blank=True, editable=False, help_text="Chiffres 0 (lundi) à 6."
    )
    adresse = models.CharField("adresse", max_length=250, blank=True)
    complement_adresse = models.CharField("complément d'adresse", max_length=250, blank=True)
    code_postal = models.CharField("code postal", max_length=5, blank=True)
    commune = models.ForeignKey(
        "territory.Commune",
        verbose_name="commune",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    code_insee = models.CharField("code INSEE", max_length=5, blank=True)
    latitude = models.FloatField("latitude", null=True, blank=True)
    longitude = models.FloatField("longitude", null=True, blank=True)
    telephone = models.CharField("téléphone", max_length=30, blank=True)
    courriel = models.EmailField("courriel", blank=True)
    contact_nom = models.CharField("nom du contact", max_length=200, blank=True)
    lien_mobilisation = models.URLField("lien de mobilisation", blank=True, max_length=500)
    date_maj = models.DateField("date de mise à jour", null=True, blank=True)
    closed_on = models.DateField("fermé le", null=True, blank=True)
    reminded_at = models.DateTimeField("relancé le", null=True, blank=True)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    objects = ServiceQuerySet.as_manager()

    class Meta:
        verbose_name = "service"
        ordering = ["nom"]
        constraints = [
            models.UniqueConstraint(fields=["source", "source_id"], name="directory_service_source")
        ]
        indexes = [
            models.Index(fields=["latitude", "longitude"], name="directory_service_coords"),
            models.Index(fields=["category", "latitude"], name="directory_service_cat_lat"),
            models.Index(fields=["date_maj"], name="directory_service_date_maj"),
        ]

    def __str__(self) -> str:
        return self.nom

    def save(self, *args, **kwargs):
        self.derive()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = set(kwargs["update_fields"]) | set(DERIVED_FIELDS)
        super().save(*args, **kwargs)

    def derive(self) -> None:
        """Compute the derived fields from the lists and the hours (called by save and by bulk imports)."""
        self.half_days_per_week = hours.half_days_per_week(self.horaires_accueil)
        self.open_weekdays = "".join(str(day) for day in sorted(hours.open_weekdays(self.horaires_accueil)))
        categories = categories_of(self.thematiques or [])
        self.category = categories[0] if categories else ""
        self.categories_key = list_key(categories)
        self.thematiques_key = list_key(self.thematiques)
        self.publics_key = list_key(self.publics)
        self.is_free = "gratuit" in (self.frais or [])

    @property
    def point(self) -> tuple[float, float] | None:
        if self.latitude is None or self.longitude is None:
            return None
        return (self.latitude, self.longitude)

    def is_stale(self, today: datetime.date | None = None) -> bool:
        """Not updated for STALE_AFTER_MONTHS months: shown « À mettre à jour »."""
        limit = add_months(today or datetime.date.today(), -STALE_AFTER_MONTHS)
        return self.date_maj is None or self.date_maj < limit

    @property
    def is_closed(self) -> bool:
        return self.closed_on is not None and self.closed_on <= datetime.date.today()

    @property
    def hours_summary(self) -> str:
        """The opening hours in one short French line (`hours.summary`), for lists and exports."""
        from parcours.directory import hours

        return hours.summary(self.horaires_accueil)

    def is_open_at(self, moment: datetime.datetime) -> bool:
        return hours.is_open_at(self.horaires_accueil, moment)


DERIVED_FIELDS = (
    "half_days_per_week",
    "open_weekdays",
    "category",
    "categories_key",
    "thematiques_key",
    "publics_key",
    "is_free",
)
