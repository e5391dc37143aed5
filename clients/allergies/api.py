"""REST API for allergies (``?client=``, ``?status=``; create; update with ETag and If-Match;
``set-status``; ``no-known-allergies``). Minimum-necessary roles (peer specialists) are refused."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
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
from careteam.minimum_necessary import Section
from clients.models import Allergy, AllergyReview, AllergyStatus, Client

from . import selectors, services

ALLERGIES_REFUSAL = _("Allergies are not part of your view of the record.")


class AllergySerializer(ClientFieldSerializerMixin, serializers.ModelSerializer):
    client = serializers.PrimaryKeyRelatedField(queryset=Client.objects.none())

    class Meta:
        model = Allergy
        fields = [
            "id",
            "client",
            "substance",
            "category",
            "kind",
            "reaction",
            "severity",
            "onset_date",
            "status",
            "status_reason",
            "recorded_by",
            "recorded_at",
            "updated_at",
        ]
        read_only_fields = ["id", "status", "status_reason", "recorded_by", "recorded_at", "updated_at"]

    def validate_substance(self, value):
        if not value.strip():
            raise serializers.ValidationError(_("Name the substance."))
        return value.strip()


class AllergyStatusSerializer(serializers.Serializer):
    """The move asked for; whether it is legal is the service's to say (``clients.allergies.states``)."""

    status = serializers.ChoiceField(choices=AllergyStatus.choices)
    reason = serializers.CharField(
        max_length=services.REASON_MAX_LENGTH, required=False, allow_blank=True, default=""
    )


class NoKnownAllergiesSerializer(ClientFieldSerializerMixin, serializers.Serializer):
    client = serializers.PrimaryKeyRelatedField(queryset=Client.objects.none())


class AllergyReviewSerializer(serializers.Serializer):
    client = serializers.IntegerField(source="pk")
    allergy_review = serializers.ChoiceField(choices=AllergyReview.choices)
    allergy_reviewed_at = serializers.DateTimeField(allow_null=True)
    allergy_reviewed_by = serializers.IntegerField(source="allergy_reviewed_by_id", allow_null=True)


class AllergyFilter(django_filters.FilterSet):
    client = RowIdFilter(field_name="client_id")
    status = django_filters.ChoiceFilter(choices=AllergyStatus.choices)

    class Meta:
        model = Allergy
        fields = ["client", "status", "category", "kind", "severity"]


class AllergyViewSet(
    ConcurrencyControlMixin,
    AuditedRecordsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Allergies of the clients the caller may see. No delete: one that no longer applies is marked so,
    a wrong one entered in error."""

    serializer_class = AllergySerializer
    permission_classes = [RefuseMinimumNecessary, ReadPermissions]
    refused_section = Section.ALLERGIES
    minimum_necessary_refusal = ALLERGIES_REFUSAL
    audit_page = "api-allergies"
    filterset_class = AllergyFilter
    ordering_fields = ["recorded_at", "substance", "status"]
    ordering = ["status", "substance", "id"]
    queryset = Allergy.objects.none()
    http_method_names = ["get", "post", "patch", "head", "options"]
    concurrency_fields = services.ALLERGY_FIELDS

    def get_queryset(self):
        return selectors.allergy_list_for_user(self.request.user)

    def _require_change(self, client: Client) -> None:
        if not selectors.allergies_can_change(self.request.user, client):
            self.permission_denied(self.request)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        client = data.pop("client")
        self._require_change(client)
        serializer.instance = services.allergy_create(client=client, acting_user=self.request.user, data=data)

    def perform_update(self, serializer):
        self._require_change(serializer.instance.client)
        serializer.instance = services.allergy_update(
            allergy=serializer.instance,
            acting_user=self.request.user,
            data=dict(serializer.validated_data),
            expected=self.concurrency_expected(serializer.instance),
        )

    @extend_schema(request=AllergyStatusSerializer, responses=AllergySerializer)
    @action(detail=True, methods=["post"], url_path="set-status", serializer_class=AllergyStatusSerializer)
    def set_status(self, request, pk=None):
        """No longer applies (``inactive``), applies again (``active``), or entered in error (``reason``)."""
        allergy = self.get_object()
        self._require_change(allergy.client)
        serializer = AllergyStatusSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        allergy = services.allergy_set_status(
            allergy=allergy,
            status=serializer.validated_data["status"],
            acting_user=request.user,
            reason=serializer.validated_data["reason"],
        )
        return Response(AllergySerializer(allergy, context=self.get_serializer_context()).data)

    @extend_schema(request=NoKnownAllergiesSerializer, responses=AllergyReviewSerializer)
    @action(
        detail=False,
        methods=["post"],
        url_path="no-known-allergies",
        serializer_class=NoKnownAllergiesSerializer,
    )
    def no_known_allergies(self, request):
        """Record that the client has no known allergies; 400 while an active allergy is recorded."""
        serializer = NoKnownAllergiesSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        client = serializer.validated_data["client"]
        self._require_change(client)
        client = services.allergy_record_none_known(client=client, acting_user=request.user)
        return Response(AllergyReviewSerializer(client).data)
