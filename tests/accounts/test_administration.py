"""The administration screens: agents, organisations and territorial units, audited."""

import csv
import io

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from parcours.accounts.models import Agent, OrganisationKind, Role
from parcours.core.models import AuditAction, AuditEvent
from parcours.territory.models import Commune, TerritorialUnit
from tests.accounts.factories import AgentFactory, OrganisationFactory
from tests.conftest import login_verified
from tests.territory.factories import CommuneFactory, UnitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def administrator(two_units):
    return AgentFactory(username="admin-dept", role=Role.ADMINISTRATEUR)


@pytest.fixture
def admin_client(client, administrator):
    return login_verified(client, administrator)


def _new_agent_data(two_units, organisation_, **overrides):
    data = {
        "username": "nouvel.agent",
        "first_name": "Camille",
        "last_name": "Lefebvre",
        "email": "camille.lefebvre@departement.test",
        "phone": "",
        "role": Role.CHARGE_ORIENTATION,
        "organisation": organisation_.pk,
        "units": [two_units["unit_a"].pk],
        "password1": "un-mot-de-passe-solide-2026",
        "password2": "un-mot-de-passe-solide-2026",
    }
    return data | overrides


def test_the_home_tile_opens_the_administration_screens(admin_client):
    response = admin_client.get("/")
    assert b'href="/administration/agents/"' in response.content
    assert b"django-admin" not in response.content
    assert admin_client.get("/administration/agents/").status_code == 200


def test_the_menu_shows_administration_to_administrators_only(admin_client, client, agent_a):
    assert b"/administration/agents/" in admin_client.get("/territoire/").content
    admin_client.logout()
    login_verified(client, agent_a)
    assert b"/administration/agents/" not in client.get("/territoire/").content
    assert client.get("/administration/agents/").status_code == 403


def test_create_an_agent_with_role_and_units_audited(admin_client, administrator, two_units):
    organisation = OrganisationFactory()
    response = admin_client.post("/administration/agents/nouveau/", _new_agent_data(two_units, organisation))
    agent = Agent.objects.get(username="nouvel.agent")
    assert response.status_code == 302 and response["Location"] == f"/administration/agents/{agent.pk}/"
    assert agent.role == Role.CHARGE_ORIENTATION and agent.organisation == organisation
    assert list(agent.units.all()) == [two_units["unit_a"]]
    assert agent.check_password("un-mot-de-passe-solide-2026")
    event = AuditEvent.objects.get(action=AuditAction.AGENT_CREATED)
    assert event.agent == administrator and event.detail["agent_id"] == agent.pk
    assert "password1" not in event.detail["fields"] and "role" in event.detail["fields"]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"username": "AGENT-PRIS"}, "username", "Cet identifiant est déjà utilisé"),
        ({"email": "pas-une-adresse"}, "email", "Saisissez une adresse de courriel valide."),
        ({"role": "inconnu"}, "role", "Sélectionnez un choix valide"),
        ({"organisation": ""}, "organisation", "Ce champ est obligatoire."),
        ({"units": []}, "units", "Choisissez au moins une unité territoriale"),
        ({"password2": "autre-chose-encore-2026"}, "password2", "ne sont pas identiques"),
        ({"password1": "court", "password2": "court"}, "password1", "trop court"),
    ],
)
def test_the_agent_form_refuses_invalid_data_in_french(admin_client, two_units, overrides, field, message):
    AgentFactory(username="agent-pris")
    data = _new_agent_data(two_units, OrganisationFactory(), **overrides)
    before = Agent.objects.count()
    response = admin_client.post("/administration/agents/nouveau/", data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert any(message in error for error in errors[field]), errors
    assert Agent.objects.count() == before


def test_an_employer_account_needs_an_employer_organisation(admin_client, two_units):
    data = _new_agent_data(two_units, OrganisationFactory(), role=Role.EMPLOYEUR, units=[])
    response = admin_client.post("/administration/agents/nouveau/", data)
    assert "organisation" in response.context["form"].errors
    employer_organisation = OrganisationFactory(kind=OrganisationKind.EMPLOYER)
    data = _new_agent_data(two_units, employer_organisation, role=Role.EMPLOYEUR, units=[])
    assert admin_client.post("/administration/agents/nouveau/", data).status_code == 302


def test_edit_an_agent_audits_the_fields_changed(admin_client, two_units):
    agent = AgentFactory(role=Role.REFERENT, units=[two_units["unit_a"]])
    data = {
        "username": agent.username,
        "first_name": agent.first_name,
        "last_name": agent.last_name,
        "email": agent.email,
        "phone": "",
        "role": Role.MANAGER,
        "organisation": agent.organisation_id,
        "units": [two_units["unit_a"].pk, two_units["unit_b"].pk],
    }
    assert admin_client.post(f"/administration/agents/{agent.pk}/", data).status_code == 302
    agent.refresh_from_db()
    assert agent.role == Role.MANAGER and agent.units.count() == 2
    event = AuditEvent.objects.get(action=AuditAction.AGENT_UPDATED)
    assert event.detail["fields"] == ["role", "units"]


def test_deactivation_asks_a_confirmation_then_closes_the_account(admin_client, two_units):
    agent = AgentFactory(units=[two_units["unit_a"]])
    page = admin_client.get(f"/administration/agents/{agent.pk}/desactiver/")
    assert "Désactiver le compte" in page.content.decode()
    agent.refresh_from_db()
    assert agent.is_active  # showing the confirmation changes nothing
    unconfirmed = admin_client.post(f"/administration/agents/{agent.pk}/desactiver/", {})
    assert unconfirmed.status_code == 200
    agent.refresh_from_db()
    assert agent.is_active
    response = admin_client.post(f"/administration/agents/{agent.pk}/desactiver/", {"confirm": "on"})
    assert response.status_code == 302
    agent.refresh_from_db()
    assert not agent.is_active
    assert AuditEvent.objects.filter(action=AuditAction.AGENT_DEACTIVATED, detail__agent_id=agent.pk).exists()
    admin_client.post(f"/administration/agents/{agent.pk}/reactiver/")
    agent.refresh_from_db()
    assert agent.is_active
    assert AuditEvent.objects.filter(action=AuditAction.AGENT_REACTIVATED).count() == 1


def test_an_administrator_may_not_deactivate_themself(admin_client, administrator):
    response = admin_client.post(f"/administration/agents/{administrator.pk}/desactiver/", {"confirm": "on"})
    assert response.status_code == 200
    assert "Vous ne pouvez pas désactiver votre propre compte." in response.content.decode()
    administrator.refresh_from_db()
    assert administrator.is_active
    assert not AuditEvent.objects.filter(action=AuditAction.AGENT_DEACTIVATED).exists()


def test_reset_second_factor_after_confirmation_deletes_the_devices(admin_client, two_units):
    agent = AgentFactory(units=[two_units["unit_a"]])
    TOTPDevice.objects.create(user=agent, name="téléphone perdu", confirmed=True)
    url = f"/administration/agents/{agent.pk}/second-facteur/"
    assert "Réinitialiser le second facteur" in admin_client.get(url).content.decode()
    assert TOTPDevice.objects.filter(user=agent).exists()
    assert admin_client.post(url, {"confirm": "on"}).status_code == 302
    assert not TOTPDevice.objects.filter(user=agent).exists()
    event = AuditEvent.objects.get(action=AuditAction.SECOND_FACTOR_RESET)
    assert event.detail["agent_id"] == agent.pk


def test_agents_list_filters_sorts_and_paginates(admin_client, two_units, django_assert_max_num_queries):
    for index in range(55):
        AgentFactory(username=f"lot-{index:02d}", role=Role.ACCUEIL, units=[two_units["unit_b"]])
    AgentFactory(username="zz-inactif", role=Role.REFERENT, units=[two_units["unit_a"]], is_active=False)
    with django_assert_max_num_queries(12):
        page = admin_client.get("/administration/agents/?role=accueil&tri=-identifiant")
    listed = [agent.username for agent in page.context["page_obj"]]
    assert len(listed) == 50 and listed[0] == "lot-54" and page.context["page_obj"].paginator.count == 55
    inactive = admin_client.get(f"/administration/agents/?actif=non&unite={two_units['unit_a'].pk}")
    assert [agent.username for agent in inactive.context["page_obj"]] == ["zz-inactif"]


def test_agents_export_neutralises_cells_and_is_audited(admin_client, two_units):
    AgentFactory(username="formule", first_name="=HYPERLINK(1)", units=[two_units["unit_a"]])
    response = admin_client.get("/administration/agents/export.csv?role=referent")
    rows = list(csv.reader(io.StringIO(response.content.decode().lstrip("\ufeff")), delimiter=";"))
    assert rows[0][0] == "identifiant"
    assert rows[1][:2] == ["formule", "'=HYPERLINK(1)"]
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, detail__export="agents").exists()


