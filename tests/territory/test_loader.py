import json
from collections import Counter

import pytest
from django.core.management import CommandError, call_command

from parcours.territory.loader import load_territory
from parcours.territory.models import Commune, Departement, Site, TerritorialUnit

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("load_territory", *args, stdout=out)
    return out.getvalue()


def snapshot(code: str) -> dict:
    return {
        "communes": sorted(
            Commune.objects.filter(departement__code=code).values_list("id", "insee_code", "unit_id")
        ),
        "units": sorted(
            TerritorialUnit.objects.filter(departement__code=code).values_list("id", "code", "seat_id")
        ),
        "sites": sorted(Site.objects.filter(departement__code=code).values_list("id", "code", "commune_id")),
    }


def test_load_nord():
    result = json.loads(run("--departement", "59", "--json"))
    assert result["departement"] == "59"
    assert (result["communes"], result["units"]) == (647, 8)
    assert result["sites"] == Site.objects.filter(departement__code="59").count() > 0
    assert Commune.objects.filter(departement__code="59").count() == 647
    assert TerritorialUnit.objects.filter(departement__code="59").count() == 8
    # Every commune in exactly one unit (the FK makes "more than one" impossible; none is missing).
    assert not Commune.objects.filter(departement__code="59", unit__isnull=True).exists()
    assert Commune.objects.filter(unit__departement__code="59").count() == 647
    units = {u.code: u for u in TerritorialUnit.objects.with_stats().filter(departement__code="59")}
    assert units["LILLE"].seat.name == "Lille"
    assert sum(u.commune_count for u in units.values()) == 647
    # Sites: attached to a commune of the département, inside its bounding box.
    communes = Commune.objects.filter(departement__code="59")
    lat = [c.latitude for c in communes]
    lon = [c.longitude for c in communes]
    for site in Site.objects.filter(departement__code="59").select_related("commune"):
        assert site.commune.departement.code == "59"
        assert min(lat) <= site.latitude <= max(lat) and min(lon) <= site.longitude <= max(lon)
        assert site.unit_id == site.commune.unit_id
        assert site.address_is_indicative
    kinds = Counter(Site.objects.filter(departement__code="59").values_list("kind", flat=True))
    assert kinds["mdie"] == 8


def test_load_seine_maritime_gives_a_single_unit():
    result = json.loads(run("--departement", "76", "--json"))
    assert (result["communes"], result["units"]) == (707, 1)
    (unit,) = TerritorialUnit.objects.filter(departement__code="76")
    assert unit.communes.count() == 707
    assert unit.seat.insee_code == "76540"


def test_second_run_changes_nothing():
    first = json.loads(run("--departement", "59", "--json"))
    before = snapshot("59")
    second = json.loads(run("--departement", "59", "--json"))
    assert snapshot("59") == before
    assert {k: second[k] for k in ("departement", "communes", "units", "sites")} == {
        k: first[k] for k in ("departement", "communes", "units", "sites")
    }
    for counts in second["changes"].values():
        assert counts["created"] == counts["updated"] == 0
    assert second["changes"]["communes"]["unchanged"] == 647
    assert first["changes"]["communes"]["created"] == 647


def test_a_changed_commune_is_updated_and_a_confirmed_site_kept():
    load_territory("59")
    Commune.objects.filter(insee_code="59350").update(population=1, name="Lile", unit=None)
    site = Site.objects.get(code="MDIE-LILLE")
    site.address, site.address_is_indicative = "1 rue Réelle, 59000 Lille", False
    site.save()
    report = load_territory("59")
    assert report.changes["communes"].updated == 1
    lille = Commune.objects.get(insee_code="59350")
    assert (lille.name, lille.unit.code) == ("Lille", "LILLE") and lille.population > 200_000
    assert Site.objects.get(code="MDIE-LILLE").address == "1 rue Réelle, 59000 Lille"


def test_summary_is_in_french():
    out = run("--departement", "59")
    assert "Nord (59) : 647 communes, 8 unités territoriales" in out


def test_default_departement_comes_from_settings(settings):
    settings.PARCOURS_DEPARTEMENT = "76"
    assert json.loads(run("--json"))["departement"] == "76"


def test_unknown_departement_is_rejected_and_nothing_changes():
    load_territory("59")
    before = snapshot("59")
    with pytest.raises(CommandError, match="Département inconnu : « 99 »") as error:
        run("--departement", "99", "--json")
    assert error.value.returncode == 2
    assert snapshot("59") == before
    assert list(Departement.objects.values_list("code", flat=True)) == ["59"]


def test_command_line_exits_with_code_2_on_unknown_departement(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    parcours = Path(sys.executable).parent / "parcours"
    env = dict(
        os.environ, DATABASE_URL=f"sqlite:///{tmp_path / 'empty.sqlite3'}", PARCOURS_VAR_DIR=str(tmp_path)
    )
    result = subprocess.run(
        [parcours, "load-territory", "--departement", "999"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "Département inconnu : « 999 »" in result.stderr
