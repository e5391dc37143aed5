"""REST API of the outbox: scheduled messages (read-only) and client reminders (create, list, stop).

Scoped like the pages: only clients the caller may see; a client they may not see is a 404 (or an
empty list when filtered by it). Lists audit one LIST row per client shown.
"""

from __future__ import annotations

from django.utils import timezone
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import DjangoModelPermissions
from rest_framework.response import Response

from careteam import access
from careteam.audit import audit_clients_listed, audit_log
from careteam.models import AuditAction
from clients.models import Client

from . import selectors, services
from .models import Channel, ClientReminder, ScheduledMessage


class ReadPermissions(DjangoModelPermissions):
    """The role's model permission (view for reads); which rows is decided by the scoped queryset."""

    perms_map = {**DjangoModelPermissions.perms_map, "GET": ["%(app_label)s.view_%(model_name)s"]}


def _audit_list(request, rows) -> None:
    seen, clients = set(), []
    for row in rows:
        if row.client_id not in seen:
            seen.add(row.client_id)
            clients.append(row.client)
    audit_clients_listed(user=request.user, clients=clients, detail={"api": request.path})


class ScheduledMessageSerializer(serializers.ModelSerializer):
    signed_by_name = serializers.SerializerMethodField()

    class Meta:
        model = ScheduledMessage
        fields = [
            "id",
            "client",
            "supportive_person",
            "channel",
            "template_key",
            "subject",
            "body",
            "language",
            "essential",
            "due_at",
            "send_at",
            "status",
            "status_reason",
            "status_detail",
            "attempts",
            "last_error",
            "sent_at",
            "delivered_at",
            "provider",
            "provider_message_id",
            "source_kind",
            "source_type",
            "source_id",
            "signed_by",
            "signed_by_name",
            "created_at",
        ]
        read_only_fields = fields

    def get_signed_by_name(self, obj) -> str:
        return (obj.signed_by.get_full_name() or obj.signed_by.get_username()) if obj.signed_by else ""


class ScheduledMessageViewSet(viewsets.ReadOnlyModelViewSet):
    """Everything scheduled or sent to the clients the caller may see (``?client=``, ``?status=``)."""

    serializer_class = ScheduledMessageSerializer
    permission_classes = [ReadPermissions]
    queryset = ScheduledMessage.objects.none()
    filterset_fields = ["client", "status", "channel", "source_kind"]
    ordering_fields = ["send_at", "due_at", "status"]
    ordering = ["-send_at", "-id"]

    def get_queryset(self):
        return selectors.scheduled_message_list_for_user(self.request.user)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        _audit_list(request, page)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        message = self.get_object()
        audit_log(user=request.user, action=AuditAction.VIEW, client=message.client_id, obj=message)
        return Response(self.get_serializer(message).data)


class ClientReminderSerializer(serializers.ModelSerializer):
    client = serializers.PrimaryKeyRelatedField(queryset=Client.objects.none())
    # The full channel enum (one schema component with the messages); the service refuses "voice".
    channel = serializers.ChoiceField(choices=Channel.choices)

    class Meta:
        model = ClientReminder
        fields = [
            "id",
            "client",
            "kind",
            "label",
            "channel",
            "first_at",
            "recurrence",
            "until",
            "stopped_at",
            "stopped_reason",
            "created_at",
        ]
        read_only_fields = ["id", "stopped_at", "stopped_reason", "created_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            self.fields["client"].queryset = access.clients_visible_to(request.user, access.CHANGE)

    def validate_first_at(self, value):
        return value if timezone.is_aware(value) else timezone.make_aware(value)


class ReminderStopSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ClientReminderViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Reminders a client asked for: list (``?client=``), create, and ``stop``. Never deleted."""

    serializer_class = ClientReminderSerializer
    permission_classes = [ReadPermissions]
    queryset = ClientReminder.objects.none()
    filterset_fields = ["client", "kind", "channel"]

    def get_queryset(self):
        return selectors.reminder_list_for_user(self.request.user)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        _audit_list(request, page)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        reminder = self.get_object()
        audit_log(user=request.user, action=AuditAction.VIEW, client=reminder.client_id, obj=reminder)
        return Response(self.get_serializer(reminder).data)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        reminder = services.reminder_create(client=data.pop("client"), acting_user=request.user, data=data)
        return Response(self.get_serializer(reminder).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"], serializer_class=ReminderStopSerializer)
    def stop(self, request, pk=None):
        reminder = self.get_object()
        if not request.user.has_perm("outreach.change_clientreminder") or not access.can_access_client(
            request.user, reminder.client, access.CHANGE
        ):
            return Response({"detail": "You may not stop reminders."}, status=status.HTTP_403_FORBIDDEN)
        serializer = ReminderStopSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        reminder = services.reminder_stop(
            reminder=reminder, acting_user=request.user, reason=serializer.validated_data["reason"]
        )
        return Response(ClientReminderSerializer(reminder, context={"request": request}).data)
