import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import call_command

from parcours.people.models import Person
from parcours.rsa.synthetic import random_dossiers, write_flux
from tests.rsa.factories import dossier

PARCOURS = str(Path(sys.executable).parent / "parcours")


def run_command(*args) -> tuple[int, str, str]:
    import io

    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exit:
        code = exit.code
    return code, out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_import_cnaf_json_report_and_exit_codes(write, lille):
    good = write("bon.xml", [dossier(1), dossier(2, insee_code="59999")])
    code, out, _ = run_command("import_cnaf", str(good), "--json")
    assert code == 0
    (report,) = json.loads(out)
    assert report["status"] == "done"
    assert report["counts"] == {"created": 1, "updated": 0, "unchanged": 0, "quarantined": 1}
    assert {r["status"] for r in report["records"]} == {"created", "quarantined"}
    assert all(r["reason"] for r in report["records"] if r["status"] == "quarantined")

    bad = write("autre.xml", [dossier(3, departement="062")])
    code, out, _ = run_command("import_cnaf", str(bad), "--json")
    assert code == 2
    assert "IDEPARTE" in json.loads(out)[0]["message"]
    assert Person.objects.count() == 1


@pytest.mark.django_db
def test_import_cnaf_dry_run_text_output(write, lille):
    path = write("flux.xml", [dossier(1)])
    code, out, _ = run_command("import_cnaf", str(path), "--dry-run")
    assert code == 0
    assert "1 créés" in out
    assert "Simulation" in out
    assert not Person.objects.exists()


# -- kill -9 in the middle of an import, then run it again ----------------------------------


ROOT = Path(__file__).resolve().parents[2]
CREATE_COMMUNES = (
    "from tests.territory.factories import CommuneFactory, DepartementFactory; "
    "d = DepartementFactory(code='59', name='Nord'); "
    "CommuneFactory(departement=d, insee_code='59350', postal_codes='59000', name='Lille'); "
    "CommuneFactory(departement=d, insee_code='59512', postal_codes='59100', name='Roubaix')"
)


def _sqlite_db(tmp_path: Path, template: Path, name: str) -> Path:
    target = tmp_path / name
    shutil.copy(template, target)
    return target


def _state(path: Path) -> dict:
    # The NIR is stored encrypted (a new nonce each time): persons are compared by its digest.
    with sqlite3.connect(path) as db:
        return {
            "persons": sorted(
                db.execute("SELECT nir_digest, last_name, first_names, commune_id FROM people_person")
            ),
            "households": sorted(db.execute("SELECT organism, caf_number FROM people_household")),
            "members": sorted(
                db.execute(
                    "SELECT h.caf_number, p.nir_digest, m.role FROM people_householdmember m"
                    " JOIN people_household h ON h.id = m.household_id JOIN people_person p ON p.id = m.person_id"
                )
            ),
            "rights": sorted(
                db.execute(
                    "SELECT h.caf_number, r.state, r.opened_on, r.suspended_on, r.closed_on, r.fingerprint"
                    " FROM rsa_rsaright r JOIN people_household h ON h.id = r.household_id"
                )
            ),
            "events": sorted(
                db.execute(
                    "SELECT p.nir_digest, e.kind, e.occurred_at FROM people_personevent e"
                    " JOIN people_person p ON p.id = e.person_id"
                )
            ),
        }


def test_kill_9_during_an_import_then_rerun_gives_the_uninterrupted_state(tmp_path):
    template = tmp_path / "template.sqlite3"
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{template}", PARCOURS_DEPARTEMENT="59")
    subprocess.run([PARCOURS, "migrate", "--noinput", "-v", "0"], env=env, check=True)
    env_shell = dict(env, PYTHONPATH=str(ROOT))
    subprocess.run([PARCOURS, "shell", "-c", CREATE_COMMUNES], env=env_shell, check=True, cwd=ROOT)
    flux = tmp_path / "flux.xml"
    communes = [("59350", "59000", "LILLE"), ("59512", "59100", "ROUBAIX")]
    write_flux(flux, random_dossiers(2000, seed=7, communes=communes))

    reference = _sqlite_db(tmp_path, template, "reference.sqlite3")
    env_ref = dict(env, DATABASE_URL=f"sqlite:///{reference}")
    subprocess.run([PARCOURS, "import-cnaf", str(flux)], env=env_ref, check=True, capture_output=True)

    killed = _sqlite_db(tmp_path, template, "killed.sqlite3")
    env_killed = dict(env, DATABASE_URL=f"sqlite:///{killed}", PARCOURS_IMPORT_CHUNK_SIZE="100")
    process = subprocess.Popen(
        [PARCOURS, "import-cnaf", str(flux)], env=env_killed, stdout=subprocess.DEVNULL
    )
    processed = 0
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with sqlite3.connect(killed, timeout=1) as db:
                row = db.execute("SELECT processed FROM imports_importbatch").fetchone()
        except sqlite3.OperationalError:
            row = None
        processed = row[0] if row else 0
        if processed >= 500:
            break
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait()
    with sqlite3.connect(killed) as db:
        status, processed = db.execute("SELECT status, processed FROM imports_importbatch").fetchone()
    assert status == "running"
    assert 0 < processed < 2000, "the import should have been killed half-way"

    result = subprocess.run(
        [PARCOURS, "import-cnaf", str(flux), "--json"], env=env_killed, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    (report,) = json.loads(result.stdout)
    assert report["batch"] == 1  # the interrupted batch was resumed
    assert sum(report["counts"].values()) == 2000
    assert len(report["records"]) == 2000
    assert _state(killed) == _state(reference)
