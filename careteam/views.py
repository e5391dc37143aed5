"""Project-level pages: home, the health check, and break-the-glass emergency access and its review."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.paginator import Paginator
from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.generic import TemplateView

from . import access
from .audit import audit_clients_listed
from .client_search import SEARCH_MAX_LENGTH
from .errors import DomainError
from .forms import EmergencyAccessForm, EmergencyAccessReviewForm
from .health import health_report
from .services import (
    client_search_audit,
    emergency_access_end,
    emergency_access_hours,
    emergency_access_open,
    emergency_access_review,
)
from .timezones import user_time_zone


def favicon(request):
    """Browsers ask for /favicon.ico whatever the page links; send them to the static icon."""
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))


@login_required
def home(request):
    return redirect("workspace:today")


@never_cache
@require_GET
def healthz(request):
    """200 when the database and broker answer, 503 (with which one failed) when not."""
    ok, report = health_report()
    return JsonResponse(report, status=200 if ok else 503)


# --- break the glass -------------------------------------------------------------------------------
# DESIGN "Access": a user with the permission opens a client outside their care team for a limited time
# after giving a reason; supervisors review it afterwards. The rules live in ``careteam.access`` and
# ``careteam.services``; these pages only ask and show.


class _UserTimeZone:
    def dispatch(self, request, *args, **kwargs):
        with timezone.override(user_time_zone(request.user)):
            return super().dispatch(request, *args, **kwargs)


class EmergencyAccessSearchView(_UserTimeZone, LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    """Search all clients for emergency access: only who the person is (name, record number, team, birth
    year), never the record; every search is audited. Also lists the user's own grants in force."""

    permission_required = "careteam.add_emergencyaccess"
    template_name = "careteam/emergency_search.html"

    def get(self, request, *args, **kwargs):
        q = request.GET.get("q", "").strip()[:SEARCH_MAX_LENGTH]
        results = access.emergency_access_candidates(request.user, q) if q else []
        if q:
            client_search_audit(
                user=request.user, page="emergency-search", client_ids=[c.pk for c in results]
            )
        current = list(access.emergency_access_own_current(request.user))
        return self.render_to_response({"q": q, "results": results, "current": current})


class EmergencyAccessCreateView(_UserTimeZone, LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    """Break the glass on one client: choose the reason, write the justification, open the chart."""

    permission_required = "careteam.add_emergencyaccess"
    template_name = "careteam/emergency_open.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and self.has_permission():
            self.client_record = access.emergency_access_client_get(request.user, kwargs["pk"])
            if access.client_can_open(request.user, self.client_record):
                return redirect("clients:detail", pk=self.client_record.pk)
        return super().dispatch(request, *args, **kwargs)

    def render_form(self, form, status=200):
        return self.render_to_response(
            {"form": form, "client": self.client_record, "hours": emergency_access_hours()}, status=status
        )

    def get(self, request, *args, **kwargs):
        # The page names the person (name, record number, team, birth year): a listing, audited as one.
        audit_clients_listed(
            user=request.user, clients=[self.client_record], detail={"page": "emergency-open"}
        )
        return self.render_form(EmergencyAccessForm())

    def post(self, request, *args, **kwargs):
        form = EmergencyAccessForm(request.POST)
        if form.is_valid():
            try:
                grant = emergency_access_open(
                    user=request.user,
                    client=self.client_record,
                    reason=form.cleaned_data["reason"],
                    justification=form.cleaned_data["justification"],
                )
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.warning(
                    request,
                    _("Emergency access until %(time)s. Every page you open is recorded with your reason.")
                    % {"time": date_format(timezone.localtime(grant.expires_at), "TIME_FORMAT")},
                )
                return redirect("clients:detail", pk=self.client_record.pk)
        return self.render_form(form, status=400)


class EmergencyAccessEndView(LoginRequiredMixin, View):
    """End one's own emergency access before the time limit."""

    def post(self, request, pk):
        grant = access.emergency_access_own_get(request.user, pk)
        emergency_access_end(grant=grant, acting_user=request.user)
        messages.success(
            request, _("Emergency access to %(client)s ended.") % {"client": grant.client.display_name}
        )
        return redirect("emergency-search")


REVIEW_FILTERS = {
    "awaiting": (gettext_lazy("Awaiting review"), lambda qs: qs.awaiting_review()),
    "open": (gettext_lazy("In force"), lambda qs: qs.current()),
    "reviewed": (gettext_lazy("Reviewed"), lambda qs: qs.filter(reviewed_at__isnull=False)),
    "all": (gettext_lazy("All"), lambda qs: qs),
}


class EmergencyAccessReviewListView(_UserTimeZone, LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    """Break-glass review: open and past emergency accesses to the clients of the teams one supervises
    (administrators: all), to mark reviewed with a note."""

    permission_required = "careteam.view_emergencyaccess"
    template_name = "careteam/emergency_review.html"

    def get(self, request, *args, **kwargs):
        shown = request.GET.get("show", "awaiting")
        if shown not in REVIEW_FILTERS:
            shown = "awaiting"
        qs = REVIEW_FILTERS[shown][1](access.emergency_access_list_for_user(request.user))
        page = Paginator(qs, 25).get_page(request.GET.get("page"))
        return self.render_to_response(
            {
                "page_obj": page,
                "grants": page.object_list,
                "shown": shown,
                "filters": [(key, label) for key, (label, _f) in REVIEW_FILTERS.items()],
                "now": timezone.now(),
                "can_review": access.emergency_access_can_mark_reviewed(request.user),
                "form": EmergencyAccessReviewForm(),
            }
        )


class EmergencyAccessReviewView(_UserTimeZone, LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    """Mark one emergency access reviewed, with a note (closes the supervisors' task)."""

    permission_required = "careteam.change_emergencyaccess"
    template_name = "careteam/emergency_review_detail.html"

    def render_form(self, grant, form, status=200):
        return self.render_to_response({"grant": grant, "form": form, "now": timezone.now()}, status=status)

    def get(self, request, pk):
        return self.render_form(
            access.emergency_access_get_for_user(request.user, pk), EmergencyAccessReviewForm()
        )

    def post(self, request, pk):
        grant = access.emergency_access_get_for_user(request.user, pk)
        form = EmergencyAccessReviewForm(request.POST)
        if form.is_valid():
            try:
                emergency_access_review(grant=grant, acting_user=request.user, note=form.cleaned_data["note"])
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, _("Marked reviewed."))
                return redirect("emergency-review")
        return self.render_form(grant, form, status=400)
