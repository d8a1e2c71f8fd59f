from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import pre_delete


def _release_agent_slots(sender, instance, **kwargs):
    """An agent account is deleted: its future free slots go; booked ones stay, without agent,
    for the site's manager to reassign (they show in the agenda as « sans agent »)."""
    from django.utils import timezone

    from parcours.appointments.models import Slot

    Slot.objects.filter(agent=instance, starts_at__gt=timezone.now(), seats_taken=0).delete()


class AppointmentsConfig(AppConfig):
    name = "parcours.appointments"
    label = "appointments"
    verbose_name = "Rendez-vous et invitations"

    menu_group = "Personnes"  # `core.menu`
    menu_items = [("Agendas", "appointments:agenda", "may_use_agendas")]

    def ready(self) -> None:
        pre_delete.connect(
            _release_agent_slots,
            sender=settings.AUTH_USER_MODEL,
            dispatch_uid="appointments_release_agent_slots",
        )
