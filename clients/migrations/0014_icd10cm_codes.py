"""Load the shipped ICD-10-CM subset (``clients/diagnoses/data/icd10cm_behavioral_health.tsv``).

Idempotent: codes are matched by code; a present one gets the shipped description, flags and release,
a missing one is added. Unloading keeps the codes: diagnoses may already reference them.
"""

import csv
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "diagnoses" / "data" / "icd10cm_behavioral_health.tsv"


def load_subset(apps, schema_editor):
    DiagnosisCode = apps.get_model("clients", "DiagnosisCode")
    db = schema_editor.connection.alias
    with DATA.open(encoding="utf-8", newline="") as fh:
        rows = [
            {
                "code": row["code"],
                "description": row["description"],
                "billable": row["billable"] == "1",
                "release": row["release"],
            }
            for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        ]
    codes = [r["code"] for r in rows]
    existing = {}
    for start in range(0, len(codes), 500):  # SQLite caps the parameters of one query
        chunk = DiagnosisCode.objects.using(db).filter(code__in=codes[start : start + 500])
        existing.update((c.code, c) for c in chunk)
    new, changed = [], []
    for row in rows:
        code = existing.get(row["code"])
        if code is None:
            new.append(DiagnosisCode(is_active=True, **row))
            continue
        values = {**row, "is_active": True}
        if any(getattr(code, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(code, k, v)
            changed.append(code)
    DiagnosisCode.objects.using(db).bulk_create(new, batch_size=500)
    DiagnosisCode.objects.using(db).bulk_update(
        changed, ["description", "billable", "release", "is_active"], batch_size=500
    )


class Migration(migrations.Migration):
    dependencies = [("clients", "0013_problem_list_permissions")]
    operations = [migrations.RunPython(load_subset, migrations.RunPython.noop)]
