import datetime

from django import forms
from django.contrib.auth.forms import AuthenticationForm, UsernameField
from django.utils import timezone

from parcours.accounts.models import TOKEN_LIFETIME, ApiToken, ApiTokenScope, one_year_after
from parcours.core.forms import DsfrForm


class AgentLoginForm(DsfrForm, AuthenticationForm):
    # Labels declared here, not set in __init__: DsfrBaseForm builds the bound fields
    # (and their labels) while initialising.
    username = UsernameField(label="Identifiant", widget=forms.TextInput(attrs={"autofocus": True}))
    password = forms.CharField(
        label="Mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    error_messages = {
        "invalid_login": "Identifiant ou mot de passe incorrect.",
        "inactive": "Ce compte est désactivé.",
    }


class OtpTokenForm(DsfrForm):
    token = forms.CharField(
        label="Code à 6 chiffres",
        help_text="Le code affiché par votre application d'authentification.",
        min_length=6,
        max_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def clean_token(self) -> str:
        token = self.cleaned_data["token"].strip()
        if not token.isdigit():
            raise forms.ValidationError("Le code ne contient que des chiffres.")
        return token


class ApiTokenForm(DsfrForm):
    name = forms.CharField(
        label="Nom du jeton", max_length=100, help_text="Par exemple : « script d'export »."
    )
    scope = forms.ChoiceField(
        label="Portée",
        choices=ApiTokenScope.choices,
        initial=ApiTokenScope.READ,
        widget=forms.RadioSelect,
        help_text="Un jeton en lecture seule ne peut que consulter (requêtes GET).",
    )
    expires_on = forms.DateField(
        label="Date d'expiration",
        help_text="Dans 90 jours par défaut, dans un an au plus.",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expires_on"].initial = timezone.localdate() + TOKEN_LIFETIME

    def clean_expires_on(self) -> datetime.date:
        expires_on = self.cleaned_data["expires_on"]
        today = timezone.localdate()
        if expires_on <= today:
            raise forms.ValidationError("Le jeton doit expirer au plus tôt demain.")
        if expires_on > one_year_after(today):
            raise forms.ValidationError("Un jeton expire dans un an au plus.")
        return expires_on

    def expires_at(self) -> datetime.datetime:
        """The end of the chosen day, in the local time (Europe/Paris)."""
        start = datetime.datetime.combine(self.cleaned_data["expires_on"], datetime.time.max)
        return timezone.make_aware(start)


class ApiTokenRevokeForm(forms.Form):
    """The revocation of one of the agent's active tokens."""

    revoke = forms.ModelChoiceField(
        queryset=ApiToken.objects.none(),
        error_messages={
            "required": "Ce jeton n'existe pas ou est déjà révoqué.",
            "invalid_choice": "Ce jeton n'existe pas ou est déjà révoqué.",
        },
    )

    def __init__(self, *args, agent, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["revoke"].queryset = ApiToken.objects.filter(agent=agent, revoked_at__isnull=True)
