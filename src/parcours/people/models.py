import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from parcours.people.names import normalize_name
from parcours.people.nir import clean_nir, validate_nir


def validate_birth_date(value: datetime.date) -> None:
    today = timezone.localdate()
    if value > today:
        raise ValidationError(
            "La date de naissance ne peut pas être dans le futur.", code="birth_date_future"
        )
    if value.year < today.year - 120:
        raise ValidationError(
            "La date de naissance est trop ancienne (plus de 120 ans).", code="birth_date_old"
        )


class Civility(models.TextChoices):
    MADAME = "MME", "Madame"
    MONSIEUR = "M", "Monsieur"


class Sex(models.TextChoices):
    FEMALE = "F", "Femme"
    MALE = "M", "Homme"


class PersonQuerySet(models.QuerySet):
    def visible_to(self, agent):
        """The persons an agent may see. The one rule, used by every view and API endpoint:
        administrators see everyone; other agents (managers included) see the persons who
        live in one of their territorial units, and those they follow."""
        if agent is None or not agent.is_authenticated or not agent.is_active:
            return self.none()
        if agent.is_administrator:
            return self
        if agent.role == "employeur":
            # Employers reach persons only through the job platform's consented proposals.
            return self.none()
        unit_ids = list(agent.units.values_list("id", flat=True))
        followed = Follow.objects.active().filter(agent=agent).values("person_id")
        return self.filter(Q(commune__unit_id__in=unit_ids) | Q(id__in=followed))

    def search(self, text: str = "", birth_date: datetime.date | None = None):
        """Persons matching `text` and, if given, born on `birth_date`.

        `text` is a NIR (13 characters or more: matched on its first 13), a CAF/MSA number
        (digits: the person's or their household's), or names in any order: every word must
        appear in the usage name, birth name or first names ("Jean Dupont" finds DUPONT Jean,
        and a maiden name finds the person under her usage name)."""
        qs = self
        text = (text or "").strip()
        if text:
            compact = clean_nir(text)
            if compact[:2].isdigit() and len(compact) >= 13:
                qs = qs.filter(nir__startswith=compact[:13])
            elif compact.isdigit():
                # One subquery of two index scans: an OR of the two conditions would make
                # PostgreSQL scan the whole table, and a join would need a DISTINCT.
                holders = (
                    Person.objects.filter(caf_number=compact)
                    .order_by()
                    .values("id")
                    .union(
                        HouseholdMember.objects.filter(household__caf_number=compact)
                        .order_by()
                        .values("person_id")
                    )
                )
                qs = qs.filter(id__in=holders)
            else:
                for word in dict.fromkeys(normalize_name(text).split()):
                    qs = qs.filter(search_names__contains=word)
        if birth_date:
            qs = qs.filter(birth_date=birth_date)
        return qs


class Person(models.Model):
    civility = models.CharField("civilité", max_length=3, choices=Civility.choices, blank=True)
    last_name = models.CharField("nom d'usage", max_length=150)
    birth_name = models.CharField("nom de naissance", max_length=150, blank=True)
    first_names = models.CharField("prénoms", max_length=200)
    birth_date = models.DateField("date de naissance", validators=[validate_birth_date], db_index=True)
    sex = models.CharField("sexe", max_length=1, choices=Sex.choices, blank=True)
    nir = models.CharField(
        "NIR",
        max_length=15,
        blank=True,
        db_index=True,
        validators=[validate_nir],
        help_text="Numéro de sécurité sociale : 13 caractères, ou 15 avec la clé.",
    )
    caf_number = models.CharField("matricule CAF/MSA", max_length=15, blank=True, db_index=True)
    france_travail_id = models.CharField(
        "identifiant France Travail", max_length=20, blank=True, db_index=True
    )
    email = models.EmailField("e-mail", blank=True)
    phone = models.CharField("téléphone", max_length=20, blank=True)
    address = models.CharField("adresse", max_length=250, blank=True)
    address_complement = models.CharField("complément d'adresse", max_length=250, blank=True)
    postal_code = models.CharField("code postal", max_length=5, blank=True)
    commune = models.ForeignKey(
        "territory.Commune",
        verbose_name="commune",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="persons",
    )
    search_names = models.CharField(max_length=500, editable=False, db_index=True, default="")
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = "personne"
        ordering = ["last_name", "first_names"]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_names} {self.last_name.upper()}".strip()

    @property
    def age(self) -> int:
        today = timezone.localdate()
        born = self.birth_date
        return today.year - born.year - ((today.month, today.day) < (born.month, born.day))

    @property
    def unit(self):
        return self.commune.unit if self.commune_id else None

    def clean(self) -> None:
        self.nir = clean_nir(self.nir)
        if self.nir and self.birth_date and len(self.nir) >= 5 and self.nir[3:5].isdigit():
            month = int(self.nir[3:5])
            if f"{self.birth_date:%y}" != self.nir[1:3]:
                raise ValidationError(
                    {"nir": "L'année de naissance du NIR ne correspond pas à la date de naissance."}
                )
            if 1 <= month <= 12 and month != self.birth_date.month:
                raise ValidationError(
                    {"nir": "Le mois de naissance du NIR ne correspond pas à la date de naissance."}
                )
        if (
            self.nir
            and self.sex
            and self.nir[0] in "12"
            and self.nir[0] != ("1" if self.sex == Sex.MALE else "2")
        ):
            raise ValidationError({"sex": "Le sexe ne correspond pas au premier chiffre du NIR."})

    def save(self, *args, **kwargs):
        self.search_names = self.compute_search_names()
        super().save(*args, **kwargs)

    def compute_search_names(self) -> str:
        return normalize_name(f"{self.last_name} {self.birth_name} {self.first_names}")


