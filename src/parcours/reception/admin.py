from django.contrib import admin

from parcours.reception.models import Need, NeedSituation, NeedTheme


class ReadOnlyReferential(admin.ModelAdmin):
    """The referential is edited in `reception/data/needs.json` and loaded by `parcours load-needs`."""

    search_fields = ["code", "label"]
    list_filter = ["active"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(NeedTheme)
class NeedThemeAdmin(ReadOnlyReferential):
    list_display = [
        "position",
        "code",
        "label",
        "is_peripheral_barrier",
        "data_inclusion_thematique",
        "active",
    ]


@admin.register(NeedSituation)
class NeedSituationAdmin(ReadOnlyReferential):
    list_display = ["code", "label", "theme", "active"]


@admin.register(Need)
class NeedAdmin(ReadOnlyReferential):
    list_display = ["code", "label", "situation", "active"]
    list_select_related = ["situation__theme"]
