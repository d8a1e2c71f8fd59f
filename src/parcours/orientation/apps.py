from django.apps import AppConfig
from django.db.models.signals import post_save


def _apply_person_event(sender, instance, created, raw=False, **kwargs):
    """Open/close follow-ups as the intake records rights events (see orientation/followups.py)."""
    if created and not raw:
        from parcours.orientation.followups import apply_event

        apply_event(instance)


class OrientationConfig(AppConfig):
    name = "parcours.orientation"
    label = "orientation"
    verbose_name = "Orientation"

    menu_group = "Personnes"  # `core.menu`
    menu_items = [
        ("Orientation", "orientation:worklist", "may_use_worklists"),
        ("Mon portefeuille", "orientation:caseload", "may_hold_caseload"),
        ("Réorientations", "orientation:reorientations", "may_decide_orientation"),
    ]

    def ready(self) -> None:
        post_save.connect(
            _apply_person_event, sender="people.PersonEvent", dispatch_uid="orientation_apply_person_event"
        )
