"""Pages of the treatment plan: the chart tab, versions and diff, print, draft editing, activation,
reviews, completions and the note panel."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views import View
from django.views.generic import TemplateView

from careteam import access
from careteam.audit import audit_log
from careteam.errors import DomainError
from careteam.minimum_necessary import Section, section_can_see, sections_visible_to
from careteam.models import AuditAction, User
from careteam.redirects import safe_next_url
from careteam.timezones import user_today
from clients.chart_views import ChartMixin, add_service_errors
from clients.encounters import selectors as note_selectors
from clients.models import NoteStatus

from . import adherence, selectors, services
from .diff import plan_diff
from .forms import (
    ActionStepForm,
    ActivationForm,
    CompletionForm,
    GoalForm,
    InterventionForm,
    NoteGoalsForm,
    PlanHeaderForm,
    ProblemForm,
    RelapsePreventionForm,
    ReviewForm,
)
from .models import ActionStep, Intervention, PlanStatus, TreatmentPlan
from .states import PLAN_STATES


def decorate_plan(plan: TreatmentPlan, *, with_adherence: bool = True) -> None:
    """Hang each step's adherence on it (one completions query for the whole plan)."""
    _, steps, _ = selectors.plan_items(plan)
    if with_adherence:
        result = adherence.adherence_for_steps(steps, client=plan.client)
        for step in steps:
            step.adherence = result.get(step.pk)


class PlanViewMixin(ChartMixin, PermissionRequiredMixin):
    permission_required = "plans.view_treatmentplan"
    tab = "plan"


class PlanDetailView(PlanViewMixin, TemplateView):
    """The chart tab: the active version readable at a glance (or a given version, read-only)."""

    audits_own_view = True  # audits its own VIEW/EXPORT row

    template_name = "plans/plan_detail.html"

    def get(self, request, *args, **kwargs):
        client = self.client_record
        user = request.user
        versions = selectors.plan_versions_for_client(client)
        plan_pk = kwargs.get("plan_pk")
        if plan_pk is not None:
            plan = selectors.plan_get_for_client(client, plan_pk)
        else:
            plan = selectors.plan_active_for_client(client)
        # The version still to be signed: the one the table lets move to active (``states.PLAN_STATES``).
        draft = next((v for v in versions if PLAN_STATES.can_move(v.status, PlanStatus.ACTIVE)), None)
        reviews = []
        if plan is not None:
            decorate_plan(plan, with_adherence=plan.status == PlanStatus.ACTIVE)
            if section_can_see(user, Section.SCORES):  # peers see goals, never scores
                selectors.goal_measures_decorate(plan)
            reviews = selectors.reviews_for_plan(plan, with_scores=section_can_see(user, Section.SCORES))
            last = reviews[0] if reviews else None
            if last is not None:
                progress = {gr.goal.lineage: gr for gr in last.goal_reviews.all()}
                for goal in selectors.plan_items(plan)[0]:
                    goal.last_review = progress.get(goal.lineage)
        audit_log(
            user=user,
            action=AuditAction.VIEW,
            client=client,
            obj=plan or client,
            detail={"tab": "plan", "version": plan.version if plan else None},
        )
        can_edit = selectors.plans_can_edit(user, client)
        return self.render_to_response(
            self.chart_context(
                plan=plan,
                draft=draft,
                versions=versions,
                reviews=reviews[:3],
                can_edit_plan=can_edit,
                # Reviews are of the plan in force (``services.plan_review_record`` refuses others).
                can_review=can_edit and plan is not None and plan.status == PlanStatus.ACTIVE,
                can_log=selectors.action_steps_can_log(user)
                and plan is not None
                and plan.status == PlanStatus.ACTIVE,
                completion_form=CompletionForm(),
                now=timezone.now(),
            )
        )


class PlanPrintView(PlanViewMixin, TemplateView):
    """A clean, printable page of one version (the active one by default); audited as an export."""

    audits_own_view = True  # audits its own VIEW/EXPORT row

    template_name = "plans/plan_print.html"

    def get(self, request, *args, **kwargs):
        client = self.client_record
        plan_pk = kwargs.get("plan_pk")
        plan = (
            selectors.plan_get_for_client(client, plan_pk)
            if plan_pk is not None
            else selectors.plan_active_for_client(client)
        )
        if plan is None:
            raise Http404("No active plan to print.")
        decorate_plan(plan, with_adherence=False)
        audit_log(
            user=request.user,
            action=AuditAction.EXPORT,
            client=client,
            obj=plan,
            detail={"format": "print", "version": plan.version},
        )
        return self.render_to_response({"client": client, "plan": plan, "printed_at": timezone.now()})


