"""Load the needs taxonomy (clients.NeedCategory) as the directory's taxonomy terms."""

from django.db import migrations

from clients.models import NeedCategory


def load(apps, schema_editor):
    TaxonomyTerm = apps.get_model("referrals", "TaxonomyTerm")
    for code, name in NeedCategory.choices:
        TaxonomyTerm.objects.get_or_create(taxonomy="careteam-needs", code=code, defaults={"name": str(name)})


class Migration(migrations.Migration):
    dependencies = [("referrals", "0002_role_permissions")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
