from django.apps import AppConfig


class AppointmentsConfig(AppConfig):
    name = "parcours.appointments"
    label = "appointments"
    verbose_name = "Rendez-vous et invitations"
