"""REST API of the outbox: scheduled messages (read-only) and client reminders (create, list, stop).

Scoped like the pages: only clients the caller may see; a client they may not see is a 404 (or an
empty list when filtered by it). Lists audit one LIST row per client shown.
"""

from __future__ import annotations

from django.utils import timezone
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from careteam import access
from careteam.api_base import AuditedRecordsMixin, ReadPermissions, SectionFieldsMixin
from careteam.minimum_necessary import Section
from clients.medications.selectors import medications_can_see
from clients.models import Client, Medication

from . import selectors, services
from .models import Channel, ClientReminder, ScheduledMessage


class ScheduledMessageSerializer(serializers.ModelSerializer):
    signed_by_name = serializers.SerializerMethodField()

    class Meta:
        model = ScheduledMessage
        fields = [
            "id",
            "client",
            "supportive_person",
            "to_address",
            "to_name",
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


class ScheduledMessageViewSet(AuditedRecordsMixin, viewsets.ReadOnlyModelViewSet):
    """Everything scheduled or sent to the clients the caller may see (``?client=``, ``?status=``)."""

    serializer_class = ScheduledMessageSerializer
    audit_page = "api-scheduled-messages"
    permission_classes = [ReadPermissions]
    queryset = ScheduledMessage.objects.none()
    filterset_fields = ["client", "status", "channel", "source_kind"]
    ordering_fields = ["send_at", "due_at", "status"]
    ordering = ["-send_at", "-id"]

    def get_queryset(self):
        return selectors.scheduled_message_list_for_user(self.request.user)


class ClientReminderSerializer(SectionFieldsMixin, serializers.ModelSerializer):
    client = serializers.PrimaryKeyRelatedField(queryset=Client.objects.none())
    # The full channel enum (one schema component with the messages); the service refuses "voice".
    channel = serializers.ChoiceField(choices=Channel.choices)
    # A medication reminder may name one of the client's current medications (the service checks that
    # it is this client's); a role that may not see medications neither sees nor sets it.
    medication = serializers.PrimaryKeyRelatedField(
        queryset=Medication.objects.none(), required=False, allow_null=True
    )

    section_fields = {Section.MEDICATIONS: ("medication",)}

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
            "medication",
            "stopped_at",
            "stopped_reason",
            "created_at",
        ]
        read_only_fields = ["id", "stopped_at", "stopped_reason", "created_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            clients = access.clients_visible_to(request.user, access.CHANGE)
            self.fields["client"].queryset = clients
            if medications_can_see(request.user):
                self.fields["medication"].queryset = Medication.objects.filter(
                    client__in=clients.values("pk")
                )

    def validate_first_at(self, value):
        return value if timezone.is_aware(value) else timezone.make_aware(value)


class ReminderStopSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ClientReminderViewSet(
    AuditedRecordsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Reminders a client asked for: list (``?client=``), create, and ``stop``. Never deleted."""

    serializer_class = ClientReminderSerializer
    audit_page = "api-reminders"
    permission_classes = [ReadPermissions]
    queryset = ClientReminder.objects.none()
    filterset_fields = ["client", "kind", "channel"]

    def get_queryset(self):
        return selectors.reminder_list_for_user(self.request.user)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        reminder = services.reminder_create(client=data.pop("client"), acting_user=request.user, data=data)
        return Response(self.get_serializer(reminder).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"], serializer_class=ReminderStopSerializer)
    def stop(self, request, pk=None):
        reminder = self.get_object()
        if not selectors.reminders_can_stop(request.user, reminder.client):
            return Response({"detail": "You may not stop reminders."}, status=status.HTTP_403_FORBIDDEN)
        serializer = ReminderStopSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        reminder = services.reminder_stop(
            reminder=reminder, acting_user=request.user, reason=serializer.validated_data["reason"]
        )
        return Response(ClientReminderSerializer(reminder, context={"request": request}).data)
