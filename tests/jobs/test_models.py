import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from parcours.jobs.forms import EmployerForm, ExperienceForm, OfferForm
from parcours.jobs.models import RomeAppellation, RomeCode
from parcours.jobs.rome import normalize_words
from parcours.jobs.siret import is_valid_siret
from tests.jobs.factories import AIDE_A_DOMICILE, EmployerFactory, OfferFactory
from tests.territory.factories import CommuneFactory


@pytest.mark.parametrize(
    ("siret", "valid"),
    [
        ("73282932000074", True),  # a real Luhn-valid SIRET
        ("732 829 320 00074", True),
        ("73282932000075", False),  # wrong key
        ("7328293200007", False),  # 13 digits
        ("7328293200007A", False),
        ("35600000000048", True),  # La Poste's head office
        ("35600000012346", True),  # La Poste: digit sum multiple of 5, not Luhn
        ("35600000012347", False),
    ],
)
def test_siret_check_digit(siret, valid):
    assert is_valid_siret(siret) is valid


def test_employer_form_rejects_an_invalid_siret(db):
    form = EmployerForm(data={"siret": "73282932000075", "name": "Test", "naf_code": "88.10A"})
    assert not form.is_valid()
    assert form.errors["siret"] == [
        "Ce SIRET n'est pas valide (clé de contrôle incorrecte) : vérifiez les 14 chiffres."
    ]
    form = EmployerForm(data={"siret": "732 829 320 00074", "name": "Test", "naf_code": "8810A"})
    assert not form.is_valid()
    assert list(form.errors) == ["naf_code"]


def test_rome_reference_is_loaded_and_reload_is_idempotent(db, capsys):
    assert RomeCode.objects.count() == 532
    assert RomeAppellation.objects.count() == 11061
    call_command("load_rome")
    assert "codes créés : 0, mis à jour : 0 ; appellations créées : 0" in capsys.readouterr().out
    assert RomeAppellation.objects.count() == 11061


def test_appellation_search_by_words_ignores_accents_and_case(db):
    labels = list(RomeAppellation.objects.search("AIDE domicile").values_list("label", flat=True))
    assert "Aide à domicile" in labels
    with_accents = list(RomeAppellation.objects.search("Éleveur chevaux").values_list("code_ogr", flat=True))
    assert with_accents
    assert (
        list(RomeAppellation.objects.search("eleveur CHEVAUX").values_list("code_ogr", flat=True))
        == with_accents
    )
    assert RomeAppellation.objects.search("K1304").filter(code_ogr=AIDE_A_DOMICILE).exists()
    assert not RomeAppellation.objects.search("").exists()
    assert normalize_words("Aide-soignant(e) à l'hôpital") == "aide soignant e a l hopital"


def _offer_data(**overrides):
    commune = CommuneFactory()
    data = {
        "employer": EmployerFactory().pk,
        "appellation": "Aide à domicile [10805]",
        "title": "Aide à domicile",
        "commune": commune.pk,
        "contract_type": "cdi",
        "hours_per_week": "35",
        "start_date": "2026-12-01",
        "openings": "1",
        "qualification_level": "0",
    }
    data.update(overrides)
    return data


def test_offer_form_checks_hours_and_appellation(db):
    assert OfferForm(data=_offer_data()).is_valid()
    form = OfferForm(data=_offer_data(hours_per_week="49"))
    assert not form.is_valid()
    assert form.errors["hours_per_week"] == ["La durée du travail ne peut dépasser 48 heures par semaine."]
    form = OfferForm(data=_offer_data(appellation="Dompteur de licornes"))
    assert not form.is_valid()
    assert "Métier inconnu du référentiel ROME" in form.errors["appellation"][0]


def test_unknown_rome_code_is_refused(db):
    form = ExperienceForm(data={"rome": "Z9999", "years": "2"})
    assert not form.is_valid()
    assert form.errors["rome"] == ["Code ROME inconnu : « Z9999 » (exemple : K1304)."]
    assert ExperienceForm(data={"rome": "k1304", "years": "2"}).is_valid()


def test_model_validation_of_hours(db):
    offer = OfferFactory.build(employer=EmployerFactory(), commune=CommuneFactory(), hours_per_week=60)
    with pytest.raises(ValidationError) as error:
        offer.full_clean()
    assert "hours_per_week" in error.value.message_dict
