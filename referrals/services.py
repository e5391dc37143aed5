"""Every change to a referral: create, send (the Part 2 consent gate), status moves, the partner's
answers, the partner link, flags. Each runs in one transaction, writes a ``ReferralEvent`` for the
timeline and an audit row, and schedules or cancels through ``outreach`` the client's reminder and
the partner's email with its link (the outbox retries it and sends it once per link issued).

Who acts: ``acting_user`` is the staff member; ``partner=True`` (with ``acting_user=None``) is the
receiving organisation answering through its signed link. Staff who make a receiver's move — after
a phone call or a fax — act *on the partner's behalf*: the event is by staff, noted "On behalf of
<organisation>".

Need status follows the referral: sent → referred; connected → met; client declined → declined;
any other outcome → closed, not met — unless another referral for the same need is still open
(the need stays referred), or the staff member chooses "refer elsewhere" when closing (the need
goes back to open, ready for the next referral). Entered in error puts a referred need back to open.
A need staff already closed moves only where its table (``clients.needs.states``) allows: a late
"connected" still marks it met, but a met need is never re-closed as not met.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from careteam.audit import audit_log
from careteam.concurrency import Expected, require_unchanged
from careteam.errors import DomainError
from careteam.models import AuditAction, TaskKind, TaskPriority, User
from careteam.services import task_create, tasks_close_for_source
from clients.consents.selectors import consent_covering
from clients.consents.services import disclosure_record
from clients.models import Client, Consent, InformationCategory, Need, NeedStatus, Urgency
from clients.needs.services import need_for_update, need_set_status
from clients.needs.states import NEED_STATES
from outreach.models import Channel, MessageStatus, ScheduledMessage, SourceKind
from outreach.sending import send_after_commit
from outreach.services import message_schedule, messages_cancel_for_source

from . import states
from .models import (
    Referral,
    ReferralActor,
    ReferralEvent,
    ReferralEventKind,
    ReferralOutcome,
    ReferralStatus,
    Service,
    ServiceStatus,
)
from .partner import link_consent_holds, link_max_age, partner_url

S = ReferralStatus
REFERRAL_FIELDS = (
    "reason",
    "urgency",
    "shared_categories",
    "shared_summary",
    "warm_handoff",
    "warm_handoff_how",
    "appointment_at",
)
NEED_STATUS_FOR_OUTCOME = {
    ReferralOutcome.CONNECTED: NeedStatus.MET,
    ReferralOutcome.CLIENT_DECLINED: NeedStatus.DECLINED,
}
REMINDER_TEMPLATE = "referral-appointment-reminder"
# The partner's email with its link (a MessageTemplate row, English and Spanish, edited in admin).
PARTNER_EMAIL_TEMPLATE = "referral-partner-link"


class ConsentMissing(DomainError):
    """The Part 2 gate refused: ``message`` says which consent is missing (the page links to one)."""

    def __init__(self, message: str):
        super().__init__(message, field="consent")


# --- helpers -------------------------------------------------------------------------------------


def _lock(referral: Referral) -> Referral:
    return (
        Referral.objects.select_for_update(of=("self",))
        .select_related("client", "service", "organization", "need", "referred_by")
        .get(pk=referral.pk)
    )


def _event(
    referral: Referral,
    *,
    kind: str,
    acting_user: User | None,
    partner: bool = False,
    note: str = "",
    from_status: str = "",
    to_status: str = "",
    at: dt.datetime | None = None,
) -> ReferralEvent:
    return ReferralEvent.objects.create(
        referral=referral,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        actor_kind=ReferralActor.PARTNER
        if partner
        else (ReferralActor.STAFF if acting_user is not None else ReferralActor.SYSTEM),
        actor=acting_user,
        note=note,
        occurred_at=at or timezone.now(),
    )


def _audit(
    referral: Referral,
    *,
    acting_user: User | None,
    action: str = AuditAction.CHANGE,
    changed_fields=(),
    partner: bool = False,
    detail: dict | None = None,
) -> None:
    detail = dict(detail or {})
    if partner:
        detail.update(partner=referral.organization.name, referral=referral.pk)
    audit_log(
        user=acting_user,
        action=action,
        client=referral.client_id,
        obj=referral,
        changed_fields=changed_fields,
        detail=detail,
    )


def _on_behalf(referral: Referral, note: str) -> str:
    prefix = f"On behalf of {referral.organization.name}"
    return f"{prefix}: {note}" if note else prefix


def _validate_categories(categories) -> list[str]:
    categories = list(dict.fromkeys(categories or []))
    unknown = set(categories) - set(InformationCategory.values)
    if unknown:
        raise ValidationError(
            {"shared_categories": f"Unknown information categories: {', '.join(sorted(unknown))}."}
        )
    return categories


def partner_email_for(referral: Referral) -> str:
    return referral.service.referral_email or referral.organization.email


def sends_electronically(referral: Referral) -> bool:
    """The partner gets its link by email: the service takes electronic referrals and has an address."""
    return referral.service.accepts_electronic_referrals and bool(partner_email_for(referral))


def partner_email_key(referral: Referral) -> str:
    """One partner email per link issued: a retried transaction or a double click finds the same row,
    a new link (``partner_link_version`` goes up) is a new email."""
    return f"referral-partner:{referral.pk}:{referral.partner_link_version}"


def _schedule_partner_email(
    referral: Referral, *, acting_user: User | None, resent: bool = False
) -> ScheduledMessage:
    """Put the partner's email in the outbox, due now, and queue its send for when this commits.

    Through the outbox like every message — retried with backoff on a mail-server error, sent at most
    once per link, its state on the referral page — rather than ``send_mail`` after commit, which
    lost it with the process and said nothing when it failed. It goes to the organisation's referral
    address, names no client and carries only the signed link; ``partner_email_check`` skips it if,
    before it goes, the link is withdrawn, replaced or expired, or the referral closed.
    """
    program = referral.client.primary_team.name if referral.client.primary_team_id else "careteam"
    message = message_schedule(
        client=referral.client,
        template_key=PARTNER_EMAIL_TEMPLATE,
        due_at=timezone.now(),
        source_kind=SourceKind.REFERRAL_PARTNER,
        idempotency_key=partner_email_key(referral),
        channel=Channel.EMAIL,
        source=referral,
        to_address=partner_email_for(referral),
        to_name=referral.organization.name,
        context={
            "link_version": referral.partner_link_version,
            "link_days": settings.CARETEAM_PARTNER_LINK_DAYS,
            "referring_program": program,
            "service_name": referral.service.name,
            "organization_name": referral.organization.name,
            "referred_by": str(referral.referred_by),
            "resent": resent,
        },
        acting_user=acting_user,
    )
    if message.status == MessageStatus.PENDING:
        send_after_commit(message.pk)  # now, not at the next tick; the dispatcher's claim still guards it
    return message


def partner_email_link(message: ScheduledMessage) -> dict:
    """The partner's link, made when the email goes and never stored: whoever holds it can answer the
    referral as the partner, so it stays out of the outbox row, the admin, the API and the chart
    (``outreach.sources.register_private_context``). ``partner_email_check`` has already made sure
    the link version the email was issued for is still the live one."""
    referral = Referral.objects.only("pk", "partner_link_version").get(pk=message.source_id)
    return {"link_url": partner_url(referral)}


def partner_email_check(message: ScheduledMessage) -> str | None:
    """Outreach's send-time check of a partner email (registered in ``apps``): it goes only while
    the link it carries still works, so a withdrawn, replaced or expired link, or a closed referral,
    skips it with the reason instead of mailing a dead link."""
    referral = Referral.objects.filter(pk=message.source_id).select_related("client", "organization").first()
    if referral is None:
        return _("The referral no longer exists.")
    if referral.status not in states.OPEN:
        return _("The referral is closed (%(status)s): its link no longer works.") % {
            "status": referral.get_status_display().lower()
        }
    if referral.partner_link_revoked_at is not None:
        return _("The partner link was withdrawn.")
    if (message.context or {}).get("link_version") != referral.partner_link_version:
        return _("A newer link was issued; the link in this email no longer works.")
    if message.created_at + link_max_age() <= timezone.now():
        return _("The link expired before the email could go.")
    if not link_consent_holds(referral):
        return _("The client's consent to share this referral with the partner is no longer in force.")
    return None


def _schedule_reminder(referral: Referral, *, acting_user: User | None) -> None:
    """The client's reminder 24 h before the appointment at the partner (idempotent per time)."""
    if referral.appointment_at is None or referral.appointment_at <= timezone.now():
        return
    due = max(referral.appointment_at - dt.timedelta(hours=24), timezone.now())
    message_schedule(
        client=referral.client,
        template_key=REMINDER_TEMPLATE,
        due_at=due,
        source_kind=SourceKind.REFERRAL,
        idempotency_key=f"referral:{referral.pk}:appointment:{referral.appointment_at.isoformat()}",
        source=referral,
        context={
            "organization": referral.organization.name,
            "starts_at": referral.appointment_at.isoformat(),
        },
        acting_user=acting_user,
    )


