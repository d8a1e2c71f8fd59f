from django.db import models


class HistoryPerson(models.Model):
    """A person created by `parcours generate-history` (when the demo population had too few
    adults), so that the next run replaces them, and only them."""

    person = models.OneToOneField(
        "people.Person", on_delete=models.CASCADE, primary_key=True, related_name="history_generation"
    )
    departement = models.ForeignKey("territory.Departement", on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = "personne de l'historique fictif"
        verbose_name_plural = "personnes de l'historique fictif"

    def __str__(self) -> str:
        return f"Personne de l'historique fictif n°{self.person_id}"
