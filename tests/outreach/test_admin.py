"""Admin: every outreach page opens; templates are editable; failed messages can be retried."""

from django.urls import reverse

from careteam.models import AuditEvent
from outreach.models import (
    ClientReminder,
    InboundMessage,
    MessageStatus,
    MessageTemplate,
    OutboxEntry,
    ScheduledMessage,
)
from tests.conftest import login
from tests.factories.outreach import ScheduledMessageFactory, outreach_rows


def test_every_outreach_admin_page_opens(alice, admin_user, supervisor):
    outreach_rows(alice, supervisor)
    http = login(admin_user)
    for model in (MessageTemplate, ScheduledMessage, InboundMessage, ClientReminder, OutboxEntry):
        opts = model._meta
        assert http.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")).status_code == 200
        obj = model.objects.first()
        change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        assert http.get(change).status_code == 200, model


def test_a_template_is_edited_in_admin_and_audited(admin_user):
    template = MessageTemplate.objects.get(key="client-reminder", language="en", channel="sms")
    response = login(admin_user).post(
        reverse("admin:outreach_messagetemplate_change", args=[template.pk]),
        {
            "key": template.key,
            "language": "en",
            "channel": "sms",
            "description": template.description,
            "subject": "",
            "body": "Hi {{ client_name }}: {{ label }}",
        },
    )
    assert response.status_code == 302
    template.refresh_from_db()
    assert template.body == "Hi {{ client_name }}: {{ label }}" and template.updated_by == admin_user
    assert AuditEvent.objects.filter(user=admin_user, object_type="outreach.messagetemplate").exists()


def test_retry_puts_a_failed_message_back_in_the_queue(alice, admin_user):
    failed = ScheduledMessageFactory(client=alice, status=MessageStatus.FAILED, attempts=5)
    response = login(admin_user).post(
        reverse("admin:outreach_scheduledmessage_changelist"),
        {"action": "retry_failed", "_selected_action": [failed.pk]},
    )
    assert response.status_code == 302
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (MessageStatus.PENDING, 0)


def test_a_staff_admin_sees_only_visible_clients_messages(alice, outsider):
    ScheduledMessageFactory(client=alice)
    outsider.is_staff = True
    outsider.save()
    from django.contrib.auth.models import Permission

    outsider.user_permissions.add(Permission.objects.get(codename="view_scheduledmessage"))
    response = login(outsider).get(reverse("admin:outreach_scheduledmessage_changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_count == 0
