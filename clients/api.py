"""REST API for client records, scoped exactly like the pages."""

from __future__ import annotations

import django_filters
from rest_framework import mixins, serializers, viewsets

from careteam import access
from careteam.api_base import ConcurrencyControlMixin, ReadPermissions
from careteam.api_filters import RowIdFilter
from careteam.audit import audit_clients_listed, audit_log
from careteam.models import AuditAction, CareTeamAssignment

from . import selectors, services
from .forms import EARLIEST_BIRTH_DATE, teams_for_user
from .models import Client, ClientStatus


class CareTeamMemberSerializer(serializers.ModelSerializer):
    staff = serializers.CharField(source="staff.get_full_name", read_only=True)
    staff_username = serializers.CharField(source="staff.username", read_only=True)

    class Meta:
        model = CareTeamAssignment
        fields = ["id", "staff", "staff_username", "role", "started_on"]


class ClientSerializer(serializers.ModelSerializer):
    age = serializers.IntegerField(read_only=True)
    # Read from the text-messaging consent, the one switch (record or revoke it under /consents/).
    text_consent_on_file = serializers.BooleanField(read_only=True)
    care_team = CareTeamMemberSerializer(source="active_assignments", many=True, read_only=True)

    class Meta:
        model = Client
        fields = [
            "id",
            "record_number",
            "age",
            *services.CLIENT_EDITABLE_FIELDS,
            "text_consent_on_file",
            "care_team",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "record_number",
            "age",
            "text_consent_on_file",
            "care_team",
            "created_at",
            "updated_at",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated and "primary_team" in self.fields:
            self.fields["primary_team"].queryset = teams_for_user(request.user)

    def validate_date_of_birth(self, value):
        # The intake form's rule (clients.forms.ClientForm.clean_date_of_birth); the model does not carry it.
        if value < EARLIEST_BIRTH_DATE:
            raise serializers.ValidationError("Check the year: this date of birth is before 1900.")
        return value

    def validate(self, attrs):
        """Run the model's own rules on the would-be record so the API refuses what the form refuses."""
        merged = (
            {f: getattr(self.instance, f) for f in services.CLIENT_EDITABLE_FIELDS} if self.instance else {}
        )
        merged.update(attrs)
        # The record's own id, so its texting consent counts (preferred contact by text needs one).
        candidate = Client(pk=self.instance.pk if self.instance else None, **merged)
        try:
            candidate.full_clean(exclude=["record_number"], validate_unique=False, validate_constraints=False)
        except Exception as exc:
            if hasattr(exc, "message_dict"):
                raise serializers.ValidationError(exc.message_dict) from exc
            raise
        return attrs


class PeerClientSerializer(serializers.ModelSerializer):
    """Minimum necessary for a peer specialist: who the person is and how to reach them, nothing clinical."""

    age = serializers.IntegerField(read_only=True)
    text_consent_on_file = serializers.BooleanField(read_only=True)

    class Meta:
        model = Client
        fields = [
            "id",
            "record_number",
            "legal_first_name",
            "legal_last_name",
            "preferred_name",
            "pronouns",
            "age",
            "preferred_language",
            "interpreter_needed",
            "phone",
            "email",
            "preferred_channel",
            "text_consent_on_file",
            "may_leave_voicemail",
            "quiet_hours_start",
            "quiet_hours_end",
            "time_zone",
            "status",
        ]
        read_only_fields = fields


class ClientFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Name or record number")
    status = django_filters.ChoiceFilter(choices=ClientStatus.choices)
    primary_team = RowIdFilter()

    class Meta:
        model = Client
        fields = ["status", "primary_team"]

    def search(self, queryset, name, value):
        return queryset.filter(pk__in=selectors.client_list_for_user(self.request.user, q=value).values("pk"))


class ClientViewSet(
    ConcurrencyControlMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Clients the caller's care team may see. No delete: records are discharged or archived.
    Updates send ``If-Match`` with the ETag of the record they were made from."""

    permission_classes = [ReadPermissions]
    # The same for every reader, whichever serializer their role gets.
    concurrency_fields = services.CLIENT_EDITABLE_FIELDS
    filterset_class = ClientFilter
    ordering_fields = ["legal_last_name", "record_number", "date_of_birth", "status", "updated_at"]
    ordering = ["legal_last_name", "legal_first_name", "id"]

    def get_queryset(self):
        perm = access.VIEW if self.request.method in ("GET", "HEAD", "OPTIONS") else access.CHANGE
        if self.action == "create":
            return Client.objects.none()
        # One record may be read under break-the-glass; lists are the caseload, and writes need CHANGE.
        emergency = self.action == "retrieve"
        visible = access.clients_visible_to(self.request.user, perm, emergency=emergency)
        return selectors.with_care_team(visible).with_text_consent()

    def get_serializer_class(self):
        if getattr(self, "swagger_fake_view", False):
            return ClientSerializer
        if access.minimum_necessary_view(self.request.user):
            return PeerClientSerializer
        return ClientSerializer

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        audit_clients_listed(user=request.user, clients=page, detail={"page": "api"})
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        client = self.get_object()
        audit_log(
            user=request.user,
            action=AuditAction.VIEW,
            client=client,
            obj=client,
            reason=access.emergency_access_justification(request.user, client),
            detail={"via": "api"},
        )
        return super().retrieve(request, *args, **kwargs)

    def perform_create(self, serializer):
        serializer.instance = services.client_create(
            acting_user=self.request.user, data=serializer.validated_data
        )
        serializer.instance = selectors.with_care_team(Client.objects.filter(pk=serializer.instance.pk)).get()

    def perform_update(self, serializer):
        client = services.client_update(
            client=serializer.instance,
            acting_user=self.request.user,
            data=serializer.validated_data,
            expected=self.concurrency_expected(serializer.instance),
        )
        serializer.instance = selectors.with_care_team(Client.objects.filter(pk=client.pk)).get()
