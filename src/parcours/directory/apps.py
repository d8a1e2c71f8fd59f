from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "parcours.directory"
    label = "directory"
    verbose_name = "Annuaire des services"

    menu_group = "Annuaire"  # `core.menu`
    menu_items: list[tuple[str, ...]] = [
        ("Annuaire des services", "directory:search", "may_use_directory"),
        ("Orientations reçues", "directory:orientation_inbox", "may_receive_orientations"),
        ("Couverture des services", "directory:coverage", "may_analyse_coverage"),
    ]
    # A structure's agents see the persons oriented to its services, on the pages of the
    # orientations they received only (what was sent to them): a purpose-limited grant
    # (`core.access_grants`), never the person page, the API or the exports.
    purpose_access_grants = {"orientation_recue": "parcours.directory.access.persons_oriented_to"}
    # The person page's "Orientations vers des services" panel (`core.person_panels`).
    person_panels = [("directory/person_panel.html", "parcours.directory.person_panel.person_panel_context")]
