"""The person's rights: access export (PDF, JSON), rectifications, restriction of processing."""

import datetime
import json

from django.urls import reverse
from django.utils import timezone

from parcours.appointments.models import DeliveryStatus, Message
from parcours.appointments.notifications import deliver_pending
from parcours.core.models import AuditAction, AuditEvent
from parcours.orientation.followups import open_followups_from_events
from parcours.orientation.models import Contract, FollowUp
from parcours.people.models import PersonEvent
from parcours.privacy import access_export
from parcours.privacy.models import ProcessingRestriction
from parcours.privacy.restriction import is_restricted, set_restriction
from tests.accounts.factories import AgentFactory
from tests.conftest import login_verified


def _contract(person):
    return Contract.objects.create(
        person=person,
        kind="cer",
        objectives="Passer le permis de conduire",
        starts_on=datetime.date(2019, 4, 1),
        ends_on=datetime.date(2019, 10, 1),
    )


def test_the_json_export_holds_everything_and_is_audited(client, old_person, accueil):
    _contract(old_person)
    login_verified(client, accueil)
    client.get(reverse("people:detail", args=[old_person.pk]))
    response = client.get(reverse("privacy:access_json", args=[old_person.pk]))
    assert response.status_code == 200
    assert old_person.last_name not in response["Content-Disposition"]
    document = json.loads(response.content)
    assert document["personne"]["nir"] == old_person.nir
    assert document["personne"]["email"] == "claire@example.test"
    assert "nir_digest" not in document["personne"] and "search_names" not in document["personne"]
    assert document["foyers"][0]["foyer"]["caf_number"] == "7654321"
    assert document["donnees"]["orientation.Contract"][0]["objectives"] == "Passer le permis de conduire"
    assert {e["libelle"] for e in document["evenements"]} >= {
        "Ouverture du droit au RSA",
        "Rendez-vous honoré",
    }
    assert any(a["agent"] == accueil.username and a["action"] == "view" for a in document["acces_au_dossier"])
    assert {c["categorie"] for c in document["conservation"]} >= {
        "Droits au RSA",
        "Journal des accès (audit)",
    }
    assert AuditEvent.objects.filter(
        person=old_person, agent=accueil, action=AuditAction.EXPORT, detail__format="json"
    ).exists()


