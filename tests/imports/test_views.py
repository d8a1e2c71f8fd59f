import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from parcours.core.models import AuditEvent
from parcours.imports.models import DuplicateCandidate, ImportBatch
from parcours.people.models import Person
from parcours.rsa.synthetic import write_flux
from tests.accounts.factories import AgentFactory
from tests.people.factories import PersonFactory
from tests.rsa.factories import dossier
from tests.territory.factories import CommuneFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def sync_imports(settings, tmp_path):
    settings.PARCOURS_IMPORTS_SYNC = True
    settings.VAR_DIR = tmp_path
    settings.PARCOURS_DEMO = True  # lets otp_exempt agents past the second factor


def login(client, **agent):
    client.force_login(AgentFactory(otp_exempt=True, **agent))
    return client


@pytest.fixture
def lille(departement):
    return CommuneFactory(departement=departement, insee_code="59350", postal_codes="59000", name="Lille")


@pytest.fixture
def manager_client(client, lille):
    return login(client, role="manager", units=[lille.unit])


@pytest.fixture
def admin_client(client, lille):
    """The CNAF flux covers the whole département: administrators import it."""
    return login(client, role="administrateur")


def _flux(tmp_path, dossiers) -> bytes:
    path = tmp_path / "flux.xml"
    write_flux(path, dossiers)
    return path.read_bytes()


def test_import_page_is_for_import_roles(client, lille):
    login(client, role="referent")
    assert client.get(reverse("imports:index")).status_code == 403


def test_upload_a_cnaf_flux_and_read_the_report(admin_client, tmp_path):
    upload = SimpleUploadedFile("flux.xml", _flux(tmp_path, [dossier(1), dossier(2, insee_code="59999")]))
    response = admin_client.post(reverse("imports:index"), {"kind": "cnaf", "file": upload})
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("imports:detail", args=[batch.pk])
    assert (batch.status, batch.created, batch.quarantined) == ("done", 1, 1)
    page = admin_client.get(response.url)
    assert page.status_code == 200
    content = page.content.decode()
    assert "Commune inconnue" in content
    assert "Télécharger la liste des dossiers en quarantaine" in content
    progress = admin_client.get(response.url + "?partial=progress", HTTP_HX_REQUEST="true")
    assert 'value="100"' in progress.content.decode()
    assert "hx-trigger" not in progress.content.decode()  # finished: polling stops
    rejected = admin_client.get(reverse("imports:rejected", args=[batch.pk]))
    assert rejected["Content-Type"].startswith("text/csv")
    assert "59999" in rejected.content.decode("utf-8-sig")


def test_progress_polls_while_running(admin_client):
    batch = ImportBatch.objects.create(
        kind="cnaf", file_name="f.xml", sha256="x", status="running", total=10, processed=4
    )
    response = admin_client.get(
        reverse("imports:detail", args=[batch.pk]) + "?partial=progress", HTTP_HX_REQUEST="true"
    )
    content = response.content.decode()
    assert 'value="40"' in content
    assert "every 1s" in content


def test_rejected_flux_is_reported_in_french(admin_client, tmp_path):
    upload = SimpleUploadedFile("flux.xml", b"<Racine><Foo/></Racine>")
    admin_client.post(reverse("imports:index"), {"kind": "cnaf", "file": upload})
    batch = ImportBatch.objects.get()
    assert batch.status == "rejected"
    page = admin_client.get(reverse("imports:detail", args=[batch.pk])).content.decode()
    assert "Fichier rejeté : rien n'a été modifié" in page


def test_rejected_rows_of_a_beneficiary_file_download_as_csv_to_fix(manager_client):
    csv = "Nom;Prénom;Date de naissance;CP Ville\nDupont;Jean;15/03/1980;59000 Lille\nMartin;Paul;31/02/1980;59000 Lille\n"
    upload = SimpleUploadedFile("benef.csv", csv.encode())
    manager_client.post(reverse("imports:index"), {"kind": "people", "file_format": "csv", "file": upload})
    batch = ImportBatch.objects.get()
    assert (batch.created, batch.quarantined) == (1, 1)
    content = manager_client.get(reverse("imports:rejected", args=[batch.pk])).content.decode("utf-8-sig")
    header, row = content.strip().splitlines()
    assert header == "Nom;Prénom;Date de naissance;CP Ville;Motif du rejet"
    assert row.startswith("Martin;Paul;31/02/1980;59000 Lille;")
    assert AuditEvent.objects.filter(action="export").exists()


