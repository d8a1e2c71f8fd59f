"""Forms of the scheme catalogue: a scheme's identity, and a version edited field by field — a
fieldset per eligibility rule kind (« appliquer ce critère » and its parameters, from
`eligibility.RULE_PARAMS`), the documents and the subsidiarity list as one line per entry
(« code ; libellé »). No raw JSON: `version_data()` builds what `catalogue.save_version` takes,
and `initial_from(version)` fills the form from an existing version."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django import forms
from django.utils.text import capfirst, slugify

from parcours.aids.eligibility import RULE_KINDS, RULE_PARAMS, SECTORS
from parcours.aids.models import AmountKind, ClockKind, Decider, SchemeFamily, SchemeVersion
from parcours.core.forms import DsfrForm

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
OPTIONAL = "facultative"


def _lines_field(label: str, help_text: str) -> forms.CharField:
    return forms.CharField(
        label=label, required=False, help_text=help_text, widget=forms.Textarea(attrs={"rows": 4})
    )


def parse_lines(text: str, *, with_optional: bool) -> list[dict]:
    """« code ; libellé[ ; facultative] » per line → [{"code", "label"[, "required"]}]. A line
    without a code gets one from its label. Raises ValidationError naming the faulty line."""
    entries = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split(";")]
        if len(parts) == 1:
            parts = [slugify(parts[0]).replace("-", "_")[:40], parts[0]]
        code, label = parts[0], parts[1]
        if not code or not label:
            raise forms.ValidationError(f"Ligne {number} : écrivez « code ; libellé ».")
        if slugify(code).replace("-", "_") != code:
            raise forms.ValidationError(
                f"Ligne {number} : le code « {code} » ne contient que des minuscules sans accents, chiffres et « _ »."
            )
        entry = {"code": code, "label": label}
        if with_optional:
            extra = parts[2].lower() if len(parts) > 2 else ""
            if extra and extra != OPTIONAL:
                raise forms.ValidationError(f"Ligne {number} : troisième colonne « {OPTIONAL} » ou rien.")
            entry["required"] = extra != OPTIONAL
        entries.append(entry)
    return entries


def format_lines(entries: list[dict], *, with_optional: bool) -> str:
    lines = []
    for entry in entries or []:
        line = f"{entry.get('code', '')} ; {entry.get('label', '')}"
        if with_optional and entry.get("required") is False:
            line += f" ; {OPTIONAL}"
        lines.append(line)
    return "\n".join(lines)


def _param_field(param) -> forms.Field:
    if param.type == "euros":
        return forms.DecimalField(
            label=capfirst(param.label),
            required=False,
            min_value=Decimal(0),
            decimal_places=2,
            help_text=param.help,
        )
    if param.type == "sectors":
        return forms.MultipleChoiceField(
            label=capfirst(param.label), required=False, choices=[(s, s) for s in SECTORS],
            widget=forms.CheckboxSelectMultiple, help_text=param.help,
        )  # fmt: skip
    return forms.IntegerField(label=capfirst(param.label), required=False, min_value=0, help_text=param.help)


class SchemeForm(DsfrForm):
    """A scheme's identity (the code is set once: the figures keep it)."""

    code = forms.SlugField(
        label="Code",
        max_length=40,
        help_text="Minuscules et tirets, ex. fdaj-urgence. Ne change plus ensuite.",
    )
    name = forms.CharField(label="Nom", max_length=150)
    family = forms.ChoiceField(label="Famille", choices=SchemeFamily.choices)

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["code"]