def _follow_need(referral: Referral, *, acting_user: User | None, refer_elsewhere: bool = False) -> None:
    if referral.need is None:
        return
    need = need_for_update(referral.need)  # decide on the need as stored, not as the referral loaded it
    others_open = Referral.objects.filter(need=need, status__in=states.OPEN).exclude(pk=referral.pk).exists()
    if referral.status == S.ENTERED_IN_ERROR:
        if need.status == NeedStatus.REFERRED and not others_open:
            need_set_status(need=need, status=NeedStatus.OPEN, acting_user=acting_user)
        return
    if referral.outcome == ReferralOutcome.CONNECTED:
        status = NeedStatus.MET
    elif others_open:
        return
    elif refer_elsewhere:
        status = NeedStatus.OPEN
    else:
        status = NEED_STATUS_FOR_OUTCOME.get(referral.outcome, NeedStatus.UNMET_CLOSED)
    if not NEED_STATES.can_move(need.status, status):
        return  # staff closed the need already: a met need stays met, their "not met" or "declined" stands
    result = referral.get_outcome_display() or referral.get_status_display()
    note = f"Referral to {referral.organization.name}: {result}"
    need_set_status(need=need, status=status, acting_user=acting_user, note=note)


# --- create and edit ----------------------------------------------------------------------------


