"""The applications' documents: only PDF, JPEG and PNG by their first bytes, within the size
limit, names sanitised, stored privately; downloaded as attachments by agents who see the person
(404 audited otherwise); checked by the instructor."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from parcours.aids import documents
from parcours.aids.models import ApplicationDocument, DocumentStatus
from parcours.core.models import AuditAction, AuditEvent
from tests.accounts.factories import AgentFactory
from tests.aids.factories import EnvelopeFactory, SchemeVersionFactory, deposited, instructor
from tests.conftest import login_verified
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def private_var(settings, tmp_path, monkeypatch):
    """The documents' storage in the test's folder (the field's storage is built at import)."""
    from django.core.files.storage import FileSystemStorage

    settings.VAR_DIR = tmp_path
    storage = FileSystemStorage(
        location=tmp_path / "aids", file_permissions_mode=0o600, directory_permissions_mode=0o700
    )
    monkeypatch.setattr(ApplicationDocument._meta.get_field("file"), "storage", storage)


@pytest.fixture
def application(two_units):
    version = SchemeVersionFactory(documents=[{"code": "devis", "label": "Devis"}])
    EnvelopeFactory(scheme=version.scheme)
    person = PersonFactory(commune=two_units["commune_a"])
    return deposited(person, version.scheme, requested_amount=Decimal("100"))


@pytest.fixture
def filer(two_units):
    return AgentFactory(role="accueil", units=[two_units["unit_a"]])


def upload(client, application, content: bytes, name="devis.pdf", code="devis"):
    return client.post(
        reverse("aids:document_upload", args=[application.pk]),
        {"code": code, "file": SimpleUploadedFile(name, content, content_type="application/pdf")},
    )


def test_sniff_and_sanitise():
    assert documents.sniff(PDF) == ("application/pdf", ".pdf")
    assert documents.sniff(b"\x89PNG\r\n\x1a\n....") == ("image/png", ".png")
    assert documents.sniff(b"MZ\x90\x00") is None
    assert documents.sanitise_name("../../Évaluation été (1).exe.pdf", ".pdf") == "Evaluation_ete_1_.exe.pdf"
    assert documents.sanitise_name("", ".png") == "piece.png"


def test_upload_a_pdf_is_stored_privately(client, application, filer, tmp_path):
    login_verified(client, filer)
    response = upload(client, application, PDF, name="Dévis auto-école.PDF")
    assert response.status_code == 302
    document = ApplicationDocument.objects.get()
    assert document.original_name == "Devis_auto-ecole.pdf" and document.content_type == "application/pdf"
    assert document.status == DocumentStatus.TO_CHECK and document.size == len(PDF)
    stored = tmp_path / "aids" / document.file.name
    assert stored.read_bytes() == PDF and oct(stored.stat().st_mode & 0o777) == "0o600"


def test_a_bad_type_is_rejected_whatever_its_name(client, application, filer):
    login_verified(client, filer)
    response = upload(client, application, b"MZ\x90\x00 not a pdf", name="devis.pdf")
    page = response.content.decode()
    assert response.status_code == 200 and "ni un PDF, ni une image JPEG ou PNG" in page
    assert not ApplicationDocument.objects.exists()


def test_a_file_too_large_is_rejected(client, application, filer, settings):
    settings.PARCOURS_MAX_UPLOAD_MB = 0
    login_verified(client, filer)
    page = upload(client, application, PDF).content.decode()
    assert "dépasse 0 Mo" in page and not ApplicationDocument.objects.exists()


def test_download_is_an_attachment(client, application, filer):
    login_verified(client, filer)
    upload(client, application, PDF)
    document = ApplicationDocument.objects.get()
    response = client.get(reverse("aids:document", args=[document.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment;")


def test_another_persons_document_is_404_audited(client, application, filer, two_units):
    login_verified(client, filer)
    upload(client, application, PDF)
    document = ApplicationDocument.objects.get()
    outsider = AgentFactory(role="accueil", units=[two_units["unit_b"]])
    login_verified(client, outsider)
    assert client.get(reverse("aids:document", args=[document.pk])).status_code == 404
    assert AuditEvent.objects.filter(agent=outsider, action=AuditAction.DENIED).exists()


def test_the_instructor_checks_a_document(client, application, filer):
    login_verified(client, filer)
    upload(client, application, PDF)
    document = ApplicationDocument.objects.get()
    agent = instructor()
    login_verified(client, agent)
    url = reverse("aids:document_check", args=[document.pk])
    client.post(url, {"verdict": "non_conforme", "reason": ""})
    document.refresh_from_db()
    assert document.status == DocumentStatus.TO_CHECK  # a reason is required
    client.post(url, {"verdict": "non_conforme", "reason": "Illisible"})
    document.refresh_from_db()
    assert document.status == DocumentStatus.REJECTED and document.rejection_reason == "Illisible"
    page = client.get(reverse("aids:application", args=[application.pk])).content.decode()
    assert "Non conforme" in page and "Illisible" in page and "manquante" in page
    client.post(url, {"verdict": "conforme"})
    document.refresh_from_db()
    assert document.status == DocumentStatus.VALID and document.checked_by == agent
    assert documents.OPEN_STATES  # documents may be added while instructing


def test_a_filer_may_not_check(client, application, filer):
    login_verified(client, filer)
    upload(client, application, PDF)
    document = ApplicationDocument.objects.get()
    assert (
        client.post(reverse("aids:document_check", args=[document.pk]), {"verdict": "conforme"}).status_code
        == 403
    )
