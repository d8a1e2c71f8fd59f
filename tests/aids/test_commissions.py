"""Commission sessions: the agenda, the decisions of the whole agenda (all or nothing), the
minutes, and their pages."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from parcours.accounts.models import Role
from parcours.aids import commissions, workflows
from parcours.aids.models import AidApplication, ApplicationState, CommissionSession, Decider, SessionState
from parcours.core.models import AuditEvent
from tests.accounts.factories import AgentFactory
from tests.aids.factories import EnvelopeFactory, SchemeVersionFactory, deposited, instructor
from tests.conftest import login_verified
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db
S = ApplicationState


def _pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    """The PDF's text, its whitespace (line breaks of table cells) collapsed to single spaces."""
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).split())


@pytest.fixture
def setting():
    """A commission scheme with a 1 000 € envelope, an instructor and a planned session."""
    version = SchemeVersionFactory(decider=Decider.COMMISSION, amount=Decimal("300"))
    envelope = EnvelopeFactory(scheme=version.scheme, euros=Decimal("1000"))
    agent = instructor()
    session = CommissionSession.objects.create(
        title="Commission FDAJ", held_on=timezone.now() + datetime.timedelta(days=2), chair="Mme Présidente",
        members="M. Membre\nMme Membre", created_by=agent,
    )  # fmt: skip
    return {
        "version": version,
        "scheme": version.scheme,
        "envelope": envelope,
        "agent": agent,
        "session": session,
    }


def _in_instruction(setting, amount="200", **kwargs) -> AidApplication:
    application = deposited(scheme=setting["scheme"], requested_amount=Decimal(amount), **kwargs)
    return workflows.apply(application, "start", by=setting["agent"])


def _agenda(setting, count: int, amount="200") -> list[AidApplication]:
    applications = [_in_instruction(setting, amount) for _ in range(count)]
    for application in applications:
        commissions.enlist(application, setting["session"], by=setting["agent"])
    return applications


def test_enlist_and_unlist(setting):
    application = _in_instruction(setting)
    commissions.enlist(application, setting["session"], by=setting["agent"])
    application.refresh_from_db()
    assert application.state == S.COMMISSION and application.commission_id == setting["session"].pk
    commissions.unlist(application, by=setting["agent"])
    application.refresh_from_db()
    assert application.state == S.INSTRUCTION and application.commission_id is None
    assert [t.name for t in application.transitions.all()][-2:] == ["to_commission", "unlist"]


def test_only_instruction_or_adjourned_applications_are_enlisted(setting):
    application = deposited(scheme=setting["scheme"], requested_amount=Decimal("100"))
    with pytest.raises(ValidationError, match="seule une demande en instruction ou ajournée"):
        commissions.enlist(application, setting["session"], by=setting["agent"])


def test_session_of_another_scheme_refuses(setting):
    other = CommissionSession.objects.create(
        held_on=timezone.now(), scheme=SchemeVersionFactory(decider=Decider.COMMISSION).scheme
    )
    with pytest.raises(ValidationError, match="réservée au dispositif"):
        commissions.enlist(_in_instruction(setting), other, by=setting["agent"])


def test_record_decisions_for_the_whole_agenda(setting):
    a, b, c, d, e = _agenda(setting, 5)
    D = commissions.Decision
    commissions.record_decisions(
        setting["session"],
        [
            D(a, commissions.GRANT, Decimal("200")),
            D(b, commissions.GRANT, Decimal("150")),
            D(c, commissions.GRANT, Decimal("100")),
            D(d, commissions.REFUSE, reasons=["ressources"], note="Ressources au-delà du plafond."),
            D(e, commissions.ADJOURN, note="Devis manquant."),
        ],
        by=setting["agent"],
    )
    session = CommissionSession.objects.get(pk=setting["session"].pk)
    assert session.state == SessionState.HELD and session.decided_by == setting["agent"]
    states = {x.pk: x.state for x in AidApplication.objects.all()}
    assert [states[x.pk] for x in (a, b, c, d, e)] == [
        S.GRANTED,
        S.GRANTED,
        S.GRANTED,
        S.REFUSED,
        S.ADJOURNED,
    ]
    setting["envelope"].refresh_from_db()
    assert setting["envelope"].committed == Decimal("450.00")
    content = commissions.minutes(session)
    assert len(content["rows"]) == 5  # the adjourned application left the agenda, the minutes keep it
    totals = {t["label"]: t for t in content["totals"]}
    assert totals["Accordée"]["count"] == 3 and totals["Accordée"]["amount"] == Decimal("450")
    assert totals["Refusée"]["count"] == 1 and totals["Ajournée"]["count"] == 1
    with pytest.raises(ValidationError, match="est tenue"):
        commissions.enlist(_in_instruction(setting), session, by=setting["agent"])


