from django.db import models

from parcours.jobs.rome import ROME_CODE_RE, family_of, normalize_words, subdomain_of


class RomeCode(models.Model):
    """A ROME code (fiche métier) of France Travail's reference, e.g. K1302."""

    code = models.CharField("code ROME", max_length=5, primary_key=True)
    label = models.CharField("libellé", max_length=200)

    class Meta:
        verbose_name = "code ROME"
        verbose_name_plural = "codes ROME"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} — {self.label}"

    @property
    def family(self) -> str:
        return family_of(self.code)

    @property
    def subdomain(self) -> str:
        return subdomain_of(self.code)

    @property
    def domain(self) -> str:
        return self.code[0]


class RomeAppellationQuerySet(models.QuerySet):
    def search(self, text: str):
        """Appellations whose label holds every word of `text` (accent- and case-insensitive),
        or, when `text` is a ROME code, that code's appellations."""
        text = (text or "").strip()
        if ROME_CODE_RE.match(text.upper()):
            return self.filter(rome_id=text.upper())
        words = normalize_words(text).split()
        if not words:
            return self.none()
        qs = self
        for word in words:
            qs = qs.filter(search_label__contains=word)
        return qs


class RomeAppellation(models.Model):
    """An appellation (job title) of the ROME, identified by its OGR code."""

    code_ogr = models.PositiveIntegerField("code OGR", primary_key=True)
    label = models.CharField("libellé", max_length=250)
    rome = models.ForeignKey(
        RomeCode, verbose_name="code ROME", on_delete=models.PROTECT, related_name="appellations"
    )
    search_label = models.CharField(max_length=250, editable=False, db_index=True)

    objects = RomeAppellationQuerySet.as_manager()

    class Meta:
        verbose_name = "appellation ROME"
        verbose_name_plural = "appellations ROME"
        ordering = ["label"]

    def __str__(self) -> str:
        return f"{self.label} ({self.rome_id})"
