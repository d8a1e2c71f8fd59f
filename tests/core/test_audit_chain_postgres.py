"""On PostgreSQL the audit trail is append-only in SQL too (triggers of migration core 0004), and
concurrent writers still give a chain that verifies."""

import datetime
import threading

import pytest
from django.db import DatabaseError, connection, connections, transaction
from django.utils import timezone

from parcours.core import audit
from parcours.core.audit_chain import purge_expired, seal, verify
from parcours.core.models import AuditAction, AuditChainAnchor, AuditEvent

pytestmark = pytest.mark.postgres


@pytest.fixture(autouse=True)
def needs_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")


def refused(sql: str, params=()) -> str:
    """Run `sql` in a savepoint; return the database's refusal message (fails if it went through)."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    except DatabaseError as error:
        return str(error)
    pytest.fail(f"accepted: {sql}")


def write(count: int) -> list[AuditEvent]:
    return [audit.record(None, AuditAction.VIEW, n=i) for i in range(count)]


@pytest.mark.django_db
def test_sql_update_and_delete_are_refused_by_the_trigger():
    events = write(2)
    seal()
    pk = events[0].pk
    assert "ne peut pas être modifiée" in refused(
        "UPDATE core_auditevent SET path = '/x/' WHERE id = %s", [pk]
    )
    assert "ne peut pas être modifiée" in refused(
        "UPDATE core_auditevent SET hash = repeat('0', 64) WHERE id = %s", [pk]
    )
    assert "ne peut pas être supprimée" in refused("DELETE FROM core_auditevent WHERE id = %s", [pk])
    # The purge's switch alone is not enough: only entries up to an anchor may go.
    assert "ne peut pas être supprimée" in refused(
        "SET LOCAL parcours.audit_purge = 'on'; DELETE FROM core_auditevent WHERE id = %s", [pk]
    )
    assert "ancrages" in refused(
        "INSERT INTO core_auditchainanchor (seq, hash, purged_at, purged_count, cutoff) "
        "VALUES (1, 'x', now(), 1, now())"
    )
    assert "déjà scellée" in refused(
        "INSERT INTO core_auditevent (at, agent_label, action, channel, path, detail, seq, previous_hash, hash) "
        "VALUES (now(), '', 'view', 'cli', '', '{}', 99, 'a', 'b')"
    )
    assert AuditEvent.objects.filter(pk=pk, path="").exists()
    assert verify().ok


@pytest.mark.django_db
def test_a_sealed_entry_cannot_be_sealed_again():
    event = write(1)[0]
    seal()
    assert "ne peut pas être modifiée" in refused(
        "UPDATE core_auditevent SET seq = 5, previous_hash = 'a', hash = 'b' WHERE id = %s", [event.pk]
    )


@pytest.mark.django_db
def test_the_retention_purge_goes_through_the_trigger(settings):
    settings.PARCOURS_AUDIT_RETENTION_DAYS = 1
    write(3)
    later = timezone.now() + datetime.timedelta(days=2)
    assert purge_expired(now=later) == 3
    assert AuditChainAnchor.objects.get().seq == 3
    write(1)
    assert verify().ok
    assert "ancrages" in refused("DELETE FROM core_auditchainanchor")


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_and_sealers_give_a_verifiable_chain():
    errors = []

    def writer(n: int) -> None:
        try:
            for i in range(40):
                with transaction.atomic():
                    audit.record(None, AuditAction.VIEW, writer=n, i=i)
                    if i % 3 == 0:
                        audit.record(None, AuditAction.SEARCH, writer=n, i=i)
                if i % 10 == 0:
                    seal(batch_size=7)
        except Exception as error:  # noqa: BLE001 (reported below)
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    result = verify()
    assert result.ok, result.report()
    assert result.checked == AuditEvent.objects.count() == 2 * (40 + 14)
    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))
