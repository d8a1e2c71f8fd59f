"""The audit trail's hash chain: sealing, verification and retention purge.

Writers (`parcours.core.audit`, the CNAF importer's COPY) insert entries *unsealed*: `seq`,
`previous_hash` and `hash` NULL, so that inserting stays one cheap statement and no lock is shared
by writers. `seal()` then takes the unsealed entries in id order and gives each, once, the next
position (`seq`, 1, 2, 3…, without gaps), the hash of the entry before it and its own hash:

    hash = SHA-256 (HMAC-SHA-256 with PARCOURS_AUDIT_CHAIN_KEY when set) of the canonical JSON of
           [version, seq, id, at (UTC, µs), agent_label, person_id, action, channel, path, detail,
            previous_hash]

`agent_id` is not covered (the account's removal sets it to NULL); `agent_label` is. The chain's
order is the sealing order, not the id order: an entry whose transaction commits after a later id
was sealed simply gets a later position. Sealing runs every PARCOURS_AUDIT_SEAL_MINUTES (task
queue, core/schedules.py) and before every verification and purge; one sealer at a time (a
transaction-level advisory lock on PostgreSQL, the write lock on SQLite).

`verify()` walks the chain in position order and reports the first entry altered (its hash no
longer matches its content), removed (a gap in the positions) or inserted, replaced or renumbered
(its `previous_hash` is not the hash of the entry before it), with its position, id and date.

`purge_expired()` deletes the oldest sealed entries past PARCOURS_AUDIT_RETENTION_DAYS after
checking them, and records an `AuditChainAnchor` (last position purged and its hash) so that the
entries kept still verify. On PostgreSQL the triggers of migration core 0004 let that DELETE
through only inside the purge's transaction (`SET LOCAL parcours.audit_purge = 'on'`) and only up
to the latest anchor.

Limits (docs/backup.md): an entry removed before it is sealed, or the newest entries removed
together, leave no gap; and without PARCOURS_AUDIT_CHAIN_KEY someone who can write the database
behind the triggers can recompute every hash after the one changed. The key, kept outside the
database, closes the second; the head printed by `parcours verify-audit`, kept elsewhere, the first.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from parcours.core.models import AuditChainAnchor, AuditEvent

GENESIS = "0" * 64  # the previous hash of the first entry ever sealed
VERSION = 1  # of the canonical serialisation
SEAL_BATCH = 5000  # entries sealed per transaction
VERIFY_CHUNK = 10_000
# pg_advisory_xact_lock key of the sealer and the purge ("PARCOURS" in ASCII, less the top bit).
LOCK_KEY = 0x50415243_4F555253 & 0x7FFFFFFFFFFFFFFF
# The covered fields, in the order `entry_hash` takes them after seq and before previous_hash.
FIELDS = ("id", "at", "agent_label", "person_id", "action", "channel", "path", "detail")


class AuditChainBroken(Exception):
    """The chain does not verify (raised by the purge, which will not erase evidence)."""


def entry_hash(seq: int, previous_hash: str, *fields) -> str:
    """The hash of one entry: `fields` are the values of FIELDS, in that order."""
    entry_id, at, agent_label, person_id, action, channel, path, detail = fields
    payload = json.dumps(
        [
            VERSION,
            seq,
            entry_id,
            _instant(at),
            agent_label,
            person_id,
            action,
            channel,
            path,
            detail,
            previous_hash,
        ],
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    ).encode()
    key = getattr(settings, "PARCOURS_AUDIT_CHAIN_KEY", "")
    if key:
        return hmac.new(key.encode(), payload, hashlib.sha256).hexdigest()
    return hashlib.sha256(payload).hexdigest()


def _instant(at: datetime.datetime) -> str:
    return at.astimezone(datetime.UTC).isoformat(timespec="microseconds")


def _lock() -> None:
    """Serialise sealers and purges (inside the caller's transaction)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
    # SQLite: settings open every transaction IMMEDIATE, which already holds the write lock.


def _anchor() -> tuple[int, str]:
    """(position, hash) of the latest purge's last entry, or (0, GENESIS) before any purge."""
    anchor = AuditChainAnchor.objects.order_by("-seq").values_list("seq", "hash").first()
    return anchor or (0, GENESIS)


def head() -> tuple[int, str]:
    """(position, hash) of the last sealed entry (or of the latest anchor, if all were purged)."""
    last = AuditEvent.objects.filter(seq__isnull=False).order_by("-seq").values_list("seq", "hash").first()
    anchor = _anchor()
    return last if last is not None and last[0] > anchor[0] else anchor


def seal(batch_size: int = SEAL_BATCH) -> int:
    """Seal every entry not sealed yet, in id order, `batch_size` per transaction; returns how many.

    Idempotent and safe to run concurrently with writers and with another sealer."""
    total = 0
    while True:
        with transaction.atomic():
            _lock()
            seq, previous = head()
            rows = list(
                AuditEvent.objects.filter(seq__isnull=True).order_by("id").values_list(*FIELDS)[:batch_size]
            )
            if not rows:
                return total
            updates = []
            for row in rows:
                seq += 1
                digest = entry_hash(seq, previous, *row)
                updates.append((row[0], seq, previous, digest))
                previous = digest
            _write_seals(updates)
        total += len(rows)
        if len(rows) < batch_size:
            return total


def _write_seals(updates: Sequence[tuple[int, int, str, str]]) -> None:
    table = AuditEvent._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Four arrays rather than a VALUES list: one parameter each, whatever the batch's size.
            ids, seqs, previous, digests = (list(column) for column in zip(*updates, strict=True))
            cursor.execute(
                f"UPDATE {table} AS a SET seq = v.seq, previous_hash = v.previous_hash, hash = v.hash "  # noqa: S608
                "FROM unnest(%s::bigint[], %s::bigint[], %s::text[], %s::text[]) AS v(id, seq, previous_hash, hash) "
                "WHERE a.id = v.id AND a.seq IS NULL",
                [ids, seqs, previous, digests],
            )
        else:
            cursor.executemany(
                f"UPDATE {table} SET seq = %s, previous_hash = %s, hash = %s WHERE id = %s AND seq IS NULL",  # noqa: S608
                [(seq, previous, digest, pk) for pk, seq, previous, digest in updates],
            )
        if cursor.rowcount not in (-1, len(updates)):
            raise AuditChainBroken("Scellement interrompu : une trace a été scellée par un autre processus.")


@dataclass(frozen=True)
class Problem:
    """The first fault found: its kind ("altered", "removed", "chain"), where, and what to say."""

    kind: str
    seq: int
    entry_id: int
    at: datetime.datetime
    message: str


@dataclass(frozen=True)
class Verification:
    checked: int  # entries whose hash was recomputed
    anchor_seq: int  # 0 before any purge
    head_seq: int  # position of the last entry checked (or the anchor's)
    head_hash: str
    unsealed: int  # entries written since the sealing (concurrent writers)
    problem: Problem | None

    @property
    def ok(self) -> bool:
        return self.problem is None

    def report(self) -> str:
        """The French report `parcours verify-audit` prints."""
        if self.problem is not None:
            return f"Journal d'audit ALTÉRÉ : {self.problem.message}"
        text = f"Journal d'audit intègre : {self.checked} trace(s) vérifiée(s)"
        if self.checked:
            text += f" (positions {self.anchor_seq + 1} à {self.head_seq})"
        if self.anchor_seq:
            text += f", à la suite de la purge de conservation des positions 1 à {self.anchor_seq}"
        text += f". Tête de chaîne : position {self.head_seq}, empreinte {self.head_hash}."
        if self.unsealed:
            text += f" {self.unsealed} trace(s) écrite(s) pendant la vérification, scellée(s) au prochain passage."
        return text


def _where(seq: int, entry_id: int, at: datetime.datetime) -> str:
    return f"n° {seq} (id {entry_id}, {timezone.localtime(at):%d/%m/%Y %H:%M:%S})"


def verify(*, seal_first: bool = True, upto: int | None = None, chunk: int = VERIFY_CHUNK) -> Verification:
    """Walk the chain from the latest anchor (to position `upto` when given) and return what was
    found: the first altered, removed or inserted entry, or none. Seals first unless told not to."""
    if seal_first:
        seal()
    anchor_seq, previous = _anchor()
    expected = anchor_seq + 1
    checked = 0
    problem = None
    entries = AuditEvent.objects.filter(seq__isnull=False)
    if upto is not None:
        entries = entries.filter(seq__lte=upto)
    last = anchor_seq
    while problem is None:
        rows = list(
            entries.filter(seq__gt=last)
            .order_by("seq")
            .values_list("seq", "previous_hash", "hash", *FIELDS)[:chunk]
        )
        if not rows:
            break
        for seq, previous_hash, digest, *fields in rows:
            entry_id, at = fields[0], fields[1]
            if seq != expected:
                missing = f"n° {expected}" if seq == expected + 1 else f"n° {expected} à {seq - 1}"
                problem = Problem(
                    "removed",
                    seq,
                    entry_id,
                    at,
                    f"trace(s) {missing} supprimée(s) : la chaîne saute de la position {expected - 1} "
                    f"à l'entrée {_where(seq, entry_id, at)}.",
                )
            elif entry_hash(seq, previous_hash, *fields) != digest:
                problem = Problem(
                    "altered",
                    seq,
                    entry_id,
                    at,
                    f"trace {_where(seq, entry_id, at)} modifiée : son contenu ne correspond plus à son "
                    "empreinte (ou la clé PARCOURS_AUDIT_CHAIN_KEY a changé).",
                )
            elif previous_hash != previous:
                problem = Problem(
                    "chain",
                    seq,
                    entry_id,
                    at,
                    f"chaînage rompu à la trace {_where(seq, entry_id, at)} : elle ne suit pas la trace "
                    f"n° {seq - 1}, qui a été remplacée, ou elle a été insérée ou renumérotée.",
                )
            if problem is not None:
                break
            previous, expected, last = digest, seq + 1, seq
            checked += 1
    unsealed = AuditEvent.objects.filter(seq__isnull=True).count() if upto is None else 0
    return Verification(checked, anchor_seq, last, previous, unsealed, problem)


def purge_expired(now: datetime.datetime | None = None) -> int:
    """Delete the sealed entries older than PARCOURS_AUDIT_RETENTION_DAYS (0: keep them all), from
    the start of the chain up to the first entry still within the period; returns how many.

    The part to delete is verified first: a broken chain raises `AuditChainBroken` and nothing is
    deleted. The anchor written in the same transaction keeps the rest verifiable."""
    days = getattr(settings, "PARCOURS_AUDIT_RETENTION_DAYS", 0)
    if not days:
        return 0
    cutoff = (now or timezone.now()) - datetime.timedelta(days=days)
    seal()
    with transaction.atomic():
        _lock()
        anchor_seq, _ = _anchor()
        sealed = AuditEvent.objects.filter(seq__gt=anchor_seq)
        first_kept = sealed.filter(at__gte=cutoff).order_by("seq").values_list("seq", flat=True).first()
        last = first_kept - 1 if first_kept is not None else head()[0]
        if last <= anchor_seq:
            return 0
        checked = verify(seal_first=False, upto=last)
        if checked.problem is not None or checked.head_seq != last:
            fault = checked.problem.message if checked.problem else f"la trace n° {last} manque."
            raise AuditChainBroken(f"Purge du journal d'audit refusée, rien n'a été supprimé : {fault}")
        table = AuditEvent._meta.db_table
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET LOCAL parcours.audit_purge = 'on'")
            AuditChainAnchor.objects.create(
                seq=last, hash=checked.head_hash, purged_count=checked.checked, cutoff=cutoff
            )
            cursor.execute(f"DELETE FROM {table} WHERE seq IS NOT NULL AND seq <= %s", [last])  # noqa: S608
            deleted = cursor.rowcount
            if connection.vendor == "postgresql":
                cursor.execute("SET LOCAL parcours.audit_purge = 'off'")
    return deleted
