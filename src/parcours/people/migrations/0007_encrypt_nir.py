"""The NIR encrypted at rest (parcours.core.encryption): a `nir_encrypted` column and an indexed
`nir_digest` (HMAC of the 13 first characters) are added, the existing NIRs are encrypted in
batches, then the clear column and its index are dropped. The model field keeps its name, `nir`,
on the `nir_encrypted` column. Reversible: going back decrypts into a clear `nir` column again."""

import django.core.validators  # noqa: F401
from django.db import migrations, models

import parcours.core.encryption
import parcours.people.nir

BATCH = 2000


def _nir13(value):
    nir = parcours.people.nir.clean_nir(value or "")
    return nir[:13] if len(nir) >= 13 else ""


def encrypt_existing(apps, schema_editor):
    Person = apps.get_model("people", "Person")
    last = 0
    while True:
        rows = list(
            Person.objects.filter(pk__gt=last).exclude(nir="").order_by("pk").values_list("pk", "nir")[:BATCH]
        )
        if not rows:
            return
        Person.objects.bulk_update(
            [
                # nir_encrypted is an EncryptedField: saving it encrypts the clear value.
                Person(
                    pk=pk,
                    nir_encrypted=nir,
                    nir_digest=parcours.core.encryption.lookup_digest("nir", _nir13(nir)),
                )
                for pk, nir in rows
            ],
            ["nir_encrypted", "nir_digest"],
        )
        last = rows[-1][0]


def decrypt_back(apps, schema_editor):
    Person = apps.get_model("people", "Person")
    last = 0
    while True:
        rows = list(
            Person.objects.filter(pk__gt=last)
            .exclude(nir_encrypted="")
            .order_by("pk")
            .values_list("pk", "nir_encrypted")[:BATCH]
        )
        if not rows:
            return
        Person.objects.bulk_update([Person(pk=pk, nir=nir[:15]) for pk, nir in rows], ["nir"])
        last = rows[-1][0]


class Migration(migrations.Migration):
    dependencies = [("people", "0006_address_outside_departement")]

    operations = [
        migrations.AddField(
            model_name="person",
            name="nir_encrypted",
            field=parcours.core.encryption.EncryptedField(blank=True, default=""),
        ),
        migrations.AddField(
            model_name="person",
            name="nir_digest",
            field=models.CharField(
                blank=True, db_index=True, default="", editable=False, max_length=32, verbose_name="empreinte du NIR"
            ),
        ),
        migrations.RunPython(encrypt_existing, decrypt_back, elidable=False),
        migrations.RemoveField(model_name="person", name="nir"),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(model_name="person", name="nir_encrypted"),
                migrations.AddField(
                    model_name="person",
                    name="nir",
                    field=parcours.core.encryption.EncryptedField(
                        blank=True,
                        db_column="nir_encrypted",
                        default="",
                        help_text="Numéro de sécurité sociale : 13 caractères, ou 15 avec la clé.",
                        validators=[parcours.people.nir.validate_nir],
                        verbose_name="NIR",
                    ),
                ),
            ],
        ),
    ]
