"""Files holding personal data: created readable by their owner only, purged after their retention."""

import datetime
import os
import stat

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from parcours.appointments.notifications import FileLetterBackend, FileSmsBackend
from parcours.core.retention import purge_personal_files
from parcours.imports import background
from parcours.imports.models import ImportBatch


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture(autouse=True)
def var_dir(settings, tmp_path):
    """Every personal file of these tests under tmp_path, with a permissive umask, as a server's may be."""
    settings.VAR_DIR = tmp_path
    settings.EMAIL_FILE_PATH = tmp_path / "mails"
    settings.PARCOURS_LETTER_DIR = tmp_path / "letters"
    settings.PARCOURS_SMS_DIR = tmp_path / "sms"
    previous = os.umask(0o022)
    yield tmp_path
    os.umask(previous)


def test_an_uploaded_import_file_is_readable_by_its_owner_only(var_dir):
    path = background.save_upload(SimpleUploadedFile("benef.csv", b"nom;prenom\nDupont;Jean\n"))
    assert path.read_bytes().startswith(b"nom;prenom")
    assert mode(path) == 0o600
    assert mode(var_dir / "imports") == 0o700


def test_an_existing_upload_directory_is_closed_too(var_dir):
    (var_dir / "imports").mkdir(mode=0o755)
    background.save_upload(SimpleUploadedFile("benef.csv", b"x"))
    assert mode(var_dir / "imports") == 0o700


@pytest.mark.django_db
def test_letters_and_sms_are_readable_by_their_owner_only(var_dir):
    class Message:
        pk = 42

    letter = FileLetterBackend().send(Message(), b"%PDF-1.7 courrier")
    assert mode(letter) == 0o600 and mode(var_dir / "letters") == 0o700
    sms = FileSmsBackend().send("0600000000", "Votre rendez-vous")
    FileSmsBackend().send("0600000001", "Votre rendez-vous")
    assert mode(sms) == 0o600 and mode(var_dir / "sms") == 0o700
    with open(sms, encoding="utf-8") as lines:
        assert len(lines.readlines()) == 2


def test_mails_written_to_files_are_readable_by_their_owner_only(settings, var_dir):
    settings.EMAIL_BACKEND = "parcours.core.mail_backends.PrivateFileEmailBackend"
    mail.send_mail("Rendez-vous", "Bonjour Madame Dupont", "parcours@test", ["dupont@example.org"])
    (written,) = (var_dir / "mails").iterdir()
    assert "Madame Dupont" in written.read_text()
    assert mode(written) == 0o600 and mode(var_dir / "mails") == 0o700


def _file(path, age_days: int, now: datetime.datetime):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"personal data")
    stamp = (now - datetime.timedelta(days=age_days)).timestamp()
    os.utime(path, (stamp, stamp))
    return path


@pytest.mark.django_db
def test_purge_deletes_only_the_files_older_than_their_retention(settings, var_dir):
    settings.PARCOURS_UPLOAD_RETENTION_DAYS = 90
    settings.PARCOURS_LETTER_RETENTION_DAYS = 60
    settings.PARCOURS_MAIL_RETENTION_DAYS = 30
    now = timezone.now()
    old_upload = _file(var_dir / "imports" / "old.csv", 91, now)
    recent_upload = _file(var_dir / "imports" / "recent.csv", 89, now)
    old_letter = _file(var_dir / "letters" / "courrier-1.pdf", 61, now)
    recent_letter = _file(var_dir / "letters" / "courrier-2.pdf", 59, now)
    old_mail = _file(var_dir / "mails" / "20250101-1.log", 31, now)
    recent_mail = _file(var_dir / "mails" / "20250101-2.log", 29, now)
    old_sms = _file(var_dir / "sms" / "2025-01-01.log", 31, now)
    old_batch = ImportBatch.objects.create(
        kind="people", file_name="vieux.csv", sha256="a", status="done", upload_path=str(old_upload)
    )
    recent_batch = ImportBatch.objects.create(
        kind="people", file_name="recent.csv", sha256="b", status="done", upload_path=str(recent_upload)
    )

    counts = purge_personal_files(now)

    assert counts == {"uploads": 1, "letters": 1, "mails": 2}
    assert not any(path.exists() for path in (old_upload, old_letter, old_mail, old_sms))
    assert all(path.exists() for path in (recent_upload, recent_letter, recent_mail))
    old_batch.refresh_from_db()
    recent_batch.refresh_from_db()
    assert old_batch.upload_path == "" and old_batch.file_name == "vieux.csv"  # the report stays
    assert recent_batch.upload_path == str(recent_upload)


@pytest.mark.django_db
def test_purge_of_missing_folders_is_a_no_op(var_dir):
    assert purge_personal_files() == {"uploads": 0, "letters": 0, "mails": 0}


@pytest.mark.django_db
def test_purge_files_command_reports_in_french(var_dir, capsys):
    now = timezone.now()
    _file(var_dir / "imports" / "old.csv", 400, now)
    call_command("purge_files")
    assert "1 fichier d'import" in capsys.readouterr().out
