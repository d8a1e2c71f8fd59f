import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from parcours.core.models import AuditAction, AuditEvent
from parcours.directory.models import Service
from tests.accounts.factories import AgentFactory
from tests.conftest import login_verified
from tests.directory.factories import ServiceFactory
from tests.territory.factories import CommuneFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lille(departement, settings):
    settings.PARCOURS_DEPARTEMENT = "59"
    return CommuneFactory(
        departement=departement, insee_code="59350", name="Lille", latitude=50.63089, longitude=3.07086
    )


@pytest.fixture
def service(lille):
    return ServiceFactory(
        structure__commune=lille,
        date_maj=datetime.date(2025, 1, 1),
        reminded_at=timezone.now(),
        zone_eligibilite=[],
    )


@pytest.fixture
def partner(client, service):
    agent = AgentFactory(role="accueil", organisation=service.structure.organisation)
    return login_verified(client, agent), agent


def _errors(response) -> str:
    html = response.content.decode()
    start = html.find('id="form-errors"')
    import re

    return (
        " | ".join(re.findall(r"<li>(.*?)</li>", html[start:], re.S)[:8]) if start >= 0 else "aucune erreur"
    )


def form_data(service, **changes):
    data = {
        "nom": service.nom,
        "description": service.description,
        "thematiques": service.thematiques,
        "types": service.types,
        "frais": "gratuit",
        "publics": service.publics,
        "modes_accueil": service.modes_accueil,
        "modes_mobilisation": service.modes_mobilisation,
        "zone": "",
        "horaires_accueil": service.horaires_accueil,
        "adresse": service.adresse,
        "code_postal": "59000",
        "commune": service.commune_id,
        "latitude": service.latitude,
        "longitude": service.longitude,
        "telephone": service.telephone,
        "courriel": service.courriel,
        "contact_nom": service.contact_nom,
        "closed_on": "",
    }
    data.update(changes)
    return data


def test_partner_agent_updates_own_service(partner, service):
    client, agent = partner
    url = reverse("directory:service_edit", args=[service.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, form_data(service, horaires_accueil="Mo-Sa 09:00-12:00", zone="59350 59"))
    assert response.status_code == 302, _errors(response)
    service.refresh_from_db()
    assert service.horaires_accueil == "Mo-Sa 09:00-12:00" and service.half_days_per_week == 6
    assert service.zone_eligibilite == ["59350", "59"]
    assert service.date_maj == timezone.localdate() and service.reminded_at is None
    assert AuditEvent.objects.filter(agent=agent, action=AuditAction.UPDATE).exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"horaires_accueil": "Lu-Ve 9h-12h"},
            "Horaires « Lu-Ve 9h-12h » illisibles (syntaxe OpenStreetMap attendue)",
        ),
        ({"zone": "59350 59999"}, "Zone d&#x27;éligibilité : code INSEE inconnu « 59999 »"),
        ({"latitude": "43.29", "longitude": "5.38"}, "Coordonnées hors du département"),
        ({"nom": "AB"}, "Nom : trop court (au moins 3 caractères)"),
        ({"thematiques": []}, "Ce champ est obligatoire"),
    ],
)
def test_invalid_values_are_refused_in_french(partner, service, changes, message):
    client, _agent = partner
    response = client.post(
        reverse("directory:service_edit", args=[service.pk]), form_data(service, **changes)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    service.refresh_from_db()
    assert service.date_maj == datetime.date(2025, 1, 1)


def test_another_structures_service_is_404_and_audited(partner, lille):
    client, agent = partner
    other = ServiceFactory(structure__commune=lille)
    url = reverse("directory:service_edit", args=[other.pk])
    for method in (client.get, client.post):
        assert method(url).status_code == 404
    assert AuditEvent.objects.filter(agent=agent, action=AuditAction.DENIED).count() == 2
    assert Service.objects.get(pk=other.pk).nom == other.nom


def test_agent_without_structure_gets_403(client, service):
    login_verified(client, AgentFactory(role="referent"))
    assert client.get(reverse("directory:service_edit", args=[service.pk])).status_code == 403
    assert client.get(reverse("directory:my_services")).status_code == 403


def test_my_services_flags_stale_entries(partner, service, lille):
    client, _agent = partner
    ServiceFactory(structure=service.structure, nom="Service récent")
    html = client.get(reverse("directory:my_services")).content.decode()
    assert html.count("fr-badge--warning") == 1
    assert html.index(service.nom) < html.index("Service récent")  # oldest update first


def test_detail_offers_the_edit_link_to_the_owner_only(partner, service, client):
    partner_client, _agent = partner
    url = reverse("directory:service", args=[service.pk])
    assert "Mettre à jour ce service" in partner_client.get(url).content.decode()
    assert 'id="stale-badge"' in partner_client.get(url).content.decode()


def test_import_page_for_managers(client, lille, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    login_verified(client, AgentFactory(role="manager"))
    url = reverse("directory:import")
    assert client.get(url).status_code == 200
    content = b'{"structures": [{"source": "dora", "id": "s1", "nom": "Structure", "date_maj": "2026-01-01", ' \
        b'"code_insee": "59350"}], "services": [{"source": "dora", "id": "x", "structure_id": "s1", "nom": "Service", ' \
        b'"description": "Un service.", "date_maj": "2026-01-01", "horaires_accueil": "Lu 9h"}]}'  # fmt: skip
    response = client.post(url, {"file": SimpleUploadedFile("export.json", content)})
    html = response.content.decode()
    assert "1 créé(s)" in html and "1 en quarantaine" in html
    assert "« Lu 9h » illisibles" in html


def test_import_page_refuses_a_referent(client, lille):
    login_verified(client, AgentFactory(role="referent"))
    assert client.get(reverse("directory:import")).status_code == 403
