"""The categories cover every model, and docs/privacy.md says what categories.py says."""

from pathlib import Path

from django.apps import apps

from parcours.privacy import categories

DOC = Path(__file__).resolve().parents[2] / "docs" / "privacy.md"


def test_every_model_linked_to_a_person_has_a_category():
    missing = [
        model._meta.label
        for model in apps.get_models()
        if categories.person_link(model) and categories.category_of(model._meta.label) is None
    ]
    assert missing == [], f"Modèles liés à une personne sans catégorie de conservation : {missing}"


def test_every_model_of_parcours_is_in_a_category_or_said_outside():
    unlisted = [
        model._meta.label
        for model in apps.get_models()
        if model.__module__.startswith("parcours.")
        and categories.category_of(model._meta.label) is None
        and not categories.is_outside(model._meta.label)
    ]
    assert unlisted == [], f"Modèles classés nulle part (categories.py) : {unlisted}"


def test_a_person_linked_model_is_never_said_outside():
    for model in apps.get_models():
        if categories.person_link(model):
            assert not categories.is_outside(model._meta.label), model._meta.label


def test_later_apps_are_covered_by_app_label():
    assert categories.category_of("accompaniment.Anything").code == "accompagnement_contrats"
    assert categories.category_of("aids.Application").code == "aides"
    assert categories.category_of("reception.Contact").code == "accueil"


def test_each_category_states_its_source_and_end():
    for category in categories.CATEGORIES:
        assert category.source and category.purpose and category.legal_basis and category.recipients
        assert category.end in categories.END_LABELS


def test_periods_come_from_the_settings_override(settings):
    category = categories.BY_CODE["suivi_rdv"]
    assert category.periods() == (730, 1095)
    settings.PARCOURS_RETENTION = {"suivi_rdv": {"active_days": 10, "archive_days": 20}}
    assert category.periods() == (10, 20)
    assert "10 jours après la dernière activité, puis 20 jours" in category.retention_text()


def test_the_documentation_holds_the_generated_table():
    assert categories.markdown_table() in DOC.read_text(), (
        "docs/privacy.md n'a plus le tableau de categories.py : recopiez "
        "`python -c 'from parcours.privacy.categories import markdown_table; print(markdown_table())'`"
    )
