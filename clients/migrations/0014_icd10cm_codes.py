"""Load the shipped ICD-10-CM subset (filled in by the diagnoses work)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("clients", "0013_problem_list_permissions")]
    operations = [migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop)]
