from django import forms

from parcours.accounts.models import Agent, Role
from parcours.appointments.models import Attendance
from parcours.core.forms import DsfrForm
from parcours.orientation.models import ContractKind, Organism, OrientationKind


class OpenFollowUpForm(DsfrForm):
    prefix = "open"

    rights_opened_on = forms.DateField(
        label="Date d'ouverture des droits et devoirs", widget=forms.DateInput(attrs={"type": "date"})
    )


class AttendanceForm(DsfrForm):
    prefix = "attendance"

    attendance = forms.ChoiceField(label="Présence", choices=Attendance.choices)


class DecisionForm(DsfrForm):
    prefix = "decision"

    kind = forms.ChoiceField(label="Orientation", choices=OrientationKind.choices)
    organism = forms.ChoiceField(label="Organisme", choices=Organism.choices)
    organism_name = forms.CharField(label="Nom de l'organisme (association, CCAS…)", required=False)
    override_reason = forms.CharField(
        label="Motif si la proposition n'est pas retenue",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReferentForm(DsfrForm):
    prefix = "referent"

    agent = forms.ModelChoiceField(
        label="Référent",
        queryset=Agent.objects.filter(is_active=True, role__in=[Role.REFERENT, Role.COACH_EMPLOI]),
    )


class ContractForm(DsfrForm):
    prefix = "contract"

    kind = forms.ChoiceField(label="Contrat", choices=ContractKind.choices)
    objectives = forms.CharField(label="Objectifs", widget=forms.Textarea(attrs={"rows": 3}))
    starts_on = forms.DateField(label="Début", widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label="Fin", widget=forms.DateInput(attrs={"type": "date"}))


class ReorientationRequestForm(DsfrForm):
    prefix = "reorientation"

    requested_kind = forms.ChoiceField(label="Orientation demandée", choices=OrientationKind.choices)
    reason = forms.CharField(label="Motif", widget=forms.Textarea(attrs={"rows": 3}))


class ReorientationDecisionForm(DsfrForm):
    prefix = "answer"

    accepted = forms.TypedChoiceField(
        label="Décision", choices=[("1", "Accepter"), ("0", "Refuser")], coerce=lambda v: v == "1"
    )
    organism = forms.ChoiceField(
        label="Organisme (si acceptée)", choices=[("", "—"), *Organism.choices], required=False
    )
    note = forms.CharField(label="Réponse", required=False, widget=forms.Textarea(attrs={"rows": 2}))
