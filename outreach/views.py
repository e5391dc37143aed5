"""The chart's Messages tab (what was scheduled, sent or skipped, replies, reminders) and the SMS webhooks.

Chart pages load the client through ``ChartMixin`` (404 when not visible) and write through
``services``. The webhooks take no login: Twilio's signature is their authentication.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView
from twilio.request_validator import RequestValidator

from careteam import access
from careteam.api_filters import row_id
from careteam.audit import audit_log
from careteam.errors import DomainError
from careteam.models import AuditAction
from careteam.timezones import client_time_zone
from clients.chart_views import ChartMixin, add_service_errors
from clients.medications.selectors import current_medications, medications_can_see

from . import selectors, services
from .forms import MessageCancelForm, MessageSendForm, ReminderForm, ReminderStopForm
from .models import MessageStatus, ReminderKind
from .states import MESSAGE_STATES

logger = logging.getLogger(__name__)
PAGE_SIZE = 25


class MessagesTabBase(ChartMixin, PermissionRequiredMixin, TemplateView):
    permission_required = "outreach.view_scheduledmessage"
    template_name = "outreach/messages_tab.html"
    tab = "messages"
    audits_own_view = True

    def tab_context(self, *, send_form=None, reminder_form=None, error="", status=200):
        user, client = self.request.user, self.client_record
        sort = self.request.GET.get("sort", "send")
        if sort not in selectors.MESSAGE_SORTS:
            sort = "send"
        page_obj = Paginator(selectors.client_messages(user, client, sort=sort), PAGE_SIZE).get_page(
            self.request.GET.get("page")
        )
        audit_log(user=user, action=AuditAction.VIEW, client=client, obj=client, detail={"tab": "messages"})
        # Which rows may be cancelled is the status table's to say (``states.MESSAGE_STATES``), worked
        # out over the loaded page: the template reads ``m.can_cancel`` and decides nothing itself.
        scheduled = list(page_obj.object_list)
        for m in scheduled:
            m.can_cancel = MESSAGE_STATES.can_move(m.status, MessageStatus.CANCELLED)
        query = self.request.GET.copy()
        query.pop("page", None)
        sort_query = query.copy()
        sort_query.pop("sort", None)
        with timezone.override(client_time_zone(client)):
            reminder_form = reminder_form or ReminderForm(
                initial=self.reminder_initial(), medications=reminder_medications(user, client)
            )
        ctx = self.chart_context(
            page_obj=page_obj,
            scheduled=scheduled,
            page_query=query.urlencode(),
            sort_query=sort_query.urlencode(),
            sort=sort,
            columns=[("send", "Send time"), ("channel", "Channel"), ("status", "Status")],
            inbound=selectors.client_inbound(client),
            reminders=selectors.client_reminders(client),
            send_form=send_form or MessageSendForm(),
            reminder_form=reminder_form,
            cancel_form=MessageCancelForm(),
            # Writes: a view-only place on the care team sees the tab but not the buttons (the write
            # views below refuse it too).
            can_send=selectors.messages_can_send(user, client),
            can_cancel=selectors.messages_can_cancel(user, client),
            can_remind=selectors.reminders_can_create(user, client),
            can_stop_reminder=selectors.reminders_can_stop(user, client),
            client_tz=client_time_zone(client),
            error=error,
        )
        return self.render_to_response(ctx, status=status)

    def reminder_initial(self) -> dict:
        """Prefill from the medications tab's "Add a reminder": ``?kind=medication&medication=<id>``."""
        initial = {}
        if self.request.GET.get("kind") in ReminderKind.values:
            initial["kind"] = self.request.GET["kind"]
        medication = row_id(self.request.GET.get("medication"))
        if medication is not None:
            initial["medication"] = medication
        return initial


def reminder_medications(user, client):
    """The medications a reminder may name: the client's current ones, for a user who may see them."""
    if not medications_can_see(user):
        return None
    return current_medications(client)


class MessagesTabView(MessagesTabBase):
    def get(self, request, *args, **kwargs):
        return self.tab_context()


def _tab_url(client) -> str:
    return reverse("outreach:client-messages", args=[client.pk])


