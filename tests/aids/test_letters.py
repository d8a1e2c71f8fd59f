"""Decision letters: the refusal states its reasons and the appeal routes and delays, the grant
its amount, schedule and conditions, the adjournment its motive; fetched, audited, in scope."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from parcours.accounts.models import Role
from parcours.aids import commissions, letters, workflows
from parcours.aids.models import AmountKind, CommissionSession, Decider
from parcours.core.models import AuditAction, AuditEvent
from tests.accounts.factories import AgentFactory
from tests.aids.factories import EnvelopeFactory, SchemeVersionFactory, deposited, instructor
from tests.conftest import login_verified
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db


def _pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).split())


def _started(version, person=None, amount="100"):
    application = deposited(person=person, scheme=version.scheme, requested_amount=Decimal(amount))
    return workflows.apply(application, "start", by=instructor())


def _fetch(client, agent, application):
    login_verified(client, agent)
    response = client.get(reverse("aids:letter", args=[application.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    return _pdf_text(response.content)


def test_refusal_letter_states_reasons_rules_and_appeal_routes(client):
    version = SchemeVersionFactory(rules=[{"kind": "age", "min": 16, "max": 25}])
    EnvelopeFactory(scheme=version.scheme)
    person = PersonFactory(birth_date=datetime.date(1970, 5, 1))
    application = _started(version, person)
    agent = instructor()
    workflows.refuse(
        application, by=agent, reasons=["non_eligible", "autre"], note="Projet déjà financé par ailleurs."
    )
    text = _fetch(client, agent, application)
    assert "Notification de refus" in text
    assert "Conditions d'éligibilité non remplies" in text and "Autre motif" in text
    assert "Projet déjà financé par ailleurs." in text
    failed = next(r for r in application.eligibility if r["passed"] is False)
    assert " ".join(failed["explanation"].split()) in text
    # the appeal routes and delays (CRPA L. 411-2, CJA R. 421-1)
    assert "recours gracieux" in text and "Président du Conseil départemental" in text
    assert "recours contentieux" in text and "tribunal administratif" in text
    assert text.count("deux mois") >= 2 and "Télérecours citoyens" in text
    assert "L. 411-2" in text and "R. 421-1" in text
    assert AuditEvent.objects.filter(
        person_id=person.pk, action=AuditAction.EXPORT, detail__export="courrier_aide"
    ).exists()


def test_grant_letter_of_a_monthly_aid_states_schedule_and_certificate(client):
    version = SchemeVersionFactory(
        amount_kind=AmountKind.MONTHLY, amount=Decimal("200"), months=10, certificate_code="scolarite",
        certificate_months=12, documents=[{"code": "scolarite", "label": "Certificat de scolarité", "required": False}],
    )  # fmt: skip
    EnvelopeFactory(scheme=version.scheme, euros=Decimal("5000"))
    application = _started(version, amount="2000")
    agent = instructor()
    workflows.grant(application, by=agent)
    assert letters.kind_of(application) == letters.GRANT
    text = _fetch(client, agent, application)
    assert "Notification d'attribution" in text and "2 000,00 €" in text.replace("\u202f", " ")
    assert "200,00 € par mois pendant 10 mois" in text
    assert "Certificat de scolarité" in text and "tous les 12 mois" in text
    assert "voies et délais de recours" in text.lower()


def test_adjournment_letter_states_the_motive(client):
    version = SchemeVersionFactory(decider=Decider.COMMISSION)
    EnvelopeFactory(scheme=version.scheme)
    agent = instructor()
    session = CommissionSession.objects.create(held_on=timezone.now(), title="Commission")
    application = _started(version)
    commissions.enlist(application, session, by=agent)
    commissions.record_decisions(
        session,
        [commissions.Decision(application, commissions.ADJOURN, note="Le devis du garage manque.")],
        by=agent,
    )
    application.refresh_from_db()
    text = _fetch(client, agent, application)
    assert "Ajournement" in text and "Le devis du garage manque." in text
    assert f"commission réunie le {timezone.localtime(session.held_on):%-d}" in text


def test_no_letter_before_a_decision_and_permission(client):
    version = SchemeVersionFactory()
    EnvelopeFactory(scheme=version.scheme)
    application = _started(version)
    login_verified(client, instructor())
    assert client.get(reverse("aids:letter", args=[application.pk])).status_code == 404
    client.logout()
    login_verified(client, AgentFactory(role=Role.ACCUEIL))
    assert client.get(reverse("aids:letter", args=[application.pk])).status_code == 403
