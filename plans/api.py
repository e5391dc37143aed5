"""REST API for treatment plans, their items and step completions, scoped exactly like the pages."""

from __future__ import annotations

from django.db.models import F
from django.utils import timezone
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from careteam import access
from careteam.api_base import (
    ClientFieldSerializerMixin,
    ConcurrencyControlMixin,
    ReadPermissions,
    SectionFieldsMixin,
)
from careteam.audit import Entry, audit_log, audit_log_many
from careteam.minimum_necessary import Section
from careteam.models import AuditAction
from clients.models import Client

from . import selectors, services
from .models import (
    ActionStep,
    ActionStepCompletion,
    ClientAgreement,
    Goal,
    Intervention,
    PlanStatus,
    Problem,
    TreatmentPlan,
)

SAFE = ("GET", "HEAD", "OPTIONS")


# --- Serializers ----------------------------------------------------------------------------------


class ActionStepSerializer(serializers.ModelSerializer):
    class Meta:
        model = ActionStep
        fields = ["id", "goal", "lineage", *services.STEP_FIELDS]
        read_only_fields = ["id", "lineage"]

    def validate(self, attrs):
        merged = {f: getattr(self.instance, f) for f in services.STEP_FIELDS} if self.instance else {}
        merged.update(attrs)
        count, period = merged.get("frequency_count"), merged.get("frequency_period") or ""
        if (count is None) != (not period):
            raise ValidationError({"frequency_period": "Give both a count and a period, or neither."})
        if count is not None and merged.get("due_on"):
            raise ValidationError({"due_on": "A recurring step has no single due date."})
        if self.instance is not None and "goal" in attrs and attrs["goal"] != self.instance.goal:
            raise ValidationError({"goal": "A step cannot move to another goal."})
        return attrs


class InterventionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Intervention
        fields = ["id", "goal", "lineage", *services.INTERVENTION_FIELDS]
        read_only_fields = ["id", "lineage"]


class GoalSerializer(SectionFieldsMixin, serializers.ModelSerializer):
    action_steps = ActionStepSerializer(many=True, read_only=True)
    interventions = InterventionSerializer(many=True, read_only=True)
    # The instrument by its code ("phq9"); only those scored to a numeric total.
    measure_instrument = serializers.SlugRelatedField(
        slug_field="code",
        queryset=services.measure_instruments(),
        required=False,
        allow_null=True,
        help_text="Code of the instrument that measures this goal (e.g. phq9); null for none.",
    )
    # Peers see goals in the client's words, never scores or what the client is scored on.
    section_fields = {
        Section.PLAN_CLINICAL: ("interventions",),
        Section.SCORES: services.MEASURE_FIELDS,
    }

    class Meta:
        model = Goal
        fields = ["id", "problem", "lineage", *services.GOAL_FIELDS, "action_steps", "interventions"]
        read_only_fields = ["id", "lineage", "action_steps", "interventions"]

    def validate(self, attrs):
        if self.instance is not None and "problem" in attrs and attrs["problem"] != self.instance.problem:
            raise ValidationError({"problem": "A goal cannot move to another problem."})
        # A partial update changes some measure fields: check the measure as it will be stored.
        merged = {f: getattr(self.instance, f) for f in services.MEASURE_FIELDS} if self.instance else {}
        merged.update({f: attrs[f] for f in services.MEASURE_FIELDS if f in attrs})
        problems = services.goal_measure_problems(
            instrument=merged.get("measure_instrument"),
            comparator=merged.get("measure_comparator"),
            target=merged.get("measure_target"),
        )
        if problems:
            raise ValidationError(problems)
        return attrs


class ProblemSerializer(SectionFieldsMixin, serializers.ModelSerializer):
    goals = GoalSerializer(many=True, read_only=True)
    section_fields = {Section.PLAN_PROBLEM_TEXT: ("description",)}

    class Meta:
        model = Problem
        fields = ["id", "plan", "lineage", *services.PROBLEM_FIELDS, "goals"]
        read_only_fields = ["id", "lineage", "goals"]

    def validate(self, attrs):
        if self.instance is not None and "plan" in attrs and attrs["plan"] != self.instance.plan:
            raise ValidationError({"plan": "A problem cannot move to another plan."})
        return attrs


