"""The « accueil » stream of the event export (`parcours export-events --stream accueil`):
pseudonymised, controlled vocabularies only, the PersonEvent stream unchanged."""

import csv
import io

import pyarrow.parquet as pq
import pytest
from django.core.management import call_command
from django.utils import timezone

from parcours.accounts.models import Role
from parcours.indicators import event_export as person_export
from parcours.indicators.event_export import pseudonym
from parcours.reception import event_export, workflows
from parcours.reception.models import CallerRelation, Channel, NeedTheme, TrayService, WaitReason
from tests.accounts.factories import AgentFactory
from tests.people.factories import PersonFactory
from tests.reception.factories import RoutingRuleFactory, StationFactory, TrayFactory, member, need
from tests.territory.factories import CommuneFactory, SiteFactory, UnitFactory

SECRETS = ("Germaine", "Zanzibar", "0611223344", "0699887766", "voisine inquiète", "Note très privée")


@pytest.fixture
def contact(departement):
    unit = UnitFactory(departement=departement, code="U-ONE")
    commune = CommuneFactory(departement=departement, unit=unit)
    tray = TrayFactory(departement=departement, unit=unit, code="u1-logement", service=TrayService.HOUSING)
    RoutingRuleFactory(departement=departement, theme=NeedTheme.objects.get(code="logement"), tray=tray)
    agent = member(tray, AgentFactory(units=[unit], role=Role.ACCUEIL))
    person = PersonFactory(commune=commune, first_names="Germaine", last_name="Zanzibar", phone="0611223344")
    contact = workflows.record_contact(
        agent,
        channel=Channel.THIRD_PARTY,
        person=person,
        station=StationFactory(
            code="poste-7", site=SiteFactory(departement=departement, unit=unit, commune=commune)
        ),
        duration_seconds=300,
        caller={"relation": CallerRelation.NEIGHBOUR, "name": "voisine inquiète", "phone": "0699887766"},
        summary="Note très privée",
        needs=[workflows.NeedInput(need=need("logement"), note="Note très privée")],
    )
    item = workflows.take(agent, contact.items.get())
    workflows.wait(agent, item, reason=WaitReason.PERSON)
    return {"contact": contact, "person": person}


def _csv(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.django_db
def test_the_accueil_stream_is_pseudonymised_with_controlled_vocabularies(contact, capsys):
    today = timezone.localdate().isoformat()
    call_command("export_events", "--from", today, "--to", today, "--stream", "accueil")
    text = capsys.readouterr().out
    for secret in SECRETS:
        assert secret not in text
    rows = _csv(text)
    assert list(rows[0]) == event_export.COLUMNS
    kinds = [row["kind"] for row in rows]
    assert kinds == ["accueil.sollicitation", "accueil.besoin", "accueil.premiere_action", "accueil.attente"]
    person = pseudonym(contact["person"].pk)
    assert {row["person"] for row in rows} == {person}
    first, need_row, action, waiting = rows
    assert first["channel"] == Channel.THIRD_PARTY and first["caller"] == CallerRelation.NEIGHBOUR
    assert first["station"] == "poste-7" and first["duration_seconds"] == "300" and first["unit"] == "U-ONE"
    assert (
        need_row["theme"] == "logement"
        and need_row["tray"] == "u1-logement"
        and need_row["urgency"] == "ordinaire"
    )
    assert need_row["contact"] == first["contact"] and need_row["item"] == action["item"] != ""
    assert action["within_sla"] == "true" and action["due_at"]
    assert waiting["wait_reason"] == WaitReason.PERSON


@pytest.mark.django_db
def test_the_accueil_parquet_has_typed_dates_and_its_stream_in_metadata(contact, tmp_path):
    today = timezone.localdate()
    path = tmp_path / "accueil.parquet"
    assert event_export.write(today, today, "parquet", path) == 4
    table = pq.read_table(path)
    assert table.column("date").to_pylist() == [today] * 4
    assert table.schema.metadata[b"parcours.stream"] == b"accueil"


@pytest.mark.django_db
def test_free_text_in_data_is_never_exported(contact):
    from parcours.reception.models import FrontDoorEvent

    FrontDoorEvent.objects.filter(kind="accueil.attente").update(
        data={"reason": "Germaine attend sa voisine", "waited_seconds": "0611223344", "note": "Zanzibar"}
    )
    today = timezone.localdate()
    columns = event_export.rows(today, today)
    exported = repr(columns)
    for secret in SECRETS:
        assert secret not in exported
    assert columns["wait_reason"][-1] == "" and columns["waited_seconds"][-1] == ""


@pytest.mark.django_db
def test_the_person_event_stream_is_unchanged_by_default(contact, capsys):
    today = timezone.localdate().isoformat()
    call_command("export_events", "--from", today, "--to", today)
    header = capsys.readouterr().out.splitlines()[0]
    assert header == ",".join(person_export.COLUMNS)
