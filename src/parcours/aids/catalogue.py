"""Versioning the scheme catalogue: the one writer of `Scheme` and `SchemeVersion`.

`save_version(scheme, data, by=…)` applies an edit of a scheme's rules: when the scheme's current
version (its latest) already has applications, in any state, a new version is created (number + 1,
valid from `data["valid_from"]`, the previous one ending the day before), so that those
applications keep the rules, ceiling and documents they were filed under; otherwise the current
version is edited in place. `create_scheme` creates a scheme with its first version,
`set_active` opens or closes a scheme to new requests.

Every write is validated first (`version_errors`): the amount rule's figures, the service levels,
the documents and subsidiarity lists, each eligibility rule against `eligibility.RULE_KINDS`
with its parameters, no overlap with another version. Errors are `ValidationError`s whose
messages, in French, say what to change.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from parcours.aids.eligibility import rule_errors
from parcours.aids.models import AmountKind, Decider, Scheme, SchemeVersion
from parcours.aids.models.applications import FINAL_STATES
from parcours.aids.money import euros
from parcours.core import audit
from parcours.core.models import AuditAction

# The fields of a version an edit may set (the rest — scheme, number, valid_until — follow).
VERSION_FIELDS = (
    "valid_from", "summary", "rules", "amount_kind", "amount", "max_items", "item_label", "months",
    "certificate_code", "certificate_months", "documents", "subsidiarity", "decider",
    "service_level_hours", "emergency_service_level_hours", "clock", "waiting_period_days",
)  # fmt: skip
# A commission meets on a date: it cannot decide within less than a day.
COMMISSION_MIN_HOURS = 24


@dataclass(frozen=True)
class EditPlan:
    """What saving an edit of `scheme` will do: edit `current` in place, or create version
    `current.number + 1` because `applications` (of which `open_applications` undecided or
    not closed) point to `current`."""

    current: SchemeVersion | None
    applications: int
    open_applications: int

    @property
    def creates_version(self) -> bool:
        return self.current is None or self.applications > 0

    @property
    def next_number(self) -> int:
        return self.current.number + 1 if self.current else 1


def current_version(scheme: Scheme) -> SchemeVersion | None:
    """The scheme's latest version (the one an edit changes or follows)."""
    return scheme.versions.order_by("-valid_from", "-number").first()


def plan_edit(scheme: Scheme) -> EditPlan:
    current = current_version(scheme)
    if current is None:
        return EditPlan(None, 0, 0)
    applications = current.applications.all()
    return EditPlan(
        current,
        applications.count(),
        applications.exclude(state__in=FINAL_STATES).count(),
    )


def _entries_errors(entries, what: str) -> list[str]:
    errors, seen = [], set()
    if not isinstance(entries, list):
        return [f"{what} : une liste est attendue."]
    for entry in entries:
        code, label = (entry or {}).get("code", ""), (entry or {}).get("label", "")
        if not code or not label:
            errors.append(f"{what} : chaque ligne a un code et un libellé (« code ; libellé »).")
        elif code in seen:
            errors.append(f"{what} : le code « {code} » apparaît deux fois.")
        seen.add(code)
    return errors


def version_errors(data: dict) -> dict[str, list[str]]:
    """What is wrong with the version's `data` (field name → French messages; "rules" for the
    eligibility rules, "__all__" for the whole). Empty when it can be saved."""
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    kind = data.get("amount_kind")
    if kind not in AmountKind.values:
        add("amount_kind", "Choisissez une règle de montant.")
    amount = data.get("amount")
    if amount is None or Decimal(str(amount)) < 0:
        add("amount", "Indiquez un montant positif (0 pour un montant calculé ailleurs).")
    elif Decimal(str(amount)) == 0 and kind != AmountKind.MONTHLY:
        add("amount", "Seule une aide mensuelle calculée par simulation peut avoir un montant de 0 €.")
    if kind == AmountKind.MONTHLY and not data.get("months"):
        add("months", "Une aide mensuelle a un nombre de mois.")
    if kind == AmountKind.PER_ITEM:
        if not data.get("max_items"):
            add("max_items", "Une aide par unité a un nombre maximal d'unités.")
        if not data.get("item_label"):
            add("item_label", "Nommez l'unité (ex. : leçon de conduite).")
    if bool(data.get("certificate_code")) != bool(data.get("certificate_months")):
        add(
            "certificate_months",
            "Un justificatif périodique a un code et une durée de validité, ou aucun des deux.",
        )
    decider = data.get("decider")
    normal, urgent = data.get("service_level_hours"), data.get("emergency_service_level_hours")
    if normal and urgent and urgent > normal:
        add("emergency_service_level_hours", "Le délai en urgence ne peut pas dépasser le délai ordinaire.")
    if decider == Decider.COMMISSION:
        for name, hours in (("service_level_hours", normal), ("emergency_service_level_hours", urgent)):
            if hours is not None and hours < COMMISSION_MIN_HOURS:
                add(
                    name,
                    f"Une commission ne peut pas décider en moins de {COMMISSION_MIN_HOURS} h : "
                    "confiez les urgences à l'instructeur ou au chef de service.",
                )
    rules = data.get("rules") or []
    kinds = [rule.get("kind") for rule in rules]
    for rule in rules:
        for message in rule_errors(rule):
            add("rules", message)
    if len(set(kinds)) != len(kinds):
        add("rules", "Un même critère ne peut être appliqué qu'une fois.")
    for message in _entries_errors(data.get("documents") or [], "Pièces à fournir"):
        add("documents", message)
    for message in _entries_errors(data.get("subsidiarity") or [], "Aides à solliciter d'abord"):
        add("subsidiarity", message)
    certificate = data.get("certificate_code")
    if certificate and certificate not in {d.get("code") for d in data.get("documents") or []}:
        add("certificate_code", f"Le justificatif « {certificate} » doit figurer parmi les pièces à fournir.")
    if not isinstance(data.get("valid_from"), datetime.date):
        add("valid_from", "Indiquez la date à partir de laquelle la version s'applique.")
    return errors


