"""One texting switch: the ``Client.may_text`` column goes; whether we may text is read from the
text-messaging consent (``Client.text_consent_on_file``); disclosures keep the 42 CFR 2.32 notice that went with them.

Before, a text went out only when both the flag and an active text-messaging consent said yes. So that
nobody starts receiving texts they did not receive before, a consent whose client's flag said "no" is
revoked (today, with the reason written on it) before the flag is dropped; nothing is deleted.
"""

from django.db import migrations
from django.db.models import Q
from django.utils import timezone

import careteam.fields

REASON = "Revoked when texting moved to one switch: the client record said not to text (may_text off)."


def revoke_consents_the_flag_contradicted(apps, schema_editor):
    Consent = apps.get_model("clients", "Consent")
    today = timezone.localdate()
    Consent.objects.filter(kind="text_messaging", client__may_text=False, signed_on__lte=today).filter(
        Q(revoked_on__isnull=True) | Q(revoked_on__gt=today)
    ).update(revoked_on=today, revoked_reason=REASON)


class Migration(migrations.Migration):
    dependencies = [
        ("clients", "0010_bounded_text"),
    ]

    operations = [
        migrations.RunPython(revoke_consents_the_flag_contradicted, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name="client",
            name="may_text",
        ),
        migrations.AddField(
            model_name="disclosure",
            name="notice",
            field=careteam.fields.BoundedTextField(
                blank=True,
                help_text="The 42 CFR 2.32 notice that accompanied the disclosure, as sent.",
                max_length=4000,
            ),
        ),
    ]
