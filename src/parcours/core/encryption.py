"""Application-level encryption of secret-like identifiers (the NIR; later bank details).

Contract:

- `encrypt(text)` → a token `"<key id>:<base64url(nonce ‖ ciphertext ‖ tag)>"`: AES-256-GCM
  (the `cryptography` package) with a random 96-bit nonce, under the **first** key of
  `settings.PARCOURS_ENCRYPTION_KEYS`. The key id (8 hex digits, derived from the key) says which
  key decrypts a token, so that `decrypt(token)` works with **any** configured key: during a
  rotation old and new keys are both configured, new writes use the new one, and
  `parcours rotate-keys` re-encrypts the rest (docs/deployment.md). "" stays "" (no secret).
- `lookup_digest(purpose, value)` → HMAC-SHA256 of `purpose:value` under
  `settings.PARCOURS_LOOKUP_HASH_KEY` (a separate key), 128 bits in hex: equal values give equal digests, so
  an indexed digest column serves lookups and uniqueness without the clear value. The purpose
  ("nir", "iban"…) keeps digests of different identifiers apart.
- `EncryptedField`: a model field stored as such a token, decrypted on read (so `person.nir` is
  the clear value in Python). Optionally it keeps a digest field of the same model in step
  whenever the attribute is assigned (`digest_field`, `digest_of`). It cannot be compared in
  SQL (a random nonce gives a new token each time): only `= ''` and `IS NULL` are allowed; look
  up by the digest field instead.
- `verify_keys()` reads a few stored values of every encrypted field and raises
  `ImproperlyConfigured` with a message naming the problem when a key is missing or wrong
  (values encrypted under an unknown key, or digests that the hash key does not reproduce). It
  runs as a system check (runserver, qcluster, every management command) and when the WSGI
  application starts.

Keys are 32 random bytes written in base64url (`parcours rotate-keys --generate-key`).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.apps import apps
from django.conf import settings
from django.core import checks
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.core.signals import setting_changed
from django.db import DatabaseError, connection, models
from django.db.models.lookups import Exact, IsNull
from django.db.models.query_utils import DeferredAttribute
from django.dispatch import receiver

NONCE_BYTES = 12
KEY_ID_LENGTH = 8
# Lookup digests are HMAC-SHA256 truncated to 128 bits (32 hex digits): no collision among any
# realistic number of persons, and half the index of the full 256 bits.
DIGEST_LENGTH = 32
# A secret kept inside a JSON value is written {ENCRYPTED_JSON_MARK: token}; the JSON fields that
# may hold such values ("app_label.Model.field") are re-encrypted by `parcours rotate-keys` too.
ENCRYPTED_JSON_MARK = "__encrypted__"
JSON_FIELDS_WITH_SECRETS = ["imports.DuplicateCandidate.merge_data"]


class DecryptionError(ImproperlyConfigured):
    """A stored value that the configured keys cannot decrypt (its message names the key id)."""


def parse_key(text: str, name: str) -> bytes:
    """The 32 bytes of a base64url key, or ImproperlyConfigured naming the variable."""
    try:
        raw = base64.urlsafe_b64decode(text.strip().encode() + b"=" * (-len(text.strip()) % 4))
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise ImproperlyConfigured(
            f"{name} : chaque clé doit faire 32 octets aléatoires écrits en base64url (44 caractères), "
            "par exemple celle que donne « parcours rotate-keys --generate-key »."
        )
    return raw


def generate_key() -> str:
    """A new random key in the form the settings expect."""
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def key_id(raw: bytes) -> str:
    """The public id of a key: 8 hex digits of an HMAC of a fixed text (reveals nothing of it)."""
    return hmac.digest(raw, b"parcours key id", "sha256").hex()[:KEY_ID_LENGTH]


@dataclass(frozen=True)
class Keyring:
    primary_id: str
    ciphers: dict[str, AESGCM]
    hash_key: bytes
    # HMAC-SHA256 already keyed: each digest copies it (half the cost of keying it again).
    keyed_hmac: hmac.HMAC

    @classmethod
    def from_settings(cls) -> Keyring:
        keys = list(getattr(settings, "PARCOURS_ENCRYPTION_KEYS", []) or [])
        hash_text = getattr(settings, "PARCOURS_LOOKUP_HASH_KEY", "") or ""
        if not keys or not hash_text:
            raise ImproperlyConfigured(
                "PARCOURS_ENCRYPTION_KEYS et PARCOURS_LOOKUP_HASH_KEY sont obligatoires : les NIR sont "
                "chiffrés avec ces clés (voir docs/deployment.md, « Encryption of identifiers »)."
            )
        raws = [parse_key(k, "PARCOURS_ENCRYPTION_KEYS") for k in keys]
        hash_key = parse_key(hash_text, "PARCOURS_LOOKUP_HASH_KEY")
        if hash_key in raws:
            raise ImproperlyConfigured(
                "PARCOURS_LOOKUP_HASH_KEY doit être une clé distincte des clés de PARCOURS_ENCRYPTION_KEYS."
            )
        ciphers = {key_id(raw): AESGCM(raw) for raw in raws}
        return cls(
            primary_id=key_id(raws[0]),
            ciphers=ciphers,
            hash_key=hash_key,
            keyed_hmac=hmac.new(hash_key, digestmod=hashlib.sha256),
        )


@cache
def keyring() -> Keyring:
    return Keyring.from_settings()


@receiver(setting_changed)
def _forget_keys(setting, **kwargs):
    if setting in {"PARCOURS_ENCRYPTION_KEYS", "PARCOURS_LOOKUP_HASH_KEY"}:
        keyring.cache_clear()


def encrypt(text: str) -> str:
    """`text` encrypted under the first key ("" stays "")."""
    if not text:
        return ""
    ring = keyring()
    nonce = os.urandom(NONCE_BYTES)
    sealed = ring.ciphers[ring.primary_id].encrypt(nonce, text.encode(), None)
    return f"{ring.primary_id}:{base64.urlsafe_b64encode(nonce + sealed).decode()}"


def decrypt(token: str) -> str:
    """The clear text of a token made by `encrypt` under any configured key ("" stays "")."""
    if not token:
        return ""
    kid, _, body = token.partition(":")
    cipher = keyring().ciphers.get(kid)
    if cipher is None:
        raise DecryptionError(
            f"Une valeur chiffrée l'a été avec la clé « {kid} », absente de PARCOURS_ENCRYPTION_KEYS : "
            "remettez cette clé dans la variable (après la clé principale) ou terminez la rotation "
            "(« parcours rotate-keys »)."
        )
    try:
        raw = base64.urlsafe_b64decode(body)
        return cipher.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], None).decode()
    except (InvalidTag, binascii.Error, ValueError):
        raise DecryptionError(
            f"Une valeur chiffrée avec la clé « {kid} » est illisible : donnée altérée ou clé incorrecte."
        ) from None


def token_key_id(token: str) -> str:
    """The id of the key a token was made with ('' for an empty value)."""
    return token.partition(":")[0] if token else ""


def lookup_digest(purpose: str, value: str) -> str:
    """HMAC-SHA256 (hex) of `purpose:value` under the lookup hash key ("" for an empty value)."""
    if not value:
        return ""
    mac = keyring().keyed_hmac.copy()
    mac.update(f"{purpose}:{value}".encode())
    return mac.hexdigest()[:DIGEST_LENGTH]


def primary_key_id() -> str:
    return keyring().primary_id


# -- the model field -------------------------------------------------------------------------


class _EncryptedAttribute(DeferredAttribute):
    """Assigning the attribute also recomputes the field's digest (kept in step in Python)."""

    def __set__(self, instance, value):
        instance.__dict__[self.field.attname] = value
        field = self.field
        if field.digest_field and field.digest_of is not None:
            instance.__dict__[field.digest_field] = field.digest_of(value or "")


