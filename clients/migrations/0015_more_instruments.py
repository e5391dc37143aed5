"""WHO-5, PC-PTSD-5, CIWA-Ar and COWS (filled in by the instruments work)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("clients", "0014_icd10cm_codes")]
    operations = [migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop)]
