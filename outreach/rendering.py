"""Render a message from its template row: the client's language (English fallback) and time zone."""

from __future__ import annotations

import datetime as dt
from datetime import tzinfo

from django.conf import settings
from django.template import Context, Engine, TemplateSyntaxError
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext

from careteam.timezones import client_time_zone

from . import sources
from .backends import PermanentError
from .models import Channel, MessageTemplate, ScheduledMessage

# Plain text (SMS, plain-text email): nothing to escape. Built-in filters and tags only.
_ENGINE = Engine(autoescape=False, builtins=["django.templatetags.i18n", "django.templatetags.tz"])


def template_for(key: str, channel: str, language: str) -> MessageTemplate | None:
    """The template in the client's language, else English; a voice task borrows the SMS wording."""
    channels = [channel] if channel != Channel.VOICE else [Channel.SMS, Channel.EMAIL]
    rows = {
        (t.language, t.channel): t
        for t in MessageTemplate.objects.filter(key=key, channel__in=channels, language__in=[language, "en"])
    }
    for lang in (language, "en"):
        for ch in channels:
            if (lang, ch) in rows:
                return rows[(lang, ch)]
    return None


def _context(message: ScheduledMessage, *, reveal_private: bool) -> dict:
    client = message.client
    signer = message.signed_by
    ctx: dict = {}
    for key, value in (message.context or {}).items():
        if key.endswith("_at") and isinstance(value, str):
            parsed = parse_datetime(value)
            if parsed is not None and timezone.is_naive(parsed):
                parsed = timezone.make_aware(parsed, dt.UTC)
            ctx[key] = parsed or value
        else:
            ctx[key] = value
    ctx.update(
        client_name=client.preferred_name or client.legal_first_name,
        signer_name=(signer.get_full_name() or signer.get_username()) if signer else "",
        program_name=settings.OUTREACH_PROGRAM_NAME,
    )
    if message.supportive_person is not None:
        ctx["recipient_name"] = message.supportive_person.name
    if message.to_organization:
        # An email to an organisation names no client (it carries a link; the link's page shows the
        # minimum the referral needs), so an edited template cannot put the name in it either.
        del ctx["client_name"]
        ctx["recipient_name"] = message.to_name
    keys = sources.private_keys(message)
    if keys:
        values = sources.private_context(message) if reveal_private else {}
        for key in keys:
            ctx[key] = values.get(key, "") if reveal_private else gettext("[sent, not stored]")
    return ctx


def render_template_text(template: MessageTemplate, context: dict, *, time_zone: tzinfo) -> tuple[str, str]:
    with translation.override(template.language), timezone.override(time_zone):
        try:
            subject = _ENGINE.from_string(template.subject).render(Context(context)).strip()
            body = _ENGINE.from_string(template.body).render(Context(context)).strip()
        except TemplateSyntaxError as exc:
            raise PermanentError(f"Template {template} does not render: {exc}") from exc
    return subject, body


def render_message(message: ScheduledMessage, *, reveal_private: bool = False) -> tuple[str, str, str]:
    """(subject, body, language) for the message, rendered now.

    Send-time-only values (``sources.register_private_context``) appear only with ``reveal_private``:
    the dispatcher renders that text for the provider and keeps the other on the row.
    """
    client = message.client
    # An organisation reads the program's language, not the client's.
    language = (
        settings.LANGUAGE_CODE.split("-")[0]
        if message.to_organization
        else (client.preferred_language or "en")
    )
    template = template_for(message.template_key, message.channel, language)
    if template is None:
        raise PermanentError(f"No template '{message.template_key}' for {message.channel}.")
    subject, body = render_template_text(
        template, _context(message, reveal_private=reveal_private), time_zone=client_time_zone(client)
    )
    if not body:
        raise PermanentError(f"Template {template} renders an empty message.")
    return subject, body, template.language


def render_key_for_client(key: str, client, channel: str = Channel.SMS, **context) -> str:
    """Render a template straight to text (webhook replies such as HELP)."""
    template = template_for(key, channel, client.preferred_language if client else "en")
    if template is None:
        return ""
    ctx = {
        "client_name": (client.preferred_name or client.legal_first_name) if client else "",
        "program_name": settings.OUTREACH_PROGRAM_NAME,
        **context,
    }
    return render_template_text(template, ctx, time_zone=client_time_zone(client))[1]
