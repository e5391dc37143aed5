"""Send-time rules: may this message go now, to whom, or when instead?

Each rule is a small function of (message, now) returning ``None`` when it has nothing to say, or
a ``Decision`` to skip (with a recorded ``SkipReason``) or to move the message to a later time.
``evaluate`` applies them in order; the first that speaks wins. They run when the message is
about to be sent, so they see the client's preferences and consents as they are then.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from careteam.timezones import client_time_zone
from clients.consents.selectors import has_text_consent
from clients.models import ClientStatus, DischargeReason

from .models import Channel, ScheduledMessage, SkipReason
from .sources import message_cancelled_reason


@dataclass(frozen=True)
class Decision:
    """``ok``; or ``skip`` with ``reason`` (a SkipReason) and ``detail``; or ``move_to`` a later time."""

    skip: bool = False
    reason: str = ""
    detail: str = ""
    move_to: dt.datetime | None = None

    @property
    def ok(self) -> bool:
        return not self.skip and self.move_to is None


OK = Decision()


def _skip(reason: str, detail: str = "") -> Decision:
    return Decision(skip=True, reason=reason, detail=detail or SkipReason(reason).label)


def rule_client_active(message: ScheduledMessage, now: dt.datetime) -> Decision | None:
    client = message.client
    if client.discharge_reason == DischargeReason.DECEASED:
        return _skip(SkipReason.CLIENT_DECEASED)
    if client.status == ClientStatus.DISCHARGED or client.archived_at is not None:
        return _skip(SkipReason.CLIENT_DISCHARGED)
    return None


def rule_source_active(message: ScheduledMessage, now: dt.datetime) -> Decision | None:
    reason = message_cancelled_reason(message)
    if reason:
        return _skip(SkipReason.SOURCE_CANCELLED, reason)
    return None


def rule_opt_outs(message: ScheduledMessage, now: dt.datetime) -> Decision | None:
    """STOP and opt-outs. Essential messages (appointment changes, safety plan links) ignore only the
    non-essential opt-out; a channel opt-out stops everything on that channel."""
    client = message.client
    if message.channel == Channel.SMS and client.sms_opted_out_at:
        return _skip(SkipReason.OPTED_OUT_CHANNEL, "Client texted STOP or opted out of texts.")
    if message.channel == Channel.EMAIL and client.email_opted_out_at:
        return _skip(SkipReason.OPTED_OUT_CHANNEL, "Client opted out of email.")
    if not message.essential and client.nonessential_opted_out_at:
        return _skip(SkipReason.OPTED_OUT_NONESSENTIAL)
    return None


def rule_consent(message: ScheduledMessage, now: dt.datetime) -> Decision | None:
    """Texting needs an active text-messaging consent on file (``Client.text_consent_on_file``, the
    one switch); a supportive person only if the client agreed the team may contact them."""
    person = message.supportive_person
    if person is not None:
        if not person.may_be_contacted or person.archived_at is not None:
            return _skip(SkipReason.NO_CONTACT_CONSENT)
        return None
    if message.channel == Channel.SMS and not has_text_consent(message.client):
        return _skip(SkipReason.NO_TEXT_CONSENT, "No active text-messaging consent on file.")
    return None


def text_refusal(client) -> str:
    """Why texts to this client cannot be scheduled, or "" when they can: the same facts
    ``rule_consent`` and ``rule_opt_out`` check at send time, asked when staff start something
    (a reminder, caring contacts, a message) so nothing is queued only to be skipped silently."""
    name = client.display_name
    if not has_text_consent(client):
        return _(
            "%(name)s has no texting consent on file, so nothing was scheduled. Choose email, or "
            "record their texting consent on the Consents tab first."
        ) % {"name": name}
    if client.sms_opted_out_at:
        return _(
            "%(name)s texted STOP (or asked for no texts) on %(day)s, so nothing was scheduled. Choose email."
        ) % {"name": name, "day": f"{client.sms_opted_out_at:%b %-d, %Y}"}
    if not client.phone:
        return _("%(name)s has no phone number for texts, so nothing was scheduled.") % {"name": name}
    return ""


def recipient_address(message: ScheduledMessage) -> str:
    """The phone number (E.164) or email the message goes to; empty when there is none."""
    if message.to_address:
        return message.to_address
    if message.supportive_person is not None:
        phone = message.supportive_person.phone
        return phone.as_e164 if phone else ""
    client = message.client
    if message.channel == Channel.EMAIL:
        return client.email or ""
    return client.phone.as_e164 if client.phone else ""


def rule_address(message: ScheduledMessage, now: dt.datetime) -> Decision | None:
    if message.channel == Channel.VOICE:
        return None  # a call task for staff; they will find a way
    if not recipient_address(message):
        return _skip(SkipReason.NO_ADDRESS)
    return None


# --- quiet hours: the one definition ---------------------------------------------------------------
# The dispatcher (``rule_quiet_hours``), the outbox (``message_schedule``) and crisis's caring-contact
# planner all ask these, so "is 21:00 quiet?" has one answer everywhere.


def client_quiet_hours(client) -> tuple[dt.time | None, dt.time | None]:
    """The client's quiet-hours window as set on the record (``Client.quiet_hours_start`` /
    ``quiet_hours_end``, wall-clock times in ``Client.time_zone``); (None, None) when none is set."""
    return client.quiet_hours_start, client.quiet_hours_end


def in_quiet_hours(t: dt.time, *, start: dt.time | None, end: dt.time | None) -> bool:
    """Whether the wall-clock time ``t`` falls in the quiet hours [start, end).

    The start is quiet, the end is not (quiet 21:00-08:00: 21:00 is quiet, 08:00 may send). A start
    later than the end runs over midnight (22:00-08:00); a missing bound or start == end is no
    window at all (the record refuses one bound without the other).
    """
    if start is None or end is None or start == end:
        return False
    t = t.replace(tzinfo=None)
    if start < end:
        return start <= t < end
    return t >= start or t < end


def quiet_hours_end(
    *, start: dt.time | None, end: dt.time | None, time_zone: dt.tzinfo, at: dt.datetime
) -> dt.datetime | None:
    """If ``at`` falls in the quiet hours [start, end) in ``time_zone``, the moment they end (UTC-aware);
    else None. Handles ranges over midnight (22:00-08:00) and DST (the end is the local wall time).

    ``time_zone`` is the client's, from ``careteam.timezones.client_time_zone`` (a blank or unknown
    zone falls back to the site's there, not here)."""
    local = at.astimezone(time_zone)
    t = local.time().replace(tzinfo=None)
    if start is None or end is None or not in_quiet_hours(t, start=start, end=end):
        return None
    # Overnight and already past the start: the window ends tomorrow morning.
    end_day = local.date() + dt.timedelta(days=1) if end < start <= t else local.date()
    return dt.datetime.combine(end_day, end, tzinfo=time_zone).astimezone(dt.UTC)


def rule_quiet_hours(message: ScheduledMessage, now: dt.datetime) -> Decision | None:
    if message.channel == Channel.VOICE:
        return None  # staff call in working hours; the task is not a message to the client
    client = message.client
    start, end = client_quiet_hours(client)
    tz = client_time_zone(client)
    moved = quiet_hours_end(start=start, end=end, time_zone=tz, at=now)
    if moved is None:
        return None
    local = moved.astimezone(tz)
    return Decision(move_to=moved, detail=f"Quiet hours: moved to {local:%Y-%m-%d %H:%M} ({tz}).")


RULES = [rule_client_active, rule_source_active, rule_opt_outs, rule_consent, rule_address, rule_quiet_hours]
# A message to an organisation (a referral partner's address) is about the client, not to them: the
# client's opt-outs, text consent, quiet hours and discharge do not stop it; its source's check does.
ORGANIZATION_RULES = [rule_source_active, rule_address]


def evaluate(message: ScheduledMessage, now: dt.datetime) -> Decision:
    """The first rule that stops or moves the message, or OK."""
    for rule in ORGANIZATION_RULES if message.to_organization else RULES:
        decision = rule(message, now)
        if decision is not None:
            return decision
    return OK
