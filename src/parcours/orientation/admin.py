from django.contrib import admin

from parcours.orientation.models import OrientationSettings, PreOrientationRule


@admin.register(PreOrientationRule)
class PreOrientationRuleAdmin(admin.ModelAdmin):
    """Administrators edit the département's rules here; the first matching active rule wins."""

    list_display = [
        "position",
        "name",
        "condition",
        "parameters",
        "orientation",
        "organism",
        "active",
        "departement",
    ]
    list_display_links = ["name"]
    list_editable = ["position", "active"]
    list_filter = ["departement", "active", "orientation"]
    ordering = ["departement", "position"]


@admin.register(OrientationSettings)
class OrientationSettingsAdmin(admin.ModelAdmin):
    list_display = [
        "departement",
        "due_days",
        "reminder_after_days",
        "expiry_after_days",
        "booking_window_days",
    ]