class PlanVersionsView(PlanViewMixin, TemplateView):
    """Every version of the plan, and the differences between any two (``?old=&new=``)."""

    audits_own_view = True  # audits its own VIEW/EXPORT row

    template_name = "plans/plan_versions.html"

    def get(self, request, *args, **kwargs):
        client = self.client_record
        versions = selectors.plan_versions_for_client(client)
        by_pk = {str(v.pk): v for v in versions}
        diff = None
        old_pk, new_pk = request.GET.get("old", ""), request.GET.get("new", "")
        if not new_pk and versions:
            new_pk = str(versions[0].pk)
        if not old_pk and len(versions) > 1:
            old_pk = str(versions[1].pk)
        if old_pk in by_pk and new_pk in by_pk and old_pk != new_pk:
            plans = {
                str(p.pk): p
                for p in selectors.with_items(
                    TreatmentPlan.objects.filter(client=client, pk__in=[old_pk, new_pk])
                )
            }
            diff = plan_diff(plans[old_pk], plans[new_pk], visible=sections_visible_to(request.user))
        audit_log(
            user=request.user,
            action=AuditAction.VIEW,
            client=client,
            obj=client,
            detail={"tab": "plan-versions", "old": old_pk, "new": new_pk},
        )
        return self.render_to_response(
            self.chart_context(versions=versions, diff=diff, old_pk=old_pk, new_pk=new_pk)
        )


class PlanCreateView(ChartMixin, PermissionRequiredMixin, View):
    """Start a draft: version 1, or a new version copied from the active one (POST)."""

    permission_required = ("plans.add_treatmentplan", selectors.EDIT_PERMISSION)
    perm = access.CHANGE

    def post(self, request, *args, **kwargs):
        client = self.client_record
        try:
            draft = services.plan_create_draft(
                client=client,
                acting_user=request.user,
                change_reason=request.POST.get("change_reason", "")[:200],
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("plans:client-plan", pk=client.pk)
        messages.success(request, f"Draft version {draft.version} started.")
        return redirect("plans:draft", pk=client.pk, plan_pk=draft.pk)


class DraftMixin:
    """Loads the draft named in the URL; a signed version is read-only (the page refuses)."""

    def dispatch(self, request, *args, **kwargs):
        self.plan = selectors.plan_get_for_client(self.client_record, kwargs["plan_pk"], items=False)
        if self.plan.status != PlanStatus.DRAFT:
            messages.error(
                request,
                f"Version {self.plan.version} is {self.plan.get_status_display().lower()} and read-only; "
                "start a new version to make changes.",
            )
            return redirect("plans:client-plan", pk=self.client_record.pk)
        return super().dispatch(request, *args, **kwargs)


class DraftPageMixin(ChartMixin, PermissionRequiredMixin, DraftMixin):
    permission_required = selectors.EDIT_PERMISSION
    perm = access.CHANGE
    tab = "plan"


class PlanDraftView(DraftPageMixin, TemplateView):
    """The draft's editing page: header, relapse prevention, and the problems → goals → steps tree."""

    audits_own_view = True  # audits its own VIEW/EXPORT row

    template_name = "plans/plan_draft.html"

    def render_page(self, header_form=None, relapse_form=None, status=200):
        plan = selectors.plan_get_for_client(self.client_record, self.plan.pk)
        return self.render_to_response(
            self.chart_context(
                plan=plan,
                header_form=header_form or PlanHeaderForm(instance=plan),
                relapse_form=relapse_form or RelapsePreventionForm(instance=plan),
            ),
            status=status,
        )

    def get(self, request, *args, **kwargs):
        audit_log(
            user=request.user,
            action=AuditAction.VIEW,
            client=self.client_record,
            obj=self.plan,
            detail={"page": "draft"},
        )
        return self.render_page()

    def post(self, request, *args, **kwargs):
        section = request.POST.get("section")
        form_class = RelapsePreventionForm if section == "relapse" else PlanHeaderForm
        # Bind to a fresh copy so a refused change does not show as if it were saved.
        form = form_class(request.POST, instance=TreatmentPlan.objects.get(pk=self.plan.pk))
        if form.is_valid():
            try:
                services.plan_update(
                    plan=self.plan,
                    acting_user=request.user,
                    data=form.cleaned_data,
                    expected=form.expected_version(),
                )
            except DomainError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Saved.")
                return redirect("plans:draft", pk=self.client_record.pk, plan_pk=self.plan.pk)
        if section == "relapse":
            return self.render_page(relapse_form=form, status=400)
        return self.render_page(header_form=form, status=400)


class ItemFormView(DraftPageMixin, TemplateView):
    """Create or edit one item of a draft (problem, goal, step or intervention)."""

    template_name = "plans/item_form.html"
    kind = ""
    form_class = None
    title = ""

    def get_item(self):
        return None

    def get_parent(self):
        return None

    def form_kwargs(self):
        return {}

    def save(self, data):
        raise NotImplementedError

    def render_form(self, form, status=200):
        parent = self.get_parent()
        return self.render_to_response(
            self.chart_context(plan=self.plan, form=form, title=self.title, parent=parent, item=self.item),
            status=status,
        )

    def get(self, request, *args, **kwargs):
        self.item = self.get_item()
        return self.render_form(self.form_class(instance=self.item, **self.form_kwargs()))

    def post(self, request, *args, **kwargs):
        self.item = self.get_item()
        instance = type(self.item).objects.get(pk=self.item.pk) if self.item else None
        form = self.form_class(request.POST, instance=instance, **self.form_kwargs())
        # The version the edit page was opened with (none for a new item): the service checks it.
        self.expected = form.expected_version()
        if form.is_valid():
            data = {name: form.cleaned_data[name] for name in form.fields}
            try:
                self.save(data)
            except DomainError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"{self.title.split(' ', 1)[-1].capitalize()} saved.")
                return redirect("plans:draft", pk=self.client_record.pk, plan_pk=self.plan.pk)
        return self.render_form(form, status=400)


