"""Forms of the trays' screens: the tray's filters and the actions on an item.

Each action form only collects what the workflow (`reception.workflows`) needs; the workflow
decides whether the action is allowed and says why not. Closing and transferring ask for a
confirmation: the form is posted once without `confirm` (a summary is shown), then with it. Each
form has its own prefix: they share one page.
"""

from __future__ import annotations

from django import forms

from parcours.core.forms import DsfrForm
from parcours.reception.models import ItemState, Outcome, Tray, TrayMember, Urgency, WaitReason
from parcours.reception.models.trays import OPEN_STATES


class TrayFilterForm(DsfrForm):
    state = forms.ChoiceField(
        label="État",
        required=False,
        choices=[("", "Toutes les demandes ouvertes"), *ItemState.choices],
    )
    urgency = forms.ChoiceField(label="Urgence", required=False, choices=[("", "Toutes"), *Urgency.choices])
    mine = forms.BooleanField(label="Attribuées à moi", required=False)
    overdue = forms.BooleanField(label="En retard seulement", required=False)

    def filter(self, items, *, agent, now):
        """`items` narrowed to the filters (open items when no state is chosen)."""
        data = self.cleaned_data if self.is_valid() else {}
        state = data.get("state")
        # `state IN (open states)`, not `state <> closed`: the index (tray, state, due_at) then
        # reads the tray's open items only, however many closed ones the tray keeps.
        items = items.filter(state=state) if state else items.filter(state__in=sorted(OPEN_STATES))
        if data.get("urgency"):
            items = items.filter(urgency=data["urgency"])
        if data.get("mine"):
            items = items.filter(assigned_to=agent)
        if data.get("overdue"):
            items = items.overdue(now)
        return items


class ConfirmMixin(forms.Form):
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)


class AssignForm(DsfrForm):
    prefix = "attribution"
    to_agent = forms.ModelChoiceField(
        label="Attribuer à",
        queryset=TrayMember.objects.none(),
        empty_label="— Choisir un membre de la bannette —",
    )

    def __init__(self, *args, item, **kwargs):
        super().__init__(*args, **kwargs)
        from parcours.accounts.models import Agent

        self.fields["to_agent"].queryset = Agent.objects.filter(
            tray_memberships__tray_id=item.tray_id, is_active=True
        ).order_by("last_name", "first_name")


class WaitForm(DsfrForm):
    prefix = "attente"
    reason = forms.ChoiceField(label="En attente de", choices=WaitReason.choices)


class TransferForm(DsfrForm, ConfirmMixin):
    prefix = "transmission"
    to_tray = forms.ModelChoiceField(label="Bannette destinataire", queryset=Tray.objects.none())
    reason = forms.CharField(
        label="Motif de la transmission",
        max_length=500,
        help_text="Sans donnée personnelle superflue : ce qui permet à l'autre service d'agir.",
    )

    def __init__(self, *args, item, **kwargs):
        super().__init__(*args, **kwargs)
        # Closed trays are listed too, so that the workflow tells why it refuses them.
        self.fields["to_tray"].queryset = (
            Tray.objects.exclude(pk=item.tray_id).select_related("unit").order_by("-active", "name")
        )
        self.fields["to_tray"].label_from_instance = lambda tray: (
            tray.name if tray.active else f"{tray.name} (fermée)"
        )


class CloseForm(DsfrForm, ConfirmMixin):
    prefix = "cloture"
    outcome = forms.ChoiceField(
        label="Issue", choices=[("", "Choisir l'issue"), *Outcome.choices], required=False
    )
    decision = forms.CharField(
        label="Ce qui a été décidé",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Visible des professionnels qui suivent la personne.",
    )
