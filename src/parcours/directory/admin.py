"""Django admin of the directory: mainly to give a structure to its partner organisation (whose
agents then update its services); services are edited from the directory's own pages."""

from django.contrib import admin

from parcours.directory.models import Service, Structure


@admin.register(Structure)
class StructureAdmin(admin.ModelAdmin):
    list_display = ["nom", "source", "source_id", "commune", "organisation", "date_maj"]
    list_filter = ["source"]
    search_fields = ["nom", "siret", "source_id"]
    autocomplete_fields = ["organisation"]
    raw_id_fields = ["commune"]


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["nom", "structure", "category", "commune", "date_maj", "closed_on"]
    list_filter = ["category", "source"]
    search_fields = ["nom", "source_id", "structure__nom"]
    raw_id_fields = ["structure", "commune"]
    readonly_fields = ["half_days_per_week", "category", "reminded_at", "created_at", "updated_at"]