def test_dry_run_from_the_page(admin_client, tmp_path):
    upload = SimpleUploadedFile("flux.xml", _flux(tmp_path, [dossier(1)]))
    admin_client.post(reverse("imports:index"), {"kind": "cnaf", "file": upload, "dry_run": "on"})
    batch = ImportBatch.objects.get()
    assert (batch.status, batch.created, batch.dry_run) == ("done", 1, True)
    assert not Person.objects.exists()


def test_duplicates_queue_merge_and_undo(manager_client, lille):
    born = datetime.date(1980, 3, 15)
    kept = PersonFactory(nir="", last_name="Dupont", first_names="Jean", birth_date=born, commune=lille)
    other = PersonFactory(nir="", last_name="Dupont", first_names="Jean", birth_date=born, commune=lille)
    candidate = DuplicateCandidate.objects.create(person=kept, duplicate_id=other.pk, reason="Mêmes nom")
    page = manager_client.get(reverse("imports:duplicates"))
    assert "Fusionner" in page.content.decode()
    manager_client.post(reverse("imports:duplicate_decide", args=[candidate.pk, "fusionner"]))
    assert not Person.objects.filter(pk=other.pk).exists()
    manager_client.post(reverse("imports:duplicate_decide", args=[candidate.pk, "annuler"]))
    assert Person.objects.filter(pk=other.pk).exists()


def test_duplicates_of_persons_out_of_reach_are_hidden(client, lille, departement):
    elsewhere = CommuneFactory(departement=departement)
    born = datetime.date(1980, 3, 15)
    a = PersonFactory(nir="", birth_date=born, commune=elsewhere)
    b = PersonFactory(nir="", birth_date=born, commune=elsewhere)
    candidate = DuplicateCandidate.objects.create(person=a, duplicate_id=b.pk, reason="x")
    login(client, role="manager", units=[lille.unit])
    assert a.last_name not in client.get(reverse("imports:duplicates")).content.decode()
    response = client.post(reverse("imports:duplicate_decide", args=[candidate.pk, "fusionner"]))
    assert response.status_code == 404
    assert Person.objects.filter(pk=b.pk).exists()


def test_upload_resumes_an_interrupted_import_of_the_same_file(admin_client, tmp_path):
    from parcours.imports.models import ImportRecord
    from parcours.imports.runner import file_sha256

    content = _flux(tmp_path, [dossier(1), dossier(2)])
    (tmp_path / "same.xml").write_bytes(content)
    interrupted = ImportBatch.objects.create(
        kind="cnaf", file_name="f.xml", sha256=file_sha256(tmp_path / "same.xml"), status="running", pid=None
    )
    admin_client.post(
        reverse("imports:index"), {"kind": "cnaf", "file": SimpleUploadedFile("f.xml", content)}
    )
    batch = ImportBatch.objects.exclude(pk=interrupted.pk).get()
    assert (batch.status, batch.created) == ("done", 2)
    assert ImportRecord.objects.filter(batch=batch).count() == 2
    interrupted.refresh_from_db()
    assert interrupted.status == "failed"


def test_import_page_lists_the_latest_imports(manager_client, lille):
    colleague = AgentFactory(role="charge_orientation", units=[lille.unit])
    ImportBatch.objects.create(
        kind="people", file_name="benef.xlsx", sha256="x", status="done", created=3, created_by=colleague
    )
    ImportBatch.objects.create(kind="people", file_name="ailleurs.xlsx", sha256="y", status="done")
    page = manager_client.get(reverse("imports:index")).content.decode()
    # A manager reads the imports of their units' agents, not the others'.
    assert "ailleurs.xlsx" not in page
    assert "benef.xlsx" in page
    assert "Fichier de bénéficiaires" in page
    assert 'enctype="multipart/form-data"' in page
