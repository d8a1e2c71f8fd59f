"""The daily file purge became part of the retention task (privacy.tasks.run_retention): remove
its old schedule, which `core.schedules.ensure_schedules` (by name) would otherwise keep."""

from django.db import migrations

OLD_NAME = "Suppression des fichiers personnels échus"


def remove_old_schedule(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.filter(name=OLD_NAME, func="parcours.core.retention.purge_personal_files").delete()


class Migration(migrations.Migration):
    dependencies = [("privacy", "0001_initial"), ("django_q", "0018_task_success_index")]

    operations = [migrations.RunPython(remove_old_schedule, migrations.RunPython.noop)]
