"""REST API for diagnoses (list / retrieve / create / update with ETag and If-Match, ``set-status``)
and a read-only search of ICD-10-CM codes. Minimum-necessary roles (peer specialists) are refused."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _
from rest_framework import mixins, serializers, viewsets
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
from clients.models import Client, Diagnosis, DiagnosisCode, DiagnosisStatus

from . import selectors, services
from .icd10cm import with_dot

DIAGNOSES_REFUSAL = _("Diagnoses are not part of your view of the record.")


class DiagnosisCodeSerializer(serializers.ModelSerializer):
    class Meta:
        model = DiagnosisCode
        fields = ["code", "description", "billable", "release", "is_active"]
        read_only_fields = fields


class DiagnosisSerializer(ClientFieldSerializerMixin, serializers.ModelSerializer):
    client = serializers.PrimaryKeyRelatedField(queryset=Client.objects.none())
    code = serializers.SlugRelatedField(
        slug_field="code",
        queryset=DiagnosisCode.objects.all(),
        help_text=_("ICD-10-CM code with the dot, e.g. F11.20."),
    )
    comment = serializers.CharField(max_length=COMMENT_MAX_LENGTH, required=False, allow_blank=True)
    recorded_by_name = serializers.CharField(source="recorded_by.__str__", read_only=True)

    class Meta:
        model = Diagnosis
        fields = [
            "id",
            "client",
            "code",
            "description",
            "diagnosis_type",
            "onset_date",
            "status",
            "resolved_date",
            "status_reason",
            "comment",
            "recorded_by",
            "recorded_by_name",
            "recorded_at",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "description",
            "status",
            "resolved_date",
            "status_reason",
            "recorded_by",
            "recorded_at",
            "updated_at",
        ]
        # The one-active-primary rule is the service's, with its own clear message (DRF would
        # otherwise derive "The fields client must make a unique set." from the constraint).
        validators = []

    def to_internal_value(self, data):
        # "F1120" and "f11.20" name F11.20.
        if hasattr(data, "get") and isinstance(data.get("code"), str):
            data = {**data, "code": with_dot(data["code"])}
        return super().to_internal_value(data)


class DiagnosisStatusSerializer(serializers.Serializer):
    """The move asked for; whether it is legal and what it needs is the service's to say
    (``clients.diagnoses.states``): its refusals come back as 400s on ``status`` or ``reason``."""

    status = serializers.ChoiceField(choices=DiagnosisStatus.choices)
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    resolved_date = serializers.DateField(required=False, allow_null=True, default=None)


class DiagnosisFilter(django_filters.FilterSet):
    client = RowIdFilter(field_name="client_id")
    status = django_filters.ChoiceFilter(choices=DiagnosisStatus.choices)
    code = django_filters.CharFilter(method="filter_code", label="ICD-10-CM code (with or without the dot)")

    class Meta:
        model = Diagnosis
        fields = ["client", "status", "code", "diagnosis_type"]

    def filter_code(self, queryset, name, value):
        return queryset.filter(code__code=with_dot(value))


class DiagnosisViewSet(
    ConcurrencyControlMixin,
    AuditedRecordsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Diagnoses of the clients the caller may see. No delete: a wrong one is marked entered in error."""

    serializer_class = DiagnosisSerializer
    audit_page = "api-diagnoses"
    permission_classes = [RefuseMinimumNecessary, ReadPermissions]
    refused_section = Section.DIAGNOSES
    minimum_necessary_refusal = DIAGNOSES_REFUSAL
    filterset_class = DiagnosisFilter
    ordering_fields = ["recorded_at", "onset_date", "status"]
    ordering = ["-recorded_at", "-id"]
    queryset = Diagnosis.objects.none()
    http_method_names = ["get", "post", "patch", "head", "options"]
    concurrency_fields = services.DIAGNOSIS_FIELDS

    def get_queryset(self):
        return selectors.diagnosis_list_for_user(self.request.user)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        client = data.pop("client")
        serializer.instance = services.diagnosis_record(
            client=client, acting_user=self.request.user, data=data
        )

    def _require_change(self, diagnosis: Diagnosis) -> None:
        """Editing or moving a diagnosis changes the record: a view-only place is not enough."""
        if not selectors.diagnoses_can_change(self.request.user, diagnosis.client):
            self.permission_denied(self.request)

    def perform_update(self, serializer):
        self._require_change(serializer.instance)
        serializer.instance = services.diagnosis_update(
            diagnosis=serializer.instance,
            acting_user=self.request.user,
            data=dict(serializer.validated_data),
            expected=self.concurrency_expected(serializer.instance),
        )

    @action(detail=True, methods=["post"], url_path="set-status", serializer_class=DiagnosisStatusSerializer)
    def set_status(self, request, pk=None):
        """Resolve (``resolved_date``, default today), reactivate, or mark entered in error (``reason``)."""
        diagnosis = self.get_object()
        self._require_change(diagnosis)
        serializer = DiagnosisStatusSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        diagnosis = services.diagnosis_set_status(
            diagnosis=diagnosis,
            status=serializer.validated_data["status"],
            acting_user=request.user,
            reason=serializer.validated_data["reason"],
            resolved_date=serializer.validated_data["resolved_date"],
        )
        return Response(DiagnosisSerializer(diagnosis, context=self.get_serializer_context()).data)


class DiagnosisCodeFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_q", label="Code prefix (with or without the dot) or words of the description"
    )

    class Meta:
        model = DiagnosisCode
        fields = ["q", "billable"]

    def filter_q(self, queryset, name, value):
        found = selectors.diagnosis_codes_search(value, limit=selectors.SEARCH_LIMIT_MAX)
        return queryset.filter(pk__in=list(found.values_list("pk", flat=True)))


class DiagnosisCodeViewSet(viewsets.ReadOnlyModelViewSet):
    """ICD-10-CM codes in the current release (``?q=`` searches; at most 50 matches). No client data."""

    serializer_class = DiagnosisCodeSerializer
    permission_classes = [RefuseMinimumNecessary, ReadPermissions]
    refused_section = Section.DIAGNOSES
    minimum_necessary_refusal = DIAGNOSES_REFUSAL
    filterset_class = DiagnosisCodeFilter
    ordering_fields = ["code"]
    ordering = ["code"]
    lookup_field = "code"
    lookup_value_regex = r"[A-Za-z0-9.]{3,8}"
    queryset = DiagnosisCode.objects.filter(is_active=True)
