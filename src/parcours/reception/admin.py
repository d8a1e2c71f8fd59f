from django.contrib import admin

from parcours.reception.models import Need, NeedSituation, NeedTheme, Station


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


@admin.register(Station)
class StationAdmin(admin.ModelAdmin):
    """The stations of the contact centre and of the reception desks (their code is the one the
    telephony system sends, docs/telephony.md)."""

    list_display = ["code", "label", "site", "active"]
    list_filter = ["active"]
    search_fields = ["code", "label"]
    autocomplete_fields = ["site"]
