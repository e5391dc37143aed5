"""REST API for medications (``?client=``, ``?status=``, ``?moud=true``; create; update with ETag and
If-Match; ``stop`` and ``entered-in-error``) and the prescriber's recommendations (create,
``entered-in-error``). Minimum-necessary roles (peer specialists) are refused."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from careteam.api_base import (
    AuditedRecordsMixin,
    ClientFieldSerializerMixin,
    ConcurrencyControlMixin,
    ReadPermissions,
    RefuseMinimumNecessary,
)
from careteam.api_filters import RowIdFilter
from careteam.fields import COMMENT_MAX_LENGTH
from careteam.minimum_necessary import Section
from careteam.models import User
from clients.models import Client, Medication, MedicationStatus, PrescriberRecommendation

from . import selectors, services

MEDICATIONS_REFUSAL = _("Medications are not part of your view of the record.")


class MedicationSerializer(ClientFieldSerializerMixin, serializers.ModelSerializer):
    client = serializers.PrimaryKeyRelatedField(queryset=Client.objects.none())
    prescriber = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        help_text=_(
            "A prescriber here: a staff member of the client's organisation. Or give prescriber_name."
        ),
    )
    comment = serializers.CharField(max_length=COMMENT_MAX_LENGTH, required=False, allow_blank=True)
    prescriber_display = serializers.CharField(read_only=True)
    is_moud = serializers.BooleanField(read_only=True)

    class Meta:
        model = Medication
        fields = [
            "id",
            "client",
            "name",
            "rxnorm_code",
            "dose",
            "route",
            "frequency",
            "moud_type",
            "is_moud",
            "prescriber",
            "prescriber_name",
            "prescriber_organization",
            "prescriber_phone",
            "prescriber_display",
            "start_date",
            "stop_date",
            "status",
            "status_reason",
            "comment",
            "recorded_by",
            "recorded_at",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "stop_date",
            "status",
            "status_reason",
            "recorded_by",
            "recorded_at",
            "updated_at",
        ]

    def validate(self, attrs):
        attrs = super().validate(attrs)
        instance = self.instance if isinstance(self.instance, Medication) else None

        def value(name):
            return attrs[name] if name in attrs else getattr(instance, name, None)

        outside = any(value(f) for f in services.OUTSIDE_PRESCRIBER_FIELDS)
        if value("prescriber") is not None and outside:
            raise serializers.ValidationError(
                {
                    "prescriber_name": _(
                        "Name either a prescriber here or an outside prescriber, not both: clear one of them."
                    )
                }
            )
        return attrs


class MedicationStopSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=services.REASON_MAX_LENGTH, required=False, allow_blank=True, default=""
    )
    stop_date = serializers.DateField(required=False, allow_null=True, default=None)


class EnteredInErrorSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=services.REASON_MAX_LENGTH, required=False, allow_blank=True, default=""
    )


class MedicationFilter(django_filters.FilterSet):
    client = RowIdFilter(field_name="client_id")
    status = django_filters.ChoiceFilter(choices=MedicationStatus.choices)
    moud = django_filters.BooleanFilter(
        method="filter_moud",
        label="true: only medications for opioid or alcohol use disorder; false: none of them",
    )

    class Meta:
        model = Medication
        fields = ["client", "status", "moud", "moud_type"]

    def filter_moud(self, queryset, name, value):
        return queryset.exclude(moud_type="") if value else queryset.filter(moud_type="")


class MedicationsRefusedMixin:
    permission_classes = [RefuseMinimumNecessary, ReadPermissions]
    refused_section = Section.MEDICATIONS
    minimum_necessary_refusal = MEDICATIONS_REFUSAL


class MedicationViewSet(
    MedicationsRefusedMixin,
    ConcurrencyControlMixin,
    AuditedRecordsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Medications of the clients the caller may see. No delete: a wrong one is marked entered in error;
    one the client no longer takes is stopped (a restart is a new medication)."""

    serializer_class = MedicationSerializer
    audit_page = "api-medications"
    filterset_class = MedicationFilter
    ordering_fields = ["start_date", "recorded_at", "status", "name"]
    ordering = ["status", "-start_date", "name", "id"]
    queryset = Medication.objects.none()
    http_method_names = ["get", "post", "patch", "head", "options"]
    concurrency_fields = services.MEDICATION_FIELDS

    def get_queryset(self):
        return selectors.medication_list_for_user(self.request.user)

    def _require_change(self, client: Client) -> None:
        if not selectors.medications_can_change(self.request.user, client):
            self.permission_denied(self.request)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        client = data.pop("client")
        self._require_change(client)
        serializer.instance = services.medication_create(
            client=client, acting_user=self.request.user, data=data
        )

    def perform_update(self, serializer):
        self._require_change(serializer.instance.client)
        serializer.instance = services.medication_update(
            medication=serializer.instance,
            acting_user=self.request.user,
            data=dict(serializer.validated_data),
            expected=self.concurrency_expected(serializer.instance),
        )

    @extend_schema(request=MedicationStopSerializer, responses=MedicationSerializer)
    @action(detail=True, methods=["post"], serializer_class=MedicationStopSerializer)
    def stop(self, request, pk=None):
        """The client no longer takes it: ``reason`` (required) and ``stop_date`` (default today)."""
        medication = self.get_object()
        self._require_change(medication.client)
        serializer = MedicationStopSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        medication = services.medication_stop(
            medication=medication,
            acting_user=request.user,
            reason=serializer.validated_data["reason"],
            stop_date=serializer.validated_data["stop_date"],
        )
        return Response(MedicationSerializer(medication, context=self.get_serializer_context()).data)

    @extend_schema(request=EnteredInErrorSerializer, responses=MedicationSerializer)
    @action(
        detail=True, methods=["post"], url_path="entered-in-error", serializer_class=EnteredInErrorSerializer
    )
    def entered_in_error(self, request, pk=None):
        """The row was a mistake (``reason`` required): it stays, marked entered in error."""
        medication = self.get_object()
        self._require_change(medication.client)
        serializer = EnteredInErrorSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        medication = services.medication_mark_entered_in_error(
            medication=medication, acting_user=request.user, reason=serializer.validated_data["reason"]
        )
        return Response(MedicationSerializer(medication, context=self.get_serializer_context()).data)


