"""Pages of crisis work: quick open, episode, the chart's Crisis & Safety tab, safety plan, caring
contacts, the client's public safety-plan link and the team crisis board.

Chart pages load the client through ``ChartMixin`` (404 when not visible) and audit what they show;
the board and picker write one LIST row per client shown.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import TemplateView

from careteam import access
from careteam.audit import audit_clients_listed, audit_log
from careteam.errors import DomainError
from careteam.models import AuditAction
from careteam.services import client_search_audit
from careteam.timezones import user_time_zone
from clients.chart_views import ChartMixin, UserTimeZoneMixin, add_service_errors

from . import checkpoints, selectors, services
from .forms import CaringContactsForm, DispositionForm, QuickOpenForm, SafetyPlanForm, SendPlanForm, StopForm
from .models import RiskLevel

BOARD_PAGE_SIZE = 25


def _tab_url(client_pk) -> str:
    return reverse("crisis:client-tab", args=[client_pk])


def _episode_url(episode) -> str:
    return reverse("crisis:episode-detail", args=[episode.client_id, episode.pk])


# --- quick open -------------------------------------------------------------------------------------


class QuickOpenView(UserTimeZoneMixin, LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    """One screen: pick the client, say what is happening, how risky, what was done. Submit → episode."""

    permission_required = "crisis.add_crisisepisode"
    template_name = "crisis/quick_open.html"

    def render_form(self, form, candidates, q="", status=200, searched=False):
        user = self.request.user
        screens = {}
        if len(candidates) == 1 and not candidates[0].identity_only:  # no clinical detail outside the chart
            screen = services.recent_cssrs(candidates[0])
            if screen is not None:
                screens[candidates[0].pk] = screen
        if searched:  # the picker reaches beyond the care team: every search is audited, even an empty one
            client_search_audit(user=user, page="crisis-open", client_ids=[c.pk for c in candidates])
        else:
            audit_clients_listed(user=user, clients=candidates, detail={"page": "crisis-open"})
        return self.render_to_response(
            {
                "form": form,
                "candidates": candidates,
                "q": q,
                "screens": screens,
                "takes_unassigned": selectors.unassigned_clients_can_take(user),
                "can_break_glass": access.emergency_access_can_open(user),
            },
            status=status,
        )

    def get(self, request, *args, **kwargs):
        q = request.GET.get("q", "")[:100]
        searched = False
        if request.GET.get("client"):
            candidates = [selectors.open_candidate_get(request.user, request.GET["client"])]
        elif q:
            candidates = selectors.open_candidates(request.user, q)
            searched = True
        else:
            candidates = []
        initial = {"client": candidates[0].pk} if len(candidates) == 1 else {}
        initial["caring_contacts"] = "auto"
        return self.render_form(
            QuickOpenForm(initial=initial, candidates=candidates), candidates, q, searched=searched
        )

    def post(self, request, *args, **kwargs):
        candidates = []
        if request.POST.get("client"):
            candidates = [selectors.open_candidate_get(request.user, request.POST["client"])]
        form = QuickOpenForm(request.POST, candidates=candidates)
        if form.is_valid():
            data = form.cleaned_data
            client = data["client"]
            try:
                episode = services.episode_open(client=client, acting_user=request.user, data=data)
            except (DomainError, ValidationError) as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"Crisis episode opened for {client.display_name}.")
                outcome = episode.caring_contacts_outcome
                if outcome == "started":
                    messages.info(request, "Caring contacts started.")
                elif outcome:
                    messages.warning(request, f"Caring contacts not started: {outcome}")
                return redirect(_episode_url(episode))
        return self.render_form(form, candidates, status=400)


# --- the chart tab ----------------------------------------------------------------------------------


class CrisisTabView(UserTimeZoneMixin, ChartMixin, TemplateView):
    """Crisis & Safety: episodes (open first), the current safety plan, caring contacts and their messages.
    Peer specialists see the safety plan only."""

    audits_own_view = True
    template_name = "crisis/tab.html"
    tab = "crisis"

    def get(self, request, *args, **kwargs):
        user, client = request.user, self.client_record
        if not selectors.crisis_section_can_see(user):
            raise Http404("No such client.")
        summary = selectors.client_crisis_summary(user, client)
        audit_log(
            user=user,
            action=AuditAction.VIEW,
            client=client,
            obj=client,
            reason=self.audit_reason,
            detail={"tab": "crisis"},
        )
        return self.render_to_response(
            self.chart_context(
                summary=summary,
                show_episodes=selectors.episodes_can_read(user),
                can_open=selectors.episode_can_open(user, client),
                can_plan=selectors.crisis_record_can_change(user, client, "crisis.add_safetyplanversion"),
                can_contacts=selectors.crisis_record_can_change(user, client, "crisis.add_caringcontactplan"),
                can_stop_contacts=selectors.crisis_record_can_change(
                    user, client, "crisis.change_caringcontactplan"
                ),
                stop_form=StopForm(),
                send_form=SendPlanForm(
                    initial={"channel": "sms" if client.text_consent_on_file else "email"}
                ),
                user_tz=user_time_zone(user),
            )
        )


# --- episodes ---------------------------------------------------------------------------------------


class EpisodeMixin(UserTimeZoneMixin, ChartMixin):
    tab = "crisis"
    audits_own_view = True

    def get_episode(self):
        return selectors.episode_get_for_user(
            self.request.user, self.kwargs["episode_pk"], client_pk=self.client_record.pk
        )

    def render_episode(self, episode, *, disposition_form=None, status=200):
        user = self.request.user
        rows = checkpoints.annotate_states(
            selectors.checkpoint_list_for_user(user).filter(episode=episode).order_by("window_end", "id")
        )
        can_change = selectors.crisis_record_can_change(
            user, self.client_record, "crisis.change_crisisepisode"
        )
        running = selectors.caring_contact_plan_list_for_user(user).filter(
            client=self.client_record, stopped_at__isnull=True
        )
        ctx = self.chart_context(
            episode=episode,
            checkpoint_rows=rows,
            can_change=can_change,
            disposition_form=disposition_form
            or (DispositionForm() if can_change and not episode.disposition else None),
            running_plan=running.first(),
            can_contacts=selectors.crisis_record_can_change(
                user, self.client_record, "crisis.add_caringcontactplan"
            ),
            user_tz=user_time_zone(user),
        )
        return self.render_to_response(ctx, status=status)


class EpisodeDetailView(EpisodeMixin, TemplateView):
    template_name = "crisis/episode_detail.html"

    def get(self, request, *args, **kwargs):
        episode = self.get_episode()
        audit_log(
            user=request.user,
            action=AuditAction.VIEW,
            client=self.client_record,
            obj=episode,
            reason=self.audit_reason,
        )
        return self.render_episode(episode)


class EpisodeDispositionView(EpisodeMixin, PermissionRequiredMixin, TemplateView):
    permission_required = "crisis.change_crisisepisode"
    perm = access.CHANGE
    template_name = "crisis/episode_detail.html"

    def get(self, request, *args, **kwargs):
        """The form lives on the episode page (a reload after a refused POST lands here)."""
        return redirect(_episode_url(self.get_episode()))

    def post(self, request, *args, **kwargs):
        episode = self.get_episode()
        form = DispositionForm(request.POST)
        if form.is_valid():
            try:
                services.episode_record_disposition(
                    episode=episode,
                    disposition=form.cleaned_data["disposition"],
                    at=form.cleaned_data["disposition_at"],
                    note=form.cleaned_data["note"],
                    acting_user=request.user,
                )
            except DomainError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Disposition recorded; follow-up checkpoints are running.")
                return redirect(_episode_url(episode))
        return self.render_episode(episode, disposition_form=form, status=400)


class EpisodeCloseView(EpisodeMixin, PermissionRequiredMixin, View):
    permission_required = "crisis.change_crisisepisode"
    perm = access.CHANGE

    def post(self, request, *args, **kwargs):
        episode = self.get_episode()
        try:
            services.episode_close(episode=episode, acting_user=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Episode closed. Its follow-up checkpoints keep running.")
        return redirect(_episode_url(episode))


class EpisodeCaringContactsView(EpisodeMixin, PermissionRequiredMixin, View):
    """One click from the episode: the default protocol, the client's text/email, signed by me, from today."""

    permission_required = "crisis.add_caringcontactplan"
    perm = access.CHANGE

    def post(self, request, *args, **kwargs):
        episode = self.get_episode()
        try:
            services.caring_contacts_start(
                client=self.client_record, acting_user=request.user, episode=episode
            )
        except DomainError as exc:
            messages.error(request, f"Caring contacts not started: {exc.message}")
        else:
            messages.success(request, "Caring contacts started.")
        return redirect(_episode_url(episode))


