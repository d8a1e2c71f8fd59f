from django.apps import AppConfig

_AGENTS = [
    "relations_entreprises",
    "coach_emploi",
    "referent",
    "charge_orientation",
    "manager",
    "administrateur",
]


class JobsConfig(AppConfig):
    name = "parcours.jobs"
    label = "jobs"
    verbose_name = "Plateforme emploi"

    menu_items = [
        ("Offres d'emploi", "jobs:offers", _AGENTS),
        ("Employeurs", "jobs:employers", ["relations_entreprises", "manager", "administrateur"]),
        ("Candidatures", "jobs:applications", _AGENTS),
        ("Statistiques emploi", "jobs:statistics", ["relations_entreprises", "manager", "administrateur"]),
        ("Espace employeur", "jobs:portal", ["employeur"]),
    ]

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from parcours.jobs.indexing import person_saved

        post_save.connect(person_saved, sender="people.Person", dispatch_uid="jobs_person_saved")