def _in_plan(item, plan) -> None:
    plan_id = getattr(item, "plan_id", None)
    if plan_id is None:
        plan_id = item.problem.plan_id if hasattr(item, "problem") else item.goal.problem.plan_id
    if plan_id != plan.pk:
        raise Http404("No such item.")


class ProblemCreateView(ItemFormView):
    form_class = ProblemForm
    title = "Add a problem"

    def save(self, data):
        services.problem_create(plan=self.plan, acting_user=self.request.user, data=data)


class ProblemUpdateView(ItemFormView):
    form_class = ProblemForm
    title = "Edit problem"

    def get_item(self):
        item = selectors.problem_get(self.client_record, self.kwargs["item_pk"])
        _in_plan(item, self.plan)
        return item

    def save(self, data):
        services.problem_update(
            problem=self.item, acting_user=self.request.user, data=data, expected=self.expected
        )


class GoalCreateView(ItemFormView):
    form_class = GoalForm
    title = "Add a goal"

    def get_parent(self):
        problem = selectors.problem_get(self.client_record, self.kwargs["item_pk"])
        _in_plan(problem, self.plan)
        return problem

    def save(self, data):
        services.goal_create(problem=self.get_parent(), acting_user=self.request.user, data=data)


class GoalUpdateView(ItemFormView):
    form_class = GoalForm
    title = "Edit goal"

    def get_item(self):
        item = selectors.goal_get(self.client_record, self.kwargs["item_pk"])
        _in_plan(item, self.plan)
        return item

    def save(self, data):
        services.goal_update(goal=self.item, acting_user=self.request.user, data=data, expected=self.expected)


class StepCreateView(ItemFormView):
    form_class = ActionStepForm
    title = "Add an action step"

    def get_parent(self):
        goal = selectors.goal_get(self.client_record, self.kwargs["item_pk"])
        _in_plan(goal, self.plan)
        return goal

    def save(self, data):
        services.action_step_create(goal=self.get_parent(), acting_user=self.request.user, data=data)


class StepUpdateView(ItemFormView):
    form_class = ActionStepForm
    title = "Edit action step"

    def get_item(self):
        item = selectors.step_get(self.client_record, self.kwargs["item_pk"])
        _in_plan(item, self.plan)
        return item

    def save(self, data):
        services.action_step_update(
            step=self.item, acting_user=self.request.user, data=data, expected=self.expected
        )


def _care_team_staff(client):
    return User.objects.filter(assignments__client=client, assignments__ended_on__isnull=True).distinct()


class InterventionCreateView(ItemFormView):
    form_class = InterventionForm
    title = "Add an intervention"

    def form_kwargs(self):
        return {"staff": _care_team_staff(self.client_record)}

    def get_parent(self):
        goal = selectors.goal_get(self.client_record, self.kwargs["item_pk"])
        _in_plan(goal, self.plan)
        return goal

    def save(self, data):
        services.intervention_create(goal=self.get_parent(), acting_user=self.request.user, data=data)


