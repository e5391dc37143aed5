"""Everyone with a caseload works a worklist of staff tasks."""

from django.db import migrations

from careteam.roles import grant_role_permissions

TASK_PERMISSIONS = {
    role: ["careteam.view_task", "careteam.change_task"]
    for role in ("counselor", "case_manager", "peer_specialist", "crisis_worker", "supervisor", "admin")
}


def grant(apps, schema_editor):
    grant_role_permissions(apps, TASK_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("careteam", "0005_staff_tasks")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