@transaction.atomic
def referral_create(*, client: Client, acting_user: User, data: dict) -> Referral:
    """Save a draft referral for ``client`` to ``data["service"]`` (optionally for ``data["need"]``)."""
    need: Need | None = data.get("need")
    service: Service | None = data.get("service")
    errors = {}
    if service is None:
        errors["service"] = "Choose the service to refer to."
    elif service.status != ServiceStatus.ACTIVE:
        errors["service"] = f"{service.name} is not an active service."
    if need is not None:
        if need.client_id != client.pk:
            errors["need"] = "That need belongs to another client."
        elif not need.is_open:
            errors["need"] = f"That need is {need.get_status_display().lower()}; reopen it to refer."
    if not str(data.get("reason", "")).strip():
        errors["reason"] = "Say why you are referring, in a sentence the partner can act on."
    if data.get("warm_handoff") and not str(data.get("warm_handoff_how", "")).strip():
        errors["warm_handoff_how"] = "Say how the warm hand-off happens (e.g. a three-way call)."
    if errors:
        raise ValidationError(errors)
    fields = {k: data[k] for k in REFERRAL_FIELDS if k in data}
    fields["shared_categories"] = _validate_categories(fields.get("shared_categories"))
    if not fields.get("urgency"):
        fields["urgency"] = need.urgency if need is not None else Urgency.ROUTINE
    now = timezone.now()
    referral = Referral(
        client=client,
        need=need,
        service=service,
        organization=service.organization,
        referred_by=acting_user,
        category=need.category if need is not None else "",
        status=S.DRAFT,
        status_changed_at=now,
        last_activity_at=now,
        created_at=now,
        **fields,
    )
    referral.full_clean()
    referral.save()
    _event(
        referral,
        kind=ReferralEventKind.STATUS,
        acting_user=acting_user,
        to_status=S.DRAFT,
        note="Draft started.",
    )
    audit_log(
        user=acting_user,
        action=AuditAction.CREATE,
        client=client,
        obj=referral,
        detail={"service": service.pk, "need": need.pk if need else None},
    )
    return referral


