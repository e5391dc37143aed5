"""Pages of peer support: My people, the peer's client page, quick logging forms, the chart tab,
supervision and the first-friend search. Thin: selectors read, services write."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.views.generic import TemplateView

from careteam.audit import audit_clients_listed, audit_log
from careteam.errors import DomainError
from careteam.models import AuditAction
from careteam.timezones import user_today
from clients.chart_views import ChartMixin, add_service_errors
from clients.selectors import client_get_for_user
from crisis import selectors as crisis_selectors

from . import selectors, services
from .forms import AttendanceForm, CheckinForm, ContactForm, FirstFriendSearchForm


class MyPeopleView(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    """The peer's home: their people, days since contact, accompaniments ahead, follow-ups due."""

    permission_required = "peers.view_peercontact"
    template_name = "peers/my_people.html"

    def get(self, request, *args, **kwargs):
        user = request.user
        people = selectors.my_people(user)
        appointments = selectors.upcoming_peer_appointments(user)
        follow_ups = selectors.follow_ups_for_user(user)
        shown = {p.client for p in people} | {a.client for a in appointments}
        shown |= {t.client for t in follow_ups if t.client is not None}
        audit_clients_listed(user=user, clients=shown, detail={"page": "peer-people"})
        return self.render_to_response(
            {
                "people": people,
                "appointments": appointments,
                "follow_ups": follow_ups,
                "threshold": selectors.contact_threshold_days(),
            }
        )


class PeerClientMixin(LoginRequiredMixin):
    """Loads a client the user may see (404 otherwise)."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.client_record = client_get_for_user(request.user, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def page_context(self, **extra) -> dict:
        client = self.client_record
        checkins = selectors.checkins_for_client(client)
        return {
            "client": client,
            "assignments": [a for a in selectors.assignments_for_client(client) if a.ended_on is None],
            "contacts": selectors.contacts_for_client(client),
            "attendance": selectors.attendance_for_client(client),
            "checkins": checkins,
            "trend": selectors.trend_points(checkins),
            "can_log": selectors.assignment_for_contact(self.request.user, client) is not None,
            # The client's own safety plan is what a peer most needs in a hard moment (minimum necessary
            # still holds: no episodes, risk ratings or notes).
            "safety_plan": (
                crisis_selectors.current_safety_plan(client)
                if crisis_selectors.safety_plan_can_read(self.request.user)
                else None
            ),
            **extra,
        }


class PeerClientView(PeerClientMixin, TemplateView):
    """The minimum-necessary page a peer works from: who, how to reach them, the work. Nothing clinical."""

    template_name = "peers/client_page.html"

    def get(self, request, *args, **kwargs):
        client = self.client_record
        audit_log(
            user=request.user, action=AuditAction.VIEW, client=client, obj=client, detail={"page": "peer"}
        )
        return self.render_to_response(self.page_context())


class _FormView(PeerClientMixin, PermissionRequiredMixin, TemplateView):
    form_title = ""

    def render_form(self, form, status=200):
        ctx = {"client": self.client_record, "form": form, "form_title": self.form_title}
        return self.render_to_response(ctx, status=status)


class ContactCreateView(_FormView):
    permission_required = "peers.add_peercontact"
    template_name = "peers/contact_form.html"
    form_title = "Log a contact"

    def assignment(self):
        assignment = selectors.assignment_for_contact(self.request.user, self.client_record)
        if assignment is None:
            raise Http404("No active peer assignment for this client.")
        return assignment

    def get(self, request, *args, **kwargs):
        self.assignment()
        return self.render_form(ContactForm(user=request.user))

    def post(self, request, *args, **kwargs):
        assignment = self.assignment()
        form = ContactForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                services.peer_contact_log(
                    assignment=assignment, acting_user=request.user, data=form.cleaned_data
                )
            except (ValidationError, DomainError) as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Contact logged.")
                return redirect("peers:client", pk=self.client_record.pk)
        return self.render_form(form, status=400)


class AttendanceCreateView(_FormView):
    permission_required = "peers.add_groupattendance"
    template_name = "peers/simple_form.html"
    form_title = "Record group attendance"

    def get(self, request, *args, **kwargs):
        return self.render_form(AttendanceForm(initial={"date": user_today(request.user)}))

    def post(self, request, *args, **kwargs):
        form = AttendanceForm(request.POST)
        if form.is_valid():
            try:
                services.group_attendance_record(
                    client=self.client_record, acting_user=request.user, **form.cleaned_data
                )
            except (ValidationError, DomainError) as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Attendance recorded.")
                return redirect("peers:client", pk=self.client_record.pk)
        return self.render_form(form, status=400)


class CheckinCreateView(_FormView):
    permission_required = "peers.add_recoverycapitalcheckin"
    template_name = "peers/simple_form.html"
    form_title = "Recovery check-in"

    def get(self, request, *args, **kwargs):
        return self.render_form(CheckinForm())

    def post(self, request, *args, **kwargs):
        form = CheckinForm(request.POST)
        if form.is_valid():
            try:
                services.recovery_checkin_record(
                    client=self.client_record,
                    ratings=form.ratings(),
                    note=form.cleaned_data["note"],
                    acting_user=request.user,
                )
            except (ValidationError, DomainError) as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Check-in recorded.")
                return redirect("peers:client", pk=self.client_record.pk)
        return self.render_form(form, status=400)


class PeerSupportTabView(ChartMixin, TemplateView):
    """Chart tab for the rest of the care team: assignments, contacts, attendance, check-in trend."""

    audits_own_view = True  # audits its own VIEW/EXPORT row

    template_name = "peers/chart_tab.html"
    tab = "peers"

    def get(self, request, *args, **kwargs):
        client = self.client_record
        if not selectors.peer_work_can_review(request.user):
            return redirect("peers:client", pk=client.pk)
        audit_log(
            user=request.user, action=AuditAction.VIEW, client=client, obj=client, detail={"tab": "peers"}
        )
        checkins = selectors.checkins_for_client(client)
        return self.render_to_response(
            self.chart_context(
                assignments=selectors.assignments_for_client(client),
                contacts=selectors.contacts_for_client(client),
                attendance=selectors.attendance_for_client(client),
                checkins=checkins,
                trend=selectors.trend_points(checkins),
            )
        )


class SupervisionView(LoginRequiredMixin, TemplateView):
    """Peer caseloads against capacity, contacts per client per week, people past the threshold."""

    template_name = "peers/supervision.html"

    def get(self, request, *args, **kwargs):
        if not selectors.peer_supervision_can_view(request.user):
            raise PermissionDenied
        data = selectors.supervision_overview(request.user)
        audit_clients_listed(
            user=request.user, clients={a.client for a in data["rows"]}, detail={"page": "peer-supervision"}
        )
        return self.render_to_response(data)


class FirstFriendSearchView(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    permission_required = "peers.view_firstfriend"
    template_name = "peers/first_friends.html"

    def get(self, request, *args, **kwargs):
        form = FirstFriendSearchForm(request.GET or None)
        filters = form.cleaned_data if form.is_valid() else {}
        friends = selectors.first_friend_search(**{k: v for k, v in filters.items() if v})
        return self.render_to_response({"form": form, "friends": friends})