class PlanSerializer(ClientFieldSerializerMixin, SectionFieldsMixin, serializers.ModelSerializer):
    problems = ProblemSerializer(many=True, read_only=True)
    client = serializers.PrimaryKeyRelatedField(queryset=Client.objects.none())
    section_fields = {Section.PLAN_CLINICAL: ("triggers", "early_warning_signs", "lapse_plan")}

    class Meta:
        model = TreatmentPlan
        fields = [
            "id",
            "client",
            "version",
            "status",
            "previous",
            *services.PLAN_EDITABLE_FIELDS,
            "signed_by",
            "signed_at",
            "client_agreement",
            "client_agreement_on",
            "superseded_at",
            "created_at",
            "updated_at",
            "problems",
        ]
        read_only_fields = [
            "id",
            "version",
            "status",
            "previous",
            "signed_by",
            "signed_at",
            "client_agreement",
            "client_agreement_on",
            "superseded_at",
            "created_at",
            "updated_at",
            "problems",
        ]

    def validate_review_due_on(self, value):
        if value is not None and value < timezone.localdate():
            raise ValidationError("The review date cannot be in the past.")
        return value


class ActivateSerializer(serializers.Serializer):
    client_agreement = serializers.ChoiceField(choices=ClientAgreement.choices)
    client_agreement_on = serializers.DateField()

    def validate_client_agreement_on(self, value):
        if value > timezone.localdate():
            raise ValidationError("The agreement date cannot be in the future.")
        return value


class NewVersionSerializer(serializers.Serializer):
    change_reason = serializers.CharField(max_length=200, required=False, allow_blank=True)


class CompletionSerializer(serializers.ModelSerializer):
    step = serializers.PrimaryKeyRelatedField(queryset=ActionStep.objects.none(), write_only=True)
    completed_at = serializers.DateTimeField(required=False)

    class Meta:
        model = ActionStepCompletion
        fields = [
            "id",
            "client",
            "step",
            "step_lineage",
            "completed_at",
            "logged_by",
            "comment",
            "created_at",
        ]
        read_only_fields = ["id", "client", "step_lineage", "logged_by", "created_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            self.fields["step"].queryset = ActionStep.objects.filter(
                goal__problem__plan__client__in=access.clients_visible_to(request.user).values("pk")
            ).select_related("goal__problem__plan__client")

    def validate_completed_at(self, value):
        if value > timezone.now():
            raise ValidationError("A completion cannot be in the future.")
        return value


# --- Viewsets -------------------------------------------------------------------------------------


def _audit_listed(user, rows, object_type: str) -> None:
    audit_log_many(
        user=user,
        entries=[
            Entry(
                action=AuditAction.LIST,
                client_id=r.client_id,
                object_type=object_type,
                object_id=str(r.pk),
                detail={"via": "api"},
            )
            for r in rows
        ],
    )


