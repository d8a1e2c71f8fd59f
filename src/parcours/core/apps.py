from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "parcours.core"
    label = "core"
    verbose_name = "Socle"

    menu_items = [
        ("Accueil", "core:home", "is_professional"),
        ("Journal d'audit", "core:audit_log", "may_view_audit_log", "Administration"),
    ]

    def ready(self) -> None:
        from parcours.core.schedules import ensure_schedules_after_migrate

        # The task queue's daily schedules exist as soon as the database is migrated.
        post_migrate.connect(ensure_schedules_after_migrate, dispatch_uid="parcours_ensure_schedules")
