"""WHO-5, PC-PTSD-5, CIWA-Ar and COWS (clients/assessments/definitions.py MORE_INSTRUMENTS).

As in 0004: an instrument that already exists (same code) is left as the organisation has it, so the
migration can run again and never overwrites licensed wording an organisation has loaded.
"""

from django.db import migrations

from clients.assessments.definitions import MORE_INSTRUMENTS


def load(apps, schema_editor):
    Instrument = apps.get_model("clients", "Instrument")
    for definition in MORE_INSTRUMENTS:
        Instrument.objects.get_or_create(code=definition["code"], defaults=definition)


def unload(apps, schema_editor):
    Instrument = apps.get_model("clients", "Instrument")
    codes = [d["code"] for d in MORE_INSTRUMENTS]
    Instrument.objects.filter(code__in=codes, responses__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("clients", "0014_icd10cm_codes")]
    operations = [migrations.RunPython(load, unload)]