class EncryptedField(models.TextField):
    """A text stored encrypted (see the module docstring); the clear value in Python.

    `digest_field`: the name of a CharField(32) of the same model holding the lookup digest;
    `digest_of`: the function computing it from the clear value (e.g. `people.nir.nir_digest`).
    Both are behaviour, not schema: migrations do not record them."""

    descriptor_class = _EncryptedAttribute

    def __init__(
        self, *args, digest_field: str = "", digest_of: Callable[[str], str] | None = None, **kwargs
    ):
        self.digest_field = digest_field
        self.digest_of = digest_of
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def from_db_value(self, value, expression, connection):
        return decrypt(value) if value else value

    def to_python(self, value):
        return value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return encrypt(value) if value else value

    def get_lookup(self, lookup_name):
        if lookup_name == "exact":
            return EmptyOnlyExact
        if lookup_name == "isnull":
            return IsNull
        raise FieldError(
            f"Le champ chiffré « {self.name} » ne se compare pas en SQL (lookup « {lookup_name} ») : "
            f"cherchez par son empreinte ({self.digest_field or 'champ d’empreinte'})."
        )

    def get_transform(self, lookup_name):
        return None


class EmptyOnlyExact(Exact):
    """`field = ''` only: any other value would be encrypted with a fresh nonce and match nothing."""

    def get_prep_lookup(self):
        if self.rhs not in ("", None):
            raise FieldError(
                f"Le champ chiffré « {self.lhs.target.name} » ne se compare qu'à la valeur vide : "
                "cherchez par son empreinte."
            )
        return ""


