"""State changes of crisis work: episodes, dispositions, safety plans, caring contacts, checkpoint tasks.

Each function validates, writes, audits and schedules outreach in one transaction.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import CharField, Exists, OuterRef
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from careteam import access
from careteam.audit import audit_log
from careteam.concurrency import Expected, require_unchanged
from careteam.errors import DomainError
from careteam.fields import LIST_MAX_ITEMS
from careteam.models import (
    AuditAction,
    CaseRole,
    Task,
    TaskKind,
    TaskPriority,
    TaskStatus,
    User,
)
from careteam.services import assignment_start, task_close, task_create, tasks_close_for_source
from careteam.timezones import client_time_zone, client_today
from clients.models import AssessmentResponse, Client, ContactChannel
from outreach.models import Channel, SourceKind
from outreach.rules import client_quiet_hours, text_refusal
from outreach.services import message_schedule, messages_cancel_for_source

from . import checkpoints, protocols
from .models import (
    CaringContactPlan,
    CaringContactProtocol,
    CrisisEpisode,
    FollowUpCheckpoint,
    RiskLevel,
    RiskSource,
    SafetyPlanVersion,
)
from .selectors import unassigned_client_can_take
from .states import EPISODE_STATES, EpisodeState, episode_state

CSSRS_RULE = "cssrs_screener"
CSSRS_RECENT_HOURS = 24
# C-SSRS screener bands (clients/assessments/scoring.py) to the episode's risk levels. "none" is low:
# someone in crisis is never at no risk.
CSSRS_BAND_RISK = {
    "none": RiskLevel.LOW,
    "low": RiskLevel.LOW,
    "moderate": RiskLevel.MODERATE,
    "high": RiskLevel.HIGH,
}
SAFETY_PLAN_SALT = "crisis.safety-plan-link"
SAFETY_PLAN_SECTIONS = (
    "warning_signs",
    "coping_strategies",
    "distractions",
    "help_contacts",
    "professionals",
    "environment_safety",
    "reasons_for_living",
)
CONTACT_SECTIONS = ("help_contacts", "professionals")
# One entry of a safety-plan section (a warning sign, a reason for living) and how many a section holds.
SAFETY_PLAN_ENTRY_MAX_LENGTH = 300
SAFETY_PLAN_SECTION_MAX_ENTRIES = LIST_MAX_ITEMS
CHECKPOINT_SOURCE = "crisis.followupcheckpoint"


# --- episodes ---------------------------------------------------------------------------------------


def recent_cssrs(client: Client, *, now: dt.datetime | None = None) -> AssessmentResponse | None:
    """The latest C-SSRS screener of the last 24 hours, if any."""
    now = now or timezone.now()
    return (
        AssessmentResponse.objects.filter(
            client=client,
            instrument__scoring_rule=CSSRS_RULE,
            administered_at__gte=now - dt.timedelta(hours=CSSRS_RECENT_HOURS),
            administered_at__lte=now,
        )
        .order_by("-administered_at", "-id")
        .first()
    )


@transaction.atomic
def episode_open(*, client: Client, acting_user: User, data: dict) -> CrisisEpisode:
    """Open a crisis episode. A crisis worker opening one for an unassigned client joins the care team.

    ``data``: source, concerns, risk_level ("" to use a C-SSRS of the last 24 h), immediate_actions,
    summary, responders, opened_at (optional), caring_contacts ("auto", "yes" or "no"; the page and the
    API default to "auto"). ``episode.caring_contacts_outcome`` says whether caring contacts started.
    """
    if not access.client_can_access(acting_user, client, access.CHANGE):
        if unassigned_client_can_take(acting_user, client):
            assignment_start(client=client, staff=acting_user, role=CaseRole.CRISIS, acting_user=acting_user)
        elif access.emergency_access_current(acting_user, client) is None:
            # Break-the-glass opens the episode without joining the care team (``selectors._candidates``).
            raise DomainError("You are not on this client's care team.", field="client")
    if not data.get("concerns"):
        raise DomainError("Tick at least one presenting concern.", field="concerns")
    screen = recent_cssrs(client)
    risk = data.get("risk_level") or ""
    source = RiskSource.CLINICIAN
    if not risk:
        if screen is None:
            raise DomainError("Rate the risk: no C-SSRS screen in the last 24 hours.", field="risk_level")
        risk = CSSRS_BAND_RISK.get(screen.band, RiskLevel.LOW)
        source = RiskSource.CSSRS
    elif risk not in RiskLevel.values:
        raise DomainError("Choose a risk level.", field="risk_level")
    episode = CrisisEpisode.objects.create(
        client=client,
        opened_at=data.get("opened_at") or timezone.now(),
        opened_by=acting_user,
        source=data["source"],
        concerns=list(data["concerns"]),
        risk_level=risk,
        risk_source=source,
        risk_screen=screen if source == RiskSource.CSSRS else None,  # the screen the rating came from
        immediate_actions=list(data.get("immediate_actions") or []),
        summary=data.get("summary", ""),
    )
    responders = list(data.get("responders") or [])
    if responders:
        episode.responders.set(responders)
    audit_log(
        user=acting_user,
        action=AuditAction.CREATE,
        client=client,
        obj=episode,
        detail={"risk": risk, "risk_source": source, "source": episode.source},
    )
    episode.caring_contacts_outcome = _caring_contacts_after_crisis(
        episode, data.get("caring_contacts") or "no", acting_user
    )
    return episode


def caring_contacts_called_for(episode: CrisisEpisode, choice: str) -> bool:
    """Caring contacts follow an episode when asked ("yes"), or by default ("auto") from moderate risk up:
    the suicide-prevention standard they come from (Motto & Bostrom 2001) followed people at risk."""
    return choice == "yes" or (choice == "auto" and episode.moderate_or_higher)


def _caring_contacts_after_crisis(episode: CrisisEpisode, choice: str, acting_user: User) -> str:
    """Start caring contacts for a new episode if called for. Returns "started", "" (not called for), or
    why they could not start (e.g. no way to reach the person) — the episode is opened either way."""
    if not caring_contacts_called_for(episode, choice):
        return ""
    try:
        caring_contacts_start(client=episode.client, acting_user=acting_user, episode=episode)
    except DomainError as exc:
        return exc.message
    return "started"


@transaction.atomic
def episode_record_disposition(
    *,
    episode: CrisisEpisode,
    disposition: str,
    acting_user: User,
    at: dt.datetime | None = None,
    note: str = "",
) -> CrisisEpisode:
    """Record where the person went; this starts the follow-up checkpoints (windows open at ``at``).

    Once per episode, and never on a closed one (``crisis.states``)."""
    episode = CrisisEpisode.objects.select_for_update().get(pk=episode.pk)
    EPISODE_STATES.check(episode_state(episode), EpisodeState.DISPOSITIONED)
    at = at or timezone.now()
    if at < episode.opened_at:
        raise DomainError(
            "The disposition cannot come before the episode was opened.", field="disposition_at"
        )
    if at > timezone.now() + dt.timedelta(minutes=5):
        raise DomainError("The disposition time is in the future.", field="disposition_at")
    episode.disposition = disposition
    episode.disposition_at = at
    episode.disposition_by = acting_user
    episode.disposition_note = note
    episode.save(update_fields=["disposition", "disposition_at", "disposition_by", "disposition_note"])
    FollowUpCheckpoint.objects.bulk_create(
        [
            FollowUpCheckpoint(episode=episode, client_id=episode.client_id, **w)
            for w in checkpoints.windows_for(disposition, at)
        ]
    )
    audit_log(
        user=acting_user,
        action=AuditAction.CHANGE,
        client=episode.client_id,
        obj=episode,
        changed_fields=["disposition", "disposition_at", "disposition_by", "disposition_note"],
        detail={"disposition": disposition},
    )
    return episode


@transaction.atomic
def episode_close(*, episode: CrisisEpisode, acting_user: User) -> CrisisEpisode:
    """Close the episode. Its follow-up checkpoints keep running: closing ends the crisis, not the care.

    Only after the disposition is recorded (``crisis.states``): the follow-up clock starts there."""
    episode = CrisisEpisode.objects.select_for_update().get(pk=episode.pk)
    state = episode_state(episode)
    if state == EpisodeState.OPEN:  # the refusal a crisis worker meets most: say what comes first
        refusal = EPISODE_STATES.refusal(state, EpisodeState.CLOSED)
        raise DomainError(f"{refusal} {_('Record the disposition first.')}", field="disposition")
    EPISODE_STATES.check(state, EpisodeState.CLOSED)
    episode.closed_at = timezone.now()
    episode.closed_by = acting_user
    episode.save(update_fields=["closed_at", "closed_by"])
    audit_log(
        user=acting_user,
        action=AuditAction.CHANGE,
        client=episode.client_id,
        obj=episode,
        changed_fields=["closed_at", "closed_by"],
    )
    return episode


# --- safety plans -----------------------------------------------------------------------------------


def _clean_section(name: str, value) -> list:
    if name in CONTACT_SECTIONS:
        entries = []
        for row in value or []:
            name_, phone = str(row.get("name", "")).strip(), str(row.get("phone", "")).strip()
            if name_ or phone:
                if not name_:
                    raise DomainError("Give a name for each phone number.", field=name)
                entries.append({"name": name_[:150], "phone": phone[:40]})
    else:
        texts = (str(item).strip() for item in value or [])
        entries = [text[:SAFETY_PLAN_ENTRY_MAX_LENGTH] for text in texts if text]
    if len(entries) > SAFETY_PLAN_SECTION_MAX_ENTRIES:
        raise DomainError(
            _("At most %(count)d entries in a section.") % {"count": SAFETY_PLAN_SECTION_MAX_ENTRIES},
            field=name,
        )
    return entries


@transaction.atomic
def safety_plan_save(
    *,
    client: Client,
    acting_user: User,
    data: dict,
    reason: str,
    episode: CrisisEpisode | None = None,
    expected: Expected | None = None,
) -> SafetyPlanVersion:
    """Save the safety plan as a new version (earlier versions are never changed).

    ``expected``: the version the editor started from (the latest when the form was opened, or none);
    if another version has been saved since, ``StaleEditError`` and nothing is saved."""
    sections = {name: _clean_section(name, data.get(name)) for name in SAFETY_PLAN_SECTIONS}
    if not any(sections.values()):
        raise DomainError("Write at least one section of the safety plan.", field="warning_signs")
    if episode is not None and episode.client_id != client.pk:
        raise DomainError("That episode belongs to another client.", field="episode")
    Client.objects.select_for_update().filter(pk=client.pk).first()  # serialise version numbers
    latest = SafetyPlanVersion.objects.filter(client=client).order_by("-version").first()
    require_unchanged(latest, expected, model=SafetyPlanVersion)
    version = SafetyPlanVersion.objects.create(
        client=client,
        version=(latest.version if latest else 0) + 1,
        author=acting_user,
        reason=reason,
        episode=episode,
        **sections,
    )
    audit_log(
        user=acting_user,
        action=AuditAction.CREATE,
        client=client,
        obj=version,
        detail={"version": version.version, "reason": reason},
    )
    return version


def safety_plan_link_hours() -> int:
    return getattr(settings, "CARETEAM_SAFETY_PLAN_LINK_HOURS", 72)


def safety_plan_token(version: SafetyPlanVersion) -> str:
    return signing.dumps({"c": version.client_id, "v": version.pk}, salt=SAFETY_PLAN_SALT, compress=True)


def safety_plan_from_token(token: str) -> SafetyPlanVersion | None:
    """The plan a client link points at, or None when expired, tampered with or gone."""
    try:
        payload = signing.loads(
            token, salt=SAFETY_PLAN_SALT, max_age=dt.timedelta(hours=safety_plan_link_hours())
        )
    except signing.BadSignature:
        return None
    return (
        SafetyPlanVersion.objects.select_related("client")
        .filter(pk=payload.get("v"), client_id=payload.get("c"), client__archived_at__isnull=True)
        .first()
    )


@transaction.atomic
def safety_plan_send(*, version: SafetyPlanVersion, acting_user: User, channel: str | None = None):
    """Send the client a short-lived link to this plan. Consent and opt-outs are applied at send time."""
    client = version.client
    channel = channel or _text_or_email(client)
    now = timezone.now()
    token = safety_plan_token(version)
    url = settings.SITE_URL.rstrip("/") + reverse("crisis:public-safety-plan", args=[token])
    expires = now + dt.timedelta(hours=safety_plan_link_hours())
    message = message_schedule(
        client=client,
        template_key="safety-plan-link",
        due_at=now,
        source_kind=SourceKind.SAFETY_PLAN,
        idempotency_key=f"spl-{version.pk}-{int(now.timestamp())}",
        channel=channel,
        source=version,
        context={"url": url, "expires_at": expires.isoformat()},
        essential=True,
        signed_by=acting_user,
        acting_user=acting_user,
    )
    audit_log(
        user=acting_user,
        action=AuditAction.EXPORT,
        client=client,
        obj=version,
        detail={"sent_as": "client link", "channel": channel, "expires_at": expires.isoformat()},
    )
    return message


# --- caring contacts --------------------------------------------------------------------------------


def _text_or_email(client: Client) -> str:
    """Texts where the client agreed to them, else email; a caring contact is never a phone task."""
    if client.preferred_channel == ContactChannel.EMAIL and client.email:
        return Channel.EMAIL
    if client.phone and not text_refusal(client):
        return Channel.SMS
    if client.email:
        return Channel.EMAIL
    raise DomainError("The client has no number we may text and no email address.", field="channel")


def default_protocol() -> CaringContactProtocol | None:
    return CaringContactProtocol.objects.filter(is_active=True).order_by("-is_default", "name").first()


@transaction.atomic
def caring_contacts_start(
    *,
    client: Client,
    acting_user: User,
    protocol: CaringContactProtocol | None = None,
    channel: str | None = None,
    signer: User | None = None,
    start_date: dt.date | None = None,
    episode: CrisisEpisode | None = None,
) -> CaringContactPlan:
    """Start a caring-contact plan and put every one of its messages in the outbox now."""
    protocol = protocol or default_protocol()
    if protocol is None or not protocol.is_active:
        raise DomainError("Choose an active protocol.", field="protocol")
    channel = channel or _text_or_email(client)
    if channel not in (Channel.SMS, Channel.EMAIL):
        raise DomainError("Caring contacts go by text or email.", field="channel")
    if channel == Channel.SMS and (problem := text_refusal(client)):
        # No texting consent, STOP or no number: refused before anything is queued (outreach.rules).
        raise DomainError(problem, field="channel")
    if channel == Channel.EMAIL and not client.email:
        raise DomainError("The client has no email address.", field="channel")
    signer = signer or acting_user
    start_date = start_date or client_today(client)
    try:
        with transaction.atomic():
            plan = CaringContactPlan.objects.create(
                client=client,
                protocol=protocol,
                episode=episode,
                channel=channel,
                signer=signer,
                start_date=start_date,
                started_by=acting_user,
            )
    except IntegrityError as exc:
        raise DomainError("Caring contacts are already running for this client; stop them first.") from exc
    quiet_start, quiet_end = client_quiet_hours(client)
    planned = protocols.schedule(
        steps=protocol.steps,
        start=start_date,
        date_of_birth=client.date_of_birth,
        time_zone=client_time_zone(client),
        seed=f"ccp-{plan.pk}",
        quiet_start=quiet_start,
        quiet_end=quiet_end,
    )
    for p in planned:
        message_schedule(
            client=client,
            template_key=p.template_key,
            due_at=p.due_at,
            source_kind=SourceKind.CARING_CONTACT,
            idempotency_key=f"ccp-{plan.pk}-{p.step}",
            channel=channel,
            source=plan,
            context={"step": p.step + 1, "of": len(planned)},
            signed_by=signer,
            acting_user=acting_user,
        )
    audit_log(
        user=acting_user,
        action=AuditAction.CREATE,
        client=client,
        obj=plan,
        detail={"protocol": protocol.name, "messages": len(planned), "channel": channel},
    )
    return plan


@transaction.atomic
def caring_contacts_stop(*, plan: CaringContactPlan, acting_user: User, reason: str) -> CaringContactPlan:
    """Stop a plan: its pending messages are cancelled (and any racing the stop are skipped at send time)."""
    plan = CaringContactPlan.objects.select_for_update().get(pk=plan.pk)
    if not plan.is_running:
        raise DomainError("These caring contacts are already stopped.")
    if not reason.strip():
        raise DomainError("Say why the caring contacts stop.", field="reason")
    plan.stopped_at = timezone.now()
    plan.stopped_by = acting_user
    plan.stop_reason = reason.strip()[:200]
    plan.save(update_fields=["stopped_at", "stopped_by", "stop_reason"])
    messages_cancel_for_source(source=plan, acting_user=acting_user, detail=plan.stop_reason)
    audit_log(
        user=acting_user,
        action=AuditAction.CHANGE,
        client=plan.client_id,
        obj=plan,
        changed_fields=["stopped_at", "stopped_by", "stop_reason"],
        reason=plan.stop_reason,
    )
    return plan


def caring_contact_source_check(source_id: str) -> str | None:
    """Outreach's send-time check: a stopped plan's messages are skipped even if they raced the stop."""
    plan = CaringContactPlan.objects.filter(pk=source_id).only("stopped_at", "stop_reason").first()
    if plan is None:
        return "The caring-contact plan no longer exists."
    if plan.stopped_at is not None:
        return f"Caring contacts stopped: {plan.stop_reason}"[:300]
    return None


# --- checkpoint tasks -------------------------------------------------------------------------------


def _responsible(cp: FollowUpCheckpoint) -> dict:
    """Who follows up: the worker who opened the episode while they can still see the client (a task
    about a client the assignee cannot see is on no worklist), else the client's usual task owner."""
    opener = cp.episode.opened_by
    if opener.is_active and access.client_can_access(opener, cp.client, access.CHANGE):
        return {"assignee": opener}
    return access.task_owner(cp.client)