def test_one_failing_row_records_nothing(setting):
    """The third grant exceeds the envelope: every row is reported, nothing is recorded."""
    a, b, c = _agenda(setting, 3, amount="300")
    setting["envelope"].amount_cents = 70000  # 700 €: two grants of 300 €, not three
    setting["envelope"].save()
    D = commissions.Decision
    with pytest.raises(commissions.DecisionsRejected) as rejected:
        commissions.record_decisions(
            setting["session"],
            [D(a, commissions.GRANT, Decimal("300")), D(b, commissions.GRANT, Decimal("300")),
             D(c, commissions.GRANT, Decimal("300"))],
            by=setting["agent"],
        )  # fmt: skip
    assert list(rejected.value.errors) == [c.pk]
    assert "n'a plus que 100,00" in rejected.value.errors[c.pk][0]
    assert set(AidApplication.objects.values_list("state", flat=True)) == {S.COMMISSION}
    setting["envelope"].refresh_from_db()
    assert setting["envelope"].committed == Decimal("0")
    assert CommissionSession.objects.get(pk=setting["session"].pk).state == SessionState.PLANNED


def test_every_agenda_row_needs_a_decision(setting):
    a, b = _agenda(setting, 2)
    with pytest.raises(commissions.DecisionsRejected) as rejected:
        commissions.record_decisions(
            setting["session"], [commissions.Decision(a, commissions.GRANT)], by=setting["agent"]
        )
    assert rejected.value.errors == {b.pk: ["Choisissez une décision : accorder, refuser ou ajourner."]}


def test_minimal_identity():
    person = PersonFactory(last_name="Dupont", first_names="Marie Claire")
    assert commissions.minimal_identity(person) == "DUPONT M."


# -- pages ----------------------------------------------------------------------------------


def test_pages_need_the_instructor_permission(client, setting):
    login_verified(client, AgentFactory(role=Role.ACCUEIL))
    for url in (reverse("aids:sessions"), reverse("aids:session", args=[setting["session"].pk])):
        assert client.get(url).status_code == 403


def test_sessions_list_and_creation(client, setting, django_assert_max_num_queries):
    CommissionSession.objects.create(
        held_on=timezone.now() - datetime.timedelta(days=30), state=SessionState.HELD
    )
    login_verified(client, setting["agent"])
    with django_assert_max_num_queries(12):
        response = client.get(reverse("aids:sessions"))
    assert response.status_code == 200 and "Commission FDAJ" in response.text
    response = client.post(
        reverse("aids:session_new"),
        {"title": "Commission de mars", "held_on": "2030-03-04T14:00", "place": "Salle 2", "chair": "M. Vice-président",
         "members": "A\nB"},
    )  # fmt: skip
    created = CommissionSession.objects.get(title="Commission de mars")
    assert response.status_code == 302 and response["Location"] == reverse("aids:session", args=[created.pk])
    assert created.created_by == setting["agent"] and created.state == SessionState.PLANNED