def _check(version: SchemeVersion, data: dict) -> None:
    errors = version_errors(data)
    if errors:
        raise ValidationError(errors)
    try:
        version.clean()  # dates and no overlap with another version
    except ValidationError as error:
        raise ValidationError({"valid_from": error.messages}) from None


@transaction.atomic
def save_version(scheme: Scheme, data: dict, *, by, request=None) -> tuple[SchemeVersion, bool]:
    """Apply `data` (the `VERSION_FIELDS`) to `scheme`: a new version when the current one has
    applications (or there is none), the current one edited otherwise. Returns (version, created).
    Raises ValidationError (French messages by field) and changes nothing when the data is invalid
    or the new version would not start after the current one's start."""
    Scheme.objects.select_for_update().filter(pk=scheme.pk).first()  # one editor at a time
    plan = plan_edit(scheme)
    values = {name: data.get(name) for name in VERSION_FIELDS if name in data}
    for name in ("summary", "item_label", "certificate_code"):
        values[name] = values.get(name) or ""
    for name in ("rules", "documents", "subsidiarity"):
        values[name] = values.get(name) or []
    values["waiting_period_days"] = values.get("waiting_period_days") or 0
    current = plan.current
    if plan.creates_version:
        start = values.get("valid_from")
        if current is not None and isinstance(start, datetime.date) and start <= current.valid_from:
            raise ValidationError(
                {
                    "valid_from": (
                        f"La version {current.number} s'applique depuis le {current.valid_from:%d/%m/%Y} et "
                        f"{plan.applications} demande(s) y sont rattachées : la nouvelle version doit commencer "
                        "après cette date."
                    )
                }
            )
        version = SchemeVersion(scheme=scheme, number=plan.next_number, created_by=by, **values)
        if current is not None and isinstance(start, datetime.date):
            previous_end = start - datetime.timedelta(days=1)
            if current.valid_until is None or current.valid_until > previous_end:
                current.valid_until = previous_end
                current.save(update_fields=["valid_until"])
        _check(version, {**values})
        version.save()
        audit.record(by, AuditAction.CREATE, request=request, scheme=scheme.code, version=version.number)
        return version, True
    for name, value in values.items():
        setattr(current, name, value)
    _check(current, {**values})
    current.save()
    audit.record(by, AuditAction.UPDATE, request=request, scheme=scheme.code, version=current.number)
    return current, False


@transaction.atomic
def create_scheme(*, code: str, name: str, family: str, data: dict, by, request=None) -> Scheme:
    """A new scheme with its first version (`data` as for `save_version`)."""
    if Scheme.objects.filter(code=code).exists():
        raise ValidationError({"code": f"Le code « {code} » est déjà celui d'un autre dispositif."})
    scheme = Scheme(code=code, name=name, family=family)
    scheme.full_clean()
    scheme.save()
    save_version(scheme, data, by=by, request=request)
    return scheme


def update_identity(scheme: Scheme, *, name: str, family: str, by, request=None) -> None:
    """Rename a scheme or change its family (the code, which the figures keep, never changes)."""
    scheme.name, scheme.family = name, family
    scheme.full_clean()
    scheme.save(update_fields=["name", "family"])
    audit.record(by, AuditAction.UPDATE, request=request, scheme=scheme.code)


def set_active(scheme: Scheme, active: bool, *, by, request=None) -> None:
    """Open (`active`) or close a scheme to new requests; the applications filed stay as they are."""
    scheme.is_active = active
    scheme.save(update_fields=["is_active"])
    audit.record(by, AuditAction.UPDATE, request=request, scheme=scheme.code, active=active)


# -- the demo catalogue (`parcours load-aid-schemes`) ---------------------------------------

DATA_FILE = Path(__file__).parent / "data" / "catalogue.json"


@dataclass
class LoadReport:
    """What `load_catalogue` did, scheme by scheme (lines in French, for the command's output)."""

    lines: list[str]
    changed: bool = False


