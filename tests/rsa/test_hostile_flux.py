"""A CNAF flux with a DOCTYPE or entity declarations is a rejected file (exit 2, nothing
changed), refused before lxml parses it: before, a harmless internal entity was imported and
a "billion laughs" killed the reading process (exit 1, "Erreur interne")."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from parcours.imports.models import ImportBatch
from parcours.people.models import Person
from parcours.rsa.synthetic import write_flux
from tests.accounts.factories import AgentFactory
from tests.rsa.factories import dossier
from tests.rsa.test_cnaf import rejected
from tests.rsa.test_commands import run_command

LAUGHS = (
    '<!DOCTYPE Racine [<!ENTITY a "aaaaaaaaaa">'
    + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9))
    + "]>"
)
PROLOGS = {
    "internal entity": '<!DOCTYPE Racine [<!ENTITY a "b">]>',
    "billion laughs": LAUGHS,
    "external entity": '<!DOCTYPE Racine [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
    "external DTD": '<!DOCTYPE Racine SYSTEM "http://example.invalid/flux.dtd">',
    "after a comment": '<!-- <Racine> --><?pi x?>\n<!DOCTYPE Racine [<!ENTITY a "b">]>',
}


def hostile_flux(prolog: str, *, use_entity: str = "") -> bytes:
    buffer = io.BytesIO()
    write_flux(buffer, [dossier(1)])
    data = buffer.getvalue().replace(b"?>\n", b"?>\n" + prolog.encode() + b"\n", 1)
    if use_entity:
        data = data.replace(b"<NOMVOIE>", f"<NOMVOIE>&{use_entity};".encode(), 1)
    return data


@pytest.mark.parametrize("prolog", PROLOGS.values(), ids=PROLOGS.keys())
def test_a_doctype_is_rejected_before_parsing(tmp_path, prolog):
    path = tmp_path / "flux.xml"
    path.write_bytes(hostile_flux(prolog))
    error = rejected(path)
    assert "DOCTYPE ou des entités XML, refusées par sécurité" in error.message
    assert error.message.startswith(f"Ligne {error.line} : ")
    assert error.line == (3 if "\n" in prolog else 2)


def test_a_utf16_flux_is_rejected_because_a_byte_scan_cannot_read_it(tmp_path):
    text = hostile_flux(PROLOGS["internal entity"]).decode("cp1252")
    text = text.replace('encoding="windows-1252"', 'encoding="UTF-16"')
    path = tmp_path / "flux.xml"
    path.write_bytes(text.encode("utf-16"))
    assert "UTF-16" in rejected(path).message
    path.write_bytes(text.encode("utf-16-le"))  # without a byte order mark
    assert "UTF-16" in rejected(path).message


def test_a_doctype_after_100_kb_of_blanks_is_not_missed(tmp_path):
    path = tmp_path / "flux.xml"
    path.write_bytes(b" " * 100_000 + hostile_flux(PROLOGS["internal entity"]).split(b"?>\n", 1)[1])
    assert "aucun élément XML dans les 64 premiers Ko" in rejected(path).message


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["internal entity", "billion laughs"])
def test_import_cnaf_command_exits_2_and_changes_nothing(tmp_path, lille, name):
    path = tmp_path / "flux.xml"
    path.write_bytes(hostile_flux(PROLOGS[name], use_entity="j" if name == "billion laughs" else "a"))
    code, out, _ = run_command("import_cnaf", str(path), "--json")
    assert code == 2
    (report,) = json.loads(out)
    assert report["status"] == "rejected"
    assert "DOCTYPE" in report["message"]
    assert not Person.objects.exists()


@pytest.mark.django_db
def test_web_import_of_a_flux_with_entities_is_rejected(client, settings, tmp_path, lille):
    settings.PARCOURS_IMPORTS_SYNC = True
    settings.VAR_DIR = tmp_path
    settings.PARCOURS_DEMO = True
    client.force_login(AgentFactory(role="administrateur", otp_exempt=True))
    upload = SimpleUploadedFile("flux.xml", hostile_flux(LAUGHS, use_entity="j"))
    client.post(reverse("imports:index"), {"kind": "cnaf", "file": upload})
    batch = ImportBatch.objects.get()
    assert batch.status == "rejected"
    assert "DOCTYPE" in batch.message
    assert not Person.objects.exists()
