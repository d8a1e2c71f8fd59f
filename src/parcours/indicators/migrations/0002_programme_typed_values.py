"""The accompaniment events (`accompagnement.debut`, `.fin`, `.contact`) now carry their
`programme` in the typed copy the indicators read (`indicators.events.FACT_KEYS`): refill the
events of those kinds already written."""

from django.db import migrations

from parcours.indicators import events

KINDS = [events.COACHING_START, events.COACHING_END, events.COACHING_CONTACT]
TYPED_COLUMNS = ("kind_code", "occurred_epoch", "value_1", "value_2", "value_3")


def refill(apps, schema_editor):
    PersonEvent = apps.get_model("people", "PersonEvent")
    table = PersonEvent._meta.db_table
    assignments = ", ".join(f"{column} = %s" for column in TYPED_COLUMNS)
    sql = f"UPDATE {table} SET {assignments} WHERE id = %s"  # noqa: S608 (constants only)
    rows = (
        PersonEvent.objects.filter(kind__in=KINDS)
        .order_by("id")
        .values_list("id", "kind", "occurred_at", "data")
    )
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
    dependencies = [("indicators", "0001_initial"), ("people", "0007_encrypt_nir")]

    operations = [migrations.RunPython(refill, migrations.RunPython.noop, elidable=True)]
