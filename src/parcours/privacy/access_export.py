"""The right of access (RGPD art. 15): everything Parcours holds about one person.

- `collect(person)`: the data, generically: the person's own fields (the NIR in clear: it is the
  person's own data), every row of every model linked to them (and the rows hanging from those
  rows, two levels down), their households and RSA rights, their pathway events, who accessed
  their record (the audit trail), their restrictions and the retention of each category. Secrets
  (password hashes, token hashes, digests, the NIR's ciphertext) are never included.
- `as_json(person)`: that, machine-readable (UTF-8 JSON).
- `as_pdf(person)`: a letter the person can read, in plain French (template
  `privacy/letters/access.html`, rendered by WeasyPrint as the appointment letters are).

Callers audit the export (`AuditAction.EXPORT`); nothing here writes.
"""

from __future__ import annotations

import datetime
import json
from collections import Counter
from decimal import Decimal

from django.apps import apps
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.template.loader import render_to_string
from django.utils import timezone

from parcours.privacy import categories, lifecycle

SECRET_WORDS = ("password", "token", "key_hash", "secret", "digest", "encrypted", "search_names", "otp")
SKIPPED_MODELS = {"core.AuditEvent", "people.PersonEvent", "people.HouseholdMember", "privacy.PersonArchive"}


def _is_secret(model_field) -> bool:
    names = (model_field.name, getattr(model_field, "column", "") or "")
    return any(word in name.lower() for name in names for word in SECRET_WORDS)


def _fields(model) -> list:
    return [f for f in model._meta.concrete_fields if not _is_secret(f)]


def _plain(value):
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return None
    return value


def _row(instance) -> dict:
    row = {}
    for model_field in _fields(type(instance)):
        name = model_field.attname if isinstance(model_field, models.ForeignKey) else model_field.name
        row[name] = _plain(getattr(instance, name))
    return row


def _display_rows(instance) -> list[tuple[str, str]]:
    """(French label, readable value) of an instance's fields, for the letter."""
    shown = []
    for model_field in _fields(type(instance)):
        if model_field.primary_key or isinstance(model_field, models.ForeignKey):
            continue
        value = getattr(instance, model_field.name)
        if model_field.choices:
            value = getattr(instance, f"get_{model_field.name}_display")()
        if value in (None, "", [], {}):
            continue
        if isinstance(value, datetime.datetime):
            value = (
                timezone.localtime(value).strftime("%d/%m/%Y %H:%M") if timezone.is_aware(value) else value
            )
        elif isinstance(value, datetime.date):
            value = value.strftime("%d/%m/%Y")
        elif isinstance(value, bool):
            value = "oui" if value else "non"
        elif isinstance(value, dict | list):
            continue  # technical detail: in the JSON file
        shown.append((str(model_field.verbose_name), str(value)))
    return shown


def linked_models() -> list[tuple[type[models.Model], str]]:
    """(model, its field to people.Person) for every installed model linked to a person."""
    found = []
    for model in apps.get_models():
        link = categories.person_link(model)
        if link and model._meta.label not in SKIPPED_MODELS:
            found.append((model, link))
    return found


def _children(model, instance_ids: list[int]) -> dict[str, list]:
    """Rows of the models pointing at these rows of `model` (one level), unless person-linked."""
    found = {}
    for relation in model._meta.related_objects:
        child = relation.related_model
        if not relation.many_to_one or categories.person_link(child) or child._meta.label in SKIPPED_MODELS:
            continue
        label = child._meta.label
        if categories.is_outside(label) or categories.category_of(label) is None:
            continue
        rows = list(
            child._default_manager.filter(**{f"{relation.field.name}__in": instance_ids}).order_by("pk")
        )
        if rows:
            found[label] = rows
    return found


