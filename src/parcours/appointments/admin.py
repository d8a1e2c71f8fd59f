from django.contrib import admin

from parcours.appointments.models import OpeningHours, SlotType


@admin.register(SlotType)
class SlotTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "duration_minutes", "seats", "departement"]


@admin.register(OpeningHours)
class OpeningHoursAdmin(admin.ModelAdmin):
    list_display = [
        "site",
        "agent",
        "weekday",
        "starts_at",
        "ends_at",
        "slot_type",
        "valid_from",
        "valid_until",
    ]
    list_filter = ["site", "weekday"]
