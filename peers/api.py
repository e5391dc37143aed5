"""REST API for peer contacts, support groups, group attendance and recovery check-ins.

Scoped exactly like the pages (rows of clients the caller may see; others are 404). None of these
resources carries clinical data (no diagnoses, scores, notes, level of care or consents), so every
role reads the same, short field set; writes need the role's model permission.
"""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from careteam.api_base import ReadPermissions
from careteam.api_filters import row_id
from careteam.audit import audit_clients_listed, audit_log
from careteam.models import AuditAction
from clients.models import Client
from clients.selectors import client_get_for_user

from . import selectors, services
from .models import (
    AccompanimentTo,
    AttendanceSource,
    ContactKind,
    ContactMode,
    GroupAttendance,
    PeerContact,
    RecoveryCapitalCheckIn,
    RecoveryDomain,
    SupportGroup,
)


@extend_schema_field(OpenApiTypes.STR)
class ContactKindField(serializers.ChoiceField):
    """Documented inline: a shared ``KindEnum`` would collide with tasks' and appointments' kinds."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", "One of: " + ", ".join(ContactKind.values))
        super().__init__(choices=ContactKind.choices, **kwargs)


class _ClientScopedViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [ReadPermissions]

    def scoped(self):
        raise NotImplementedError

    def get_queryset(self):
        qs = self.scoped()
        client = self.request.query_params.get("client")
        if client:
            qs = qs.filter(client_id=row_id(client) or 0)
        return qs

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        audit_clients_listed(
            user=request.user,
            clients={Client(pk=row.client_id) for row in page},
            detail={"page": "api", "resource": self.basename},
        )
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        obj = self.get_object()
        audit_log(
            user=request.user, action=AuditAction.VIEW, client=obj.client_id, obj=obj, detail={"via": "api"}
        )
        return Response(self.get_serializer(obj).data)


# --- contacts -----------------------------------------------------------------------------------


class PeerContactSerializer(serializers.ModelSerializer):
    peer_name = serializers.SerializerMethodField()
    kind = ContactKindField(read_only=True)

    class Meta:
        model = PeerContact
        fields = [
            "id",
            "client",
            "assignment",
            "peer",
            "peer_name",
            "occurred_at",
            "duration_minutes",
            "mode",
            "kind",
            "accompaniment_to",
            "place",
            "summary",
            "domains",
            "follow_up_needed",
            "follow_up_note",
            "needs_clinical_attention",
        ]
        read_only_fields = fields

    def get_peer_name(self, obj) -> str:
        return obj.peer.get_full_name() or obj.peer.username


class PeerContactCreateSerializer(serializers.Serializer):
    client = serializers.IntegerField()
    occurred_at = serializers.DateTimeField()
    duration_minutes = serializers.IntegerField(
        min_value=services.MIN_DURATION, max_value=services.MAX_DURATION
    )
    mode = serializers.ChoiceField(choices=ContactMode.choices)
    kind = ContactKindField()
    accompaniment_to = serializers.ChoiceField(
        choices=AccompanimentTo.choices, required=False, allow_blank=True
    )
    place = serializers.CharField(max_length=200, required=False, allow_blank=True)
    summary = serializers.CharField(max_length=500)
    domains = serializers.ListField(
        child=serializers.ChoiceField(choices=RecoveryDomain.choices),
        required=False,
        max_length=len(RecoveryDomain.choices),
    )
    follow_up_needed = serializers.BooleanField(required=False, default=False)
    follow_up_note = serializers.CharField(max_length=300, required=False, allow_blank=True)
    needs_clinical_attention = serializers.BooleanField(required=False, default=False)


class PeerContactViewSet(_ClientScopedViewSet, mixins.CreateModelMixin):
    """``/peer-contacts/``: contacts with clients the caller may see; peers log theirs here."""

    serializer_class = PeerContactSerializer
    queryset = PeerContact.objects.none()

    def scoped(self):
        return selectors.contact_list_for_user(self.request.user)

    def get_serializer_class(self):
        return PeerContactCreateSerializer if self.action == "create" else PeerContactSerializer

    def create(self, request, *args, **kwargs):
        data = PeerContactCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        client = client_get_for_user(request.user, values.pop("client"))
        assignment = selectors.assignment_for_contact(request.user, client)
        if assignment is None:
            raise Http404("No active peer assignment of yours for this client.")
        contact = services.peer_contact_log(assignment=assignment, acting_user=request.user, data=values)
        return Response(PeerContactSerializer(contact).data, status=status.HTTP_201_CREATED)


# --- support groups and attendance --------------------------------------------------------------


class SupportGroupSerializer(serializers.ModelSerializer):
    class Meta:
        model = SupportGroup
        fields = [
            "id",
            "name",
            "fellowship",
            "meets_on",
            "meets_at",
            "schedule_note",
            "place",
            "online_url",
            "language",
        ]


class SupportGroupViewSet(viewsets.ReadOnlyModelViewSet):
    """``/support-groups/``: the active groups (no client data)."""

    serializer_class = SupportGroupSerializer
    permission_classes = [ReadPermissions]

    def get_queryset(self):
        return selectors.support_groups_active()


class GroupAttendanceSerializer(serializers.ModelSerializer):
    group_name = serializers.CharField(source="group.name", read_only=True)

    class Meta:
        model = GroupAttendance
        fields = ["id", "client", "group", "group_name", "date", "attended", "source"]
        read_only_fields = fields


class GroupAttendanceCreateSerializer(serializers.Serializer):
    client = serializers.IntegerField()
    group = serializers.PrimaryKeyRelatedField(queryset=SupportGroup.objects.filter(is_active=True))
    date = serializers.DateField()
    attended = serializers.BooleanField(default=True)
    source = serializers.ChoiceField(choices=AttendanceSource.choices)


class GroupAttendanceViewSet(_ClientScopedViewSet, mixins.CreateModelMixin):
    """``/group-attendance/``: recording the same client, group and day again changes that row."""

    queryset = GroupAttendance.objects.none()

    def scoped(self):
        return selectors.attendance_list_for_user(self.request.user).select_related("group")

    def get_serializer_class(self):
        return GroupAttendanceCreateSerializer if self.action == "create" else GroupAttendanceSerializer

    def create(self, request, *args, **kwargs):
        data = GroupAttendanceCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        client = client_get_for_user(request.user, values.pop("client"))
        row = services.group_attendance_record(client=client, acting_user=request.user, **values)
        return Response(GroupAttendanceSerializer(row).data, status=status.HTTP_201_CREATED)


# --- recovery check-ins -------------------------------------------------------------------------


class RecoveryCheckInSerializer(serializers.ModelSerializer):
    class Meta:
        model = RecoveryCapitalCheckIn
        fields = ["id", "client", "recorded_on", "ratings", "total", "note"]
        read_only_fields = fields


class RecoveryCheckInCreateSerializer(serializers.Serializer):
    client = serializers.IntegerField()
    ratings = serializers.DictField(child=serializers.IntegerField(min_value=1, max_value=6))
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class RecoveryCheckInViewSet(_ClientScopedViewSet, mixins.CreateModelMixin):
    """``/recovery-checkins/``: six 1-6 self-ratings per check-in."""

    queryset = RecoveryCapitalCheckIn.objects.none()

    def scoped(self):
        return selectors.checkin_list_for_user(self.request.user)

    def get_serializer_class(self):
        return RecoveryCheckInCreateSerializer if self.action == "create" else RecoveryCheckInSerializer

    def create(self, request, *args, **kwargs):
        data = RecoveryCheckInCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        client = client_get_for_user(request.user, values["client"])
        row = services.recovery_checkin_record(
            client=client, ratings=values["ratings"], note=values["note"], acting_user=request.user
        )
        return Response(RecoveryCheckInSerializer(row).data, status=status.HTTP_201_CREATED)
