from django.db import migrations


def load(apps, schema_editor):
    from parcours.jobs.rome import load_reference

    load_reference(apps.get_model("jobs", "RomeCode"), apps.get_model("jobs", "RomeAppellation"))


class Migration(migrations.Migration):
    dependencies = [("jobs", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