class MessageSendView(MessagesTabBase):
    perm = access.CHANGE
    permission_required = ("outreach.view_scheduledmessage", "outreach.add_scheduledmessage")
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = MessageSendForm(request.POST)
        if form.is_valid():
            try:
                message = services.message_send_manual(
                    client=self.client_record,
                    acting_user=request.user,
                    channel=form.cleaned_data["channel"],
                    text=form.cleaned_data["text"],
                )
            except (DomainError, ValidationError) as exc:
                add_service_errors(form, exc)
            else:
                when = timezone.localtime(message.send_at, timezone=None)
                messages.success(
                    request, f"Message queued; it goes at {when:%b %-d, %-I:%M %p} at the earliest."
                )
                return redirect(_tab_url(self.client_record))
        return self.tab_context(send_form=form, status=400)


class MessageCancelView(MessagesTabBase):
    perm = access.CHANGE
    permission_required = ("outreach.view_scheduledmessage", "outreach.change_scheduledmessage")
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        message = selectors.message_get_for_client(request.user, self.client_record, kwargs["message_pk"])
        form = MessageCancelForm(request.POST)
        if not form.is_valid():
            return self.tab_context(error="The message was not cancelled: say why it is.", status=400)
        try:
            services.message_cancel(
                message=message, acting_user=request.user, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            return self.tab_context(error=f"The message was not cancelled: {exc.message}", status=400)
        messages.success(request, "Message cancelled.")
        return redirect(_tab_url(self.client_record))


class ReminderCreateView(MessagesTabBase):
    perm = access.CHANGE
    permission_required = ("outreach.view_scheduledmessage", "outreach.add_clientreminder")
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        client = self.client_record
        with timezone.override(client_time_zone(client)):
            form = ReminderForm(request.POST, medications=reminder_medications(request.user, client))
            valid = form.is_valid()
        if valid:
            try:
                services.reminder_create(client=client, acting_user=request.user, data=form.cleaned_data)
            except (DomainError, ValidationError) as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Reminder set.")
                return redirect(_tab_url(client))
        return self.tab_context(reminder_form=form, status=400)


class ReminderStopView(MessagesTabBase):
    perm = access.CHANGE
    permission_required = ("outreach.view_scheduledmessage", "outreach.change_clientreminder")
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        reminder = selectors.reminder_get_for_client(self.client_record, kwargs["reminder_pk"])
        form = ReminderStopForm(request.POST)
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        try:
            services.reminder_stop(reminder=reminder, acting_user=request.user, reason=reason)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Reminder “{reminder.label}” stopped.")
        return redirect(_tab_url(self.client_record))


# --- Twilio webhooks ---------------------------------------------------------------------------------


def _signature_ok(request) -> bool:
    """Twilio signs the public URL it called plus the POST parameters with the account's auth token."""
    token = settings.OUTREACH_TWILIO_AUTH_TOKEN
    signature = request.headers.get("X-Twilio-Signature", "")
    if not token or not signature:
        return False
    url = settings.OUTREACH_PUBLIC_BASE_URL + request.get_full_path()
    return RequestValidator(token).validate(url, request.POST.dict(), signature)


def _twiml(reply: str = "") -> HttpResponse:
    body = f"<Message>{escape(reply)}</Message>" if reply else ""
    return HttpResponse(
        f'<?xml version="1.0" encoding="UTF-8"?><Response>{body}</Response>', content_type="text/xml"
    )


@csrf_exempt
@require_POST
def sms_inbound(request):
    """A text from a client: STOP / START / HELP, or a reply the care team must see."""
    if not _signature_ok(request):
        logger.warning("outreach: refused an inbound SMS webhook with a bad or missing signature")
        return HttpResponseForbidden("Invalid signature.")
    from_number = request.POST.get("From", "").strip()
    if not from_number:
        return _twiml()
    result = services.inbound_sms_receive(
        from_number=from_number,
        body=request.POST.get("Body", ""),
        provider_message_id=request.POST.get("MessageSid", ""),
    )
    return _twiml(result.reply)


@csrf_exempt
@require_POST
def sms_status(request):
    """Twilio's delivery report for a message we sent."""
    if not _signature_ok(request):
        return HttpResponseForbidden("Invalid signature.")
    services.message_delivery_report(
        provider_message_id=request.POST.get("MessageSid", ""),
        status=request.POST.get("MessageStatus", ""),
        error_code=request.POST.get("ErrorCode", ""),
    )
    return HttpResponse(status=204)
