"""Pages of measurement-based care: the chart's Assessments tab and the administer form."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.views.generic import TemplateView

from careteam import access
from careteam.audit import audit_log
from careteam.errors import DomainError
from careteam.minimum_necessary import Section, section_can_see
from careteam.models import AuditAction
from clients.chart_views import ChartMixin, add_service_errors

from . import scoring, selectors, services
from .forms import AdministerForm

TAB = "assessments"


class ScoresAllowedMixin:
    """Peer specialists see no scores (DESIGN "Access"): the page is refused, not emptied.

    Listed after ``ChartMixin``, so a client the user may not see is still a 404 first.
    """

    def dispatch(self, request, *args, **kwargs):
        if not section_can_see(request.user, Section.SCORES):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class AssessmentListView(ChartMixin, ScoresAllowedMixin, PermissionRequiredMixin, TemplateView):
    """The chart's Assessments tab: each instrument's history with a trend chart and its changes."""

    audits_own_view = True  # audits its own VIEW/EXPORT row

    permission_required = selectors.VIEW_SCORES
    template_name = "clients/assessments/assessment_list.html"
    tab = TAB

    def get(self, request, *args, **kwargs):
        client = self.client_record
        audit_log(user=request.user, action=AuditAction.VIEW, client=client, obj=client, detail={"tab": TAB})
        histories = selectors.assessment_history_for_client(client)
        measured = {h.instrument.pk for h in histories}
        instruments = list(selectors.instrument_list())
        return self.render_to_response(
            self.chart_context(
                histories=histories,
                not_yet_measured=[i for i in instruments if i.pk not in measured],
                can_administer=selectors.assessments_can_administer(request.user, client),
                # BARC-10's sustained-remission cutoff (Vilsaint et al. 2017), from the one place
                # that scores it.
                barc10_remission_cutoff=scoring.BARC10_REMISSION_CUTOFF,
            )
        )


class AssessmentAdministerView(ChartMixin, ScoresAllowedMixin, PermissionRequiredMixin, TemplateView):
    """Administer one instrument: every item answered and in range, or nothing is saved."""

    permission_required = selectors.ADMINISTER
    perm = access.CHANGE
    template_name = "clients/assessments/assessment_administer.html"
    tab = TAB

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.instrument = None

    def render_form(self, form, status=200):
        return self.render_to_response(
            self.chart_context(instrument=self.instrument, form=form, text_missing=form is None),
            status=status,
        )

    def get(self, request, *args, **kwargs):
        self.instrument = selectors.instrument_get(kwargs["code"])
        if not self.instrument.has_item_text:
            return self.render_form(None)
        return self.render_form(AdministerForm(instrument=self.instrument))

    def post(self, request, *args, **kwargs):
        self.instrument = instrument = selectors.instrument_get(kwargs["code"])
        if not instrument.has_item_text:
            return self.render_form(None, status=400)
        form = AdministerForm(request.POST, instrument=instrument)
        if form.is_valid():
            try:
                response = services.assessment_administer(
                    client=self.client_record,
                    instrument=instrument,
                    answers=form.answers,
                    acting_user=request.user,
                )
            except (ValidationError, DomainError) as exc:
                add_service_errors(form, exc)
            else:
                label = scoring.band_label(instrument.scoring_rule, response.band)
                score = f"{response.total} ({label})" if response.total is not None else label
                messages.success(request, f"{instrument.name} saved: {score}.")
                if scoring.SUICIDE_RISK in response.flags:
                    messages.warning(
                        request,
                        "Suicide-risk flag raised: an urgent task to complete a risk screen "
                        "is on the primary counselor's worklist.",
                    )
                return redirect("clients:assessments", pk=self.client_record.pk)
        return self.render_form(form, status=400)