def test_session_page_picker_enlists_and_decisions_show_row_errors(
    client, setting, django_assert_max_num_queries
):
    applications = [_in_instruction(setting) for _ in range(3)]
    login_verified(client, setting["agent"])
    url = reverse("aids:session", args=[setting["session"].pk])
    with django_assert_max_num_queries(25):
        response = client.get(url)
    assert all(a.reference in response.text for a in applications)
    response = client.post(
        reverse("aids:session_enlist", args=[setting["session"].pk]),
        {"applications": [a.pk for a in applications]},
    )
    assert response.status_code == 302
    assert set(AidApplication.objects.values_list("state", flat=True)) == {S.COMMISSION}
    with django_assert_max_num_queries(30):
        response = client.get(url)
    assert 'id="decisions-form"' in response.text
    assert "Plafond du dispositif : 300,00" in response.text  # the ceiling shown under the amount
    assert AuditEvent.objects.filter(person_id=applications[0].person_id, path=url).exists()
    a, b, c = applications
    data = {
        f"row-{a.pk}-decision": "accorder", f"row-{a.pk}-amount": "200",
        f"row-{b.pk}-decision": "refuser",  # no reason: the row is refused
        f"row-{c.pk}-decision": "ajourner", f"row-{c.pk}-note": "Devis manquant",
    }  # fmt: skip
    response = client.post(reverse("aids:session_decide", args=[setting["session"].pk]), data)
    assert response.status_code == 400
    assert "Un refus doit être motivé" in response.text
    assert set(AidApplication.objects.values_list("state", flat=True)) == {S.COMMISSION}
    data[f"row-{b.pk}-reasons"] = ["besoin_non_justifie"]
    response = client.post(reverse("aids:session_decide", args=[setting["session"].pk]), data)
    assert response.status_code == 302
    states = dict(AidApplication.objects.values_list("pk", "state"))
    assert [states[a.pk], states[b.pk], states[c.pk]] == [S.GRANTED, S.REFUSED, S.ADJOURNED]
    response = client.get(url)
    assert "Tenue" in response.text and 'id="session-minutes"' in response.text


def test_envelope_error_is_shown_on_its_row(client, setting):
    a, b = _agenda(setting, 2, amount="300")
    setting["envelope"].amount_cents = 40000
    setting["envelope"].save()
    login_verified(client, setting["agent"])
    data = {f"row-{a.pk}-decision": "accorder", f"row-{a.pk}-amount": "300",
            f"row-{b.pk}-decision": "accorder", f"row-{b.pk}-amount": "300"}  # fmt: skip
    response = client.post(reverse("aids:session_decide", args=[setting["session"].pk]), data)
    assert response.status_code == 400
    assert "n&#x27;a plus que 100,00" in response.text or "n'a plus que 100,00" in response.text
    assert set(AidApplication.objects.values_list("state", flat=True)) == {S.COMMISSION}


def test_unlist_from_the_page(client, setting):
    (application,) = _agenda(setting, 1)
    login_verified(client, setting["agent"])
    response = client.post(reverse("aids:session_unlist", args=[setting["session"].pk, application.pk]))
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.state == S.INSTRUCTION


def test_minutes_pdf(client, setting):
    a, b = _agenda(setting, 2)
    a.person.last_name, a.person.first_names = "Martin", "Jeanne"
    a.person.save()
    D = commissions.Decision
    commissions.record_decisions(
        setting["session"],
        [D(a, commissions.GRANT, Decimal("200")), D(b, commissions.REFUSE, reasons=["ressources"])],
        by=setting["agent"],
    )
    login_verified(client, setting["agent"])
    response = client.get(reverse("aids:session_minutes", args=[setting["session"].pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = _pdf_text(response.content)
    assert "MARTIN J." in text and "Jeanne" not in text
    assert a.reference in text and "Ressources supérieures au plafond" in text
    assert AuditEvent.objects.filter(person_id=a.person_id, path__endswith="proces-verbal.pdf").exists()


def test_enlist_one_application_from_its_page(client, setting):
    application = _in_instruction(setting)
    login_verified(client, setting["agent"])
    url = reverse("aids:enlist", args=[application.pk])
    response = client.get(url)
    assert response.status_code == 200 and "Commission FDAJ" in response.text
    response = client.post(url, {"session": setting["session"].pk})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.state == S.COMMISSION and application.commission_id == setting["session"].pk


def test_enlist_page_hides_out_of_scope_application(client, setting):
    application = _in_instruction(setting)
    login_verified(client, AgentFactory(role=Role.INSTRUCTEUR_AIDES, is_active=True))
    # the instructor sees deposited applications' persons: a draft's person stays hidden
    draft = workflows.create_draft(PersonFactory(), setting["scheme"], by=setting["agent"])
    assert client.get(reverse("aids:enlist", args=[draft.pk])).status_code == 404
    assert client.get(reverse("aids:enlist", args=[application.pk])).status_code == 200