# --- safety plan ------------------------------------------------------------------------------------


class SafetyPlanMixin(UserTimeZoneMixin, ChartMixin):
    tab = "crisis"

    def check_read(self):
        if not selectors.safety_plan_can_read(self.request.user):
            raise Http404("No such client.")


class SafetyPlanEditView(SafetyPlanMixin, PermissionRequiredMixin, TemplateView):
    permission_required = "crisis.add_safetyplanversion"
    perm = access.CHANGE
    template_name = "crisis/safety_plan_form.html"

    def get(self, request, *args, **kwargs):
        current = selectors.current_safety_plan(self.client_record)
        form = SafetyPlanForm(current=current, initial={"reason": "review" if current else "new_crisis"})
        return self.render_to_response(self.chart_context(form=form, current=current))

    def post(self, request, *args, **kwargs):
        current = selectors.current_safety_plan(self.client_record)
        form = SafetyPlanForm(request.POST, current=current)
        if form.is_valid():
            try:
                version = services.safety_plan_save(
                    client=self.client_record,
                    acting_user=request.user,
                    data=form.plan_data(),
                    reason=form.cleaned_data["reason"],
                    expected=form.expected_version(),
                )
            except DomainError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"Safety plan saved as version {version.version}.")
                return redirect(_tab_url(self.client_record.pk))
        return self.render_to_response(self.chart_context(form=form, current=current), status=400)