def test_the_pdf_export_is_a_readable_letter_and_is_audited(client, old_person, accueil):
    _contract(old_person)
    login_verified(client, accueil)
    response = client.get(reverse("privacy:access_pdf", args=[old_person.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(
        person=old_person, action=AuditAction.EXPORT, detail__format="pdf"
    ).exists()
    from django.template.loader import render_to_string

    html = render_to_string("privacy/letters/access.html", access_export.letter_context(old_person))
    for text in (
        old_person.last_name,
        old_person.nir,
        "Passer le permis de conduire",
        "Ouverture du droit au RSA",
        "Qui a consulté ou modifié votre dossier",
        "Réclamer auprès de la CNIL",
        "Combien de temps gardons-nous ces informations",
    ):
        assert text in html


def test_a_person_out_of_scope_cannot_be_exported(client, old_person, two_units):
    outsider = AgentFactory(role="accueil", units=[two_units["unit_b"]])
    login_verified(client, outsider)
    assert client.get(reverse("privacy:access_json", args=[old_person.pk])).status_code == 404
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_relations_with_employers_may_not_handle_requests(client, old_person, two_units):
    agent = AgentFactory(role="relations_entreprises", units=[two_units["unit_a"]])
    login_verified(client, agent)
    assert client.get(reverse("privacy:person", args=[old_person.pk])).status_code == 403


def test_rectifications_list_fields_dates_and_agents_never_values(client, old_person, admin):
    from parcours.core import audit

    audit.record_changes(admin, old_person, ["nir", "address"])
    login_verified(client, admin)
    page = client.get(reverse("privacy:rectifications", args=[old_person.pk])).content.decode()
    assert "NIR" in page and "adresse" in page and admin.username in page
    assert old_person.nir not in page


def test_setting_and_lifting_a_restriction_with_confirmation(client, old_person, accueil):
    login_verified(client, accueil)
    url = reverse("privacy:restriction_set", args=[old_person.pk])
    refused = client.post(url, {"reason": "Adresse contestée"})
    assert refused.status_code == 400 and not is_restricted(old_person.pk)
    response = client.post(url, {"reason": "Adresse contestée", "confirm": "on"}, follow=True)
    assert "Limitation active depuis" in response.content.decode()
    assert is_restricted(old_person.pk)
    detail = client.get(reverse("people:detail", args=[old_person.pk])).content.decode()
    assert "Traitement limité" in detail
    lift = reverse("privacy:restriction_lift", args=[old_person.pk])
    assert client.get(lift).status_code == 200
    client.post(lift, {"confirm": "on"})
    restriction = ProcessingRestriction.objects.get()
    assert restriction.lifted_at is not None and restriction.lifted_by == accueil
    assert (
        AuditEvent.objects.filter(person=old_person, detail__fields=["limitation du traitement"]).count() == 2
    )


def test_a_restricted_record_cannot_be_edited(client, old_person, admin):
    set_restriction(old_person, reason="Exactitude contestée", by=admin)
    login_verified(client, admin)
    response = client.post(reverse("people:edit", args=[old_person.pk]), {"last_name": "Autre"}, follow=True)
    assert "limitation du traitement" in response.content.decode()
    old_person.refresh_from_db()
    assert old_person.last_name != "Autre"


def test_a_restriction_stops_the_pipeline_for_that_person(old_person, admin, departement):
    """No follow-up opened from the rights event, no message delivered; all resumes once lifted."""
    set_restriction(old_person, reason="Exactitude contestée", by=admin)
    now = timezone.now()
    PersonEvent.objects.bulk_create(
        [PersonEvent(person=old_person, kind="rsa.droits_devoirs", occurred_at=now, source="test", data={})]
    )
    message = Message.objects.create(channel="email", kind="invitation", person=old_person)
    assert open_followups_from_events(now=now)["opened"] == 0
    deliver_pending()
    message.refresh_from_db()
    assert message.status == DeliveryStatus.PENDING
    assert not FollowUp.objects.filter(person=old_person).exists()
    ProcessingRestriction.objects.update(lifted_at=now)
    assert open_followups_from_events(now=now)["opened"] == 1


def test_the_register_lists_the_processing_activities(client, accueil):
    login_verified(client, accueil)
    page = client.get(reverse("privacy:register")).content.decode()
    assert "Registre des traitements" in page and "CASF art. L. 262-45" in page
    csv_text = client.get(reverse("privacy:register_csv")).content.decode("utf-8-sig")
    assert csv_text.splitlines()[0].startswith("Traitement;Finalité;")
    assert "Droits au RSA" in csv_text


def test_a_restricted_person_is_never_proposed_to_an_offer(two_units, admin):
    from parcours.jobs.matching import rank_candidates
    from tests.jobs.factories import AIDE_A_DOMICILE, OfferFactory, ProfileFactory
    from tests.people.factories import PersonFactory

    offer = OfferFactory(commune=two_units["commune_a"])
    kept = ProfileFactory(person=PersonFactory(commune=two_units["commune_a"]), targets=[AIDE_A_DOMICILE])
    restricted = ProfileFactory(
        person=PersonFactory(commune=two_units["commune_a"]), targets=[AIDE_A_DOMICILE]
    )
    assert {m.profile_id for m in rank_candidates(offer, admin)} == {kept.pk, restricted.pk}
    set_restriction(restricted.person, reason="Opposition aux propositions", by=admin)
    assert [m.profile_id for m in rank_candidates(offer, admin)] == [kept.pk]


def test_a_restricted_person_is_not_invited_until_the_restriction_is_lifted(
    departement, admin, settings, tmp_path
):
    from parcours.appointments.invitations import plan_invitations
    from tests.appointments.factories import OpeningHoursFactory, SlotFactory
    from tests.orientation.factories import FollowUpFactory
    from tests.territory.factories import CommuneFactory, SiteFactory

    settings.PARCOURS_SMS_DIR, settings.PARCOURS_LETTER_DIR = tmp_path / "sms", tmp_path / "letters"
    home = CommuneFactory(departement=departement, latitude=50.60, longitude=3.06)
    site = SiteFactory(departement=departement, commune__latitude=50.62, commune__longitude=3.06)
    OpeningHoursFactory(site=site)
    SlotFactory(site=site)
    followup = FollowUpFactory(
        person__commune=home, person__email="personne@example.test", departement=departement
    )
    set_restriction(followup.person, reason="Exactitude contestée", by=admin)
    assert plan_invitations().invited == []
    ProcessingRestriction.objects.update(lifted_at=timezone.now())
    assert [invitation.followup for invitation in plan_invitations().invited] == [followup]


def test_the_rectifications_page_reads_a_bounded_number_of_queries(
    client, old_person, admin, django_assert_max_num_queries
):
    from parcours.core import audit

    for _ in range(60):
        audit.record_changes(admin, old_person, ["address"])
    login_verified(client, admin)
    with django_assert_max_num_queries(10):
        page = client.get(reverse("privacy:rectifications", args=[old_person.pk]))
    assert page.status_code == 200 and page.content.decode().count("<tr>") == 51  # header + one page of 50
