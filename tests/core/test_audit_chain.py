"""The audit trail cannot be rewritten: append-only in Django (and in PostgreSQL, see
test_audit_chain_postgres.py), sealed into a hash chain that `parcours verify-audit` checks, purged
for retention without breaking the chain."""

import datetime
import io
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone
from django_q.models import Schedule

from parcours.core import audit, audit_chain
from parcours.core.audit_chain import AuditChainBroken, purge_expired, seal, verify
from parcours.core.models import AuditAction, AuditChainAnchor, AuditEvent, AuditTrailIsAppendOnly
from parcours.core.schedules import PERIODIC_TASKS, ensure_schedules
from tests.accounts.factories import AgentFactory

pytestmark = pytest.mark.django_db


def behind_the_application(sql: str, params=()) -> None:
    """Run `sql` as a database superuser would: on PostgreSQL, with the triggers off (a replica's
    session does not fire them)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = DEFAULT")


def write(count: int, agent=None, **detail) -> list[AuditEvent]:
    return [audit.record(agent, AuditAction.VIEW, n=i, **detail) for i in range(count)]


def test_entries_are_written_unsealed_then_sealed_in_id_order_into_a_chain():
    events = write(3)
    assert all(e.seq is None and e.hash is None for e in AuditEvent.objects.all())
    assert seal() == 3
    chain = list(AuditEvent.objects.order_by("seq").values_list("id", "seq", "previous_hash", "hash"))
    assert [row[0] for row in chain] == [e.pk for e in events]
    assert [row[1] for row in chain] == [1, 2, 3]
    assert chain[0][2] == audit_chain.GENESIS
    assert chain[1][2] == chain[0][3] and chain[2][2] == chain[1][3]
    assert seal() == 0  # idempotent
    write(2)
    assert seal() == 2
    assert list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True)) == [1, 2, 3, 4, 5]


def test_sealing_by_small_batches_gives_the_same_chain():
    write(7)
    assert seal(batch_size=3) == 7
    result = verify()
    assert result.ok and result.checked == 7 and result.head_seq == 7


def test_bulk_entries_of_person_audit_are_chained_too(two_units):
    batch = audit.PersonAudit(None, path="/import/")
    batch.created(1, ["nom"])
    batch.shown([2, 3])
    batch.save()
    result = verify()
    assert result.ok and result.checked == 3


def test_the_application_cannot_change_or_delete_an_entry():
    event = write(1)[0]
    event.path = "/autre/"
    with pytest.raises(AuditTrailIsAppendOnly):
        event.save()
    with pytest.raises(AuditTrailIsAppendOnly):
        event.delete()
    with pytest.raises(AuditTrailIsAppendOnly):
        AuditEvent.objects.filter(pk=event.pk).update(path="/autre/")
    with pytest.raises(AuditTrailIsAppendOnly):
        AuditEvent.objects.all().delete()
    with pytest.raises(AuditTrailIsAppendOnly), transaction.atomic():
        AuditEvent.objects.bulk_update([event], ["path"])
    assert AuditEvent.objects.get().path == ""


def test_removing_an_agent_keeps_its_entries_and_the_chain(two_units):
    agent = AgentFactory(units=[two_units["unit_a"]], username="claire")
    write(2, agent=agent)
    seal()
    agent.delete()
    assert list(AuditEvent.objects.values_list("agent_id", "agent_label")) == [(None, "claire")] * 2
    assert verify().ok


def test_an_entry_altered_in_the_database_is_found_with_its_position():
    events = write(5)
    seal()
    target = events[2]
    behind_the_application("UPDATE core_auditevent SET path = %s WHERE id = %s", ["/falsifie/", target.pk])
    result = verify()
    assert not result.ok
    assert result.problem.kind == "altered"
    assert (result.problem.seq, result.problem.entry_id) == (3, target.pk)
    assert f"n° 3 (id {target.pk}, {timezone.localtime(target.at):%d/%m/%Y}" in result.report()


def test_an_entry_altered_and_rehashed_breaks_the_link_to_the_next():
    events = write(4)
    seal()
    row = AuditEvent.objects.values_list("previous_hash", *audit_chain.FIELDS).get(pk=events[1].pk)
    forged = audit_chain.entry_hash(2, row[0], events[1].pk, row[2], "mallory", *row[4:])
    behind_the_application(
        "UPDATE core_auditevent SET agent_label = %s, hash = %s WHERE id = %s",
        ["mallory", forged, events[1].pk],
    )
    problem = verify().problem
    assert problem.kind == "chain" and (problem.seq, problem.entry_id) == (3, events[2].pk)


def test_a_removed_middle_entry_is_found():
    events = write(5)
    seal()
    behind_the_application("DELETE FROM core_auditevent WHERE id = %s", [events[1].pk])
    problem = verify().problem
    assert problem.kind == "removed"
    assert (problem.seq, problem.entry_id) == (3, events[2].pk)
    assert "n° 2 supprimée" in problem.message


def test_an_inserted_entry_is_found():
    """Entries renumbered to make room for a forged one: the forged one does not link."""
    events = write(3)
    seal()
    behind_the_application("UPDATE core_auditevent SET seq = -seq WHERE seq >= 2")
    behind_the_application("UPDATE core_auditevent SET seq = 1 - seq WHERE seq < 0")
    behind_the_application(
        "INSERT INTO core_auditevent (at, agent_label, action, channel, path, detail, seq, previous_hash, hash) "
        "VALUES (%s, '', 'view', 'cli', '', '{}', 2, %s, %s)",
        [timezone.now(), "a" * 64, "b" * 64],
    )
    problem = verify().problem
    assert problem.kind == "altered" and problem.seq == 2
    assert problem.entry_id not in {e.pk for e in events}


def test_verify_audit_command_says_ok_or_the_position_and_fails(capsys):
    events = write(3)
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    assert "Journal d'audit intègre : 3 trace(s) vérifiée(s)" in out.getvalue()
    behind_the_application(
        "UPDATE core_auditevent SET detail = %s WHERE id = %s", ['{"n": 99}', events[0].pk]
    )
    err = io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("verify_audit", stderr=err)
    assert exit_info.value.code == 1
    assert f"ALTÉRÉ : trace n° 1 (id {events[0].pk}," in err.getvalue()


def _backdate(event_count: int, days: int) -> list[AuditEvent]:
    with mock.patch("django.utils.timezone.now", return_value=timezone.now() - datetime.timedelta(days=days)):
        return write(event_count, old=True)


def test_retention_purge_keeps_the_chain_verifiable(settings):
    settings.PARCOURS_AUDIT_RETENTION_DAYS = 30
    old = _backdate(4, days=40)
    recent = write(3)
    assert purge_expired() == 4
    assert set(AuditEvent.objects.values_list("id", flat=True)) == {e.pk for e in recent}
    anchor = AuditChainAnchor.objects.get()
    assert (anchor.seq, anchor.purged_count) == (4, 4)
    result = verify()
    assert result.ok and result.checked == 3 and result.anchor_seq == 4
    assert "purge de conservation des positions 1 à 4" in result.report()
    assert purge_expired() == 0
    # A second purge, later: the new anchor continues the first.
    later = timezone.now() + datetime.timedelta(days=31)
    write(1)
    assert purge_expired(now=later) == 4
    assert verify().ok and AuditChainAnchor.objects.count() == 2
    assert old  # purged


def test_retention_purge_everything_then_new_entries_follow_the_anchor(settings):
    settings.PARCOURS_AUDIT_RETENTION_DAYS = 30
    _backdate(2, days=40)
    assert purge_expired() == 2
    assert not AuditEvent.objects.exists()
    write(2)
    result = verify()
    assert result.ok and list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True)) == [3, 4]


def test_retention_purge_refuses_to_erase_a_broken_chain(settings):
    settings.PARCOURS_AUDIT_RETENTION_DAYS = 30
    old = _backdate(3, days=40)
    seal()
    behind_the_application("UPDATE core_auditevent SET path = '/x/' WHERE id = %s", [old[1].pk])
    with pytest.raises(AuditChainBroken, match="rien n'a été supprimé"):
        purge_expired()
    assert AuditEvent.objects.count() == 3 and not AuditChainAnchor.objects.exists()


def test_retention_zero_keeps_everything(settings):
    settings.PARCOURS_AUDIT_RETENTION_DAYS = 0
    _backdate(2, days=4000)
    assert purge_expired() == 0 and AuditEvent.objects.count() == 2


def test_sealing_and_purge_are_scheduled(settings):
    settings.PARCOURS_AUDIT_SEAL_MINUTES = 7
    ensure_schedules()
    ensure_schedules()
    sealing = Schedule.objects.get(name=PERIODIC_TASKS[0].name)
    assert sealing.func == "parcours.core.audit_chain.seal"
    assert (sealing.schedule_type, sealing.minutes, sealing.repeats) == (Schedule.MINUTES, 7, -1)
    purge = Schedule.objects.get(func="parcours.core.audit_chain.purge_expired")
    assert purge.schedule_type == Schedule.DAILY


def test_the_importers_raw_bulk_inserts_are_sealed_too():
    """The CNAF importer writes its audit rows with `insert_rows` (COPY on PostgreSQL), unsealed."""
    from parcours.imports.bulk import insert_rows
    from parcours.rsa.importer import AUDIT_COLUMNS

    now = timezone.now()
    rows = [(now, None, "", pk, AuditAction.CREATE, "cli", "", {"import_batch": 1}) for pk in (5, 6, 7)]
    with transaction.atomic():
        insert_rows(AuditEvent, AUDIT_COLUMNS, rows, returning=False)
    result = verify()
    assert result.ok and result.checked == 3