def _task_exists(kind: str) -> Exists:
    return Exists(
        Task.objects.filter(
            source_type=CHECKPOINT_SOURCE, source_id=Cast(OuterRef("pk"), CharField()), kind=kind
        )
    )


def checkpoints_sweep(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Raise, escalate and close checkpoint tasks. Idempotent: run it as often as you like.

    Due and unmet → a ``crisis_checkpoint`` task for the responsible worker; past the window and
    unmet → a ``checkpoint_missed`` task for each supervisor of the client's team; met → its open
    tasks close.
    """
    now = now or timezone.now()
    counts = {"raised": 0, "escalated": 0, "closed": 0}
    unmet = FollowUpCheckpoint.objects.exclude(checkpoints.met_q()).select_related(
        "episode__opened_by", "client__primary_team"
    )
    for cp in unmet.filter(remind_from__lte=now, window_end__gte=now, due_task__isnull=True):
        with transaction.atomic():
            task = task_create(
                kind=TaskKind.CRISIS_CHECKPOINT,
                title=f"{cp.label}: {cp.client.display_name}",
                acting_user=None,
                client=cp.client,
                # The deadline is the task's due_at, shown in each reader's own time zone.
                detail=f"Crisis follow-up: {cp.label.lower()}.",
                due_at=cp.window_end,
                priority=TaskPriority.URGENT,
                source=cp,
                dedupe_key=f"crisis-checkpoint-{cp.pk}-due",
                **_responsible(cp),
            )
            FollowUpCheckpoint.objects.filter(pk=cp.pk).update(due_task=task)
            counts["raised"] += 1
    missed = unmet.filter(window_end__lt=now).exclude(_task_exists(TaskKind.CHECKPOINT_MISSED))
    for cp in missed.prefetch_related("client__primary_team__supervisors"):
        supervisors = [s for s in cp.client.primary_team.supervisors.all() if s.is_active]
        with transaction.atomic():
            for owner in supervisors or [None]:
                task_create(
                    kind=TaskKind.CHECKPOINT_MISSED,
                    title=f"Missed: {cp.label} — {cp.client.display_name}",
                    acting_user=None,
                    assignee=owner,
                    team=None if owner else cp.client.primary_team,
                    client=cp.client,
                    detail="The follow-up window closed before it was met.",
                    due_at=cp.window_end,
                    priority=TaskPriority.URGENT,
                    source=cp,
                    dedupe_key=f"crisis-checkpoint-{cp.pk}-missed-{owner.pk if owner else 'team'}",
                )
                counts["escalated"] += 1
            if cp.due_task_id:  # the supervisor's task replaces the worker's reminder
                task_close(task=cp.due_task, acting_user=None, status=TaskStatus.DISMISSED)
    open_ids = {
        int(pk)
        for pk in Task.objects.filter(source_type=CHECKPOINT_SOURCE, status=TaskStatus.OPEN).values_list(
            "source_id", flat=True
        )
    }
    for cp in FollowUpCheckpoint.objects.filter(pk__in=open_ids).filter(checkpoints.met_q()):
        counts["closed"] += tasks_close_for_source(source=cp, acting_user=None)
    return counts