class PlanViewSet(
    ConcurrencyControlMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Plans of the clients the caller may see. Create starts a draft; only drafts can be changed
    (with ``If-Match``); ``activate`` signs a draft, ``new-version`` starts a draft copied from an
    active version."""

    permission_classes = [ReadPermissions]
    serializer_class = PlanSerializer
    filterset_fields = ["client", "status"]
    ordering = ["client", "-version"]

    def get_queryset(self):
        perm = access.VIEW if self.request.method in SAFE else access.CHANGE
        return selectors.with_items(selectors.plans_for_user(self.request.user, perm)).select_related(
            "previous"
        )

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        _audit_listed(request.user, page, "plans.treatmentplan")
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        plan = self.get_object()
        audit_log(
            user=request.user, action=AuditAction.VIEW, client=plan.client_id, obj=plan, detail={"via": "api"}
        )
        return Response(self.get_serializer(plan).data)

    def _fresh(self, plan):
        return selectors.with_items(TreatmentPlan.objects.filter(pk=plan.pk)).get()

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        client = data.pop("client")
        draft = services.plan_create_draft(client=client, acting_user=request.user)
        if data:
            services.plan_update(plan=draft, acting_user=request.user, data=data)
        return Response(self.get_serializer(self._fresh(draft)).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        plan = self.get_object()
        serializer = self.get_serializer(plan, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        services.plan_update(
            plan=plan,
            acting_user=request.user,
            data=serializer.validated_data,
            expected=self.concurrency_expected(plan),
        )
        return Response(self.get_serializer(self._fresh(plan)).data)

    @action(detail=True, methods=["post"], serializer_class=ActivateSerializer)
    def activate(self, request, pk=None):
        plan = self.get_object()
        serializer = ActivateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        plan = services.plan_activate(plan=plan, acting_user=request.user, **serializer.validated_data)
        return Response(PlanSerializer(self._fresh(plan), context=self.get_serializer_context()).data)

    @action(detail=True, methods=["post"], url_path="new-version", serializer_class=NewVersionSerializer)
    def new_version(self, request, pk=None):
        plan = self.get_object()
        if plan.status != PlanStatus.ACTIVE:
            raise ValidationError({"non_field_errors": ["A new version starts from the active plan."]})
        serializer = NewVersionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        draft = services.plan_create_draft(
            client=plan.client,
            acting_user=request.user,
            change_reason=serializer.validated_data.get("change_reason", ""),
        )
        return Response(
            PlanSerializer(self._fresh(draft), context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )


class _DraftItemViewSet(
    ConcurrencyControlMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Items of plans the caller may see; created and changed only on drafts (else 400), changed
    with ``If-Match``."""

    permission_classes = [ReadPermissions]
    client_path = ""
    parent_field = ""
    parent_model = None

    def scoped(self, model, path, perm):
        return model.objects.filter(
            **{f"{path}__in": access.clients_visible_to(self.request.user, perm).values("pk")}
        )

    prefetch: tuple[str, ...] = ()

    def get_queryset(self):
        perm = access.VIEW if self.request.method in SAFE else access.CHANGE
        qs = self.scoped(self.queryset.model, self.client_path, perm)
        return qs.annotate(client_pk=F(self.client_path)).prefetch_related(*self.prefetch).order_by("id")

    def get_serializer(self, *args, **kwargs):
        serializer = super().get_serializer(*args, **kwargs)
        fields = getattr(serializer, "fields", {})
        if self.parent_field in fields and not fields[self.parent_field].read_only:
            parent_path = self.client_path.split("__", 1)[1] if "__" in self.client_path else "client"
            fields[self.parent_field].queryset = self.scoped(self.parent_model, parent_path, access.CHANGE)
        return serializer

    def retrieve(self, request, *args, **kwargs):
        item = self.get_object()
        audit_log(
            user=request.user, action=AuditAction.VIEW, client=item.client_pk, obj=item, detail={"via": "api"}
        )
        return Response(self.get_serializer(item).data)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        audit_log_many(
            user=request.user,
            entries=[
                Entry(
                    action=AuditAction.LIST,
                    client_id=r.client_pk,
                    object_type=r._meta.label_lower,
                    object_id=str(r.pk),
                    detail={"via": "api"},
                )
                for r in page
            ],
        )
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        parent = data.pop(self.parent_field)
        item = self.create_item(parent, data)
        return Response(self.get_serializer(item).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        item = self.get_object()
        serializer = self.get_serializer(item, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop(self.parent_field, None)
        item = self.update_item(item, data, expected=self.concurrency_expected(item))
        return Response(self.get_serializer(item).data)


class ProblemViewSet(_DraftItemViewSet):
    queryset = Problem.objects.all()
    serializer_class = ProblemSerializer
    client_path = "plan__client"
    parent_field = "plan"
    parent_model = TreatmentPlan
    filterset_fields = ["plan"]
    prefetch = ("goals__action_steps", "goals__interventions", "goals__measure_instrument")

    def create_item(self, parent, data):
        return services.problem_create(plan=parent, acting_user=self.request.user, data=data)

    def update_item(self, item, data, expected):
        return services.problem_update(
            problem=item, acting_user=self.request.user, data=data, expected=expected
        )


class GoalViewSet(_DraftItemViewSet):
    queryset = Goal.objects.all()
    serializer_class = GoalSerializer
    client_path = "problem__plan__client"
    parent_field = "problem"
    parent_model = Problem
    filterset_fields = ["problem", "problem__plan"]
    prefetch = ("action_steps", "interventions", "measure_instrument")

    def create_item(self, parent, data):
        return services.goal_create(problem=parent, acting_user=self.request.user, data=data)

    def update_item(self, item, data, expected):
        return services.goal_update(goal=item, acting_user=self.request.user, data=data, expected=expected)


class ActionStepViewSet(_DraftItemViewSet):
    queryset = ActionStep.objects.all()
    serializer_class = ActionStepSerializer
    client_path = "goal__problem__plan__client"
    parent_field = "goal"
    parent_model = Goal
    filterset_fields = ["goal", "goal__problem__plan"]

    def create_item(self, parent, data):
        return services.action_step_create(goal=parent, acting_user=self.request.user, data=data)

    def update_item(self, item, data, expected):
        return services.action_step_update(
            step=item, acting_user=self.request.user, data=data, expected=expected
        )


class CompletionViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Logged completions of action steps for visible clients; logging one needs only view access
    to the client (peers log "went to a support group") and the role's permission."""

    permission_classes = [ReadPermissions]
    serializer_class = CompletionSerializer
    filterset_fields = ["client", "step_lineage"]
    ordering = ["-completed_at", "-id"]

    def get_queryset(self):
        return selectors.completion_list_for_user(self.request.user)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        _audit_listed(request.user, page, "plans.actionstepcompletion")
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        step = serializer.validated_data["step"]
        completion = services.step_completion_log(
            client=step.goal.problem.plan.client,
            step=step,
            acting_user=request.user,
            completed_at=serializer.validated_data.get("completed_at") or timezone.now(),
            comment=serializer.validated_data.get("comment", ""),
        )
        return Response(self.get_serializer(completion).data, status=status.HTTP_201_CREATED)
