"""Load the shipped message wording (English and Spanish) into MessageTemplate; admins edit it later."""

from django.db import migrations

from outreach.shipped_templates import shipped_rows


def load(apps, schema_editor):
    MessageTemplate = apps.get_model("outreach", "MessageTemplate")
    for row in shipped_rows():
        MessageTemplate.objects.get_or_create(
            key=row["key"], language=row["language"], channel=row["channel"], defaults=row
        )


class Migration(migrations.Migration):
    dependencies = [("outreach", "0003_outbox_entry")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