class SafetyPlanVersionsView(SafetyPlanMixin, TemplateView):
    """Every version, newest first; ``?v=n`` shows that version's text."""

    audits_own_view = True
    template_name = "crisis/safety_plan_versions.html"

    def get(self, request, *args, **kwargs):
        self.check_read()
        client = self.client_record
        versions = list(
            selectors.safety_plan_list_for_user(request.user).filter(client=client).order_by("-version")
        )
        shown = versions[0] if versions else None
        wanted = request.GET.get("v")
        if wanted:
            shown = next((v for v in versions if str(v.version) == wanted), None)
            if shown is None:
                raise Http404("No such version.")
        audit_log(
            user=request.user,
            action=AuditAction.VIEW,
            client=client,
            obj=shown or client,
            reason=self.audit_reason,
            detail={"page": "safety-plan-versions"},
        )
        return self.render_to_response(self.chart_context(versions=versions, shown=shown))


class SafetyPlanPrintView(SafetyPlanMixin, TemplateView):
    """The current plan on one page, in plain language, for printing (audited as an export)."""

    audits_own_view = True
    template_name = "crisis/safety_plan_print.html"

    def get(self, request, *args, **kwargs):
        self.check_read()
        plan = selectors.current_safety_plan(self.client_record)
        if plan is None:
            raise Http404("No safety plan yet.")
        audit_log(
            user=request.user,
            action=AuditAction.EXPORT,
            client=self.client_record,
            obj=plan,
            reason=self.audit_reason,
            detail={"as": "print"},
        )
        return self.render_to_response({"client": self.client_record, "plan": plan})


class SafetyPlanSendView(SafetyPlanMixin, PermissionRequiredMixin, View):
    permission_required = "crisis.add_safetyplanversion"
    perm = access.CHANGE

    def post(self, request, *args, **kwargs):
        plan = selectors.current_safety_plan(self.client_record)
        form = SendPlanForm(request.POST)
        if plan is None or not form.is_valid():
            messages.error(request, "Nothing was sent: write the plan first and choose text or email.")
            return redirect(_tab_url(self.client_record.pk))
        channel = form.cleaned_data["channel"]
        if (channel == "sms" and not self.client_record.phone) or (
            channel == "email" and not self.client_record.email
        ):
            messages.error(request, "Nothing was sent: the client has no address for that channel.")
            return redirect(_tab_url(self.client_record.pk))
        services.safety_plan_send(version=plan, acting_user=request.user, channel=channel)
        hours = services.safety_plan_link_hours()
        messages.success(
            request,
            ngettext(
                "A link to the safety plan is on its way; it works for %(hours)d hour.",
                "A link to the safety plan is on its way; it works for %(hours)d hours.",
                hours,
            )
            % {"hours": hours},
        )
        return redirect(_tab_url(self.client_record.pk))


