"""What `parcours backup`, `restore-check` and `restore` refuse before touching anything."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection


@pytest.mark.django_db
def test_backup_needs_postgresql():
    if connection.vendor == "postgresql":
        pytest.skip("the SQLite refusal")
    with pytest.raises(CommandError, match="base PostgreSQL : cette installation utilise sqlite3"):
        call_command("backup")


def test_a_folder_without_manifest_is_not_a_backup(tmp_path):
    with pytest.raises(CommandError, match="manifest.json introuvable"):
        call_command("restore_check", str(tmp_path))


def test_an_unreadable_manifest_is_reported(tmp_path):
    (tmp_path / "manifest.json").write_text("{tronqué")
    with pytest.raises(CommandError, match="illisible"):
        call_command("restore_check", str(tmp_path))


def test_restore_needs_a_postgresql_target(tmp_path):
    with pytest.raises(CommandError, match="adresse PostgreSQL"):
        call_command("restore", str(tmp_path), "--database-url", "sqlite:////tmp/x.sqlite3")
