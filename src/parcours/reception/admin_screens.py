"""Administration of the front door's routing: trays, their members and managers, their service
levels, and the routing rules (an ordered list, first match wins — see `reception.routing`).

Forms and the few operations the administration views apply (`views_admin`); every change is
audited (no person is concerned: the audit names the tray or the rule). A tray is never deleted:
it is closed (it receives nothing more; its open items stay and can still be handled or
transferred) and may be reopened.
"""

from __future__ import annotations

from django import forms
from django.db import transaction

from parcours.core import audit
from parcours.core.forms import DsfrForm
from parcours.core.models import AuditAction
from parcours.reception.models import RoutingRule, ServiceLevel, Tray, TrayMember, TrayService, Urgency
from parcours.reception.models.trays import DEFAULT_SERVICE_LEVEL_HOURS


def _blank_label(form, labels: dict[str, str]) -> None:
    """Name the empty choice of optional select fields in French (Django shows « --------- »)."""
    for name, label in labels.items():
        field = form.fields[name]
        if isinstance(field, forms.ModelChoiceField):
            field.empty_label = label
        elif getattr(field, "choices", None):
            field.choices = [("", label), *[c for c in field.choices if c[0] != ""]]


class TrayForm(DsfrForm, forms.ModelForm):
    class Meta:
        model = Tray
        fields = ["name", "code", "service", "unit", "organisation"]
        help_texts = {
            "code": "Identifiant stable (lettres, chiffres, tirets), par exemple « utpas-lille-social ».",
            "unit": "Vide pour une bannette départementale (CRIP, accueil du Département) ou d'un partenaire.",
            "organisation": "Pour la bannette d'un partenaire signataire de la charte.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = [("", "— Choisir le service —"), *TrayService.choices]
        _blank_label(
            self, {"unit": "Aucune (bannette départementale ou partenaire)", "organisation": "Aucune"}
        )


class MemberForm(DsfrForm):
    agent = forms.ModelChoiceField(label="Agent", queryset=None, empty_label="— Choisir un agent —")
    is_manager = forms.BooleanField(
        label="Responsable de la bannette (reçoit les alertes de retard)", required=False
    )

    def __init__(self, *args, tray: Tray, **kwargs):
        super().__init__(*args, **kwargs)
        from parcours.accounts.models import Agent, Role

        self.fields["agent"].queryset = (
            Agent.objects.filter(is_active=True)
            .exclude(role=Role.EMPLOYEUR)
            .exclude(tray_memberships__tray=tray)
            .select_related("organisation")
            .order_by("last_name", "first_name")
        )
        # Homonyms and generic names (« Agent Delattre ») are told apart by role and organisation.
        self.fields["agent"].label_from_instance = lambda agent: (
            f"{agent.get_full_name() or agent.username} — {agent.get_role_display()}"
            + (f" ({agent.organisation.name})" if agent.organisation_id else "")
        )


class ServiceLevelsForm(DsfrForm):
    """One field per urgency: first action within N working hours."""

    def __init__(self, *args, tray: Tray, **kwargs):
        super().__init__(*args, **kwargs)
        self.tray = tray
        for urgency in Urgency:
            self.fields[urgency.value] = forms.IntegerField(
                label=f"{urgency.label} : première action sous (heures ouvrées)",
                min_value=1,
                max_value=700,
                initial=tray.service_level_hours(urgency),
                help_text=f"Par défaut {DEFAULT_SERVICE_LEVEL_HOURS[urgency]} h (7 h ouvrées par jour).",
            )

    def save(self, agent, request=None) -> None:
        for urgency in Urgency:
            ServiceLevel.objects.update_or_create(
                tray=self.tray,
                urgency=urgency.value,
                defaults={"first_action_hours": self.cleaned_data[urgency.value]},
            )
        audit.record(agent, AuditAction.UPDATE, request=request, tray=self.tray.pk, change="service_levels")


class RoutingRuleForm(DsfrForm, forms.ModelForm):
    class Meta:
        model = RoutingRule
        fields = ["label", "theme", "urgency", "unit", "tray", "service", "active"]
        help_texts = {
            "theme": "Vide : toute thématique.",
            "urgency": "Vide : toute urgence.",
            "unit": "Vide : toute unité (celle de la commune de la personne).",
            "tray": "Une bannette précise…",
            "service": "… ou le service, dont la bannette est cherchée dans l'unité de la personne.",
        }

    def __init__(self, *args, departement, **kwargs):
        super().__init__(*args, **kwargs)
        self.departement = departement
        self.fields["tray"].queryset = Tray.objects.filter(departement=departement, active=True)
        self.fields["unit"].queryset = departement.units.order_by("name")
        self.fields["theme"].queryset = self.fields["theme"].queryset.filter(active=True)
        _blank_label(self, {"theme": "Toute thématique", "urgency": "Toute urgence", "unit": "Toute unité"})
        _blank_label(
            self, {"tray": "— Aucune (choisir le service) —", "service": "— Aucun (bannette choisie) —"}
        )

    def clean(self):
        data = super().clean()
        if not data.get("tray") and not data.get("service"):
            raise forms.ValidationError("Choisissez la bannette cible ou le service cible de la règle.")
        return data

    def save(self, commit=True):
        rule = super().save(commit=False)
        rule.departement = self.departement
        if rule.pk is None:
            last = RoutingRule.objects.filter(departement=self.departement).order_by("-position").first()
            rule.position = (last.position + 10) if last else 10
        if commit:
            rule.save()
        return rule


def renumber(departement) -> list[RoutingRule]:
    """Positions 10, 20, 30… in the current order; returns the rules in that order."""
    rules = list(RoutingRule.objects.filter(departement=departement).order_by("position", "pk"))
    for index, rule in enumerate(rules, start=1):
        if rule.position != index * 10:
            rule.position = index * 10
            rule.save(update_fields=["position"])
    return rules


def move_rule(rule: RoutingRule, direction: str, *, agent, request=None) -> None:
    """Move `rule` one place up (`monter`) or down (`descendre`) in its département's order."""
    with transaction.atomic():
        rules = renumber(rule.departement)
        index = next(i for i, r in enumerate(rules) if r.pk == rule.pk)
        other = index - 1 if direction == "monter" else index + 1
        if not 0 <= other < len(rules):
            return
        a, b = rules[index], rules[other]
        a.position, b.position = b.position, a.position
        a.save(update_fields=["position"])
        b.save(update_fields=["position"])
        audit.record(agent, AuditAction.UPDATE, request=request, rule=rule.pk, change=f"move_{direction}")


def set_tray_active(tray: Tray, active: bool, *, agent, request=None) -> None:
    Tray.objects.filter(pk=tray.pk).update(active=active)
    tray.active = active
    audit.record(
        agent, AuditAction.UPDATE, request=request, tray=tray.pk, change="open" if active else "close"
    )


def add_member(tray: Tray, agent_added, *, is_manager: bool, agent, request=None) -> TrayMember:
    member, _ = TrayMember.objects.update_or_create(
        tray=tray, agent=agent_added, defaults={"is_manager": is_manager}
    )
    audit.record(
        agent, AuditAction.UPDATE, request=request, tray=tray.pk, member=agent_added.pk, change="add_member"
    )
    return member


def remove_member(tray: Tray, member_id: int, *, agent, request=None) -> None:
    TrayMember.objects.filter(tray=tray, pk=member_id).delete()
    audit.record(agent, AuditAction.UPDATE, request=request, tray=tray.pk, change="remove_member")


def toggle_manager(tray: Tray, member_id: int, *, agent, request=None) -> None:
    member = TrayMember.objects.filter(tray=tray, pk=member_id).first()
    if member is None:
        return
    member.is_manager = not member.is_manager
    member.save(update_fields=["is_manager"])
    audit.record(
        agent, AuditAction.UPDATE, request=request, tray=tray.pk, member=member.agent_id, change="manager"
    )
