import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.models import Q
from django.utils import timezone

from parcours.core.encryption import EncryptedField
from parcours.indicators import events
from parcours.people.names import normalize_name, search_names
from parcours.people.nir import clean_nir, validate_nir
from parcours.people.nir import nir_digest as digest_of_nir
from parcours.people.phones import phone_key, phone_key_expression


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


def visibility_condition(agent, *, prefix: str = "", purposes: tuple[str, ...] = ()) -> Q | None:
    """The access rule (see `PersonQuerySet.visible_to`) as a condition on the person reached
    through `prefix` ("" on persons, "person__" on a model with a `person` foreign key): None when
    the agent sees everyone (administrators), a condition matching nothing when they see no one.
    On a model linked to persons (`core.access.visible_rows`) the database checks it row by row,
    e.g. along the index of a queue read in order, instead of listing every visible person."""
    nobody = Q(**{f"{prefix}pk__in": []})
    if agent is None or not agent.is_authenticated or not agent.is_active:
        return nobody
    if agent.is_administrator:
        return None
    if agent.role == "employeur":
        # Employers reach persons only through the job platform's consented proposals.
        return nobody
    from parcours.core.access_grants import granted_person_ids

    unit_ids = list(agent.units.values_list("id", flat=True))
    followed = Follow.objects.active().filter(agent=agent).values("person_id")
    condition = Q(**{f"{prefix}commune__unit_id__in": unit_ids}) | Q(**{f"{prefix}id__in": followed})
    # The apps' grants, and those limited to the page's purposes (`core.access_grants`).
    for person_ids in granted_person_ids(agent, purposes):
        condition |= Q(**{f"{prefix}id__in": person_ids})
    return condition


class PersonQuerySet(models.QuerySet):
    def visible_to(self, agent, *, purposes: tuple[str, ...] = ()):
        """The persons an agent may see. The one rule, used by every view and API endpoint:
        administrators see everyone; other agents (managers included) see the persons who
        live in one of their territorial units, those they follow, and those an app opens to
        them for a reason of its own (`parcours.core.access_grants`: a partner's tray; a
        structure's received orientations, on the pages of that purpose only). The rule itself
        is `visibility_condition`."""
        condition = visibility_condition(agent, purposes=purposes)
        return self if condition is None else self.filter(condition)

    def with_nir(self, nir: str):
        """Persons whose NIR has the same 13 first characters as `nir` (with or without its key,
        spaces allowed), found through the indexed digest: the NIR itself is stored encrypted."""
        digest = digest_of_nir(nir)
        return self.filter(nir_digest=digest) if digest else self.none()

    def with_phone(self, number: str):
        """Persons whose phone has the same last nine digits as `number` (typed any way)."""
        key = phone_key(number)
        return self.filter(phone_key=key) if key else self.none()

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
                qs = qs.with_nir(compact)
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
    # Indexed with search_names (Meta.indexes): identity resolution looks for names by birth date.
    birth_date = models.DateField("date de naissance", validators=[validate_birth_date])
    sex = models.CharField("sexe", max_length=1, choices=Sex.choices, blank=True)
    # Stored encrypted (core.encryption), clear in Python; looked up by `nir_digest`, an HMAC of its
    # 13 first characters kept in step whenever `nir` is assigned. No unique constraint: two persons
    # with the same 13 first characters are resolved as one by imports and refused by the forms and
    # the API (see `Person.clean`), but rows created before that rule may still go through the
    # duplicates queue.
    # The digest is declared first: Model.__init__ assigns fields in this order, and assigning
    # `nir` must come last to set it (a default "" assigned after would erase it).
    nir_digest = models.CharField(
        "empreinte du NIR", max_length=32, blank=True, default="", db_index=True, editable=False
    )
    nir = EncryptedField(
        "NIR",
        db_column="nir_encrypted",
        validators=[validate_nir],
        help_text="Numéro de sécurité sociale : 13 caractères, ou 15 avec la clé.",
        digest_field="nir_digest",
        digest_of=digest_of_nir,
    )
    caf_number = models.CharField("matricule CAF/MSA", max_length=15, blank=True, db_index=True)
    france_travail_id = models.CharField(
        "identifiant France Travail", max_length=20, blank=True, db_index=True
    )
    email = models.EmailField("e-mail", blank=True)
    phone = models.CharField("téléphone", max_length=20, blank=True)
    # The number's last nine digits, computed by the database (`people.phones`): the contact
    # centre finds a caller by it, whatever the way the number was typed.
    phone_key = models.GeneratedField(
        expression=phone_key_expression("phone"),
        output_field=models.CharField(max_length=20),
        db_persist=True,
        db_index=True,
        verbose_name="clé du téléphone",
    )
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
    # The CNAF flux may carry an address in another département (a person who is moving): the
    # address is kept with its INSEE code, `commune` stays the last one known in the département.
    address_insee_code = models.CharField(
        "code INSEE de l'adresse", max_length=5, blank=True, db_default="", default=""
    )
    address_outside_departement = models.BooleanField(
        "adresse hors département", db_default=False, default=False
    )
    # Searched with LIKE '%word%', which no B-tree index serves (PostgreSQL has a trigram index).
    search_names = models.CharField(max_length=500, editable=False, default="")
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = "personne"
        ordering = ["last_name", "first_names"]
        indexes = [models.Index(fields=["birth_date", "search_names"], name="person_birth_names_idx")]

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

    @property
    def address_town(self) -> str:
        """The town of the address: outside the département, the commune of its INSEE code in the
        national reference (the `commune` kept is the last one in the département)."""
        if self.address_outside_departement:
            from parcours.territory.reference import commune_name

            return commune_name(self.address_insee_code) or self.address_insee_code
        return self.commune.name if self.commune_id else ""

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
        if self.nir_digest and Person.objects.filter(nir_digest=self.nir_digest).exclude(pk=self.pk).exists():
            raise ValidationError(
                {
                    "nir": "Une autre personne est déjà enregistrée avec ce NIR (mêmes 13 premiers "
                    "caractères, clé comprise ou non) : recherchez-la par son NIR plutôt que de créer "
                    "une seconde fiche."
                }
            )

    def save(self, *args, **kwargs):
        self.search_names = self.compute_search_names()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "nir" in update_fields:
            kwargs["update_fields"] = {*update_fields, "nir_digest"}
        super().save(*args, **kwargs)

    def compute_search_names(self) -> str:
        return search_names(self.last_name, self.birth_name, self.first_names)


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
    # No index of its own: the unique (household, person) constraint's index serves it.
    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="memberships", db_index=False
    )
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

    def caseload_of(self, agent):
        """The agent's caseload: their active follows of every kind (référent, coach…). The home
        page counts it and "Mon portefeuille" lists it: one definition, the same figure."""
        return self.active().filter(agent=agent)


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


class PersonEventQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        """Like QuerySet.bulk_create, with each event's typed values filled in first."""
        objs = list(objs)
        for event in objs:
            event.fill_typed_values()
        return super().bulk_create(objs, *args, **kwargs)

    def refill_typed_values(self, kinds: list[str] | None = None, batch_size: int = 5000) -> int:
        """Recompute the typed values of these events (of `kinds` when given) from kind,
        occurred_at and data; returns the number of events rewritten. For data migrations."""
        chosen = self.filter(kind__in=kinds) if kinds is not None else self
        table = self.model._meta.db_table
        assignments = ", ".join(f"{column} = %s" for column in PersonEvent.TYPED_COLUMNS)
        sql = f"UPDATE {table} SET {assignments} WHERE id = %s"  # noqa: S608 (constants only)
        rows = chosen.order_by("id").values_list("id", "kind", "occurred_at", "data")
        done = 0
        batch: list[tuple] = []
        with connection.cursor() as cursor:
            for event_id, kind, occurred_at, data in rows.iterator(chunk_size=batch_size):
                batch.append((*PersonEvent.typed_values(kind, occurred_at, data), event_id))
                if len(batch) >= batch_size:
                    cursor.executemany(sql, batch)
                    done, batch = done + len(batch), []
            if batch:
                cursor.executemany(sql, batch)
                done += len(batch)
        return done


class PersonEvent(models.Model):
    """A dated fact of a person's pathway (rights, invitations, orientation…). Indicators read these.

    The log is append-only: a correction is a new event. `kind_code`, `occurred_epoch` and
    `value_1`…`value_3` are a typed copy of what the indicators read of `kind`, `occurred_at` and
    `data` (see `indicators.events.typed_values`), filled by `save()` and `bulk_create()`; a writer
    that inserts rows by other means sets them with `typed_values()` (TYPED_COLUMNS order) or leaves
    them out (database defaults), and the indicators then derive them when reading (slower)."""

    TYPED_COLUMNS = ("kind_code", "occurred_epoch", "value_1", "value_2", "value_3")

    # Indexed through Meta.indexes only: (person, occurred_at) and (kind, occurred_at) serve every
    # lookup, and each index more costs on every one of the hundreds of thousands of rows an import writes.
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="events", db_index=False)
    kind = models.CharField("nature", max_length=50)
    occurred_at = models.DateTimeField("date")
    recorded_at = models.DateTimeField("enregistré le", auto_now_add=True)
    source = models.CharField("source", max_length=50, blank=True)
    data = models.JSONField("données", default=dict, blank=True)
    # Defaults in the database, so that an INSERT naming none of them stays valid: kind_code -1
    # marks an event whose typed values are to be derived when read.
    kind_code = models.SmallIntegerField("numéro de la nature (indicateurs)", db_default=-1, editable=False)
    occurred_epoch = models.BigIntegerField(
        "date en secondes Unix (indicateurs)", db_default=0, editable=False
    )
    value_1 = models.IntegerField("valeur 1 (indicateurs)", db_default=0, editable=False)
    value_2 = models.IntegerField("valeur 2 (indicateurs)", db_default=0, editable=False)
    value_3 = models.IntegerField("valeur 3 (indicateurs)", db_default=0, editable=False)

    objects = PersonEventQuerySet.as_manager()

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

    @staticmethod
    def typed_values(kind: str, occurred_at: datetime.datetime, data: dict) -> tuple[int, ...]:
        """The values of TYPED_COLUMNS, in that order, for an event (see
        `indicators.events.typed_values`)."""
        if not isinstance(occurred_at, datetime.datetime):
            occurred_at = PersonEvent._meta.get_field("occurred_at").to_python(occurred_at)
        return events.typed_values(kind, events.epoch_seconds(occurred_at), data)

    def fill_typed_values(self) -> None:
        values = self.typed_values(self.kind, self.occurred_at, self.data)
        for column, value in zip(self.TYPED_COLUMNS, values, strict=True):
            setattr(self, column, value)

    def save(self, *args, **kwargs) -> None:
        self.fill_typed_values()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], *self.TYPED_COLUMNS}
        super().save(*args, **kwargs)
