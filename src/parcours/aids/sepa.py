"""The files of a payment batch: the SEPA credit transfer (ISO 20022 pain.001.001.03, written by
`sepaxml` and validated against the XSD that sepaxml ships, with lxml) and the CSV of the
département's accounting software.

The debtor (the département's account) comes from settings (`PARCOURS_SEPA_DEBTOR_NAME`,
`_IBAN`, `_BIC`). Each transfer carries an end-to-end identifier (`AID<application>-<sequence>`)
and a remittance text (scheme, application reference, instalment) that name no person: the
payee's name and IBAN are in the creditor's fields only, as the bank needs them.

The accounting CSV: `;` separator, comma decimals, UTF-8 with a BOM (Excel opens it in French),
every text cell passed through `core.spreadsheet_safety.neutralise`.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import sepaxml
from django.conf import settings
from django.core.exceptions import ValidationError
from lxml import etree

from parcours.aids.iban import validate_bic, validate_iban
from parcours.aids.models import PaymentBatch, PaymentState
from parcours.aids.models.envelopes import cents
from parcours.core.spreadsheet_safety import neutralise

SCHEMA = "pain.001.001.03"
SCHEMA_DIR = Path(sepaxml.__file__).parent / "schemas"
CSV_HEADER = [
    "Lot",
    "Date d'exécution",
    "Référence de la demande",
    "Échéance",
    "Dispositif",
    "Bénéficiaire",
    "Type de bénéficiaire",
    "IBAN",
    "BIC",
    "Montant",
    "Identifiant de bout en bout",
]


def debtor() -> dict:
    """The département's account, from settings; a French error names what is missing."""
    name = getattr(settings, "PARCOURS_SEPA_DEBTOR_NAME", "")
    iban = getattr(settings, "PARCOURS_SEPA_DEBTOR_IBAN", "")
    if not (name and iban):
        raise ValidationError(
            "Le compte du département (PARCOURS_SEPA_DEBTOR_NAME et PARCOURS_SEPA_DEBTOR_IBAN) n'est pas "
            "configuré : demandez à l'administrateur du serveur de le renseigner (docs/aids-payments.md)."
        )
    config = {"name": name, "IBAN": validate_iban(iban), "batch": True, "currency": "EUR"}
    bic = validate_bic(getattr(settings, "PARCOURS_SEPA_DEBTOR_BIC", ""), config["IBAN"])
    if bic:
        config["BIC"] = bic
    return config


def end_to_end_id(payment) -> str:
    return f"AID{payment.application_id}-{payment.sequence}"


def _payments(batch: PaymentBatch):
    return (
        batch.payments.exclude(state=PaymentState.CANCELLED)
        .select_related("application__scheme")
        .order_by("application_id", "sequence")
    )


def pain001(batch: PaymentBatch) -> bytes:
    """The batch as a pain.001.001.03 credit transfer, validated against the schema."""
    transfer = sepaxml.SepaTransfer(debtor(), schema=SCHEMA, clean=True)
    for payment in _payments(batch):
        application = payment.application
        if not application.iban:
            raise ValidationError(f"La demande {application.reference} n'a pas d'IBAN : retirez-la du lot.")
        line = {
            "name": application.payee_name or "Beneficiaire",
            "IBAN": application.iban,
            "amount": cents(payment.amount),
            "execution_date": batch.execution_date,
            "description": f"{application.scheme.name} {application.reference} echeance {payment.sequence}",
            "endtoend_id": end_to_end_id(payment),
        }
        if application.bic:
            line["BIC"] = application.bic
        transfer.add_payment(line)
    xml = transfer.export(validate=False)
    validate(xml)
    return xml


def schema(name: str = SCHEMA) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA_DIR / f"{name}.xsd")))


def validate(xml: bytes, name: str = SCHEMA) -> None:
    """Raise ValidationError unless `xml` is valid against the pain.001 schema `name`."""
    document = etree.fromstring(xml, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    checker = schema(name)
    if not checker.validate(document):
        first = checker.error_log.filter_from_errors()[0] if checker.error_log else None
        raise ValidationError(
            f"Le fichier SEPA ne respecte pas le schéma {name} : {first.message if first else ''}"
        )


def _amount(value: Decimal) -> str:
    return f"{value:.2f}".replace(".", ",")


def accounting_csv(batch: PaymentBatch) -> bytes:
    """The batch as the accounting software's CSV (full IBAN: the payment screen only)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for payment in _payments(batch):
        application = payment.application
        writer.writerow(
            [
                neutralise(value) if isinstance(value, str) else value
                for value in (
                    batch.reference,
                    batch.execution_date.strftime("%d/%m/%Y"),
                    application.reference,
                    payment.sequence,
                    application.scheme.name,
                    application.payee_name,
                    application.get_payee_kind_display(),
                    application.iban,
                    application.bic,
                    _amount(payment.amount),
                    end_to_end_id(payment),
                )
            ]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")
