"""The encryption of secret-like identifiers (parcours.core.encryption) and its key rotation."""

import os
import subprocess
import sys

import pytest
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.core.management import call_command
from django.db import connection

from parcours.core import encryption
from parcours.core.encryption import decrypt, encrypt, generate_key, key_id, lookup_digest, parse_key
from parcours.people.models import Person
from parcours.people.nir import nir_digest, nir_with_key
from tests.people.factories import PersonFactory

NIR13 = "1840559350123"
NIR = nir_with_key(NIR13)
OLD_KEY = generate_key()
NEW_KEY = generate_key()


def _raw_column(pk: int) -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nir_encrypted, nir_digest FROM people_person WHERE id = %s", [pk])
        return cursor.fetchone()


def test_a_token_hides_the_value_changes_each_time_and_decrypts():
    first, second = encrypt(NIR), encrypt(NIR)
    assert NIR not in first and NIR13 not in first and first != second
    assert decrypt(first) == decrypt(second) == NIR
    assert encrypt("") == "" and decrypt("") == ""


def test_a_token_of_an_unknown_key_names_the_missing_key(settings):
    settings.PARCOURS_ENCRYPTION_KEYS = [OLD_KEY]
    token = encrypt(NIR)
    settings.PARCOURS_ENCRYPTION_KEYS = [NEW_KEY]
    with pytest.raises(ImproperlyConfigured, match=key_id(parse_key(OLD_KEY, "x"))):
        decrypt(token)


def test_a_tampered_token_is_refused():
    kid, _, body = encrypt(NIR).partition(":")
    tampered = f"{kid}:{body[:-4]}{'AAAA' if body[-4:] != 'AAAA' else 'BBBB'}"
    with pytest.raises(encryption.DecryptionError, match="illisible"):
        decrypt(tampered)


def test_both_keys_decrypt_during_a_rotation_and_the_first_encrypts(settings):
    settings.PARCOURS_ENCRYPTION_KEYS = [OLD_KEY]
    old_token = encrypt(NIR)
    settings.PARCOURS_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    assert decrypt(old_token) == NIR
    assert encryption.token_key_id(encrypt(NIR)) == key_id(parse_key(NEW_KEY, "x"))


def test_lookup_digests_are_keyed_and_separated_by_purpose(settings):
    digest = lookup_digest("nir", NIR13)
    assert digest == lookup_digest("nir", NIR13) and len(digest) == 32
    assert digest != lookup_digest("iban", NIR13)
    settings.PARCOURS_LOOKUP_HASH_KEY = generate_key()
    assert lookup_digest("nir", NIR13) != digest