class PrescriberRecommendationSerializer(ClientFieldSerializerMixin, serializers.ModelSerializer):
    client = serializers.PrimaryKeyRelatedField(queryset=Client.objects.none())
    medication = serializers.PrimaryKeyRelatedField(
        queryset=Medication.objects.none(), required=False, allow_null=True
    )
    prescriber_name = serializers.CharField(
        max_length=150,
        required=False,
        allow_blank=True,
        help_text=_("Who made the recommendation; empty: the medication's prescriber."),
    )
    recommended_on = serializers.DateField(required=False, help_text=_("Default: today."))
    text = serializers.CharField(max_length=COMMENT_MAX_LENGTH)
    entered_in_error = serializers.SerializerMethodField()

    class Meta:
        model = PrescriberRecommendation
        fields = [
            "id",
            "client",
            "medication",
            "recommended_on",
            "prescriber_name",
            "text",
            "recorded_by",
            "recorded_at",
            "entered_in_error",
            "entered_in_error_at",
            "entered_in_error_reason",
        ]
        read_only_fields = [
            "id",
            "recorded_by",
            "recorded_at",
            "entered_in_error_at",
            "entered_in_error_reason",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            clients = self.fields["client"].queryset  # those the caller may change (the mixin's)
            self.fields["medication"].queryset = Medication.objects.filter(client__in=clients.values("pk"))

    def get_entered_in_error(self, obj) -> bool:
        return obj.entered_in_error_at is not None


class RecommendationFilter(django_filters.FilterSet):
    client = RowIdFilter(field_name="client_id")
    medication = RowIdFilter(field_name="medication_id")
    status = django_filters.ChoiceFilter(
        choices=[("current", "current"), ("entered_in_error", "entered_in_error")],
        method="filter_status",
        label="current: in force; entered_in_error: marked entered in error",
    )

    class Meta:
        model = PrescriberRecommendation
        fields = ["client", "medication", "status"]

    def filter_status(self, queryset, name, value):
        return queryset.filter(entered_in_error_at__isnull=(value == "current"))


class PrescriberRecommendationViewSet(
    MedicationsRefusedMixin,
    AuditedRecordsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """The prescriber's dated recommendations. Never edited or deleted: a wrong one is marked entered in
    error (``?status=current`` leaves those out)."""

    serializer_class = PrescriberRecommendationSerializer
    audit_page = "api-prescriber-recommendations"
    filterset_class = RecommendationFilter
    ordering_fields = ["recommended_on", "recorded_at"]
    ordering = ["-recommended_on", "-id"]
    queryset = PrescriberRecommendation.objects.none()
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return selectors.recommendation_list_for_user(self.request.user)

    def _require_record(self, client: Client) -> None:
        if not selectors.recommendations_can_record(self.request.user, client):
            self.permission_denied(self.request)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        client = data.pop("client")
        self._require_record(client)
        serializer.instance = services.recommendation_create(
            client=client, acting_user=self.request.user, data=data
        )

    @extend_schema(request=EnteredInErrorSerializer, responses=PrescriberRecommendationSerializer)
    @action(
        detail=True, methods=["post"], url_path="entered-in-error", serializer_class=EnteredInErrorSerializer
    )
    def entered_in_error(self, request, pk=None):
        """Mark it entered in error (``reason`` required); it stays in the history."""
        recommendation = self.get_object()
        self._require_record(recommendation.client)
        serializer = EnteredInErrorSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        recommendation = services.recommendation_mark_entered_in_error(
            recommendation=recommendation,
            acting_user=request.user,
            reason=serializer.validated_data["reason"],
        )
        return Response(
            PrescriberRecommendationSerializer(recommendation, context=self.get_serializer_context()).data,
            status=status.HTTP_200_OK,
        )
