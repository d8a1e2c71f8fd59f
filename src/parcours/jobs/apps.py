from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "parcours.jobs"
    label = "jobs"
    verbose_name = "Plateforme emploi"

    menu_group = "Emploi"  # `core.menu`
    menu_items = [
        ("Offres d'emploi", "jobs:offers", "may_use_job_platform"),
        ("Employeurs", "jobs:employers", "may_manage_employers"),
        ("Candidatures", "jobs:applications", "may_use_job_platform"),
        ("Statistiques emploi", "jobs:statistics", "may_manage_employers"),
        ("Espace employeur", "jobs:portal", "may_use_employer_portal"),
    ]

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from parcours.jobs.indexing import person_saved

        post_save.connect(person_saved, sender="people.Person", dispatch_uid="jobs_person_saved")
