"""Messages to an organisation (a referral partner's email address) and the partner email's wording.

The partner's link to answer a referral used to go by ``send_mail`` after commit, outside the
outbox (no retry, no idempotency, lost with the process). It is now a ``ScheduledMessage`` whose
recipient is the organisation: ``to_address`` / ``to_name``. The wording is a template row like
every other; ``0004`` loads it on a fresh database, this loads it on one migrated before it.
"""

from django.db import migrations, models

from outreach.shipped_templates import PARTNER_TEMPLATE_KEY, shipped_rows


def load_partner_template(apps, schema_editor):
    MessageTemplate = apps.get_model("outreach", "MessageTemplate")
    for row in shipped_rows():
        if row["key"] == PARTNER_TEMPLATE_KEY:
            MessageTemplate.objects.get_or_create(
                key=row["key"], language=row["language"], channel=row["channel"], defaults=row
            )


class Migration(migrations.Migration):
    dependencies = [("outreach", "0005_dashboard_indexes")]

    operations = [
        migrations.AddField(
            model_name="scheduledmessage",
            name="to_address",
            field=models.EmailField(
                blank=True,
                help_text="Email to an organisation instead of the client (e.g. a referral partner).",
                max_length=254,
            ),
        ),
        migrations.AddField(
            model_name="scheduledmessage",
            name="to_name",
            field=models.CharField(blank=True, help_text="The organisation's name.", max_length=200),
        ),
        migrations.AlterField(
            model_name="scheduledmessage",
            name="source_kind",
            field=models.CharField(
                choices=[
                    ("appointment", "Appointment reminder"),
                    ("crisis_episode", "Crisis follow-up"),
                    ("caring_contact", "Caring contact"),
                    ("referral", "Referral follow-up"),
                    ("client_reminder", "Client reminder"),
                    ("safety_plan", "Safety plan link"),
                    ("manual", "Sent by staff"),
                    ("referral_partner", "Referral link to a partner"),
                ],
                max_length=20,
            ),
        ),
        migrations.RunPython(load_partner_template, migrations.RunPython.noop),
    ]
