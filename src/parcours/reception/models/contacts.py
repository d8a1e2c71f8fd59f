"""Contacts (sollicitations): someone calls, walks in, writes or is signalled, about one person.

A contact is recorded by the agent who takes it (`taken_by`), at a site and a station, on a
channel, with its duration. The person concerned is identified (`person`), or only partly known
(`provisional_*`: a first name, a commune, a phone) and identified later: identification sets
`person` on the contact and on its items (`reception.workflows.identify`), so the whole history
follows. When the caller is not the person (a relative, a neighbour, a professional), `caller_*`
says who called. Each need expressed becomes a `TrayItem` routed to a tray.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from parcours.people.phones import phone_key_expression


class Channel(models.TextChoices):
    PHONE = "telephone", "Téléphone"
    WALK_IN = "accueil_physique", "Accueil physique sans rendez-vous"
    MAIL = "courrier", "Courrier"
    EMAIL = "email", "E-mail"
    ONLINE_FORM = "formulaire", "Formulaire en ligne"
    PARTNER = "partenaire", "Signalement d'un partenaire"
    THIRD_PARTY = "tiers", "Tiers (proche, voisin, professionnel)"


class CallerRelation(models.TextChoices):
    PERSON = "", "La personne elle-même"
    FAMILY = "famille", "Un proche (famille)"
    NEIGHBOUR = "voisin", "Un voisin"
    PROFESSIONAL = "professionnel", "Un professionnel"
    OTHER = "autre", "Autre tiers"


class Station(models.Model):
    """A station (poste) of the contact centre or of a reception desk: where a contact is taken,
    and where the telephony system pops the caller's record (`ScreenPop`)."""

    site = models.ForeignKey(
        "territory.Site", on_delete=models.PROTECT, related_name="stations", verbose_name="site"
    )
    code = models.SlugField("code du poste", max_length=40, unique=True)
    label = models.CharField("libellé", max_length=100)
    active = models.BooleanField("actif", default=True)

    class Meta:
        verbose_name = "poste"
        ordering = ["site__name", "code"]

    def __str__(self) -> str:
        return self.label


class ContactQuerySet(models.QuerySet):
    def with_phone(self, number: str):
        """Contacts whose provisional phone has the same last nine digits as `number`."""
        from parcours.people.phones import phone_key

        key = phone_key(number)
        return self.filter(provisional_phone_key=key) if key else self.none()

    def unidentified(self):
        return self.filter(person__isnull=True)


class Contact(models.Model):
    channel = models.CharField("canal", max_length=20, choices=Channel.choices)
    received_at = models.DateTimeField("reçue le", default=timezone.now, db_index=True)
    duration_seconds = models.PositiveIntegerField("durée (secondes)", null=True, blank=True)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="front_door_contacts",
        verbose_name="prise par",
    )
    site = models.ForeignKey(
        "territory.Site",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="site",
    )
    station = models.ForeignKey(
        Station,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contacts",
        verbose_name="poste",
    )
    person = models.ForeignKey(
        "people.Person",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="front_door_contacts",
        verbose_name="personne concernée",
    )
    identified_at = models.DateTimeField("identifiée le", null=True, blank=True)
    identified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # What is known of a person not yet identified.
    provisional_first_name = models.CharField("prénom (si non identifiée)", max_length=100, blank=True)
    provisional_last_name = models.CharField("nom (si connu)", max_length=150, blank=True)
    provisional_commune = models.ForeignKey(
        "territory.Commune",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="commune (si non identifiée)",
    )
    provisional_phone = models.CharField("téléphone (si non identifiée)", max_length=20, blank=True)
    provisional_phone_key = models.GeneratedField(
        expression=phone_key_expression("provisional_phone"),
        output_field=models.CharField(max_length=20),
        db_persist=True,
        db_index=True,
    )
    # The caller, when it is not the person.
    caller_relation = models.CharField(
        "qui appelle", max_length=20, choices=CallerRelation.choices, blank=True, default=""
    )
    caller_name = models.CharField("nom de l'appelant", max_length=150, blank=True)
    caller_phone = models.CharField("téléphone de l'appelant", max_length=20, blank=True)
    caller_organisation = models.CharField("organisme de l'appelant", max_length=150, blank=True)
    summary = models.TextField("résumé", max_length=2000, blank=True)

    objects = ContactQuerySet.as_manager()

    class Meta:
        verbose_name = "sollicitation"
        ordering = ["-received_at", "-pk"]
        indexes = [models.Index(fields=["person", "received_at"])]

    def __str__(self) -> str:
        return f"Sollicitation n° {self.pk}"

    @property
    def is_identified(self) -> bool:
        return self.person_id is not None

    @property
    def by_third_party(self) -> bool:
        return bool(self.caller_relation)


class CallbackState(models.TextChoices):
    PENDING = "a_faire", "À rappeler"
    DONE = "fait", "Rappel fait"
    CANCELLED = "annule", "Annulé"


class CallbackQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(state=CallbackState.PENDING)


class Callback(models.Model):
    """A callback promised to a caller, queued for the contact centre (oldest due first)."""

    State = CallbackState

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="callbacks")
    due_at = models.DateTimeField("à rappeler le", db_index=True)
    phone = models.CharField("numéro à rappeler", max_length=20)
    reason = models.CharField("motif", max_length=300, blank=True)
    state = models.CharField(
        "état", max_length=10, choices=CallbackState.choices, default=CallbackState.PENDING
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("créé le", default=timezone.now)
    done_at = models.DateTimeField("fait le", null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    attempts = models.PositiveSmallIntegerField("tentatives", default=0)

    objects = CallbackQuerySet.as_manager()

    class Meta:
        verbose_name = "rappel"
        ordering = ["due_at", "pk"]
        indexes = [models.Index(fields=["state", "due_at"])]

    def __str__(self) -> str:
        return f"Rappel n° {self.pk}"