@transaction.atomic
def referral_update(
    *, referral: Referral, acting_user: User, data: dict, expected: Expected | None = None
) -> Referral:
    """Change a draft's content. Once sent, what was shared is fixed (it has been disclosed).
    ``expected``: the version the editor started from; a stale one raises ``StaleEditError``."""
    referral = _lock(referral)
    if referral.status != S.DRAFT:
        raise DomainError("Only a draft can be edited; this referral has been sent.")
    require_unchanged(referral, expected)
    if "shared_categories" in data:
        data = {**data, "shared_categories": _validate_categories(data["shared_categories"])}
    changed = [f for f in REFERRAL_FIELDS if f in data and getattr(referral, f) != data[f]]
    if (
        data.get("warm_handoff", referral.warm_handoff)
        and not str(data.get("warm_handoff_how", referral.warm_handoff_how)).strip()
    ):
        raise ValidationError(
            {"warm_handoff_how": "Say how the warm hand-off happens (e.g. a three-way call)."}
        )
    for field in changed:
        setattr(referral, field, data[field])
    referral.full_clean()
    if changed:
        referral.last_activity_at = timezone.now()
        referral.save(update_fields=[*changed, "last_activity_at"])
        _audit(referral, acting_user=acting_user, changed_fields=changed)
    return referral


# --- sending: the Part 2 gate -------------------------------------------------------------------


def consent_check(referral: Referral):
    """The consent gate's answer for this referral as it stands (no change).

    The rule is ``clients.consents.selectors.disclosure_needs_consent`` (via ``consent_covering``):
    from a 42 CFR Part 2 program every referral needs a consent naming the organisation, even one
    sharing demographics or the reason only (2.11, 2.12, 2.13: the referral itself says the person is
    the program's patient); elsewhere only substance-use information does."""
    return consent_covering(
        client=referral.client, categories=referral.shared_categories, organization=referral.organization
    )


@transaction.atomic
def referral_send(*, referral: Referral, acting_user: User) -> Referral:
    """Draft → requested: pass the consent gate, record the disclosure, queue the partner's link email.

    42 CFR § 2.31: substance-use information — and anything at all from a Part 2 program — goes to
    this organisation only under an active, unrevoked consent naming it and covering every category
    shared; otherwise nothing changes and ``ConsentMissing`` says what is missing (and, from a Part 2
    program, why). The disclosure row carries the 2.32 notice when one is due.
    """
    referral = _lock(referral)
    states.check(referral.status, S.REQUESTED)
    check = consent_check(referral)
    if not check.allowed:
        raise ConsentMissing(check.problem)
    now = timezone.now()
    before = referral.status
    states.REFERRAL_STATES.move(
        referral,
        S.REQUESTED,
        also={
            "status_changed_at": now,
            "requested_at": now,
            "last_activity_at": now,
            "consent": check.consent,
            "partner_link_revoked_at": None,
        },
    )
    _event(
        referral,
        kind=ReferralEventKind.STATUS,
        acting_user=acting_user,
        from_status=before,
        to_status=S.REQUESTED,
    )
    labels = dict(InformationCategory.choices)
    shared = ", ".join(labels.get(c, c) for c in referral.shared_categories) or "the referral reason only"
    disclosure_record(
        client=referral.client,
        acting_user=acting_user,
        categories=referral.shared_categories,
        description=f"Referral packet (referral {referral.pk}): {shared}",
        purpose=f"Referral to {referral.service.name} for {referral.get_category_display() or 'services'}",
        consent=check.consent,
        recipient_organization=referral.organization,
        source=referral,
    )
    need = need_for_update(referral.need) if referral.need is not None else None
    if need is not None and need.status == NeedStatus.OPEN:
        need_set_status(need=need, status=NeedStatus.REFERRED, acting_user=acting_user)
    if sends_electronically(referral):
        _schedule_partner_email(referral, acting_user=acting_user)
        _event(
            referral,
            kind=ReferralEventKind.LINK,
            acting_user=acting_user,
            note=_("Response link email to %(address)s queued (see Partner email).")
            % {"address": partner_email_for(referral)},
        )
    _schedule_reminder(referral, acting_user=acting_user)
    _audit(
        referral,
        acting_user=acting_user,
        changed_fields=["status", "requested_at", "consent"],
        detail={"status": S.REQUESTED},
    )
    return referral


