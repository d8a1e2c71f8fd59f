from parcours.core.models import AuditAction, AuditChannel, AuditEvent
from tests.api.sessions import bearer
from tests.jobs.factories import AIDE_A_DOMICILE, OfferFactory, ProfileFactory, employer_account
from tests.people.factories import PersonFactory


def test_ranked_candidates_of_an_offer(client, two_units, agent_a):
    offer = OfferFactory(commune=two_units["commune_a"])
    mine = ProfileFactory(person=PersonFactory(commune=two_units["commune_a"]), targets=[AIDE_A_DOMICILE])
    ProfileFactory(person=PersonFactory(commune=two_units["commune_b"]), targets=[AIDE_A_DOMICILE])
    response = client.get(f"/api/v1/emploi/offres/{offer.pk}/candidats", headers=bearer(agent_a))
    assert response.status_code == 200
    body = response.json()
    assert [row["person_id"] for row in body] == [mine.person_id]
    assert body[0]["score"] == sum(line["points"] for line in body[0]["lines"])
    assert AuditEvent.objects.filter(action=AuditAction.SEARCH, channel=AuditChannel.API).exists()

    offers = client.get("/api/v1/emploi/offres", headers=bearer(agent_a)).json()
    assert [row["id"] for row in offers] == [offer.pk]


def test_employer_accounts_cannot_use_the_agents_api(client, two_units):
    offer = OfferFactory(commune=two_units["commune_a"])
    account = employer_account(offer.employer)
    response = client.get(f"/api/v1/emploi/offres/{offer.pk}/candidats", headers=bearer(account))
    assert response.status_code == 401  # an employer's token authenticates nobody