def test_create_and_rename_an_organisation_audited(admin_client, departement):
    response = admin_client.post(
        "/administration/organisations/nouvelle/", {"name": "CCAS de Roubaix", "kind": "ccas", "siret": ""}
    )
    assert response.status_code == 302
    organisation = OrganisationFactory._meta.model.objects.get(name="CCAS de Roubaix")
    assert organisation.departement == departement
    bad = admin_client.post(
        f"/administration/organisations/{organisation.pk}/", {"name": "CCAS", "kind": "ccas", "siret": "123"}
    )
    assert "Un SIRET compte 14 chiffres." in bad.content.decode()
    assert AuditEvent.objects.filter(action=AuditAction.ORGANISATION_SAVED).count() == 1


def test_a_unit_gets_exactly_the_communes_chosen(admin_client, departement, two_units):
    extra = CommuneFactory(departement=departement, unit=two_units["unit_b"], insee_code="59999")
    response = admin_client.post(
        "/administration/unites/nouvelle/",
        {"code": "c", "name": "Unité C", "seat": extra.pk, "communes": [extra.pk]},
    )
    assert response.status_code == 302
    unit = TerritorialUnit.objects.get(code="C")
    assert list(Commune.objects.filter(unit=unit)) == [extra]
    event = AuditEvent.objects.get(action=AuditAction.UNIT_SAVED)
    assert event.detail["communes_added"] == ["59999"] and event.detail["communes_removed"] == []
    duplicate = admin_client.post(
        "/administration/unites/nouvelle/", {"code": "A", "name": "Doublon", "communes": []}
    )
    assert "Une unité de ce département porte déjà ce code." in duplicate.content.decode()
    assert (
        admin_client.post(
            f"/administration/unites/{unit.pk}/", {"code": "C", "name": "Unité C", "communes": []}
        ).status_code
        == 302
    )
    extra.refresh_from_db()
    assert extra.unit is None


def test_units_list(admin_client, two_units, django_assert_max_num_queries):
    UnitFactory(departement=two_units["unit_a"].departement, code="Z", name="Unité Z")
    with django_assert_max_num_queries(10):
        response = admin_client.get("/administration/unites/")
    assert "Unité Z" in response.content.decode()
