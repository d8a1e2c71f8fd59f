"""The needs referential: theme → situation → need, one referential for the whole product.

First reception, the accompaniment's joint diagnosis and the directory all name a person's needs
with these entries. The data lives in `reception/data/needs.json` and is loaded by a migration and
by `parcours load-needs` (`reception/needs_loader.py`): entries are identified by their `code`,
never deleted by the loader, only deactivated when they leave the file. Other apps point at a
`Need` with `on_delete=PROTECT`.
"""

from django.db import models


class ReferentialEntry(models.Model):
    code = models.SlugField("code", max_length=60, unique=True)
    label = models.CharField("libellé", max_length=200)
    position = models.PositiveSmallIntegerField("position", default=0)
    active = models.BooleanField("actif", default=True)

    class Meta:
        abstract = True
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.label


class NeedTheme(ReferentialEntry):
    """A theme (logement, mobilité…). `is_peripheral_barrier` marks the *freins périphériques*
    of the accompagnement global's joint diagnosis; `data_inclusion_thematique` is the closest
    thematique of the data·inclusion schema, for the directory."""

    is_peripheral_barrier = models.BooleanField("frein périphérique", default=False)
    data_inclusion_thematique = models.CharField("thématique data·inclusion", max_length=100, blank=True)

    class Meta(ReferentialEntry.Meta):
        verbose_name = "thématique de besoins"
        verbose_name_plural = "thématiques de besoins"


class NeedSituation(ReferentialEntry):
    """A situation observed within a theme (« Sans permis de conduire »…)."""

    theme = models.ForeignKey(
        NeedTheme, on_delete=models.PROTECT, related_name="situations", verbose_name="thématique"
    )

    class Meta(ReferentialEntry.Meta):
        verbose_name = "situation"
        verbose_name_plural = "situations"


class Need(ReferentialEntry):
    """A need answering a situation (« Obtenir le code ou le permis de conduire »…)."""

    situation = models.ForeignKey(
        NeedSituation, on_delete=models.PROTECT, related_name="needs", verbose_name="situation"
    )

    class Meta(ReferentialEntry.Meta):
        verbose_name = "besoin"
        verbose_name_plural = "besoins"

    @property
    def theme(self) -> NeedTheme:
        return self.situation.theme
