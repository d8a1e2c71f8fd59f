from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from parcours.accounts.models import Agent, ApiToken, Organisation


@admin.register(Agent)
class AgentAdmin(UserAdmin):
    list_display = ["username", "last_name", "first_name", "role", "organisation", "is_active", "otp_exempt"]
    list_filter = ["role", "organisation", "is_active", "otp_exempt", "units"]
    search_fields = ["username", "last_name", "first_name", "email"]
    filter_horizontal = ["units", "groups", "user_permissions"]
    fieldsets = [
        *UserAdmin.fieldsets,
        ("Parcours", {"fields": ["organisation", "role", "units", "phone", "otp_exempt"]}),
    ]
    add_fieldsets = [
        *UserAdmin.add_fieldsets,
        ("Parcours", {"fields": ["first_name", "last_name", "email", "organisation", "role", "units"]}),
    ]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "departement", "siret"]
    list_filter = ["kind"]
    search_fields = ["name", "siret"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens can be seen and revoked here, never created (their raw value is shown once)."""

    list_display = ["name", "agent", "scope", "created_at", "expires_at", "revoked_at"]
    list_filter = ["scope", "revoked_at", "expires_at"]
    search_fields = ["name", "agent__username"]
    readonly_fields = ["agent", "name", "key_hash", "scope", "created_at", "expires_at"]

    def has_add_permission(self, request):
        return False