def test_malformed_or_shared_keys_are_refused(settings):
    settings.PARCOURS_ENCRYPTION_KEYS = ["too-short"]
    with pytest.raises(ImproperlyConfigured, match="32 octets"):
        encrypt(NIR)
    settings.PARCOURS_ENCRYPTION_KEYS = [OLD_KEY]
    settings.PARCOURS_LOOKUP_HASH_KEY = OLD_KEY
    with pytest.raises(ImproperlyConfigured, match="distincte"):
        lookup_digest("nir", NIR13)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "PARCOURS_ENCRYPTION_KEYS et PARCOURS_LOOKUP_HASH_KEY sont obligatoires en production"),
        ({"PARCOURS_ENCRYPTION_KEYS": "abc", "PARCOURS_LOOKUP_HASH_KEY": NEW_KEY}, "n'a pas la bonne forme"),
    ],
)
def test_production_refuses_to_start_without_valid_keys(env, message, tmp_path):
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in {"PARCOURS_ENCRYPTION_KEYS", "PARCOURS_LOOKUP_HASH_KEY", "DEBUG", "PARCOURS_DEMO"}
    }
    result = subprocess.run(
        [sys.executable, "-c", "import parcours.settings"],
        env={**base, **env, "PARCOURS_VAR_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0 and message in result.stderr
    assert not list(tmp_path.iterdir())  # no key generated for production


@pytest.mark.django_db
def test_the_database_holds_no_clear_nir_and_the_model_reads_it(two_units):
    person = PersonFactory(nir=NIR, commune=two_units["commune_a"])
    token, digest = _raw_column(person.pk)
    assert NIR13 not in token and digest == nir_digest(NIR)
    assert Person.objects.get(pk=person.pk).nir == NIR
    assert list(Person.objects.filter(pk=person.pk).values_list("nir", flat=True)) == [NIR]


@pytest.mark.django_db
def test_an_encrypted_field_cannot_be_compared_in_sql():
    assert not Person.objects.filter(nir="").exists()  # the empty value may be compared
    with pytest.raises(FieldError, match="empreinte"):
        list(Person.objects.filter(nir=NIR))
    with pytest.raises(FieldError, match="empreinte"):
        list(Person.objects.filter(nir__startswith=NIR13))


@pytest.mark.django_db
def test_start_up_check_detects_a_wrong_encryption_key(settings, two_units):
    settings.PARCOURS_ENCRYPTION_KEYS = [OLD_KEY]
    PersonFactory(nir=NIR, commune=two_units["commune_a"])
    encryption.verify_keys()  # the right key: no error
    settings.PARCOURS_ENCRYPTION_KEYS = [NEW_KEY]
    with pytest.raises(ImproperlyConfigured, match="absente de PARCOURS_ENCRYPTION_KEYS"):
        encryption.verify_keys()
    [message] = encryption.check_encryption_keys()
    assert message.id == "parcours.E101" and "people.Person.nir" in message.msg


@pytest.mark.django_db
def test_start_up_check_detects_a_wrong_lookup_hash_key(settings, two_units):
    PersonFactory(nir=NIR, commune=two_units["commune_a"])
    settings.PARCOURS_LOOKUP_HASH_KEY = generate_key()
    with pytest.raises(ImproperlyConfigured, match="PARCOURS_LOOKUP_HASH_KEY n'est pas la clé"):
        encryption.verify_keys()


@pytest.mark.django_db
def test_start_up_check_passes_on_an_empty_database():
    encryption.verify_keys()
    assert encryption.check_encryption_keys() == []


@pytest.mark.django_db(transaction=True)
def test_rotation_reencrypts_everything_resumably_and_search_still_finds(settings, two_units, capsys):
    settings.PARCOURS_ENCRYPTION_KEYS = [OLD_KEY]
    persons = [
        PersonFactory(commune=two_units["commune_a"], nir=nir_with_key(f"18405593501{n:02d}"))
        for n in range(5)
    ]
    PersonFactory(commune=two_units["commune_a"], nir="")
    old_id, new_id = (key_id(parse_key(k, "x")) for k in (OLD_KEY, NEW_KEY))

    settings.PARCOURS_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]  # the deployment of the new key
    call_command("rotate_keys", "--check")
    assert f"{old_id} : 5" in capsys.readouterr().out
    call_command("rotate_keys", "--batch-size", "2")
    assert "5 valeur(s) rechiffrée(s)" in capsys.readouterr().out
    assert {_raw_column(p.pk)[0].partition(":")[0] for p in persons} == {new_id}
    call_command("rotate_keys")  # resumable: nothing left to do
    assert "0 valeur(s) rechiffrée(s)" in capsys.readouterr().out

    settings.PARCOURS_ENCRYPTION_KEYS = [NEW_KEY]  # the old key removed
    encryption.verify_keys()
    target = persons[3]
    assert list(Person.objects.search(target.nir)) == [target]
    assert list(Person.objects.search(target.nir[:13])) == [target]
    assert Person.objects.get(pk=target.pk).nir == target.nir


@pytest.mark.django_db(transaction=True)
def test_rehash_recomputes_the_digests_with_a_new_hash_key(settings, two_units, capsys):
    person = PersonFactory(commune=two_units["commune_a"], nir=NIR)
    settings.PARCOURS_LOOKUP_HASH_KEY = generate_key()
    assert not Person.objects.search(NIR).exists()  # stale digests: why the start-up check refuses
    call_command("rotate_keys", "--rehash")
    assert "1 empreinte(s) recalculée(s)" in capsys.readouterr().out
    assert list(Person.objects.search(NIR)) == [person]


def test_generate_key_prints_a_usable_key(capsys):
    call_command("rotate_keys", "--generate-key")
    assert len(parse_key(capsys.readouterr().out.strip(), "x")) == 32