# --- status moves -------------------------------------------------------------------------------


def _apply_move(
    referral: Referral,
    *,
    to: str,
    acting_user: User | None,
    partner: bool,
    note: str = "",
    outcome: str = "",
    outcome_note: str = "",
    refer_elsewhere: bool = False,
) -> Referral:
    """The move itself, on a locked row (``_lock``), so checking the table here is enough: nobody can
    move the row between the check and the write. Callers have checked the side."""
    states.check(referral.status, to)
    now = timezone.now()
    before = referral.status
    also: dict = {"status_changed_at": now, "last_activity_at": now}
    first_response = before == S.REQUESTED and referral.first_response_at is None and to != S.ENTERED_IN_ERROR
    if first_response:
        also["first_response_at"] = now
    if referral.flagged_at is not None:
        also |= {"flagged_at": None, "flag_reason": ""}
    if to in states.CLOSING:
        also |= {"outcome": outcome, "outcome_note": outcome_note[:300], "outcome_recorded_at": now}
    if to in states.TERMINAL:
        also["closed_at"] = now
    states.REFERRAL_STATES.move(referral, to, also=also)
    changed = ["status", *also]
    _event(
        referral,
        kind=ReferralEventKind.STATUS,
        acting_user=acting_user,
        partner=partner,
        from_status=before,
        to_status=to,
        note=note,
        at=now,
    )
    if to in states.CLOSING:
        text = referral.get_outcome_display() + (
            f" — {referral.outcome_note}" if referral.outcome_note else ""
        )
        _event(
            referral,
            kind=ReferralEventKind.OUTCOME,
            acting_user=acting_user,
            partner=partner,
            note=text,
            at=now,
        )
    if first_response:
        tasks_close_for_source(source=referral, acting_user=acting_user, kind=TaskKind.REFERRAL_NO_RESPONSE)
    if to in states.TERMINAL:
        tasks_close_for_source(source=referral, acting_user=acting_user)
        messages_cancel_for_source(source=referral, acting_user=acting_user, detail=f"Referral {label(to)}.")
        _follow_need(referral, acting_user=acting_user, refer_elsewhere=refer_elsewhere)
    _audit(
        referral,
        acting_user=acting_user,
        changed_fields=changed,
        partner=partner,
        detail={"from": before, "to": to, **({"outcome": outcome} if outcome else {})},
    )
    return referral


def label(status: str) -> str:
    return states.label(status)


def _check_outcome(to: str, outcome: str, outcome_note: str) -> str:
    if to not in states.CLOSING:
        return ""
    allowed = states.OUTCOMES_FOR[to]
    if not outcome and len(allowed) == 1:
        outcome = allowed[0]
    if not outcome:
        raise DomainError(f"Record the outcome to close the referral as {label(to)}.", field="outcome")
    if outcome not in allowed:
        names = ", ".join(ReferralOutcome(o).label.lower() for o in allowed)
        raise DomainError(
            f"A {label(to)} referral's outcome is one of: {names}.",
            field="outcome",
        )
    if outcome == ReferralOutcome.OTHER and not outcome_note.strip():
        raise DomainError("Say what the outcome was.", field="outcome_note")
    return outcome


