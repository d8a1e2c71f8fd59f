"""Filing and instructing aid applications through the pages: the form built from the version,
the eligibility preview, the subsidiarity checklist, deposit, and the instructor's actions with
their French errors (authority, documents, envelope, ceiling, waiting period)."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from parcours.aids import workflows
from parcours.aids.models import (
    AidApplication,
    ApplicationState,
    ChildProtectionPlacement,
    Decider,
    DocumentStatus,
)
from parcours.core.models import AuditAction, AuditEvent
from tests.accounts.factories import AgentFactory
from tests.aids.factories import EnvelopeFactory, SchemeVersionFactory, deposited, instructor
from tests.conftest import login_verified
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db


def years_ago(years: int, days: int = 30) -> datetime.date:
    today = timezone.localdate()
    return today.replace(year=today.year - years) - datetime.timedelta(days=days)


@pytest.fixture
def fdaj(two_units):
    version = SchemeVersionFactory(
        scheme__name="FDAJ", scheme__code="fdaj", rules=[{"kind": "age", "min": 16, "max": 25}],
        documents=[{"code": "identite", "label": "Pièce d'identité"}],
        subsidiarity=[{"code": "fsl", "label": "FSL"}, {"code": "ccas", "label": "Aide du CCAS"}],
        waiting_period_days=180,
    )  # fmt: skip
    EnvelopeFactory(scheme=version.scheme, euros=Decimal("1000"))
    return version


@pytest.fixture
def young(two_units):
    return PersonFactory(birth_date=years_ago(17), commune=two_units["commune_a"])


@pytest.fixture
def reception(two_units):
    return AgentFactory(role="accueil", units=[two_units["unit_a"]])


def filing_data(**extra):
    data = {
        "dispositif": "fdaj", "purpose": "Loyer impayé, risque d'expulsion", "requested_amount": "300",
        "emergency": "on", "sub_fsl_status": "refusee", "sub_fsl_note": "Refus du 02/11",
        "sub_ccas_status": "non_demandee", "sub_ccas_note": "", "deposer": "",
    }  # fmt: skip
    data.update(extra)
    return data


def test_scheme_choice_then_form_with_preview(client, fdaj, young, reception):
    login_verified(client, reception)
    url = reverse("aids:new", args=[young.pk])
    page = client.get(url).content.decode()
    assert "FDAJ" in page and "Choisir « FDAJ »" in page and "Pièce d&#x27;identité" in page
    page = client.get(url, {"dispositif": "fdaj"}).content.decode()
    assert "Avoir entre 16 et 25 ans le jour de la demande" in page
    assert "La personne a 17 ans" in page and "✓ rempli" in page
    assert "Urgence" in page and "48 h" in page  # the version has an emergency procedure


def test_file_and_deposit_an_emergency(client, fdaj, young, reception):
    login_verified(client, reception)
    response = client.post(reverse("aids:new", args=[young.pk]), filing_data())
    application = AidApplication.objects.get()
    assert response.status_code == 302 and response.url == reverse("aids:application", args=[application.pk])
    assert application.state == ApplicationState.SUBMITTED and application.emergency
    assert application.version == fdaj and application.filed_by == reception
    assert application.subsidiarity["fsl"] == {"status": "refusee", "note": "Refus du 02/11"}
    assert application.due_at is not None
    page = client.get(response.url).content.decode()
    assert "déposée sous la version" in page and "Déposée" in page
    assert (
        "Non sollicitée sans justification" in page and "Aide du CCAS" in page
    )  # flagged for the instructor
    assert "Pièce d&#x27;identité" in page and "manquante" in page


def test_deposit_requires_every_subsidiarity_row_answered_but_a_draft_does_not(
    client, fdaj, young, reception
):
    login_verified(client, reception)
    url = reverse("aids:new", args=[young.pk])
    response = client.post(url, filing_data(sub_ccas_status=""))
    assert response.status_code == 200 and not AidApplication.objects.exists()
    assert "Indiquez si cette aide a été sollicitée" in response.content.decode()
    data = filing_data(sub_ccas_status="")
    del data["deposer"]
    data["brouillon"] = ""
    client.post(url, data)
    draft = AidApplication.objects.get()
    assert draft.state == ApplicationState.DRAFT
    # The draft is completed and deposited from its own page.
    response = client.post(reverse("aids:edit", args=[draft.pk]), filing_data(sub_ccas_note="Hors commune"))
    draft.refresh_from_db()
    assert response.status_code == 302 and draft.state == ApplicationState.SUBMITTED
    assert draft.subsidiarity["ccas"]["note"] == "Hors commune"


def test_ineligible_rule_is_named_and_deposit_still_possible(client, fdaj, two_units, reception):
    older = PersonFactory(birth_date=years_ago(40), commune=two_units["commune_a"])
    login_verified(client, reception)
    page = client.get(reverse("aids:new", args=[older.pk]), {"dispositif": "fdaj"}).content.decode()
    assert (
        "1 critère non rempli" in page
        and "Avoir entre 16 et 25 ans" in page
        and "La personne a 40 ans" in page
    )
    response = client.post(reverse("aids:new", args=[older.pk]), filing_data())
    assert response.status_code == 302
    assert AidApplication.objects.get().eligibility[0]["passed"] is False


def test_amount_above_the_ceiling_is_refused_in_french(client, fdaj, young, reception):
    login_verified(client, reception)
    response = client.post(reverse("aids:new", args=[young.pk]), filing_data(requested_amount="900"))
    page = response.content.decode()
    assert response.status_code == 200 and "dépasse le plafond du dispositif (500,00" in page
    assert "La demande n'est pas enregistrée" in page
    assert not AidApplication.objects.exists()


def test_same_need_within_the_waiting_period_is_refused(client, fdaj, young, reception):
    agent = instructor()
    first = deposited(young, fdaj.scheme, requested_amount=Decimal("100"))
    workflows.apply(first, "start", by=agent)
    first.documents.create(code="identite", file="x.pdf", original_name="x.pdf", status=DocumentStatus.VALID,
                           uploaded_at=timezone.now())  # fmt: skip
    workflows.grant(first, by=agent)
    login_verified(client, reception)
    response = client.post(reverse("aids:new", args=[young.pk]), filing_data())
    page = response.content.decode()
    assert "délai de carence de 180 jours" in page
    assert AidApplication.objects.count() == 1  # the draft was not kept either


def test_a_person_out_of_scope_is_404_audited(client, fdaj, two_units, reception):
    elsewhere = PersonFactory(birth_date=years_ago(17), commune=two_units["commune_b"])
    login_verified(client, reception)
    assert client.get(reverse("aids:new", args=[elsewhere.pk])).status_code == 404
    assert AuditEvent.objects.filter(agent=reception, action=AuditAction.DENIED).exists()


def test_from_a_tray_item_of_another_person_is_404(client, fdaj, young, reception):
    from tests.reception.factories import TrayItemFactory

    item = TrayItemFactory()
    login_verified(client, reception)
    response = client.get(reverse("aids:new", args=[young.pk]), {"item": item.pk, "dispositif": "fdaj"})
    assert response.status_code == 404


# -- instruction ----------------------------------------------------------------------------


@pytest.fixture
def submitted(fdaj, young, reception):
    return deposited(young, fdaj.scheme, by=reception, emergency=True, requested_amount=Decimal("300"))


def act(client, application, name, data=None):
    return client.post(reverse("aids:application_action", args=[application.pk, name]), data or {})


def test_start_assigns_the_instructor_and_request_documents_pauses(client, submitted):
    agent = instructor()
    login_verified(client, agent)
    page = client.get(reverse("aids:application", args=[submitted.pk])).content.decode()
    assert "Commencer l&#x27;instruction" in page and "reste " in page
    assert act(client, submitted, "start").status_code == 302
    submitted.refresh_from_db()
    assert submitted.state == ApplicationState.INSTRUCTION and submitted.instructor == agent
    response = act(client, submitted, "request_documents", {"note": ""})
    assert "Pièces demandées" in response.content.decode()  # the note is required
    act(client, submitted, "request_documents", {"note": "Pièce d'identité lisible"})
    submitted.refresh_from_db()
    assert submitted.state == ApplicationState.MISSING_DOCUMENTS
    page = client.get(reverse("aids:application", args=[submitted.pk])).content.decode()
    assert "délai suspendu" in page and "Pièce d&#x27;identité lisible" in page


def test_missing_document_blocks_the_grant(client, submitted):
    agent = instructor()
    workflows.apply(submitted, "start", by=agent)
    login_verified(client, agent)
    response = act(client, submitted, "grant", {"amount": "300"})
    page = response.content.decode()
    assert response.status_code == 200 and "Accord impossible : pièce manquante ou non conforme." in page
    submitted.refresh_from_db()
    assert submitted.state == ApplicationState.INSTRUCTION


def _valid_document(application):
    application.documents.create(code="identite", file="x.pdf", original_name="x.pdf", status=DocumentStatus.VALID,
                                 uploaded_at=timezone.now())  # fmt: skip


def test_grant_then_page_shows_accorded_within_service_level(client, submitted):
    agent = instructor()
    workflows.apply(submitted, "start", by=agent)
    _valid_document(submitted)
    login_verified(client, agent)
    assert act(client, submitted, "grant", {"amount": "250", "note": "Urgence avérée"}).status_code == 302
    submitted.refresh_from_db()
    assert submitted.state == ApplicationState.GRANTED and submitted.granted_amount == Decimal("250")
    page = client.get(reverse("aids:application", args=[submitted.pk])).content.decode()
    assert "Accordée" in page and "dans le délai" in page and "Urgence avérée" in page


def test_exhausted_envelope_message_is_shown(client, submitted):
    envelope = submitted.scheme.envelopes.get()
    envelope.amount_cents = 10000  # 100 €
    envelope.save()
    agent = instructor()
    workflows.apply(submitted, "start", by=agent)
    _valid_document(submitted)
    login_verified(client, agent)
    page = act(client, submitted, "grant", {"amount": "300"}).content.decode()
    assert "Action non effectuée" in page and "n&#x27;a plus que 100,00" in page


def test_decision_without_authority_is_refused_in_french(client, two_units, young, reception):
    version = SchemeVersionFactory(decider=Decider.HEAD_OF_SERVICE)
    EnvelopeFactory(scheme=version.scheme)
    application = deposited(young, version.scheme, by=reception, requested_amount=Decimal("100"))
    agent = instructor()
    workflows.apply(application, "start", by=agent)
    login_verified(client, agent)
    page = act(client, application, "refuse", {"reasons": ["non_eligible"]}).content.decode()
    assert "Vous n&#x27;avez pas qualité pour décider de cette aide" in page and "chef de service" in page
    application.refresh_from_db()
    assert application.state == ApplicationState.INSTRUCTION


def test_refuse_with_reasons(client, submitted):
    agent = instructor()
    login_verified(client, agent)
    act(client, submitted, "refuse", {"reasons": ["subsidiarite", "autre"], "note": "Voir le FSL"})
    submitted.refresh_from_db()
    assert submitted.state == ApplicationState.REFUSED and submitted.decision_reasons == [
        "subsidiarite",
        "autre",
    ]
    page = client.get(reverse("aids:application", args=[submitted.pk])).content.decode()
    assert "Une autre aide doit être sollicitée d&#x27;abord (subsidiarité)" in page


def test_withdraw_needs_confirmation_and_a_filer_may_withdraw(client, submitted, reception):
    login_verified(client, reception)
    page = act(client, submitted, "withdraw", {"withdraw-note": "La personne renonce"}).content.decode()
    assert "Cochez « Je confirme »" in page
    act(client, submitted, "withdraw", {"withdraw-note": "La personne renonce", "withdraw-confirm": "on"})
    submitted.refresh_from_db()
    assert submitted.state == ApplicationState.WITHDRAWN


def test_a_filer_may_not_instruct(client, submitted, reception):
    login_verified(client, reception)
    assert act(client, submitted, "start").status_code == 403
    page = client.get(reverse("aids:application", args=[submitted.pk])).content.decode()
    assert 'data-action="start"' not in page


def test_record_an_ase_placement(client, submitted, young):
    login_verified(client, instructor())
    response = client.post(
        reverse("aids:placement_add", args=[submitted.pk]),
        {"placed_from": "2015-03-01", "placed_until": "2020-06-30", "attested_by": "Service ASE de Lille"},
    )
    assert response.status_code == 302
    assert ChildProtectionPlacement.objects.get(person=young).attested_by == "Service ASE de Lille"


def test_person_panel_lists_applications_in_few_queries(client, submitted, young, reception):
    from parcours.aids.person_panel import person_panel_context

    login_verified(client, reception)
    page = client.get(reverse("people:detail", args=[young.pk])).content.decode()
    assert submitted.reference in page and "Nouvelle demande d'aide" in page
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        context = person_panel_context(young, reception)
    assert len(queries) <= 2 and context["aids_applications"] == [submitted]


def test_filing_from_a_financial_aid_tray_item(client, fdaj, young, reception):
    from tests.reception.factories import ContactFactory, TrayFactory, TrayItemFactory, member

    tray = TrayFactory(service="aides_financieres", name="Aides financières Lille")
    member(tray, reception)
    item = TrayItemFactory(contact=ContactFactory(person=young), tray=tray)
    other_tray_item = TrayItemFactory(
        contact=ContactFactory(person=young), tray=TrayFactory(service="logement")
    )
    member(other_tray_item.tray, reception)
    login_verified(client, reception)
    page = client.get(reverse("reception:item", args=[item.pk])).content.decode()
    link = f"{reverse('aids:new', args=[young.pk])}?item={item.pk}"
    assert link in page and "Déposer une demande d'aide" in page
    assert (
        "Déposer une demande d'aide"
        not in client.get(reverse("reception:item", args=[other_tray_item.pk])).content.decode()
    )
    response = client.post(reverse("aids:new", args=[young.pk]), filing_data(item=str(item.pk)))
    assert response.status_code == 302
    assert AidApplication.objects.get().tray_item == item
