"""The CNAF importer writes the NIR encrypted, with its digest, through its bulk paths."""

import datetime

import pytest
from django.db import connection

from parcours.imports.runner import run_import
from parcours.people.models import Person
from parcours.people.nir import nir_digest
from parcours.rsa.importer import CnafFluxSource
from tests.people.factories import PersonFactory
from tests.rsa.factories import dossier, person

pytestmark = pytest.mark.django_db


def _stored() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nir_encrypted, nir_digest FROM people_person ORDER BY id")
        return cursor.fetchall()


def test_created_persons_are_stored_encrypted_and_found_by_digest(write, lille):
    incoming = [person(1), person(2, role="CJT")]
    path = write("flux.xml", [dossier(1, persons=incoming)])
    assert run_import(CnafFluxSource(path), path).exit_code == 0

    stored = _stored()
    assert len(stored) == 2
    for token, _ in stored:
        assert not any(p.nir[:13] in token for p in incoming)
    assert {digest for _, digest in stored} == {nir_digest(p.nir) for p in incoming}
    assert {p.nir for p in Person.objects.all()} == {p.nir for p in incoming}


def test_a_nir_completed_by_the_flux_is_rewritten_encrypted_with_the_same_digest(write, lille):
    """A known person registered with the 13 characters only: the flux's NIR with its key (the
    same digest) finds them, and the completed NIR is re-encrypted by the bulk update."""
    incoming = person(1)
    known = PersonFactory(
        nir=incoming.nir[:13], last_name="Ancien", birth_date=incoming.birth_date, commune=None
    )
    [(before, digest)] = _stored()
    path = write("flux.xml", [dossier(1, persons=[incoming])], reference_date=datetime.date(2024, 3, 31))
    assert run_import(CnafFluxSource(path), path).exit_code == 0

    [(after, digest_after)] = _stored()
    assert after != before and digest_after == digest == nir_digest(incoming.nir)
    assert incoming.nir not in after
    known.refresh_from_db()
    assert known.nir == incoming.nir