class VersionForm(DsfrForm):
    """Everything a version holds, rules included, each rule kind as its own fieldset."""

    valid_from = forms.DateField(label="Valable à partir du", widget=DATE_WIDGET)
    summary = forms.CharField(label="Présentation", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    amount_kind = forms.ChoiceField(label="Règle de montant", choices=AmountKind.choices)
    amount = forms.DecimalField(
        label="Montant (€)", min_value=Decimal(0), decimal_places=2,
        help_text="Forfait, plafond, montant par unité ou montant mensuel selon la règle.",
    )  # fmt: skip
    max_items = forms.IntegerField(label="Nombre maximal d'unités", required=False, min_value=1)
    item_label = forms.CharField(
        label="Unité", required=False, max_length=40, help_text="Ex. : leçon de conduite."
    )
    months = forms.IntegerField(label="Nombre de mois", required=False, min_value=1, max_value=60)
    certificate_code = forms.CharField(
        label="Justificatif périodique (code)", required=False, max_length=40,
        help_text="Aide mensuelle suspendue quand ce justificatif manque (ex. certificat_scolarite).",
    )  # fmt: skip
    certificate_months = forms.IntegerField(
        label="Validité du justificatif (mois)", required=False, min_value=1, max_value=60
    )
    documents = _lines_field(
        "Pièces à fournir",
        "Une pièce par ligne : « code ; libellé », suivi de « ; facultative » si elle n'est pas obligatoire.",
    )
    subsidiarity = _lines_field("Aides à solliciter d'abord", "Une aide par ligne : « code ; libellé ».")
    decider = forms.ChoiceField(label="Qui décide", choices=Decider.choices)
    service_level_hours = forms.IntegerField(label="Délai de décision (heures)", required=False, min_value=1)
    emergency_service_level_hours = forms.IntegerField(
        label="Délai de décision en urgence (heures)", required=False, min_value=1
    )
    clock = forms.ChoiceField(label="Décompte du délai", choices=ClockKind.choices)
    waiting_period_days = forms.IntegerField(
        label="Délai de carence entre deux demandes (jours)", min_value=0, initial=0
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for kind, (title, _describe, _evaluate) in RULE_KINDS.items():
            self.fields[f"rule_{kind}"] = forms.BooleanField(
                label=f"Appliquer le critère « {title} »", required=False
            )
            for param in RULE_PARAMS[kind]:
                self.fields[f"rule_{kind}_{param.name}"] = _param_field(param)

    # -- layout ---------------------------------------------------------------------------

    def rule_groups(self) -> list[dict]:
        """One fieldset per rule kind: {"kind", "title", "apply": bound field, "params": [bound fields]}."""
        return [
            {
                "kind": kind,
                "title": title,
                "apply": self[f"rule_{kind}"],
                "params": [self[f"rule_{kind}_{param.name}"] for param in RULE_PARAMS[kind]],
            }
            for kind, (title, _describe, _evaluate) in RULE_KINDS.items()
        ]

    def section(self, *names: str) -> list:
        return [self[name] for name in names]

    def amount_fields(self) -> list:
        return self.section("amount_kind", "amount", "max_items", "item_label", "months")

    def decision_fields(self) -> list:
        return self.section(
            "decider", "service_level_hours", "emergency_service_level_hours", "clock", "waiting_period_days"
        )

    # -- data -----------------------------------------------------------------------------

    def clean_documents(self) -> list[dict]:
        return parse_lines(self.cleaned_data.get("documents", ""), with_optional=True)

    def clean_subsidiarity(self) -> list[dict]:
        return parse_lines(self.cleaned_data.get("subsidiarity", ""), with_optional=False)

    def rules(self) -> list[dict]:
        """The rules checked « appliquer ce critère », with the parameters filled."""
        rules = []
        for kind in RULE_KINDS:
            if not self.cleaned_data.get(f"rule_{kind}"):
                continue
            rule: dict = {"kind": kind}
            for param in RULE_PARAMS[kind]:
                value = self.cleaned_data.get(f"rule_{kind}_{param.name}")
                if value in (None, "", []):
                    continue
                rule[param.name] = str(value) if isinstance(value, Decimal) else value
            rules.append(rule)
        return rules

    def version_data(self) -> dict:
        """What `catalogue.save_version` takes (call after `is_valid()`)."""
        data = {
            name: self.cleaned_data.get(name)
            for name in (
                "valid_from", "summary", "amount_kind", "amount", "max_items", "item_label", "months",
                "certificate_code", "certificate_months", "documents", "subsidiarity", "decider",
                "service_level_hours", "emergency_service_level_hours", "clock", "waiting_period_days",
            )
        }  # fmt: skip
        data["rules"] = self.rules()
        return data

    def add_errors(self, errors: dict[str, list[str]]) -> None:
        """Show `catalogue` errors by field (the rules' on top of the rule fieldsets)."""
        for name, messages in errors.items():
            field = name if name in self.fields else None
            for message in messages:
                self.add_error(field, message)


def initial_from(version: SchemeVersion | None, *, valid_from: datetime.date) -> dict:
    """The form's initial values: `version`'s (rules, lists and figures), valid from `valid_from`."""
    if version is None:
        return {"valid_from": valid_from, "clock": ClockKind.WORKING, "decider": Decider.INSTRUCTOR}
    initial = {
        name: getattr(version, name)
        for name in (
            "summary", "amount_kind", "amount", "max_items", "item_label", "months", "certificate_code",
            "certificate_months", "decider", "service_level_hours", "emergency_service_level_hours", "clock",
            "waiting_period_days",
        )
    }  # fmt: skip
    initial["valid_from"] = valid_from
    initial["documents"] = format_lines(version.documents, with_optional=True)
    initial["subsidiarity"] = format_lines(version.subsidiarity, with_optional=False)
    for rule in version.rules or []:
        kind = rule.get("kind")
        if kind not in RULE_KINDS:
            continue
        initial[f"rule_{kind}"] = True
        for param in RULE_PARAMS[kind]:
            if param.name in rule:
                initial[f"rule_{kind}_{param.name}"] = rule[param.name]
    return initial


class ConfirmForm(DsfrForm):
    """The hidden « confirmed » of a confirmation page (the version's data are posted again)."""

    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)
