"""Indexes for person search: birth date everywhere; on PostgreSQL, a trigram index so that
name searches (`search_names LIKE '%word%'`) don't scan the table."""

from django.db import migrations, models

import parcours.people.models


def create_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS people_person_search_names_trgm "
        "ON people_person USING gin (search_names gin_trgm_ops)"
    )


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS people_person_search_names_trgm")


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial")]

    operations = [
        migrations.AlterField(
            model_name="person",
            name="birth_date",
            field=models.DateField(
                db_index=True,
                verbose_name="date de naissance",
                validators=[parcours.people.models.validate_birth_date],
            ),
        ),
        migrations.RunPython(create_trigram_index, drop_trigram_index, elidable=False),
    ]
