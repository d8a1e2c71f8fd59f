from django.contrib import admin

from parcours.core.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The audit trail, read-only: rows are only ever added, by the application."""

    list_display = ["at", "agent_label", "action", "channel", "person_id", "path"]
    list_filter = ["action", "channel"]
    search_fields = ["agent_label"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
