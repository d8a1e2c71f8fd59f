"""Forms of the accompagnement global's screens: the pair's start, the joint diagnosis, the
action plan, the filter of my actions and the programme targets. They check the shape of the
input; the rules (two organisations, dates, owners, transitions) are the workflows' and come
back as their French `ValidationError`."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone

from parcours.accompaniment.diagnosis import Assessment
from parcours.accompaniment.models import NOTE_MAX_LENGTH, Programme
from parcours.accompaniment.pairs import pair_candidates
from parcours.accompaniment.plans import TITLE_MAX_LENGTH, BarrierLevel
from parcours.core.forms import DsfrForm
from parcours.reception.needs import NeedMultipleChoiceField, active_needs, tree


def _date_field(label: str, **kwargs) -> forms.DateField:
    return forms.DateField(
        label=label, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), **kwargs
    )


def _grouped_agents(agents) -> list:
    """Choices of agents grouped by organisation: ("", "—") then (organisation, [(pk, name)])."""
    groups: dict[str, list] = {}
    for agent in agents:
        label = f"{agent.get_full_name() or agent.username} — {agent.get_role_display()}"
        groups.setdefault(str(agent.organisation), []).append((agent.pk, label))
    return [("", "Choisissez un agent"), *groups.items()]


class PairStartForm(DsfrForm):
    first = forms.ModelChoiceField(label="Premier référent", queryset=pair_candidates())
    second = forms.ModelChoiceField(
        label="Second référent",
        queryset=pair_candidates(),
        help_text="D'une autre organisation que le premier (par exemple France Travail et le Département).",
    )
    on = _date_field("Date de début")

    def __init__(self, *args, agent, **kwargs):
        super().__init__(*args, **kwargs)
        candidates = list(pair_candidates())
        for name in ("first", "second"):
            self.fields[name].queryset = pair_candidates()
            self.fields[name].choices = _grouped_agents(candidates)
        if not self.is_bound:
            self.initial.setdefault("on", timezone.localdate())
            if any(candidate.pk == agent.pk for candidate in candidates):
                self.initial.setdefault("first", agent.pk)

    def clean_on(self) -> datetime.date:
        on = self.cleaned_data["on"]
        if on > timezone.localdate():
            raise forms.ValidationError("La date de début ne peut pas être dans le futur.")
        return on


class DiagnosisForm(DsfrForm):
    """One row per active theme (freins périphériques first): level, need of the theme, comment.
    The needs' choices come from one reading of the referential (`reception.needs.tree`)."""

    on = _date_field("Date du diagnostic")

    def __init__(self, *args, themes, initial_items: dict[int, Assessment], **kwargs):
        super().__init__(*args, **kwargs)
        self.themes = themes
        by_theme = {theme.pk: theme for theme in tree()}
        for theme in themes:
            shown = by_theme.get(theme.pk)
            groups = [
                (situation.label, [(need.pk, need.label) for need in situation.needs_shown])
                for situation in (shown.situations_shown if shown else [])
                if situation.needs_shown
            ]
            level = forms.ChoiceField(
                label="Niveau",
                choices=[("", "Non évalué"), *BarrierLevel.choices],
                required=False,
            )
            need = forms.ModelChoiceField(
                label="Besoin repéré",
                queryset=active_needs().filter(situation__theme=theme),
                required=False,
            )
            need.choices = [("", "Aucun besoin précisé"), *groups]
            comment = forms.CharField(
                label="Commentaire",
                max_length=NOTE_MAX_LENGTH,
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.fields[f"level_{theme.pk}"] = level
            self.fields[f"need_{theme.pk}"] = need
            self.fields[f"comment_{theme.pk}"] = comment
            item = initial_items.get(theme.pk)
            if item is not None and not self.is_bound:
                self.initial[f"level_{theme.pk}"] = item.level
                self.initial[f"need_{theme.pk}"] = item.need.pk if item.need else None
                self.initial[f"comment_{theme.pk}"] = item.comment
        if not self.is_bound:
            self.initial.setdefault("on", timezone.localdate())

    def rows(self) -> list[dict]:
        """For the template: each theme with its three bound fields."""
        return [
            {
                "theme": theme,
                "level": self[f"level_{theme.pk}"],
                "need": self[f"need_{theme.pk}"],
                "comment": self[f"comment_{theme.pk}"],
            }
            for theme in self.themes
        ]

    def peripheral_rows(self) -> list[dict]:
        return [row for row in self.rows() if row["theme"].is_peripheral_barrier]

    def other_rows(self) -> list[dict]:
        return [row for row in self.rows() if not row["theme"].is_peripheral_barrier]

    @property
    def others_open(self) -> bool:
        """Whether another theme than the freins périphériques is filled in (its section opens)."""
        return any(row["level"].value() for row in self.other_rows())

    def assessments(self) -> list[Assessment]:
        data = self.cleaned_data
        return [
            Assessment(
                theme,
                data.get(f"level_{theme.pk}") or "",
                data.get(f"need_{theme.pk}"),
                data.get(f"comment_{theme.pk}") or "",
            )
            for theme in self.themes
        ]


class ObjectiveForm(DsfrForm):
    title = forms.CharField(label="Objectif", max_length=TITLE_MAX_LENGTH)
    needs = NeedMultipleChoiceField(label="Besoins auxquels il répond (facultatif)", required=False)


class ActionForm(DsfrForm):
    """An action's title, owner (a référent of the pair, or a partner named in words) and due
    date. The owners offered are the `referents` given (no query at rendering)."""

    title = forms.CharField(label="Action", max_length=TITLE_MAX_LENGTH)
    owner = forms.TypedChoiceField(label="Porteur", coerce=int, required=False, empty_value=None)
    partner = forms.CharField(
        label="Partenaire porteur",
        max_length=TITLE_MAX_LENGTH,
        required=False,
        help_text="Seulement quand l'action est portée par un partenaire (« Mission locale de Lille »…).",
    )
    due_on = _date_field("Échéance")

    def __init__(self, *args, referents, **kwargs):
        super().__init__(*args, **kwargs)
        self.owners = {row.agent_id: row.agent for row in referents}
        self.fields["owner"].choices = [
            ("", "Un partenaire (nommé ci-dessous)"),
            *(
                (row.agent_id, f"{row.agent} ({row.organisation or 'sans organisation'})")
                for row in referents
            ),
        ]

    def clean_owner(self):
        """The référent chosen (an Agent), or None for a partner."""
        pk = self.cleaned_data.get("owner")
        return self.owners.get(pk) if pk is not None else None


class MyActionsFilter(DsfrForm):
    echeance = forms.ChoiceField(
        label="Échéance",
        required=False,
        choices=[
            ("", "Toutes mes actions en cours"),
            ("retard", "En retard"),
            ("bientot", "À faire sous 14 jours"),
        ],
    )


class TargetForm(DsfrForm):
    programme = forms.ChoiceField(label="Programme", choices=Programme.choices, initial=Programme.GLOBAL)
    year = forms.IntegerField(label="Année", min_value=2000, max_value=2100)
    target_persons = forms.IntegerField(
        label="Cible (nombre de personnes)", min_value=1, max_value=10_000_000
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("year", timezone.localdate().year)
