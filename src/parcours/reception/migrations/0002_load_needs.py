from django.db import migrations


def load(apps, schema_editor):
    from parcours.reception.needs_loader import load_needs

    load_needs(
        models=(
            apps.get_model("reception", "NeedTheme"),
            apps.get_model("reception", "NeedSituation"),
            apps.get_model("reception", "Need"),
        )
    )


class Migration(migrations.Migration):
    dependencies = [("reception", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