@transaction.atomic
def referral_transition(
    *,
    referral: Referral,
    to: str,
    acting_user: User | None,
    partner: bool = False,
    note: str = "",
    outcome: str = "",
    outcome_note: str = "",
    refer_elsewhere: bool = False,
) -> Referral:
    """Move the referral along the table in ``states``; an illegal move raises with a clear message.

    Closing moves (rejected, cancelled, completed, failed) need an outcome from ``states.OUTCOMES_FOR``;
    "other" needs words. Staff making a receiver's move do it on the partner's behalf.
    """
    if to == S.REQUESTED and not partner:
        return referral_send(referral=referral, acting_user=acting_user)
    referral = _lock(referral)
    if to not in S.values:
        raise DomainError(f"'{to}' is not a referral status.", field="to")
    states.check(referral.status, to)
    sides = states.who_may(referral.status, to)
    note = note.strip()
    if partner:
        if states.RECEIVER not in sides:
            raise DomainError(
                f"Only the referring program can move this referral to {label(to)}.", field="to"
            )
    elif states.REQUESTER not in sides:
        note = _on_behalf(referral, note)
    outcome = _check_outcome(to, outcome, outcome_note)
    return _apply_move(
        referral,
        to=to,
        acting_user=acting_user,
        partner=partner,
        note=note,
        outcome=outcome,
        outcome_note=outcome_note.strip(),
        refer_elsewhere=refer_elsewhere,
    )


# --- the partner's answers (through the link, or staff on their behalf) -------------------------


def _require_open(referral: Referral, what: str) -> None:
    if referral.status not in states.OPEN:
        raise DomainError(f"Cannot {what}: the referral is {referral.get_status_display().lower()}.")


@transaction.atomic
def referral_schedule(
    *,
    referral: Referral,
    appointment_at: dt.datetime,
    acting_user: User | None,
    partner: bool = False,
    note: str = "",
) -> Referral:
    """Record the appointment at the partner. Scheduling a requested referral accepts it."""
    referral = _lock(referral)
    if referral.status == S.DRAFT and not partner:
        return referral_update(
            referral=referral, acting_user=acting_user, data={"appointment_at": appointment_at}
        )
    _require_open(referral, "schedule an appointment")
    if referral.status == S.REQUESTED:
        _apply_move(
            referral,
            to=S.ACCEPTED,
            acting_user=acting_user,
            partner=partner,
            note="" if partner else _on_behalf(referral, ""),
        )
    old = referral.appointment_at
    if old == appointment_at:
        return referral
    if old is not None:
        messages_cancel_for_source(
            source=referral,
            acting_user=acting_user,
            detail="Appointment changed.",
            source_kind=SourceKind.REFERRAL,  # the client's reminder; the partner's email still goes
        )
    referral.appointment_at = appointment_at
    referral.last_activity_at = timezone.now()
    referral.save(update_fields=["appointment_at", "last_activity_at"])
    local = timezone.localtime(appointment_at)
    text = f"Appointment {'moved to' if old else 'on'} {local:%a %b %-d, %Y %-I:%M %p}."
    if note.strip():
        text += f" {note.strip()}"
    if not partner:
        text = _on_behalf(referral, text)
    _event(referral, kind=ReferralEventKind.SCHEDULED, acting_user=acting_user, partner=partner, note=text)
    _schedule_reminder(referral, acting_user=acting_user)
    _audit(referral, acting_user=acting_user, changed_fields=["appointment_at"], partner=partner)
    return referral


