"""REST API for needs: list (scoped, ``?client=``), create, partial update and ``set-status``."""

from __future__ import annotations

from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from careteam import access
from careteam.api_base import (
    AuditedRecordsMixin,
    ClientFieldSerializerMixin,
    ConcurrencyControlMixin,
    ReadPermissions,
)
from clients.models import Client, Need, NeedStatus

from . import selectors, services


class NeedSerializer(ClientFieldSerializerMixin, serializers.ModelSerializer):
    client_perm = access.VIEW  # a need may be identified for any client the caller may see
    client = serializers.PrimaryKeyRelatedField(queryset=Client.objects.none())
    identified_by_name = serializers.CharField(source="identified_by.__str__", read_only=True)

    class Meta:
        model = Need
        fields = [
            "id",
            "client",
            "category",
            "description",
            "urgency",
            "status",
            "identified_by",
            "identified_by_name",
            "identified_at",
            "status_changed_at",
            "closed_note",
        ]
        read_only_fields = [
            "id",
            "status",
            "identified_by",
            "identified_at",
            "status_changed_at",
            "closed_note",
        ]

    def validate_description(self, value):
        if not value.strip():
            raise serializers.ValidationError("Describe the need, in the client's words where possible.")
        return value


class NeedStatusSerializer(serializers.Serializer):
    """The move asked for. Whether it is legal, and whether it needs a note, is the service's to say
    (``clients.needs.states``); its refusals come back as 400s on ``status`` or ``note``."""

    status = serializers.ChoiceField(choices=NeedStatus.choices)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class NeedViewSet(
    ConcurrencyControlMixin,
    AuditedRecordsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Needs of the clients the caller may see. No delete: a need is closed with a status."""

    serializer_class = NeedSerializer
    audit_page = "api-needs"
    permission_classes = [ReadPermissions]
    filterset_fields = ["client", "status", "category", "urgency"]
    ordering_fields = ["identified_at", "status", "urgency"]
    ordering = ["-identified_at", "-id"]
    queryset = Need.objects.none()
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.need_list_for_user(self.request.user)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        client = data.pop("client")
        serializer.instance = services.need_create(client=client, acting_user=self.request.user, data=data)

    def _require_change(self, need: Need) -> None:
        """Editing or closing a need changes the record: a view-only place on the care team is not enough."""
        if not selectors.needs_can_change(self.request.user, need.client):
            self.permission_denied(self.request)

    def perform_update(self, serializer):
        self._require_change(serializer.instance)
        serializer.instance = services.need_update(
            need=serializer.instance,
            acting_user=self.request.user,
            data=dict(serializer.validated_data),
            expected=self.concurrency_expected(serializer.instance),
        )

    @action(detail=True, methods=["post"], url_path="set-status", serializer_class=NeedStatusSerializer)
    def set_status(self, request, pk=None):
        """Met / closed, not met / declined (with a note) / referred / open again."""
        need = self.get_object()
        self._require_change(need)
        serializer = NeedStatusSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        need = services.need_set_status(
            need=need,
            status=serializer.validated_data["status"],
            acting_user=request.user,
            note=serializer.validated_data["note"].strip(),
        )
        return Response(NeedSerializer(need, context=self.get_serializer_context()).data)