class PublicSafetyPlanView(View):
    """The client's own read-only link: no login, only the plan, audited with no user."""

    def get(self, request, token):
        plan = services.safety_plan_from_token(token)
        if plan is None:
            return render(request, "crisis/public_link_invalid.html", status=404)
        current = selectors.current_safety_plan(plan.client)
        audit_log(
            user=None,
            action=AuditAction.VIEW,
            client=plan.client,
            obj=current,
            detail={"via": "client safety-plan link", "linked_version": plan.version},
        )
        return render(request, "crisis/public_safety_plan.html", {"plan": current, "client": plan.client})


# --- caring contacts --------------------------------------------------------------------------------


class CaringContactsStartView(UserTimeZoneMixin, ChartMixin, PermissionRequiredMixin, TemplateView):
    permission_required = "crisis.add_caringcontactplan"
    perm = access.CHANGE
    tab = "crisis"
    template_name = "crisis/caring_contacts_form.html"

    def form(self, data=None):
        return CaringContactsForm(data, client=self.client_record, acting_user=self.request.user)

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.chart_context(form=self.form()))

    def post(self, request, *args, **kwargs):
        form = self.form(request.POST)
        if form.is_valid():
            try:
                services.caring_contacts_start(
                    client=self.client_record, acting_user=request.user, **form.cleaned_data
                )
            except DomainError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Caring contacts started; every message is scheduled.")
                return redirect(_tab_url(self.client_record.pk))
        return self.render_to_response(self.chart_context(form=form), status=400)


class CaringContactsStopView(UserTimeZoneMixin, ChartMixin, PermissionRequiredMixin, View):
    permission_required = "crisis.change_caringcontactplan"
    perm = access.CHANGE

    def post(self, request, *args, **kwargs):
        plan = selectors.caring_contact_plan_get_for_user(
            request.user, kwargs["plan_pk"], client_pk=self.client_record.pk
        )
        form = StopForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Say why the caring contacts stop; nothing was changed.")
        else:
            try:
                services.caring_contacts_stop(
                    plan=plan, acting_user=request.user, reason=form.cleaned_data["reason"]
                )
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, "Caring contacts stopped; pending messages are cancelled.")
        return redirect(_tab_url(self.client_record.pk))


# --- the board --------------------------------------------------------------------------------------


class CrisisBoardView(UserTimeZoneMixin, LoginRequiredMixin, TemplateView):
    """Supervisors: their teams' clients; crisis workers: their own. Open episodes, unmet checkpoints,
    failed or skipped crisis messages of the last 14 days — each list paged on its own."""

    template_name = "crisis/board.html"

    def get(self, request, *args, **kwargs):
        user = request.user
        if not selectors.crisis_board_can_use(user):
            raise PermissionDenied
        now = timezone.now()
        params = request.GET
        episodes = Paginator(selectors.board_open_episodes(user), BOARD_PAGE_SIZE).get_page(params.get("ep"))
        cps = Paginator(selectors.board_unmet_checkpoints(user, now=now), BOARD_PAGE_SIZE).get_page(
            params.get("cp")
        )
        cp_rows = checkpoints.annotate_states(cps.object_list, now)
        msgs = Paginator(selectors.board_problem_messages(user, now=now), BOARD_PAGE_SIZE).get_page(
            params.get("msg")
        )
        shown = {e.client for e in episodes} | {c.client for c in cp_rows} | {m.client for m in msgs}
        audit_clients_listed(user=user, clients=shown, detail={"page": "crisis-board"})
        return self.render_to_response(
            {
                "episodes": episodes,
                "cps": cps,
                "cp_rows": cp_rows,
                "msgs": msgs,
                "params": params,
                "high_risk": {RiskLevel.HIGH, RiskLevel.IMMINENT},
                "message_days": selectors.BOARD_MESSAGE_DAYS,
            }
        )
