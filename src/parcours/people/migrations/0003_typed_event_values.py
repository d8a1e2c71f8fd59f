"""The typed copy of each event that the indicators read (kind number, Unix seconds, three `data`
values as integers, see `indicators.events.typed_values`), filled for the existing events."""

from django.db import migrations, models

from parcours.indicators import events

TYPED_COLUMNS = ("kind_code", "occurred_epoch", "value_1", "value_2", "value_3")


def fill_typed_values(apps, schema_editor):
    PersonEvent = apps.get_model("people", "PersonEvent")
    table = PersonEvent._meta.db_table
    assignments = ", ".join(f"{column} = %s" for column in TYPED_COLUMNS)
    sql = f"UPDATE {table} SET {assignments} WHERE id = %s"  # noqa: S608 (constants only)
    rows = PersonEvent.objects.order_by("id").values_list("id", "kind", "occurred_at", "data")
    batch = []
    with schema_editor.connection.cursor() as cursor:
        for event_id, kind, occurred_at, data in rows.iterator(chunk_size=5000):
            batch.append((*events.typed_values(kind, events.epoch_seconds(occurred_at), data), event_id))
            if len(batch) == 5000:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)


class Migration(migrations.Migration):
    dependencies = [("people", "0002_search_indexes")]

    operations = [
        migrations.AddField(
            model_name="personevent",
            name="kind_code",
            field=models.SmallIntegerField(
                db_default=-1, editable=False, verbose_name="numéro de la nature (indicateurs)"
            ),
        ),
        migrations.AddField(
            model_name="personevent",
            name="occurred_epoch",
            field=models.BigIntegerField(
                db_default=0, editable=False, verbose_name="date en secondes Unix (indicateurs)"
            ),
        ),
        migrations.AddField(
            model_name="personevent",
            name="value_1",
            field=models.IntegerField(db_default=0, editable=False, verbose_name="valeur 1 (indicateurs)"),
        ),
        migrations.AddField(
            model_name="personevent",
            name="value_2",
            field=models.IntegerField(db_default=0, editable=False, verbose_name="valeur 2 (indicateurs)"),
        ),
        migrations.AddField(
            model_name="personevent",
            name="value_3",
            field=models.IntegerField(db_default=0, editable=False, verbose_name="valeur 3 (indicateurs)"),
        ),
        migrations.RunPython(fill_typed_values, migrations.RunPython.noop, elidable=True),
    ]
