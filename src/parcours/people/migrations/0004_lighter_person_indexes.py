"""Fewer indexes to maintain on the tables an import fills: search_names had a B-tree index no query
could use (name search is LIKE '%word%'); birth_date's index now also holds search_names, so that
identity resolution reads names born on a day from the index alone; a household's members are found
through the unique (household, person) constraint's index."""

import django.db.models.deletion
from django.db import migrations, models

import parcours.people.models


class Migration(migrations.Migration):
    dependencies = [("people", "0003_typed_event_values")]

    operations = [
        migrations.AlterField(
            model_name="person",
            name="search_names",
            field=models.CharField(default="", editable=False, max_length=500),
        ),
        migrations.AlterField(
            model_name="person",
            name="birth_date",
            field=models.DateField(
                validators=[parcours.people.models.validate_birth_date], verbose_name="date de naissance"
            ),
        ),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(fields=["birth_date", "search_names"], name="person_birth_names_idx"),
        ),
        migrations.AlterField(
            model_name="householdmember",
            name="household",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="memberships",
                to="people.household",
            ),
        ),
    ]
