"""Forms of the person's rights: the restriction of processing, set and lifted with confirmation."""

from django import forms

from parcours.core.forms import DsfrForm


class RestrictionForm(DsfrForm):
    reason = forms.CharField(
        label="Motif de la demande",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Par exemple : la personne conteste l'exactitude de son adresse. Pas de donnée de santé.",
    )
    confirm = forms.BooleanField(
        label="Je confirme : tant que la limitation est active, Parcours ne fait que conserver les données "
        "(aucune invitation, relance, proposition d'emploi ni modification de la fiche)",
        required=True,
    )


class LiftForm(DsfrForm):
    confirm = forms.BooleanField(label="Je confirme la levée de la limitation", required=True)
