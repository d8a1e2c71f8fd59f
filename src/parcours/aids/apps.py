from django.apps import AppConfig


class AidsConfig(AppConfig):
    name = "parcours.aids"
    label = "aids"
    verbose_name = "Aides financières"

    menu_group = "Aides"  # `core.menu`
    # `core.menu` skips an entry whose URL name does not exist (yet).
    menu_items: list[tuple[str, ...]] = [
        ("File d'instruction", "aids:queue", "may_instruct_aids"),
        ("Commissions", "aids:sessions", "may_instruct_aids"),
        ("Paiements", "aids:payments", "may_pay_aids"),
        ("Enveloppes et consommation", "aids:envelopes", "may_view_aid_budget"),
        ("Indicateurs des aides", "aids:figures", "may_view_aid_budget", "Indicateurs"),
        ("Dispositifs d'aide", "aids:schemes", "may_view_aid_catalogue"),
    ]
    # The instructors see the persons who have a deposited application (`aids.access`).
    person_access_grants = ["parcours.aids.access.persons_with_applications_for"]
    # The person page's « Aides financières » panel (`core.person_panels`).
    person_panels = [("aids/person_panel.html", "parcours.aids.person_panel.person_panel_context")]

    def ready(self) -> None:
        # A job start recorded in a listed sector proposes the RSA + salary cumulation (`aids.cumulation`).
        from parcours.accompaniment.workflows import job_started
        from parcours.aids.cumulation import on_job_started

        job_started.connect(on_job_started, dispatch_uid="aids.cumulation")
