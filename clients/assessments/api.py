"""REST API for instruments and assessment responses, scoped like the chart (peers get no scores)."""

from __future__ import annotations

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import mixins, serializers, viewsets
from rest_framework.response import Response

from careteam import access
from careteam.api_base import ReadPermissions, RefuseMinimumNecessary
from careteam.api_filters import RowIdFilter
from careteam.audit import audit_clients_listed, audit_log
from careteam.fields import LIST_MAX_ITEMS
from careteam.minimum_necessary import Section
from careteam.models import AuditAction
from clients.models import AssessmentResponse, Client, Instrument

from . import scoring, selectors, services

SCORES_REFUSAL = "Assessment scores are not part of your view of the record."


class InstrumentSerializer(serializers.ModelSerializer):
    has_item_text = serializers.BooleanField(read_only=True)

    class Meta:
        model = Instrument
        fields = [
            "id",
            "code",
            "name",
            "version",
            "scoring_rule",
            "instructions",
            "items",
            "has_item_text",
            "licence_note",
            "copyright_line",
            "cadence_days",
        ]
        read_only_fields = fields


class InstrumentViewSet(viewsets.ReadOnlyModelViewSet):
    """The active instruments, with their items and options (licensed ones may have empty text)."""

    # A minimum-necessary user is refused before the role's model permission is looked at.
    permission_classes = [RefuseMinimumNecessary, ReadPermissions]
    minimum_necessary_refusal = SCORES_REFUSAL
    refused_section = Section.SCORES
    serializer_class = InstrumentSerializer
    lookup_field = "code"
    filter_backends = []

    def get_queryset(self):
        return selectors.instrument_list()


class AssessmentResponseSerializer(serializers.ModelSerializer):
    client = serializers.PrimaryKeyRelatedField(queryset=Client.objects.none())
    instrument = serializers.SlugRelatedField(slug_field="code", queryset=Instrument.objects.none())
    instrument_name = serializers.CharField(source="instrument.name", read_only=True)
    band_label = serializers.SerializerMethodField()
    administered_by = serializers.CharField(source="administered_by.username", read_only=True)
    administered_at = serializers.DateTimeField(required=False)

    class Meta:
        model = AssessmentResponse
        fields = [
            "id",
            "client",
            "instrument",
            "instrument_name",
            "instrument_version",
            "answers",
            "total",
            "band",
            "band_label",
            "flags",
            "scoring_note",
            "administered_by",
            "administered_at",
            "created_at",
        ]
        read_only_fields = [
            "id",
            "instrument_version",
            "total",
            "band",
            "flags",
            "scoring_note",
            "created_at",
        ]
        # A JSONField with a default is optional to DRF; a score without answers is not a score.
        extra_kwargs = {"answers": {"required": True}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            # Only clients the caller may change take a new score; anyone else is "does not exist".
            self.fields["client"].queryset = access.clients_visible_to(request.user, access.CHANGE)
            self.fields["instrument"].queryset = selectors.instrument_list()

    def get_band_label(self, obj) -> str:
        return scoring.band_label(obj.instrument.scoring_rule, obj.band)

    def validate_answers(self, value):
        if not isinstance(value, dict):
            raise serializers.ValidationError("Answers must be an object of item keys to values.")
        if len(value) > LIST_MAX_ITEMS:
            raise serializers.ValidationError(
                _("At most %(count)d answers: one per item of the instrument.") % {"count": LIST_MAX_ITEMS}
            )
        return value


class AssessmentFilter(django_filters.FilterSet):
    client = RowIdFilter(field_name="client_id")
    instrument = django_filters.CharFilter(field_name="instrument__code", label="Instrument code")

    class Meta:
        model = AssessmentResponse
        fields = ["client", "instrument"]


class AssessmentResponseViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Scores of the clients the caller may see; created by scoring answers (never edited or deleted)."""

    # A minimum-necessary user is refused before the role's model permission is looked at.
    permission_classes = [RefuseMinimumNecessary, ReadPermissions]
    minimum_necessary_refusal = SCORES_REFUSAL
    refused_section = Section.SCORES
    serializer_class = AssessmentResponseSerializer
    filterset_class = AssessmentFilter
    ordering_fields = ["administered_at", "total"]
    ordering = ["-administered_at", "-id"]

    def get_queryset(self):
        return selectors.assessment_list_for_user(self.request.user)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        clients = {r.client_id: r.client for r in page}.values()
        audit_clients_listed(user=request.user, clients=clients, detail={"page": "api-assessments"})
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        response = self.get_object()
        audit_log(
            user=request.user,
            action=AuditAction.VIEW,
            client=response.client_id,
            obj=response,
            detail={"via": "api"},
        )
        return Response(self.get_serializer(response).data)

    def perform_create(self, serializer):
        data = serializer.validated_data
        try:
            response = services.assessment_administer(
                client=data["client"],
                instrument=data["instrument"],
                answers=data["answers"],
                acting_user=self.request.user,
                administered_at=data.get("administered_at"),
            )
        except DjangoValidationError as exc:
            raise serializers.ValidationError(
                {"answers": exc.message_dict} if hasattr(exc, "error_dict") else {"answers": exc.messages}
            ) from exc
        serializer.instance = selectors.assessment_list_for_user(self.request.user).get(pk=response.pk)