def _version_data(entry: dict, valid_from: datetime.date) -> dict:
    data = {name: entry.get(name) for name in VERSION_FIELDS if name != "valid_from"}
    data["amount"] = Decimal(str(entry["amount"]))
    data["valid_from"] = valid_from
    return data


def _differs(version: SchemeVersion, data: dict) -> list[str]:
    """The fields of `data` whose value differs from `version`'s (valid_from aside)."""
    defaults = {"summary": "", "item_label": "", "certificate_code": "", "waiting_period_days": 0,
                "rules": [], "documents": [], "subsidiarity": [], "clock": "ouvre", "decider": "instructeur"}  # fmt: skip
    changed = []
    for name in VERSION_FIELDS:
        if name == "valid_from":
            continue
        wanted = data.get(name)
        if wanted is None:
            wanted = defaults.get(name)
        if name == "amount":
            wanted = Decimal(str(wanted))
        if getattr(version, name) != wanted:
            changed.append(name)
    return changed


@transaction.atomic
def load_catalogue(
    path: Path = DATA_FILE, *, with_envelopes: bool = False, today: datetime.date | None = None
) -> LoadReport:
    """Bring the catalogue in line with the data file: create the missing schemes, version the
    ones whose rules changed (through `save_version`, so that open applications keep theirs),
    and with `with_envelopes` create the current year's département-wide envelope of each scheme
    when it has none (an existing envelope is never changed). A second run changes nothing."""
    from parcours.aids.models import Envelope
    from parcours.aids.models.envelopes import cents

    today = today or timezone.localdate()
    content = json.loads(Path(path).read_text(encoding="utf-8"))
    start = datetime.date.fromisoformat(content["valid_from"])
    report = LoadReport(lines=[])
    for entry in content["schemes"]:
        scheme = Scheme.objects.filter(code=entry["code"]).first()
        if scheme is None:
            scheme = create_scheme(
                code=entry["code"], name=entry["name"], family=entry["family"],
                data=_version_data(entry["version"], start), by=None,
            )  # fmt: skip
            report.lines.append(f"{scheme.name} : créé (version 1 à partir du {start:%d/%m/%Y}).")
            report.changed = True
        else:
            if (scheme.name, scheme.family) != (entry["name"], entry["family"]):
                update_identity(scheme, name=entry["name"], family=entry["family"], by=None)
                report.lines.append(f"{scheme.name} : nom ou famille mis à jour.")
                report.changed = True
            current = current_version(scheme)
            changed = _differs(current, entry["version"]) if current else ["version"]
            if changed:
                plan = plan_edit(scheme)
                day = (
                    max(today, current.valid_from + datetime.timedelta(days=1))
                    if plan.creates_version and current
                    else start
                )
                version, created = save_version(scheme, _version_data(entry["version"], day), by=None)
                what = (
                    f"version {version.number} créée à partir du {day:%d/%m/%Y}"
                    if created
                    else "version modifiée"
                )
                report.lines.append(f"{scheme.name} : {what} ({', '.join(changed)}).")
                report.changed = True
            else:
                report.lines.append(f"{scheme.name} : inchangé.")
        if with_envelopes and entry.get("envelope_euros"):
            exists = Envelope.objects.filter(scheme=scheme, year=today.year, unit__isnull=True).exists()
            if not exists:
                amount = Decimal(str(entry["envelope_euros"]))
                Envelope.objects.create(scheme=scheme, year=today.year, amount_cents=cents(amount))
                report.lines.append(f"{scheme.name} : enveloppe {today.year} créée ({euros(amount)}).")
                report.changed = True
    return report


# -- a version stated in French (catalogue pages) -------------------------------------------


def amount_rule_text(version: SchemeVersion) -> str:
    """« 40,00 € par leçon de conduite, 30 au plus (1 200,00 €) », « Jusqu'à 300,00 € »…"""
    if version.amount_kind == AmountKind.PER_ITEM:
        return (
            f"{euros(version.amount)} par {version.item_label or 'unité'}, {version.max_items} au plus "
            f"({euros(version.ceiling)})"
        )
    if version.amount_kind == AmountKind.MONTHLY:
        return f"{euros(version.amount)} par mois pendant {version.months} mois (au plus {euros(version.ceiling)})"
    if version.amount_kind == AmountKind.FIXED:
        return f"Forfait de {euros(version.amount)}"
    return f"Montant demandé, jusqu'à {euros(version.amount)}"


def service_level_text(version: SchemeVersion) -> str:
    """« 80 h ouvrées ; en urgence : 48 h ouvrées », or « Aucun délai fixé »."""
    unit = "calendaires" if version.clock == "calendaire" else "ouvrées"
    parts = []
    if version.service_level_hours:
        parts.append(f"{version.service_level_hours} h {unit}")
    if (
        version.emergency_service_level_hours
        and version.emergency_service_level_hours != version.service_level_hours
    ):
        parts.append(f"en urgence : {version.emergency_service_level_hours} h {unit}")
    elif version.emergency_service_level_hours and not parts:
        parts.append(f"{version.emergency_service_level_hours} h {unit}")
    return " ; ".join(parts) if parts else "Aucun délai fixé"
