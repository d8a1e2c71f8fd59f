"""`parcours rotate-keys`: re-encrypt every encrypted value under the first key of
PARCOURS_ENCRYPTION_KEYS, in batches, while the application runs (docs/deployment.md).

Resumable: only values under another key are read, so a run stopped halfway is started again
and goes on where it was. Each row is written with a compare-and-set (`WHERE value = old
token`): a value changed meanwhile by the application (already under the new key) is left alone.

`--check` counts the values under each key (nothing written); `--rehash` recomputes the lookup
digests with the current PARCOURS_LOOKUP_HASH_KEY (a maintenance operation: see the docs);
`--generate-key` prints a new random key.
"""

from __future__ import annotations

from collections import Counter

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from parcours.core import encryption


class Command(BaseCommand):
    help = "Rechiffre toutes les valeurs chiffrées avec la première clé de PARCOURS_ENCRYPTION_KEYS."
    # Not the start-up key check (parcours.E101): this command is how a key problem is repaired
    # (--rehash after a new hash key); a value it cannot decrypt stops it with the same message.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=1000, help="lignes par transaction (1000)")
        parser.add_argument(
            "--check", action="store_true", help="compter les valeurs par clé, sans rien écrire"
        )
        parser.add_argument(
            "--rehash", action="store_true", help="recalculer les empreintes avec PARCOURS_LOOKUP_HASH_KEY"
        )
        parser.add_argument("--generate-key", action="store_true", help="afficher une nouvelle clé aléatoire")

    def handle(self, *args, batch_size: int, check: bool, rehash: bool, generate_key: bool, **options):
        if generate_key:
            self.stdout.write(encryption.generate_key())
            return
        primary = encryption.primary_key_id()
        if check:
            self._check(primary)
            return
        for model, field in encryption.encrypted_fields():
            if rehash and field.digest_field:
                count = rehash_digests(model, field, batch_size)
                self.stdout.write(f"{model._meta.label}.{field.name} : {count} empreinte(s) recalculée(s).")
            count = rotate_column(model, field, primary, batch_size)
            self.stdout.write(f"{model._meta.label}.{field.name} : {count} valeur(s) rechiffrée(s).")
        for label in encryption.JSON_FIELDS_WITH_SECRETS:
            count = rotate_json(label, primary, batch_size)
            self.stdout.write(f"{label} : {count} valeur(s) rechiffrée(s).")
        self.stdout.write(self.style.SUCCESS(f"Toutes les valeurs sont chiffrées avec la clé « {primary} »."))

    def _check(self, primary: str) -> None:
        for model, field in encryption.encrypted_fields():
            counts = key_counts(model, field)
            known = encryption.keyring().ciphers
            summary = ", ".join(
                f"{kid}{' (principale)' if kid == primary else ''}"
                f"{'' if kid in known else ' (absente de PARCOURS_ENCRYPTION_KEYS)'} : {n}"
                for kid, n in counts.items()
            )
            self.stdout.write(f"{model._meta.label}.{field.name} — {summary or 'aucune valeur'}")


def _sql_names(model, field) -> tuple[str, str, str]:
    quote = connection.ops.quote_name
    return quote(model._meta.db_table), quote(field.column), quote(model._meta.pk.column)


def key_counts(model, field) -> Counter:
    """The number of stored values under each key id."""
    table, column, pk = _sql_names(model, field)
    length = encryption.KEY_ID_LENGTH
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT substr({column}, 1, {length}), count(*) FROM {table} WHERE {column} <> '' "  # noqa: S608
            f"GROUP BY substr({column}, 1, {length}) ORDER BY 1"
        )
        return Counter(dict(cursor.fetchall()))


def rotate_column(model, field, primary: str, batch_size: int) -> int:
    """Re-encrypt the values of one column that are not under `primary`; the number rewritten."""
    table, column, pk = _sql_names(model, field)
    prefix = f"{primary}:"
    done, last = 0, None
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            after = "" if last is None else f"AND {pk} > %s "
            cursor.execute(
                f"SELECT {pk}, {column} FROM {table} WHERE {column} <> '' AND substr({column}, 1, %s) <> %s "  # noqa: S608
                f"{after}ORDER BY {pk} LIMIT %s",
                [len(prefix), prefix, *([] if last is None else [last]), batch_size],
            )
            rows = cursor.fetchall()
            if not rows:
                return done
            cursor.executemany(
                f"UPDATE {table} SET {column} = %s WHERE {pk} = %s AND {column} = %s",  # noqa: S608
                [(encryption.encrypt(encryption.decrypt(token)), key, token) for key, token in rows],
            )
            done += len(rows)
            last = rows[-1][0]


def rehash_digests(model, field, batch_size: int) -> int:
    """Recompute the digest column of an encrypted field from the decrypted values."""
    table, column, pk = _sql_names(model, field)
    digest_column = connection.ops.quote_name(model._meta.get_field(field.digest_field).column)
    done, last = 0, 0
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {pk}, {column}, {digest_column} FROM {table} "  # noqa: S608
                f"WHERE {column} <> '' AND {pk} > %s ORDER BY {pk} LIMIT %s",
                [last, batch_size],
            )
            rows = cursor.fetchall()
            if not rows:
                return done
            changes = []
            for key, token, digest in rows:
                fresh = field.digest_of(encryption.decrypt(token))
                if fresh != digest:
                    changes.append((fresh, key, token))
            cursor.executemany(
                f"UPDATE {table} SET {digest_column} = %s WHERE {pk} = %s AND {column} = %s",  # noqa: S608
                changes,
            )
            done += len(changes)
            last = rows[-1][0]


def _rotate_secrets(value, primary: str):
    """`value` with every {ENCRYPTED_JSON_MARK: token} not under `primary` re-encrypted, and
    whether anything changed."""
    mark = encryption.ENCRYPTED_JSON_MARK
    if isinstance(value, dict):
        if set(value) == {mark}:
            token = value[mark]
            if encryption.token_key_id(token) != primary:
                return {mark: encryption.encrypt(encryption.decrypt(token))}, True
            return value, False
        changed = False
        out = {}
        for k, v in value.items():
            out[k], c = _rotate_secrets(v, primary)
            changed |= c
        return out, changed
    if isinstance(value, list):
        pairs = [_rotate_secrets(v, primary) for v in value]
        return [v for v, _ in pairs], any(c for _, c in pairs)
    return value, False


def rotate_json(label: str, primary: str, batch_size: int) -> int:
    """Re-encrypt the secrets held in a JSON field ("app_label.Model.field")."""
    app_label, model_name, field_name = label.split(".")
    model = apps.get_model(app_label, model_name)
    done, last = 0, 0
    while True:
        with transaction.atomic():
            rows = list(
                model.objects.filter(pk__gt=last, **{f"{field_name}__isnull": False})
                .order_by("pk")
                .values_list("pk", field_name)[:batch_size]
            )
            if not rows:
                return done
            for pk, value in rows:
                fresh, changed = _rotate_secrets(value, primary)
                if changed:
                    model.objects.filter(pk=pk).update(**{field_name: fresh})
                    done += 1
            last = rows[-1][0]