class InterventionUpdateView(ItemFormView):
    form_class = InterventionForm
    title = "Edit intervention"

    def form_kwargs(self):
        return {"staff": _care_team_staff(self.client_record)}

    def get_item(self):
        item = selectors.intervention_get(self.client_record, self.kwargs["item_pk"])
        _in_plan(item, self.plan)
        return item

    def save(self, data):
        services.intervention_update(
            intervention=self.item, acting_user=self.request.user, data=data, expected=self.expected
        )


_REMOVABLE = {
    "problems": selectors.problem_get,
    "goals": selectors.goal_get,
    "steps": selectors.step_get,
    "interventions": selectors.intervention_get,
}


class ItemRemoveView(DraftPageMixin, TemplateView):
    """Take an item out of the draft, after a confirmation page that says what goes with it.

    GET shows the confirmation (the item, and the goals, steps and interventions under it); only a POST
    carrying ``confirm`` removes, so a stray or scripted one-click POST lands on the confirmation
    instead. A draft is not yet record history, so the confirmed removal deletes."""

    template_name = "plans/item_remove.html"

    def get_item(self):
        getter = _REMOVABLE.get(self.kwargs["kind"])
        if getter is None:
            raise Http404("No such item.")
        item = getter(self.client_record, self.kwargs["item_pk"])
        _in_plan(item, self.plan)
        return item

    def get(self, request, *args, **kwargs):
        item = self.get_item()
        kind = kwargs["kind"]
        goals = steps = interventions = 0
        if kind == "problems":
            goals = item.goals.count()
            steps = ActionStep.objects.filter(goal__problem=item).count()
            interventions = Intervention.objects.filter(goal__problem=item).count()
        elif kind == "goals":
            steps = item.action_steps.count()
            interventions = item.interventions.count()
        return self.render_to_response(
            self.chart_context(
                plan=self.plan,
                item=item,
                kind=kind,
                goals=goals,
                steps=steps,
                interventions=interventions,
            )
        )

    def post(self, request, *args, **kwargs):
        item = self.get_item()
        if "confirm" not in request.POST:
            return redirect(request.path)
        try:
            services.plan_item_remove(item=item, acting_user=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, gettext("Removed from the draft."))
        return redirect("plans:draft", pk=self.client_record.pk, plan_pk=self.plan.pk)


class PlanActivateView(DraftPageMixin, TemplateView):
    """Sign the draft, record the client's agreement, and make it the plan in force."""

    template_name = "plans/plan_activate.html"

    def render_form(self, form, status=200):
        plan = selectors.plan_get_for_client(self.client_record, self.plan.pk)
        return self.render_to_response(
            self.chart_context(plan=plan, form=form, review_days=services.review_interval_days()),
            status=status,
        )

    def get(self, request, *args, **kwargs):
        return self.render_form(ActivationForm(initial={"client_agreement_on": user_today(request.user)}))

    def post(self, request, *args, **kwargs):
        form = ActivationForm(request.POST)
        if form.is_valid():
            try:
                plan = services.plan_activate(
                    plan=self.plan,
                    acting_user=request.user,
                    client_agreement=form.cleaned_data["client_agreement"],
                    client_agreement_on=form.cleaned_data["client_agreement_on"],
                )
            except DomainError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"Version {plan.version} signed and in force.")
                return redirect("plans:client-plan", pk=self.client_record.pk)
        return self.render_form(form, status=400)


class PlanReviewCreateView(ChartMixin, PermissionRequiredMixin, TemplateView):
    """Review the active plan: progress per goal, a note; the scores of the day are attached."""

    permission_required = "plans.add_planreview"
    perm = access.CHANGE
    tab = "plan"
    template_name = "plans/review_form.html"

    def render_form(self, plan, form, status=200):
        if section_can_see(self.request.user, Section.SCORES):
            selectors.goal_measures_decorate(plan)
        return self.render_to_response(self.chart_context(plan=plan, form=form), status=status)

    def get_plan(self):
        plan = selectors.plan_get_for_client(self.client_record, self.kwargs["plan_pk"])
        if plan.status != PlanStatus.ACTIVE:
            raise Http404("Only the active plan is reviewed.")
        return plan

    def get(self, request, *args, **kwargs):
        plan = self.get_plan()
        goals = selectors.plan_items(plan)[0]
        return self.render_form(
            plan, ReviewForm(goals=goals, initial={"reviewed_on": user_today(request.user)})
        )

    def post(self, request, *args, **kwargs):
        plan = self.get_plan()
        form = ReviewForm(request.POST, goals=selectors.plan_items(plan)[0])
        if form.is_valid():
            try:
                services.plan_review_record(
                    plan=plan,
                    acting_user=request.user,
                    reviewed_on=form.cleaned_data["reviewed_on"],
                    note=form.cleaned_data["note"],
                    goal_progress=form.goal_progress(),
                )
            except DomainError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Review recorded.")
                return redirect("plans:client-plan", pk=self.client_record.pk)
        return self.render_form(plan, form, status=400)


