"""Pages for finding a peer for a client, starting and ending peer assignments, and the peer's profile."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.views.generic import TemplateView

from careteam.audit import audit_log
from careteam.errors import DomainError
from careteam.models import AuditAction, User
from clients.chart_views import ChartMixin, add_service_errors

from ..models import PeerAssignment
from . import selectors, services
from .forms import AssignmentEndForm, AssignmentStartForm, MatchPreferencesForm, PeerProfileForm

ASSIGN_PERMISSION = "peers.add_peerassignment"
CERT_WARNING_DAYS = 60  # certifications expiring within this many days are flagged


class PeerMatchView(ChartMixin, PermissionRequiredMixin, TemplateView):
    """Find a peer: the client's matching preferences and the ranked peers with the reasons; choose one."""

    audits_own_view = True  # audits its own VIEW/EXPORT row

    permission_required = ASSIGN_PERMISSION
    template_name = "peers/matching/match.html"
    tab = "peers"

    def render_page(self, *, prefs_form=None, start_form=None, status=200):
        client = self.client_record
        matches = selectors.peer_matches_for_client(client, today=timezone.localdate())
        prefs = selectors.match_preferences_for_client(client)
        if prefs_form is None:
            initial = (
                {f: getattr(prefs, f) for f in services.PREFERENCE_FIELDS}
                if prefs
                else {"wants_peer": True, "language_match": True}
            )
            prefs_form = MatchPreferencesForm(initial=initial, version_of=prefs)
        if start_form is None:
            start_form = AssignmentStartForm(peer_choices=[(m.peer.user_id, m.peer.name) for m in matches])
        ctx = self.chart_context(
            prefs=prefs,
            prefs_form=prefs_form,
            start_form=start_form,
            matches=matches,
            selected_peer=str(start_form["peer"].value() or ""),
            active_assignments=list(selectors.peer_assignments_for_client(client, active_only=True)),
        )
        return self.render_to_response(ctx, status=status)

    def get(self, request, *args, **kwargs):
        audit_log(
            user=request.user,
            action=AuditAction.VIEW,
            client=self.client_record,
            obj=self.client_record,
            detail={"page": "peer-match"},
        )
        return self.render_page()

    def post(self, request, *args, **kwargs):
        if "goals" in request.POST:
            return self.post_start(request)
        return self.post_preferences(request)

    def post_preferences(self, request):
        prefs = selectors.match_preferences_for_client(self.client_record)
        form = MatchPreferencesForm(request.POST, version_of=prefs)
        if form.is_valid():
            try:
                services.peer_match_preferences_set(
                    client=self.client_record,
                    acting_user=request.user,
                    data=form.cleaned_data,
                    expected=form.expected_version(),
                )
            except (ValidationError, DomainError) as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Matching preferences saved.")
                return redirect("peers:match", pk=self.client_record.pk)
        return self.render_page(prefs_form=form, status=400)

    def post_start(self, request):
        client = self.client_record
        matches = {
            m.peer.user_id: m for m in selectors.peer_matches_for_client(client, today=timezone.localdate())
        }
        form = AssignmentStartForm(
            request.POST, peer_choices=[(pk, m.peer.name) for pk, m in matches.items()]
        )
        if form.is_valid():
            match = matches[form.cleaned_data["peer"]]
            peer = User.objects.get(pk=match.peer.user_id)
            try:
                services.peer_assignment_start(
                    client=client,
                    peer=peer,
                    acting_user=request.user,
                    goals=form.cleaned_data["goals"],
                    match_reasons=match.reasons + match.cautions,
                )
            except (ValidationError, DomainError) as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"{match.peer.name} is now {client.display_name}'s peer.")
                return redirect("peers:match", pk=client.pk)
        return self.render_page(start_form=form, status=400)


class PeerAssignmentEndView(ChartMixin, PermissionRequiredMixin, TemplateView):
    """End a peer assignment with a reason; the peer's access to the record ends with it."""

    audits_own_view = True  # audits its own VIEW/EXPORT row

    permission_required = "peers.change_peerassignment"
    template_name = "peers/matching/assignment_end.html"
    tab = "peers"

    def get_assignment(self) -> PeerAssignment:
        try:
            assignment = selectors.peer_assignment_get_for_user(
                self.request.user, self.kwargs["assignment_pk"], client=self.client_record
            )
        except PeerAssignment.DoesNotExist as exc:
            raise Http404 from exc
        if assignment.ended_on is not None:
            raise Http404
        return assignment

    def get(self, request, *args, **kwargs):
        assignment = self.get_assignment()
        audit_log(user=request.user, action=AuditAction.VIEW, client=self.client_record, obj=assignment)
        return self.render_to_response(self.chart_context(assignment=assignment, form=AssignmentEndForm()))

    def post(self, request, *args, **kwargs):
        assignment = self.get_assignment()
        form = AssignmentEndForm(request.POST)
        if form.is_valid():
            try:
                services.peer_assignment_end(
                    assignment=assignment, acting_user=request.user, reason=form.cleaned_data["reason"]
                )
            except DomainError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"Peer work with {assignment.peer} ended.")
                return redirect("peers:match", pk=self.client_record.pk)
        return self.render_to_response(self.chart_context(assignment=assignment, form=form), status=400)


class PeerProfileView(LoginRequiredMixin, TemplateView):
    """A peer specialist's own profile: what they self-disclose for matching, and their certifications."""

    template_name = "peers/matching/profile.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not selectors.peer_profile_can_edit(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def render_page(self, form, status=200):
        profile = selectors.peer_profile_for_user(self.request.user)
        today = timezone.localdate()
        certs = []
        for cert in profile.certifications.all() if profile else ():
            days = (cert.expires_on - today).days if cert.expires_on else None
            cert.expired = days is not None and days < 0
            cert.expiring_soon = days is not None and 0 <= days <= CERT_WARNING_DAYS
            certs.append(cert)
        ctx = {"profile": profile, "form": form, "certifications": certs}
        return self.render_to_response(ctx, status=status)

    def get(self, request, *args, **kwargs):
        profile = selectors.peer_profile_for_user(request.user)
        initial = (
            {f: getattr(profile, f) for f in services.PROFILE_SELF_FIELDS}
            if profile
            else {"accepting_new": True}
        )
        return self.render_page(PeerProfileForm(initial=initial, version_of=profile))

    def post(self, request, *args, **kwargs):
        profile = selectors.peer_profile_for_user(request.user)
        form = PeerProfileForm(request.POST, version_of=profile)
        if form.is_valid():
            try:
                if profile is None:
                    services.peer_profile_create(
                        user=request.user, acting_user=request.user, data=form.cleaned_data
                    )
                else:
                    services.peer_profile_update(
                        profile=profile,
                        acting_user=request.user,
                        data=form.cleaned_data,
                        fields=services.PROFILE_SELF_FIELDS,
                        expected=form.expected_version(),
                    )
            except (ValidationError, DomainError) as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Profile saved.")
                return redirect("peers:profile")
        return self.render_page(form, status=400)
