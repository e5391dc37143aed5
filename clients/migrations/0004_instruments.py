"""Load the instrument definitions careteam ships (clients/assessments/definitions.py).

An instrument that already exists (same code) is left as the organisation has it.
"""

from django.db import migrations

from clients.assessments.definitions import INSTRUMENTS


def load(apps, schema_editor):
    Instrument = apps.get_model("clients", "Instrument")
    for definition in INSTRUMENTS:
        Instrument.objects.get_or_create(code=definition["code"], defaults=definition)


def unload(apps, schema_editor):
    Instrument = apps.get_model("clients", "Instrument")
    codes = [d["code"] for d in INSTRUMENTS]
    Instrument.objects.filter(code__in=codes, responses__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("clients", "0003_clinical_role_permissions")]
    operations = [migrations.RunPython(load, unload)]
