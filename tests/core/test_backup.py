"""Backups that restore: `parcours backup` then `parcours restore-check` on a small database, a
tampered manifest or dump that fails, and `parcours restore` refusing a newer schema."""

import io
import json
import uuid

import psycopg
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from parcours.core import audit
from parcours.core.audit_chain import seal
from parcours.core.backup import DUMP, MANIFEST, Database, RestoreRefused, restore
from parcours.core.models import AuditAction
from tests.territory.factories import CommuneFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def needs_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")


@pytest.fixture
def private_files(settings, tmp_path):
    """The installation's private folders, in tmp_path, with one letter and one uploaded file."""
    settings.VAR_DIR = tmp_path / "var"
    settings.PARCOURS_LETTER_DIR = tmp_path / "var" / "letters"
    settings.PARCOURS_SMS_DIR = tmp_path / "var" / "sms"
    settings.EMAIL_FILE_PATH = tmp_path / "var" / "mails"
    (tmp_path / "var" / "letters").mkdir(parents=True)
    (tmp_path / "var" / "imports").mkdir()
    (tmp_path / "var" / "letters" / "courrier-1.pdf").write_bytes(b"%PDF-1.4 courrier")
    (tmp_path / "var" / "imports" / "flux.xml").write_text("<flux/>")
    return tmp_path / "var"


@pytest.fixture
def small_database(departement):
    for commune in CommuneFactory.create_batch(3, departement=departement):
        audit.record(None, AuditAction.VIEW, commune=commune.pk)
    seal()
    audit.record(None, AuditAction.SEARCH)  # one entry left unsealed: the copy verifies all the same


@pytest.fixture
def backup(small_database, private_files, tmp_path):
    out = io.StringIO()
    call_command("backup", destination=tmp_path / "sauvegardes", stdout=out)
    assert "Sauvegarde écrite" in out.getvalue()
    (folder,) = (tmp_path / "sauvegardes").iterdir()
    return folder


@pytest.fixture
def empty_database():
    """A new, empty database on the test server; its URL."""
    name = f"restore_{uuid.uuid4().hex[:8]}"
    settings_dict = connection.settings_dict
    base = psycopg.conninfo.make_conninfo(
        host=settings_dict["HOST"],
        port=str(settings_dict["PORT"]),
        user=settings_dict["USER"],
        dbname="postgres",
    )
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield f"postgres://{settings_dict['USER']}@{settings_dict['HOST']}:{settings_dict['PORT']}/{name}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def test_a_backup_restores_identical_in_a_throwaway_cluster(backup):
    assert {path.name for path in backup.iterdir()} == {DUMP, MANIFEST, "fichiers.tar"}
    assert all(path.stat().st_mode & 0o077 == 0 for path in [backup, *backup.iterdir()])
    manifest = json.loads((backup / MANIFEST).read_text())
    assert manifest["database"]["tables"]["territory_commune"]["rows"] == 3
    assert manifest["database"]["tables"]["core_auditevent"]["rows"] == 4
    assert "core.0004_audit_chain" in manifest["migrations"]
    assert set(manifest["files"]) == {"courriers/courrier-1.pdf", "imports/flux.xml"}
    out = io.StringIO()
    call_command("restore_check", str(backup), stdout=out)
    report = out.getvalue()
    assert "RESTAURATION CONFORME" in report and "2 fichier(s)" in report
    assert "Journal d'audit intègre : 3 trace(s) vérifiée(s)" in report


def test_a_tampered_manifest_fails_the_check(backup, capsys):
    manifest = json.loads((backup / MANIFEST).read_text())
    manifest["database"]["tables"]["territory_commune"]["rows"] = 4
    manifest["database"]["tables"]["core_auditevent"]["digest"] = "0" * 64
    manifest["files"]["courriers/courrier-1.pdf"]["sha256"] = "0" * 64
    (backup / MANIFEST).write_text(json.dumps(manifest))
    err = io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("restore_check", str(backup), "--sans-audit", stderr=err)
    assert exit_info.value.code == 1
    report = err.getvalue()
    assert "RESTAURATION NON CONFORME : 3 écart(s)" in report
    assert "Table territory_commune : 3 ligne(s) restaurée(s), 4 selon le manifeste." in report
    assert "Table core_auditevent : même nombre de lignes (4) mais contenu différent" in report
    assert "Fichier courriers/courrier-1.pdf différent" in report


def test_a_damaged_dump_is_refused_before_restoring(backup):
    with open(backup / DUMP, "r+b") as dump:
        dump.seek(100)
        dump.write(b"\x00\x01\x02")
    err = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("restore_check", str(backup), stderr=err)
    assert "base.dump ne correspond pas au manifeste" in err.getvalue()


def test_restore_into_an_empty_database_then_refusals(backup, empty_database, private_files):
    target = Database.from_url(empty_database)
    report = restore(backup, target)
    assert report.ok, report.text()
    with target.connect() as conn:
        assert conn.execute("SELECT count(*) FROM territory_commune").fetchone()[0] == 3
    # Not empty any more: refused without --remplacer.
    with pytest.raises(CommandError, match="contient déjà .* --remplacer"):
        call_command("restore", str(backup), "--database-url", empty_database)
    # A newer schema (a migration the backup does not have): refused, even with --remplacer.
    with target.connect(autocommit=True) as conn:
        conn.execute(
            "INSERT INTO django_migrations (app, name, applied) VALUES ('core', '9999_avenir', now())"
        )
    with pytest.raises(RestoreRefused, match=r"plus récent que celui de la sauvegarde .*core\.9999_avenir"):
        restore(backup, target, replace=True)
    with target.connect(autocommit=True) as conn:
        conn.execute("DELETE FROM django_migrations WHERE name = '9999_avenir'")
        conn.execute("SET session_replication_role = replica")
        conn.execute("DELETE FROM territory_commune WHERE id = (SELECT min(id) FROM territory_commune)")
    letter = private_files / "letters" / "courrier-1.pdf"
    letter.unlink()
    out = io.StringIO()
    call_command(
        "restore",
        str(backup),
        "--database-url",
        empty_database,
        "--remplacer",
        "--oui",
        "--fichiers",
        stdout=out,
    )
    assert "RESTAURATION CONFORME" in out.getvalue()
    with target.connect() as conn:
        assert conn.execute("SELECT count(*) FROM territory_commune").fetchone()[0] == 3
    assert letter.read_bytes() == b"%PDF-1.4 courrier" and letter.stat().st_mode & 0o777 == 0o600
