"""Reading the needs referential, for every app: the tree and a form field.

    from parcours.reception.needs import NeedChoiceField, NeedMultipleChoiceField, tree

    for theme in tree():                      # 3 queries, whatever the size of the referential
        for situation in theme.situations_shown:
            for need in situation.needs_shown: ...

    class DiagnosisForm(DsfrForm):
        needs = NeedMultipleChoiceField(label="Besoins repérés")

The fields offer the active needs only, grouped in `<optgroup>`s « Thématique · Situation » in
the referential's order; their choices are computed when a form is rendered, not at import.
"""

from __future__ import annotations

from collections.abc import Iterator

from django import forms
from django.db.models import Prefetch, QuerySet
from django.utils.choices import BaseChoiceIterator

from parcours.reception.models import Need, NeedSituation, NeedTheme


def active_needs() -> QuerySet[Need]:
    """The needs an agent may choose: active, under an active situation and an active theme."""
    return Need.objects.filter(active=True, situation__active=True, situation__theme__active=True)


def tree(*, include_inactive: bool = False) -> list[NeedTheme]:
    """The themes in order, each with `situations_shown` (in order), each with `needs_shown`.

    Three queries. Inactive entries are left out unless `include_inactive` (the administration
    page shows them, marked)."""
    needs = Need.objects.order_by("position", "pk")
    situations = NeedSituation.objects.order_by("position", "pk")
    themes = NeedTheme.objects.order_by("position", "pk")
    if not include_inactive:
        needs, situations, themes = (
            needs.filter(active=True),
            situations.filter(active=True),
            themes.filter(active=True),
        )
    situations = situations.prefetch_related(Prefetch("needs", queryset=needs, to_attr="needs_shown"))
    return list(
        themes.prefetch_related(Prefetch("situations", queryset=situations, to_attr="situations_shown"))
    )


class GroupedNeedChoices(BaseChoiceIterator):
    """The choices of a need field, computed at each iteration (4 queries): the empty choice
    when the field has one, then one group per situation holding a need."""

    def __init__(self, field: forms.ModelChoiceField):
        self.field = field

    def __iter__(self) -> Iterator:
        if getattr(self.field, "empty_label", None) is not None:
            yield ("", self.field.empty_label)
        allowed = (
            set(self.field.queryset.values_list("pk", flat=True))
            if self.field.queryset is not None
            else set()
        )
        for theme in tree():
            for situation in theme.situations_shown:
                options = [(need.pk, need.label) for need in situation.needs_shown if need.pk in allowed]
                if options:
                    yield (f"{theme.label} · {situation.label}", options)


class _GroupedByNeedTree:
    def __init__(self, *args, queryset: QuerySet[Need] | None = None, **kwargs):
        super().__init__(queryset if queryset is not None else active_needs(), *args, **kwargs)

    def _get_choices(self):
        return GroupedNeedChoices(self)

    choices = property(_get_choices, forms.ChoiceField.choices.fset)


class NeedChoiceField(_GroupedByNeedTree, forms.ModelChoiceField):
    """One need of the referential (active ones), grouped by theme and situation."""


class NeedMultipleChoiceField(_GroupedByNeedTree, forms.ModelMultipleChoiceField):
    """Several needs of the referential (active ones), grouped by theme and situation."""
