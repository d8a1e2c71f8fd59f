"""Read-mostly administration of the accompaniments: rows are written by `workflows` only."""

from django.contrib import admin

from parcours.accompaniment.models import Accompaniment, AccompanimentReferent, Contact, Exit, Outcome


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown for support, never edited here: a change must go through `workflows` (events, audit)."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReferentInline(admin.TabularInline):
    model = AccompanimentReferent
    fields = ["agent", "organisation", "since", "until"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Accompaniment)
class AccompanimentAdmin(ReadOnlyAdmin):
    list_display = ["id", "programme", "started_on", "planned_end_on", "ended_on", "end_reason"]
    list_filter = ["programme", "end_reason"]
    raw_id_fields = ["person", "site", "created_by"]
    inlines = [ReferentInline]


@admin.register(Contact)
class ContactAdmin(ReadOnlyAdmin):
    list_display = ["id", "accompaniment_id", "on", "mode"]
    list_filter = ["mode"]
    raw_id_fields = ["accompaniment", "by", "application"]


@admin.register(Outcome)
class OutcomeAdmin(ReadOnlyAdmin):
    list_display = ["id", "kind", "started_on", "contract_type", "qualifying"]
    list_filter = ["kind", "contract_type"]
    raw_id_fields = ["person", "accompaniment", "placement", "application", "recorded_by"]


@admin.register(Exit)
class ExitAdmin(ReadOnlyAdmin):
    list_display = ["id", "on", "reason", "source"]
    list_filter = ["reason", "source"]
    raw_id_fields = ["person", "recorded_by"]