class Household(models.Model):
    """A foyer, known to the CAF or MSA by its dossier number."""

    class Organism(models.TextChoices):
        CAF = "CAF", "CAF"
        MSA = "MSA", "MSA"

    caf_number = models.CharField("numéro de dossier CAF/MSA", max_length=15, blank=True, db_index=True)
    organism = models.CharField("organisme", max_length=3, choices=Organism.choices, default=Organism.CAF)
    members = models.ManyToManyField(Person, through="HouseholdMember", related_name="households")
    created_at = models.DateTimeField("créé le", auto_now_add=True)

    class Meta:
        verbose_name = "foyer"
        constraints = [
            models.UniqueConstraint(
                fields=["organism", "caf_number"],
                condition=~Q(caf_number=""),
                name="unique_household_dossier",
            )
        ]

    def __str__(self) -> str:
        return f"Foyer {self.organism} {self.caf_number}" if self.caf_number else f"Foyer n°{self.pk}"


class MemberRole(models.TextChoices):
    DEMANDEUR = "demandeur", "Demandeur"
    CONJOINT = "conjoint", "Conjoint"
    ENFANT = "enfant", "Enfant"
    AUTRE = "autre", "Autre"


class HouseholdMember(models.Model):
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="memberships")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField("rôle", max_length=10, choices=MemberRole.choices)

    class Meta:
        verbose_name = "membre du foyer"
        verbose_name_plural = "membres du foyer"
        constraints = [
            models.UniqueConstraint(fields=["household", "person"], name="unique_household_member")
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_role_display()})"


class FollowQuerySet(models.QuerySet):
    def active(self, on: datetime.date | None = None):
        on = on or timezone.localdate()
        return self.filter(Q(started_on__lte=on), Q(ended_on__isnull=True) | Q(ended_on__gt=on))


class Follow(models.Model):
    """An agent following a person (référent, coach…): it opens the person's record to the agent."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="follows")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows")
    kind = models.CharField("nature", max_length=30, default="referent")
    started_on = models.DateField("depuis le", default=timezone.localdate)
    ended_on = models.DateField("jusqu'au", null=True, blank=True)

    objects = FollowQuerySet.as_manager()

    class Meta:
        verbose_name = "suivi"
        indexes = [models.Index(fields=["agent", "ended_on"])]

    def __str__(self) -> str:
        return f"{self.agent} suit {self.person}"


class PersonEvent(models.Model):
    """A dated fact of a person's pathway (rights, invitations, orientation…). Indicators read these."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("nature", max_length=50, db_index=True)
    occurred_at = models.DateTimeField("date", db_index=True)
    recorded_at = models.DateTimeField("enregistré le", auto_now_add=True)
    source = models.CharField("source", max_length=50, blank=True)
    data = models.JSONField("données", default=dict, blank=True)

    class Meta:
        verbose_name = "événement du parcours"
        verbose_name_plural = "événements du parcours"
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["person", "occurred_at"]),
            models.Index(fields=["kind", "occurred_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.occurred_at:%d/%m/%Y}"