def encrypted_fields() -> list[tuple[type[models.Model], EncryptedField]]:
    """Every encrypted field of every installed model."""
    return [
        (model, field)
        for model in apps.get_models()
        for field in model._meta.local_fields
        if isinstance(field, EncryptedField)
    ]


# -- start-up check --------------------------------------------------------------------------


def _samples(model, field, limit: int = 2) -> list[tuple]:
    """The first and last stored values of a field (raw tokens, with their digest if any)."""
    quote = connection.ops.quote_name
    table, column, pk = quote(model._meta.db_table), quote(field.column), quote(model._meta.pk.column)
    digest = quote(model._meta.get_field(field.digest_field).column) if field.digest_field else "''"
    rows = []
    with connection.cursor() as cursor:
        for order in ("ASC", "DESC"):
            cursor.execute(
                f"SELECT {column}, {digest} FROM {table} WHERE {column} <> '' ORDER BY {pk} {order} LIMIT %s",  # noqa: S608
                [limit],
            )
            rows.extend(cursor.fetchall())
    return rows


def verify_keys() -> None:
    """Raise ImproperlyConfigured if the configured keys cannot read the stored values or do not
    reproduce their digests. A database without the tables yet (before `migrate`) passes."""
    keyring()  # a missing or malformed key fails here, with its own message
    for model, field in encrypted_fields():
        try:
            samples = _samples(model, field)
        except DatabaseError:
            return  # not migrated yet (or no database): nothing encrypted to check
        label = f"{model._meta.label}.{field.name}"
        for token, digest in samples:
            try:
                clear = decrypt(token)
            except DecryptionError as error:
                raise ImproperlyConfigured(f"{label} : {error}") from None
            if field.digest_of is not None and digest and field.digest_of(clear) != digest:
                raise ImproperlyConfigured(
                    f"{label} : PARCOURS_LOOKUP_HASH_KEY n'est pas la clé avec laquelle les empreintes ont "
                    "été calculées (les recherches ne trouveraient plus personne). Remettez la bonne clé."
                )


@checks.register(checks.Tags.security)
def check_encryption_keys(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    try:
        verify_keys()
    except ImproperlyConfigured as error:
        return [checks.Critical(str(error), id="parcours.E101")]
    return []
