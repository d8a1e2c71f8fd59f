from django import forms
from django.contrib.auth.forms import AuthenticationForm, UsernameField

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