class CompletionCreateView(ChartMixin, PermissionRequiredMixin, View):
    """Log one completion of an action step (one click from the plan page; POST)."""

    permission_required = "plans.add_actionstepcompletion"

    def post(self, request, *args, **kwargs):
        client = self.client_record
        step = selectors.step_get(client, kwargs["step_pk"])
        form = CompletionForm(request.POST)
        back = safe_next_url(request) or reverse("plans:client-plan", args=[client.pk])
        if not form.is_valid():
            for errors in form.errors.values():
                messages.error(request, " ".join(errors))
            return redirect(back)
        try:
            services.step_completion_log(
                client=client,
                step=step,
                acting_user=request.user,
                completed_at=form.cleaned_data["completed_at"],
                comment=form.cleaned_data["comment"],
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Logged: {step.description}.")
        return redirect(back)


class NotePanelView(ChartMixin, PermissionRequiredMixin, TemplateView):
    """The "Plan goals" panel on a session note: tick the goals the session addressed and log step
    completions from the note. The author edits while the note is a draft; read-only once signed."""

    audits_own_view = True  # audits its own VIEW/EXPORT row

    permission_required = "plans.view_treatmentplan"

    def get_template_names(self):
        if self.request.htmx:
            return ["plans/_note_panel.html"]
        return ["plans/note_panel_page.html"]

    def load(self):
        client = self.client_record
        # The session-note rules (restricted notes, minimum necessary) have one source: the notes' own
        # selector, which 404s a note this user may not read.
        self.note = note_selectors.note_get_for_user(
            self.request.user, self.kwargs["note_pk"], client_pk=client.pk
        )
        self.plan = selectors.plan_active_for_client(client)
        self.goals = selectors.plan_items(self.plan)[0] if self.plan else []
        self.editable = self.note.status == NoteStatus.DRAFT and self.note.author_id == self.request.user.pk

    def render_panel(self, form=None, status=200):
        linked = set(self.note.goals_addressed.values_list("pk", flat=True))
        from_note = list(self.note.step_completions.all())
        lineages = {c.step_lineage for c in from_note}
        if form is None:
            form = NoteGoalsForm(goals=self.goals, initial={"goals": [str(pk) for pk in linked]})
        steps = selectors.plan_items(self.plan)[1] if self.plan else []
        return self.render_to_response(
            self.chart_context(
                note=self.note,
                plan=self.plan,
                goals=self.goals,
                linked=linked,
                steps=steps,
                logged_lineages=lineages,
                completions=from_note,
                form=form,
                editable=self.editable,
                panel_url=reverse("plans:note-panel", args=[self.client_record.pk, self.note.pk]),
            ),
            status=status,
        )

    def get(self, request, *args, **kwargs):
        self.load()
        audit_log(
            user=request.user,
            action=AuditAction.VIEW,
            client=self.client_record,
            obj=self.note,
            detail={"panel": "plan-goals"},
        )
        return self.render_panel()

    def post(self, request, *args, **kwargs):
        self.load()
        if not self.editable:
            raise PermissionDenied("This note is signed or not yours; its plan links are read-only.")
        if "step" in request.POST:
            step = next(
                (s for s in selectors.plan_items(self.plan)[1] if str(s.pk) == request.POST["step"]), None
            )
            if step is None:
                raise Http404("No such step.")
            try:
                services.step_completion_log(
                    client=self.client_record,
                    step=step,
                    acting_user=request.user,
                    completed_at=timezone.now(),
                    note=self.note,
                )
            except DomainError as exc:
                messages.error(request, exc.message)
            return self.render_panel()
        form = NoteGoalsForm(request.POST, goals=self.goals)
        if form.is_valid():
            try:
                services.note_goals_set(note=self.note, goals=form.selected(), acting_user=request.user)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                return self.render_panel()
        return self.render_panel(form=form, status=400)
