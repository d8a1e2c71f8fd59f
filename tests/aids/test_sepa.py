"""The files of a payment batch: the SEPA credit transfer validated against the pain.001 schema
(sums and counts matching the batch) and the accounting CSV."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from lxml import etree

from parcours.aids import payments, sepa
from tests.aids.test_payments import IBAN, paying

pytestmark = pytest.mark.django_db
NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"}


@pytest.fixture(autouse=True)
def debtor(settings):
    settings.PARCOURS_SEPA_DEBTOR_NAME = "Département du Nord"
    settings.PARCOURS_SEPA_DEBTOR_IBAN = "FR7630001007941234567890185"
    settings.PARCOURS_SEPA_DEBTOR_BIC = "BDFEFRPPCCT"


def batch_of(*amounts, payee_name="Jeanne Martin"):
    applications = [paying(Decimal(a), payee_name=payee_name)[0] for a in amounts]
    ids = [p.pk for a in applications for p in a.payments.all()]
    return payments.prepare_batch(ids, execution_date=timezone.localdate(), by=None), applications


def test_pain001_is_valid_and_sums_match_the_batch():
    batch, applications = batch_of("250", "99.90", "400")
    xml = sepa.pain001(batch)
    document = etree.fromstring(xml)
    assert sepa.schema().validate(document)  # the official XSD shipped with sepaxml
    assert document.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:NbOfTxs", namespaces=NS) == "3"
    assert document.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:CtrlSum", namespaces=NS) == "749.90"
    amounts = [Decimal(a.text) for a in document.iterfind(".//p:CdtTrfTxInf/p:Amt/p:InstdAmt", NS)]
    assert sum(amounts) == batch.total == Decimal("749.90")
    assert document.findtext(".//p:DbtrAcct/p:Id/p:IBAN", namespaces=NS) == "FR7630001007941234567890185"
    assert {e.text for e in document.iterfind(".//p:CdtrAcct/p:Id/p:IBAN", NS)} == {IBAN}
    ends = {e.text for e in document.iterfind(".//p:PmtId/p:EndToEndId", NS)}
    assert ends == {f"AID{a.pk}-1" for a in applications}
    assert document.findtext(".//p:ReqdExctnDt", namespaces=NS) == batch.execution_date.isoformat()


def test_a_broken_file_is_refused_by_the_schema():
    batch, _ = batch_of("10")
    xml = sepa.pain001(batch).replace(b"<NbOfTxs>1</NbOfTxs>", b"<NbOfTxs>un</NbOfTxs>", 1)
    with pytest.raises(ValidationError, match="ne respecte pas le schéma"):
        sepa.validate(xml)


def test_missing_debtor_account_is_explained(settings):
    settings.PARCOURS_SEPA_DEBTOR_IBAN = ""
    batch, _ = batch_of("10")
    with pytest.raises(ValidationError, match="PARCOURS_SEPA_DEBTOR_IBAN"):
        sepa.pain001(batch)


def test_accounting_csv_french_separators_bom_and_neutralised_cells():
    batch, applications = batch_of("99.90", payee_name="=HYPERLINK(1)")
    content = sepa.accounting_csv(batch)
    assert content.startswith("\ufeff".encode())
    lines = content.decode("utf-8-sig").splitlines()
    assert lines[0].split(";")[0] == "Lot" and len(lines) == 2
    cells = lines[1].split(";")
    assert cells[0] == batch.reference
    assert "99,90" in cells and IBAN in cells
    assert "'=HYPERLINK(1)" in cells