@transaction.atomic
def referral_report_attendance(
    *,
    referral: Referral,
    attended: bool,
    acting_user: User | None,
    partner: bool = False,
    note: str = "",
) -> Referral:
    """The partner says whether the client came. Attended closes the loop (completed, connected);
    not attended keeps it open, flags it and asks the referrer to check in with the client."""
    referral = _lock(referral)
    _require_open(referral, "report attendance")
    if referral.status == S.REQUESTED:
        raise DomainError("Accept the referral (or schedule the appointment) before reporting attendance.")
    note = note.strip()
    text = ("Client attended." if attended else "Client did not attend.") + (f" {note}" if note else "")
    if not partner:
        text = _on_behalf(referral, text)
    _event(referral, kind=ReferralEventKind.ATTENDANCE, acting_user=acting_user, partner=partner, note=text)
    if attended:
        return _apply_move(
            referral,
            to=S.COMPLETED,
            acting_user=acting_user,
            partner=partner,
            outcome=ReferralOutcome.CONNECTED,
        )
    messages_cancel_for_source(
        source=referral,
        acting_user=acting_user,
        detail="Client did not attend.",
        source_kind=SourceKind.REFERRAL,
    )
    stamp = referral.appointment_at.isoformat() if referral.appointment_at else "none"
    _flag(
        referral,
        reason="Client did not attend the appointment",
        acting_user=acting_user,
        task_kind=TaskKind.REFERRAL_OUTCOME_DUE,
        title=f"Referral to {referral.organization.name}: client did not attend — check in",
        dedupe_key=f"referral:{referral.pk}:no-show:{stamp}",
        priority=TaskPriority.NORMAL,
    )
    referral.last_activity_at = timezone.now()
    referral.save(update_fields=["last_activity_at"])
    _audit(referral, acting_user=acting_user, changed_fields=["attendance"], partner=partner)
    return referral


@transaction.atomic
def referral_add_note(
    *, referral: Referral, note: str, acting_user: User | None, partner: bool = False
) -> ReferralEvent:
    """A note on the timeline, from staff or the partner. Notes are allowed on closed referrals too,
    from staff only (the partner's link is dead by then)."""
    referral = _lock(referral)
    note = note.strip()
    if not note:
        raise DomainError("Write the note first.", field="note")
    if partner:
        _require_open(referral, "add a note")
    event = _event(
        referral, kind=ReferralEventKind.NOTE, acting_user=acting_user, partner=partner, note=note[:2000]
    )
    referral.last_activity_at = event.occurred_at
    referral.save(update_fields=["last_activity_at"])
    _audit(
        referral,
        acting_user=acting_user,
        changed_fields=["events"],
        partner=partner,
        detail={"event": "note"},
    )
    return event


# --- the partner link ---------------------------------------------------------------------------


@transaction.atomic
def referral_link_revoke(*, referral: Referral, acting_user: User, reason: str = "") -> Referral:
    """Withdraw the partner link now: every token issued so far stops working."""
    referral = _lock(referral)
    if referral.partner_link_revoked_at is not None:
        raise DomainError("The link is already withdrawn.")
    referral.partner_link_version += 1
    referral.partner_link_revoked_at = timezone.now()
    referral.save(update_fields=["partner_link_version", "partner_link_revoked_at"])
    _event(
        referral,
        kind=ReferralEventKind.LINK,
        acting_user=acting_user,
        note="Partner link withdrawn." + (f" {reason.strip()}" if reason.strip() else ""),
    )
    _audit(
        referral, acting_user=acting_user, changed_fields=["partner_link_version", "partner_link_revoked_at"]
    )
    return referral


