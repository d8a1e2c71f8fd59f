from django.contrib import admin

from parcours.territory.models import Commune, Departement, Site, TerritorialUnit


@admin.register(Departement)
class DepartementAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]


@admin.register(TerritorialUnit)
class TerritorialUnitAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "departement", "seat"]
    list_filter = ["departement"]
    raw_id_fields = ["seat"]


@admin.register(Commune)
class CommuneAdmin(admin.ModelAdmin):
    list_display = ["name", "insee_code", "postal_codes", "population", "unit", "departement"]
    list_filter = ["departement", "unit", "kind"]
    search_fields = ["name", "insee_code", "postal_codes"]
    list_select_related = ["unit", "departement"]


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "commune", "unit", "address_is_indicative"]
    list_filter = ["departement", "kind", "unit", "address_is_indicative"]
    search_fields = ["name", "code", "commune__name"]
    raw_id_fields = ["commune"]
    list_select_related = ["commune", "unit"]
