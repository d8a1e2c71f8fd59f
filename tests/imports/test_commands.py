import io
import json

import pytest
from django.core.management import call_command

from parcours.people.models import Person
from tests.territory.factories import CommuneFactory

pytestmark = pytest.mark.django_db


def run_command(*args) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=err)
        return 0, out.getvalue()
    except SystemExit as exit:
        return exit.code, out.getvalue()


def test_import_people_json_and_exit_codes(tmp_path, departement):
    CommuneFactory(departement=departement, insee_code="59350", postal_codes="59000", name="Lille")
    good = tmp_path / "benef.csv"
    good.write_text(
        "Nom;Prénom;Date de naissance;CP Ville\nDupont;Jean;15/03/1980;59000 Lille\n", encoding="utf-8"
    )
    code, out = run_command("import_people", str(good), "--format", "rdv-insertion", "--json")
    assert code == 0
    (report,) = json.loads(out)
    assert report["counts"]["created"] == 1
    assert report["records"] == [
        {"position": 0, "line": 2, "key": "ligne 2", "status": "created", "reason": ""}
    ]

    bad = tmp_path / "autre.csv"
    bad.write_text("A;B\n1;2\n", encoding="utf-8")
    code, out = run_command("import_people", str(bad), "--json")
    assert code == 2
    assert "Colonnes obligatoires" in json.loads(out)[0]["message"]

    code, _ = run_command("import_people", str(good), "--format", "carnet-de-bord", "--dry-run")
    assert code == 0
    assert Person.objects.count() == 1
