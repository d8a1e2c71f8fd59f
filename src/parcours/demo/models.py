from django.db import models


class GenerationQuerySet(models.QuerySet):
    def current(self):
        """Generations whose population is still in the database (not replaced)."""
        return self.filter(replaced_at__isnull=True)

    def current_for(self, departement) -> "Generation | None":
        return self.current().filter(departement=departement).order_by("-started_at", "-id").first()


class Generation(models.Model):
    """One run of `parcours generate`: the parameters, what it created and how long it took.

    The generated households and persons are listed in `GeneratedHousehold` and
    `GeneratedPerson`, so that a later generation replaces them, and only them: persons and
    households created by agents are never touched."""

    departement = models.ForeignKey(
        "territory.Departement", verbose_name="département", on_delete=models.CASCADE, related_name="+"
    )
    seed = models.BigIntegerField("graine")
    scale = models.DecimalField("échelle", max_digits=8, decimal_places=4)
    household_count = models.PositiveIntegerField("foyers créés", default=0)
    person_count = models.PositiveIntegerField("personnes créées", default=0)
    duration_seconds = models.FloatField("durée (s)", default=0)
    started_at = models.DateTimeField("commencée le", auto_now_add=True)
    replaced_at = models.DateTimeField("remplacée le", null=True, blank=True)

    objects = GenerationQuerySet.as_manager()

    class Meta:
        verbose_name = "génération de population fictive"
        verbose_name_plural = "générations de population fictive"
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"Génération {self.departement_id} graine {self.seed} échelle {self.scale}"


class GeneratedHousehold(models.Model):
    household = models.OneToOneField(
        "people.Household", on_delete=models.CASCADE, primary_key=True, related_name="demo_generation"
    )
    generation = models.ForeignKey(Generation, on_delete=models.CASCADE, related_name="households")

    class Meta:
        verbose_name = "foyer fictif"
        verbose_name_plural = "foyers fictifs"

    def __str__(self) -> str:
        return f"Foyer fictif n°{self.household_id}"


class GeneratedPerson(models.Model):
    person = models.OneToOneField(
        "people.Person", on_delete=models.CASCADE, primary_key=True, related_name="demo_generation"
    )
    generation = models.ForeignKey(Generation, on_delete=models.CASCADE, related_name="persons")

    class Meta:
        verbose_name = "personne fictive"
        verbose_name_plural = "personnes fictives"

    def __str__(self) -> str:
        return f"Personne fictive n°{self.person_id}"