@transaction.atomic
def referral_link_resend(*, referral: Referral, acting_user: User) -> Referral:
    """Issue a fresh link (older ones stop working) and email it when the partner takes email.

    The consent gate runs again: a link re-discloses the packet, which a revoked consent forbids.
    """
    referral = _lock(referral)
    _require_open(referral, "send a new link")
    check = consent_check(referral)
    if not check.allowed:
        raise ConsentMissing(check.problem)
    referral.partner_link_version += 1
    referral.partner_link_revoked_at = None
    referral.save(update_fields=["partner_link_version", "partner_link_revoked_at"])
    emailed = sends_electronically(referral)
    if emailed:
        _schedule_partner_email(referral, acting_user=acting_user, resent=True)
        note = _("New response link email to %(address)s queued; earlier links no longer work.") % {
            "address": partner_email_for(referral)
        }
    else:
        note = _("New response link issued; earlier links no longer work.")
    _event(referral, kind=ReferralEventKind.LINK, acting_user=acting_user, note=note)
    _audit(referral, acting_user=acting_user, changed_fields=["partner_link_version"])
    return referral


# --- flags --------------------------------------------------------------------------------------


def _flag(
    referral: Referral,
    *,
    reason: str,
    acting_user: User | None,
    task_kind: str,
    title: str,
    dedupe_key: str,
    priority: str = TaskPriority.NORMAL,
    kind: str = ReferralEventKind.FLAGGED,
) -> bool:
    """Flag a locked referral and put a task on the referrer's worklist, once per ``dedupe_key``.

    Returns False (and changes nothing) when the key has been raised before.
    """
    from careteam.models import Task

    if Task.objects.filter(dedupe_key=dedupe_key).exists():
        return False
    now = timezone.now()
    referral.flagged_at = now
    referral.flag_reason = reason[:200]
    referral.save(update_fields=["flagged_at", "flag_reason"])
    _event(referral, kind=kind, acting_user=acting_user, note=reason, at=now)
    task_create(
        kind=task_kind,
        title=title,
        acting_user=acting_user,
        assignee=referral.referred_by,
        client=referral.client,
        detail=reason,
        due_at=now,
        priority=priority,
        source=referral,
        dedupe_key=dedupe_key,
    )
    return True


@transaction.atomic
def referral_flag(
    *,
    referral: Referral,
    reason: str,
    task_kind: str,
    title: str,
    dedupe_key: str,
    priority: str = TaskPriority.NORMAL,
) -> bool:
    """Flag an open referral for the system (deadlines). Idempotent on ``dedupe_key``."""
    referral = _lock(referral)
    if referral.status not in states.OPEN:
        return False
    flagged = _flag(
        referral,
        reason=reason,
        acting_user=None,
        task_kind=task_kind,
        title=title,
        dedupe_key=dedupe_key,
        priority=priority,
    )
    if flagged:
        _audit(
            referral, acting_user=None, changed_fields=["flagged_at", "flag_reason"], detail={"flag": reason}
        )
    return flagged


@transaction.atomic
def referrals_flag_for_revoked_consent(*, consent: Consent, acting_user: User | None) -> int:
    """A consent was revoked: every open referral that relied on it is flagged, its partner link is
    withdrawn (no further disclosure through it) and the referrer gets a task. Returns how many."""
    referrals = list(
        Referral.objects.select_for_update(of=("self",))
        .select_related("client", "organization", "referred_by", "service")
        .filter(consent=consent, status__in=states.OPEN)
    )
    for referral in referrals:
        if referral.partner_link_revoked_at is None:
            referral.partner_link_version += 1
            referral.partner_link_revoked_at = timezone.now()
            referral.save(update_fields=["partner_link_version", "partner_link_revoked_at"])
        _flag(
            referral,
            reason=f"The consent it relied on was revoked on {consent.revoked_on:%b %-d, %Y}; "
            "the partner link is withdrawn.",
            acting_user=acting_user,
            task_kind=TaskKind.CONSENT_REVOKED,
            title=f"Consent revoked: review the referral to {referral.organization.name}",
            dedupe_key=f"referral:{referral.pk}:consent-revoked:{consent.pk}",
            priority=TaskPriority.URGENT,
            kind=ReferralEventKind.CONSENT,
        )
        _audit(
            referral,
            acting_user=acting_user,
            changed_fields=["flagged_at", "partner_link_version"],
            detail={"consent_revoked": consent.pk},
        )
    return len(referrals)