def collect(person) -> dict:
    """Everything held about `person`, as model instances grouped for the JSON and the letter."""
    from parcours.core.models import AuditEvent
    from parcours.people.models import HouseholdMember
    from parcours.rsa.models import RsaRight

    linked: dict[str, list] = {}
    for model, link in linked_models():
        rows = list(model._default_manager.filter(**{link: person}).order_by("pk"))
        if not rows:
            continue
        linked[model._meta.label] = rows
        for label, children in _children(model, [row.pk for row in rows]).items():
            linked.setdefault(label, []).extend(children)
            # One level more: a placement's follow-ups hang from the placement of an application.
            for grand_label, grand in _children(apps.get_model(label), [row.pk for row in children]).items():
                linked.setdefault(grand_label, []).extend(grand)
    memberships = list(HouseholdMember.objects.filter(person=person).select_related("household"))
    households = [m.household for m in memberships]
    accesses = AuditEvent.objects.filter(person=person).order_by("at", "id")
    return {
        "person": person,
        "status": lifecycle.status_of(person),
        "linked": linked,
        "memberships": memberships,
        "households": households,
        "rights": list(RsaRight.objects.filter(household__in=households).order_by("opened_on", "id")),
        "events": list(person.events.order_by("occurred_at", "id")),
        "accesses": accesses,
    }


def as_json(person) -> str:
    data = collect(person)
    person_row = _row(person)
    person_row["nir"] = person.nir  # the person's own number, in clear
    document = {
        "genere_le": timezone.localtime().isoformat(),
        "responsable_du_traitement": controller(),
        "etat_du_dossier": data["status"],
        "personne": person_row,
        "foyers": [
            {"foyer": _row(m.household), "role": m.role, "role_libelle": m.get_role_display()}
            for m in data["memberships"]
        ],
        "droits_rsa": [_row(right) for right in data["rights"]],
        "donnees": {label: [_row(row) for row in rows] for label, rows in sorted(data["linked"].items())},
        "evenements": [
            {
                "date": _plain(e.occurred_at),
                "nature": e.kind,
                "libelle": _event_label(e.kind),
                "source": e.source,
                "donnees": e.data,
            }
            for e in data["events"]
        ],  # fmt: skip
        "acces_au_dossier": [
            {"date": _plain(a.at), "agent": a.agent_label, "action": a.action, "canal": a.channel}
            for a in data["accesses"].iterator()
        ],
        "conservation": [
            {"categorie": c.label, "duree": c.retention_text(), "a_la_fin": c.end_label, "source": c.source}
            for c in categories.CATEGORIES
        ],
    }
    return json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)


def _event_label(kind: str) -> str:
    from parcours.people.event_kinds import LABELS

    return LABELS.get(kind, kind)


def controller() -> str:
    from parcours.territory.models import Departement

    departement = Departement.objects.filter(code=settings.PARCOURS_DEPARTEMENT).first()
    name = departement.name if departement else settings.PARCOURS_DEPARTEMENT
    return f"Département {name}"


def letter_context(person) -> dict:
    """The context of the access letter: sections in plain French."""
    from parcours.people.event_kinds import LABELS, details

    data = collect(person)
    sections = []
    for category in categories.CATEGORIES:
        blocks = []
        for label, rows in data["linked"].items():
            if categories.category_of(label) is not category:
                continue
            model = apps.get_model(label)
            for row in rows:
                shown = _display_rows(row)
                if shown:
                    blocks.append({"title": str(model._meta.verbose_name).capitalize(), "fields": shown})
        if blocks:
            sections.append({"category": category, "blocks": blocks})
    visits = Counter(
        (
            timezone.localdate(a.at),
            a.agent_label or "Parcours (traitement automatique)",
            a.get_action_display(),
        )
        for a in data["accesses"].iterator()
    )
    return {
        "person": person,
        "identity": _display_rows(person),
        "nir": person.nir,
        "status": data["status"],
        "memberships": data["memberships"],
        "rights": [(right, _display_rows(right)) for right in data["rights"]],
        "sections": sections,
        "events": [
            {"date": e.occurred_at, "label": LABELS.get(e.kind, e.kind), "details": details(e.kind, e.data)}
            for e in data["events"]
        ],
        "visits": [
            {"day": day, "agent": agent, "action": action, "times": times}
            for (day, agent, action), times in sorted(visits.items())
        ],
        "categories": categories.CATEGORIES,
        "controller": controller(),
        "dpo": getattr(settings, "PARCOURS_DPO_CONTACT", "")
        or "le délégué à la protection des données du Département",
        "today": timezone.localdate(),
    }


def as_pdf(person) -> bytes:
    from weasyprint import HTML

    html = render_to_string("privacy/letters/access.html", letter_context(person))
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
