"""Referral pages: the worklist, the chart's "Needs & Referrals" tab, the create flow (need →
directory search → choose service → details → review with the consent check → send), the
referral's page (timeline, moves, outcome, appointment, partner link) and the partner's page."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from careteam import access
from careteam.audit import audit_clients_listed, audit_log
from careteam.errors import DomainError
from careteam.models import AuditAction
from careteam.timezones import client_time_zone
from clients.chart_views import ChartMixin, UserTimeZoneMixin, add_service_errors
from clients.consents.selectors import part2_notice_for
from clients.models import InformationCategory, Urgency

from . import partner as partner_links
from . import selectors, services, states
from .forms import (
    AttendanceForm,
    NoteForm,
    PartnerDeclineForm,
    ReferralForm,
    ScheduleForm,
    TransitionForm,
)
from .models import Referral, ReferralStatus, Service, ServiceStatus

S = ReferralStatus


def _with_query(url: str, query: dict) -> str:
    return f"{url}?{urlencode(query, doseq=True)}"


def consent_add_url(referral: Referral, next_url: str) -> str:
    """The consent form, prefilled with what this referral needs covered (the Part 2 gate's link)."""
    return _with_query(
        reverse("clients:consents:create", args=[referral.client_id]),
        {
            "kind": "part2",
            "organization": referral.organization_id,
            "categories": list(referral.shared_categories),
            "next": next_url,
        },
    )


# --- worklist -----------------------------------------------------------------------------------


class ReferralWorklistView(UserTimeZoneMixin, LoginRequiredMixin, TemplateView):
    """Case managers' referral worklist: mine / my team, by bucket, filterable, sortable, paged."""

    template_name = "referrals/worklist.html"

    def get(self, request, *args, **kwargs):
        user = request.user
        if not selectors.referrals_can_read(user):
            raise PermissionDenied
        params = request.GET
        scope = params.get("scope", "mine") if params.get("scope") in selectors.WORKLIST_SCOPES else "mine"
        bucket = params.get("bucket") if params.get("bucket") in selectors.WORKLIST_BUCKETS else "open"
        status = params.get("status") if params.get("status") in S.values else ""
        urgency = params.get("urgency") if params.get("urgency") in Urgency.values else ""
        sort = params.get("sort") if params.get("sort") in selectors.WORKLIST_SORTS else "-requested"
        qs = selectors.worklist_for_user(
            user, scope=scope, bucket=bucket, status=status, urgency=urgency, sort=sort
        )
        page_obj = Paginator(qs, settings.CARETEAM_REFERRAL_WORKLIST_PAGE_SIZE).get_page(params.get("page"))
        audit_clients_listed(
            user=user, clients={r.client for r in page_obj.object_list}, detail={"page": "referral-worklist"}
        )
        query = params.copy()
        query.pop("page", None)
        sort_query = query.copy()
        sort_query.pop("sort", None)
        bucket_query = query.copy()
        bucket_query.pop("bucket", None)
        return self.render_to_response(
            {
                "page_obj": page_obj,
                "referrals": page_obj.object_list,
                "scope": scope,
                "bucket": bucket,
                "status": status,
                "urgency": urgency,
                "sort": sort,
                "scopes": selectors.WORKLIST_SCOPES.items(),
                "buckets": selectors.WORKLIST_BUCKETS.items(),
                "counts": selectors.worklist_counts(user, scope=scope),
                "statuses": S.choices,
                "urgencies": Urgency.choices,
                "page_query": query.urlencode(),
                "sort_query": sort_query.urlencode(),
                "bucket_query": bucket_query.urlencode(),
                "columns": [
                    ("client", "Client"),
                    ("organization", "Service"),
                    ("status", "Status"),
                    ("requested", "Sent"),
                    ("appointment", "Appointment"),
                    ("activity", "Last activity"),
                ],
            }
        )


# --- chart tab ----------------------------------------------------------------------------------


class ClientReferralsTabView(UserTimeZoneMixin, ChartMixin, PermissionRequiredMixin, TemplateView):
    """The chart's "Needs & Referrals" tab: open and closed needs, and every referral."""

    permission_required = "referrals.view_referral"
    template_name = "referrals/tab.html"
    tab = "referrals"

    def get(self, request, *args, **kwargs):
        client = self.client_record
        needs = list(selectors.needs_for_client(client))
        referrals = list(selectors.referrals_for_client(client))
        next_url = request.get_full_path()
        back = {"next": next_url}
        for need in needs:
            need.edit_url = _with_query(reverse("clients:needs:update", args=[client.pk, need.pk]), back)
            need.status_url = _with_query(reverse("clients:needs:status", args=[client.pk, need.pk]), back)
        return self.render_to_response(
            self.chart_context(
                open_needs=[n for n in needs if n.is_open],
                closed_needs=[n for n in needs if not n.is_open],
                referrals=referrals,
                can_refer=selectors.referrals_can_refer(request.user, client),
                need_add_url=_with_query(reverse("clients:needs:create", args=[client.pk]), back),
                open_statuses=states.OPEN,
            )
        )


# --- create flow --------------------------------------------------------------------------------


class ReferralCreateView(UserTimeZoneMixin, ChartMixin, PermissionRequiredMixin, TemplateView):
    """Need → directory search → choose a service → details; saved as a draft for review."""

    permission_required = "referrals.add_referral"
    perm = access.CHANGE
    tab = "referrals"

    def _need(self):
        need_id = self.request.GET.get("need") or self.request.POST.get("need")
        if not need_id:
            return None
        need = (
            selectors.needs_for_client(self.client_record)
            .filter(pk=need_id if str(need_id).isdigit() else 0)
            .first()
        )
        if need is None:
            raise Http404("No such need.")
        return need

    def _service(self):
        service_id = self.request.GET.get("service", "")
        if not service_id.isdigit():
            return None
        service = (
            Service.objects.select_related("organization")
            .filter(pk=service_id, status=ServiceStatus.ACTIVE)
            .first()
        )
        if service is None:
            raise Http404("No such service.")
        return service

    def get(self, request, *args, **kwargs):
        need = self._need()
        service = self._service()
        if service is None:
            return self._search(need)
        initial = {
            "urgency": need.urgency if need else Urgency.ROUTINE,
            "shared_categories": ["demographics"],
        }
        if need is not None:
            initial["reason"] = need.description
        return self._render_form(ReferralForm(initial=initial), need, service)

    def _search(self, need):
        from referrals.directory.selectors import category_choices, service_search

        params = self.request.GET
        category = params.get("category", need.category if need else "")
        text = params.get("q", "")[:100]
        results = list(service_search(category=category, text=text)[:20])
        base = {"need": need.pk} if need else {}
        create_url = reverse("referrals:create", args=[self.client_record.pk])
        choose_url = f"{create_url}?{urlencode(base)}{'&' if base else ''}"
        return render(
            self.request,
            "referrals/create_search.html",
            self.chart_context(
                need=need,
                services=results,
                category=category,
                q=text,
                categories=category_choices(),
                choose_url=choose_url,
            ),
        )

    def _render_form(self, form, need, service, status=200):
        return render(
            self.request,
            "referrals/create_form.html",
            self.chart_context(form=form, need=need, service=service),
            status=status,
        )

    def post(self, request, *args, **kwargs):
        need = self._need()
        service = self._service()
        if service is None:
            raise Http404("Choose a service first.")
        form = ReferralForm(request.POST)
        if form.is_valid():
            try:
                referral = services.referral_create(
                    client=self.client_record,
                    acting_user=request.user,
                    data={**form.cleaned_data, "need": need, "service": service},
                )
            except (ValidationError, DomainError) as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Draft saved. Check the consent and send it when ready.")
                return redirect("referrals:detail", referral_pk=referral.pk)
        return self._render_form(form, need, service, status=400)


# --- one referral -------------------------------------------------------------------------------


class ReferralMixin(UserTimeZoneMixin, ChartMixin):
    """Loads the referral the user may see (404 otherwise) and puts it in its client's chart."""

    tab = "referrals"
    audits_own_view = True

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.referral = selectors.referral_get_for_user(request.user, kwargs["referral_pk"])
        kwargs["pk"] = self.referral.client_id
        self.kwargs = kwargs
        return super().dispatch(request, *args, **kwargs)


class ReferralDetailView(ReferralMixin, TemplateView):
    """Timeline, the moves the user may make, the outcome, the appointment and the partner link.

    POST carries ``action`` (send, transition, schedule, attendance, note, link-revoke, link-resend);
    a refusal re-renders the page with the message beside the form, and nothing changes.
    """

    template_name = "referrals/detail.html"

    def get(self, request, *args, **kwargs):
        audit_log(
            user=request.user, action=AuditAction.VIEW, client=self.referral.client_id, obj=self.referral
        )
        return self.render_page()

    def render_page(self, status=200, **forms):
        referral = self.referral
        user = self.request.user
        can_change = selectors.referrals_can_change(user, self.client_record)
        # The send step is offered while the table lets this referral be requested (a draft).
        sendable = states.can_move(referral.status, S.REQUESTED)
        check = services.consent_check(referral) if sendable else None
        moves = [
            {
                "to": m.to,
                "label": m.label,
                "form": forms.get(f"move-{m.to}")
                or TransitionForm(initial={"to": m.to}, to=m.to, prefix=f"m-{m.to}"),
                "closing": m.to in states.CLOSING,
                "on_behalf": states.REQUESTER not in m.by,
            }
            for m in (states.moves_from(referral.status) if can_change else [])
            if m.to != S.REQUESTED
        ]
        partner_emails = selectors.partner_emails_for_referral(referral)
        ctx = self.chart_context(
            referral=referral,
            timeline=selectors.timeline_for_referral(
                referral, list(selectors.events_for_referral(referral)), partner_emails
            ),
            partner_emails=partner_emails,
            can_change=can_change,
            moves=moves,
            sendable=sendable,
            check=check,
            consent_url=consent_add_url(referral, self.request.path) if check and not check.allowed else "",
            schedule_form=forms.get("schedule")
            or ScheduleForm(initial={"appointment_at": referral.appointment_at}),
            note_form=forms.get("note") or NoteForm(),
            attendance_form=forms.get("attendance") or AttendanceForm(),
            is_open=referral.status in states.OPEN,
            attendance_reportable=selectors.attendance_reportable(referral),
            link_live=partner_links.link_is_live(referral),
            partner_link=partner_links.partner_url(referral)
            if partner_links.link_is_live(referral) and can_change
            else "",
            emailed=services.sends_electronically(referral),
            partner_email=services.partner_email_for(referral),
            labels=dict(InformationCategory.choices),
            send_error=forms.get("send_error", ""),
            link_error=forms.get("link_error", ""),
            move_error=forms.get("move_error", ""),
        )
        return self.render_to_response(ctx, status=status)

    def post(self, request, *args, **kwargs):
        if not selectors.referrals_can_change(request.user, self.client_record):
            raise PermissionDenied
        action = request.POST.get("action", "")
        handler = {
            "send": self._send,
            "transition": self._transition,
            "schedule": self._schedule,
            "attendance": self._attendance,
            "note": self._note,
            "link-revoke": self._link_revoke,
            "link-resend": self._link_resend,
        }.get(action)
        if handler is None:
            return self.render_page(status=400)
        return handler()

    def _done(self, text):
        messages.success(self.request, text)
        return redirect("referrals:detail", referral_pk=self.referral.pk)

    def _refresh(self):
        self.referral = selectors.referral_get_for_user(self.request.user, self.referral.pk)

    def _send(self):
        try:
            services.referral_send(referral=self.referral, acting_user=self.request.user)
        except DomainError as exc:
            self._refresh()
            return self.render_page(status=400, send_error=exc.message)
        return self._done(f"Referral sent to {self.referral.organization.name}.")

    def _transition(self):
        to = self.request.POST.get("to", "")
        form = TransitionForm(self.request.POST, to=to, prefix=f"m-{to}")
        form.data = form.data.copy()
        form.data.setdefault(f"m-{to}-to", to)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.referral_transition(
                    referral=self.referral,
                    to=to,
                    acting_user=self.request.user,
                    note=data["note"],
                    outcome=data["outcome"],
                    outcome_note=data["outcome_note"],
                    refer_elsewhere=data["refer_elsewhere"],
                )
            except (DomainError, ValidationError) as exc:
                add_service_errors(form, exc)
            else:
                return self._done(f"Referral moved to {states.label(to)}.")
        self._refresh()
        refusal = " ".join(str(e) for errors in form.errors.values() for e in errors)
        return self.render_page(status=400, move_error=refusal, **{f"move-{to}": form})

    def _schedule(self):
        form = ScheduleForm(self.request.POST)
        if form.is_valid():
            try:
                services.referral_schedule(
                    referral=self.referral,
                    appointment_at=form.cleaned_data["appointment_at"],
                    acting_user=self.request.user,
                    note=form.cleaned_data["note"],
                )
            except (DomainError, ValidationError) as exc:
                add_service_errors(form, exc)
            else:
                return self._done("Appointment recorded.")
        self._refresh()
        return self.render_page(status=400, schedule=form)

    def _attendance(self):
        form = AttendanceForm(self.request.POST)
        if form.is_valid():
            try:
                services.referral_report_attendance(
                    referral=self.referral,
                    attended=form.cleaned_data["attended"],
                    acting_user=self.request.user,
                    note=form.cleaned_data["note"],
                )
            except DomainError as exc:
                add_service_errors(form, exc)
            else:
                return self._done("Attendance recorded.")
        self._refresh()
        return self.render_page(status=400, attendance=form)

    def _note(self):
        form = NoteForm(self.request.POST)
        if form.is_valid():
            try:
                services.referral_add_note(
                    referral=self.referral, note=form.cleaned_data["note"], acting_user=self.request.user
                )
            except DomainError as exc:
                add_service_errors(form, exc)
            else:
                return self._done("Note added.")
        self._refresh()
        return self.render_page(status=400, note=form)

    def _link_revoke(self):
        try:
            services.referral_link_revoke(referral=self.referral, acting_user=self.request.user)
        except DomainError as exc:
            return self.render_page(status=400, link_error=exc.message)
        return self._done("Partner link withdrawn: earlier links no longer work.")

    def _link_resend(self):
        try:
            services.referral_link_resend(referral=self.referral, acting_user=self.request.user)
        except DomainError as exc:
            self._refresh()
            return self.render_page(status=400, link_error=exc.message)
        return self._done("A new partner link was issued; earlier links no longer work.")


class ReferralUpdateView(ReferralMixin, PermissionRequiredMixin, TemplateView):
    """Edit a draft before it is sent."""

    permission_required = selectors.CHANGE_PERMISSION
    perm = access.CHANGE
    template_name = "referrals/create_form.html"

    def get(self, request, *args, **kwargs):
        if self.referral.status != S.DRAFT:
            return redirect("referrals:detail", referral_pk=self.referral.pk)
        r = self.referral
        form = ReferralForm(
            initial={
                "reason": r.reason,
                "urgency": r.urgency,
                "shared_categories": r.shared_categories,
                "shared_summary": r.shared_summary,
                "warm_handoff": r.warm_handoff,
                "warm_handoff_how": r.warm_handoff_how,
                "appointment_at": r.appointment_at,
            },
            version_of=r,
        )
        audit_log(user=request.user, action=AuditAction.VIEW, client=r.client_id, obj=r)
        return self.render_to_response(
            self.chart_context(form=form, need=r.need, service=r.service, referral=r)
        )

    def post(self, request, *args, **kwargs):
        r = self.referral
        form = ReferralForm(request.POST, version_of=r)
        if form.is_valid():
            try:
                services.referral_update(
                    referral=r,
                    acting_user=request.user,
                    data=form.cleaned_data,
                    expected=form.expected_version(),
                )
            except (ValidationError, DomainError) as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Draft updated.")
                return redirect("referrals:detail", referral_pk=r.pk)
        return self.render_to_response(
            self.chart_context(form=form, need=r.need, service=r.service, referral=r), status=400
        )


# --- the partner's page (no account) ------------------------------------------------------------


def client_time(referral):
    """The partner reads and enters times in the client's time zone (the page says which): the
    appointment is where the client lives, and the partner has no account with a zone of its own."""
    return timezone.override(client_time_zone(referral.client))


@method_decorator(never_cache, name="dispatch")
class PartnerReferralView(View):
    """What a receiving organisation sees behind its signed link, and its answers.

    No login: the token is the credential. A tampered, expired, withdrawn or closed link gets a
    plain page (400/410) and changes nothing. Every view and answer is audited (user none, the
    partner named in the detail).
    """

    template_name = "referrals/partner.html"

    def _error(self, exc: partner_links.PartnerLinkError):
        # "Nothing was changed" only where an answer was refused: after the partner's own closing
        # answer the redirect lands here too, and that answer was recorded.
        context = {"error": exc, "refused": self.request.method == "POST"}
        return render(self.request, "referrals/partner_error.html", context, status=exc.status)

    def _render(self, referral, status=200, **forms):
        shared = set(referral.shared_categories)
        partner_moves = {m.to for m in states.moves_from(referral.status, side=states.RECEIVER)}
        time_zone = timezone.get_current_timezone_name()
        return render(
            self.request,
            self.template_name,
            {
                "referral": referral,
                "shows_demographics": InformationCategory.DEMOGRAPHICS in shared,
                "shows_sud": InformationCategory.SUD in shared,
                # 42 CFR 2.32: every page a Part 2 disclosure is read on carries the notice (anything from
                # a Part 2 program, substance-use information from anywhere).
                "part2_notice": part2_notice_for(referral.client, shared),
                "shared_labels": [dict(InformationCategory.choices)[c] for c in referral.shared_categories],
                "events": [
                    e for e in referral.events.order_by("occurred_at", "id") if e.actor_kind == "partner"
                ],
                "decline_form": forms.get("decline") or PartnerDeclineForm(prefix="decline"),
                "schedule_form": forms.get("schedule") or ScheduleForm(prefix="schedule"),
                "attendance_form": forms.get("attendance") or AttendanceForm(prefix="attendance"),
                "note_form": forms.get("note") or NoteForm(prefix="note"),
                "error": forms.get("error", ""),
                # What the partner is offered is the table's to say (``states.moves_from`` for the
                # receiver; attendance as ``selectors.attendance_reportable``), not the template's.
                "can_accept": S.ACCEPTED in partner_moves,
                "can_decline": S.REJECTED in partner_moves,
                "attendance_reportable": selectors.attendance_reportable(referral),
                "time_zone": time_zone.replace("_", " "),
            },
            status=status,
        )

    def get(self, request, token):
        try:
            referral = partner_links.referral_from_token(token)
        except partner_links.PartnerLinkError as exc:
            return self._error(exc)
        audit_log(
            user=None,
            action=AuditAction.VIEW,
            client=referral.client_id,
            obj=referral,
            detail={"partner": referral.organization.name, "referral": referral.pk},
        )
        with client_time(referral):
            return self._render(referral)

    def post(self, request, token):
        action = request.POST.get("action", "")
        try:
            with transaction.atomic():
                referral = partner_links.referral_from_token(token, for_update=True)
                with client_time(referral):
                    result = self._answer(referral, action)
        except partner_links.PartnerLinkError as exc:
            return self._error(exc)
        if result is not None:
            return result
        referral.refresh_from_db(fields=["status", "partner_link_revoked_at"])
        if partner_links.link_is_live(referral):
            done = _("Thank you — your answer was recorded and the referring program can see it.")
        else:
            done = _(
                "Thank you — your answer was recorded and the referring program can see it. "
                "This referral is now closed, so no further answer is needed."
            )
        messages.success(request, done)
        return redirect("referrals:partner", token=token)

    def _answer(self, referral, action):
        """Apply one answer; returns a response to show errors, or None when done."""
        post = self.request.POST
        try:
            if action == "accept":
                services.referral_transition(referral=referral, to=S.ACCEPTED, acting_user=None, partner=True)
            elif action == "decline":
                form = PartnerDeclineForm(post, prefix="decline")
                if not form.is_valid():
                    return self._render(referral, status=400, decline=form)
                services.referral_transition(
                    referral=referral,
                    to=S.REJECTED,
                    acting_user=None,
                    partner=True,
                    outcome=form.cleaned_data["reason"],
                    outcome_note=form.cleaned_data["note"],
                    note=form.cleaned_data["note"],
                )
            elif action == "schedule":
                form = ScheduleForm(post, prefix="schedule")
                if not form.is_valid():
                    return self._render(referral, status=400, schedule=form)
                services.referral_schedule(
                    referral=referral,
                    appointment_at=form.cleaned_data["appointment_at"],
                    acting_user=None,
                    partner=True,
                    note=form.cleaned_data["note"],
                )
            elif action in ("attended", "not_attended"):
                services.referral_report_attendance(
                    referral=referral,
                    attended=action == "attended",
                    acting_user=None,
                    partner=True,
                    note=post.get("attendance-note", "")[:500],
                )
            elif action == "note":
                form = NoteForm(post, prefix="note")
                if not form.is_valid():
                    return self._render(referral, status=400, note=form)
                services.referral_add_note(
                    referral=referral, note=form.cleaned_data["note"], acting_user=None, partner=True
                )
            else:
                return self._render(referral, status=400, error="Choose one of the answers below.")
        except DomainError as exc:
            return self._render(referral, status=400, error=exc.message)
        return None
