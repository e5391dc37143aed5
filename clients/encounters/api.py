"""REST API for appointments and session notes, scoped exactly like the pages.

Appointments: list / create / retrieve / update (logistics) and ``status`` / ``reschedule`` actions
that follow the status table. Notes: list / create / retrieve / update of drafts, ``sign``,
``cosign`` and ``addenda``. Restricted notes are left out for everyone but their author and the
author's supervisors; peer specialists get no notes at all (403: their role does not read notes).
"""

from __future__ import annotations

from django.utils import timezone
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response

from careteam import access
from careteam.api_base import AuditedRecordsMixin, ConcurrencyControlMixin, ReadPermissions
from careteam.fields import ADDENDUM_MAX_LENGTH
from careteam.minimum_necessary import Section, section_can_see
from careteam.models import User
from careteam.timezones import user_time_zone
from clients.models import Appointment, AppointmentStatus, Client, EncounterNote, NoteAddendum

from . import selectors, services
from .services import (
    APPOINTMENT_LOGISTICS_FIELDS,
    MAX_DURATION_MINUTES,
    NOTE_EDITABLE_FIELDS,
    DoubleBookingError,
)


def _double_booking(exc: DoubleBookingError):
    return ApiValidationError({"book_anyway": [exc.message]})


class AppointmentSerializer(serializers.ModelSerializer):
    client = serializers.PrimaryKeyRelatedField(queryset=Client.objects.none())
    staff = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    staff_name = serializers.CharField(source="staff.__str__", read_only=True)
    duration_minutes = serializers.IntegerField(min_value=5, max_value=MAX_DURATION_MINUTES, default=50)
    book_anyway = serializers.BooleanField(write_only=True, default=False)

    class Meta:
        model = Appointment
        fields = [
            "id",
            "client",
            "staff",
            "staff_name",
            "kind",
            "starts_at",
            "duration_minutes",
            "location",
            "telehealth_url",
            "notes",
            "status",
            "status_changed_at",
            "rescheduled_to",
            "book_anyway",
            "created_at",
        ]
        read_only_fields = ["id", "status", "status_changed_at", "rescheduled_to", "created_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            self.fields["client"].queryset = access.clients_visible_to(request.user)
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            # Who, for whom and when are fixed once booked: a new time is a reschedule.
            for name in ("client", "staff", "starts_at"):
                self.fields[name].read_only = True

    def validate(self, attrs):
        if self.instance is None and not (attrs.get("location") or attrs.get("telehealth_url")):
            raise serializers.ValidationError(
                {"location": ["Say where it happens: a place or a telehealth link."]}
            )
        return attrs


class AppointmentStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[
            s
            for s in AppointmentStatus.choices
            if s[0] not in (AppointmentStatus.SCHEDULED, AppointmentStatus.RESCHEDULED)
        ]
    )
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class AppointmentRescheduleSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField()
    duration_minutes = serializers.IntegerField(min_value=5, max_value=MAX_DURATION_MINUTES, required=False)
    book_anyway = serializers.BooleanField(default=False)
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class AppointmentViewSet(
    ConcurrencyControlMixin,
    AuditedRecordsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Appointments of the clients the caller may see. No delete: appointments are cancelled."""

    serializer_class = AppointmentSerializer
    audit_page = "api-appointments"
    permission_classes = [ReadPermissions]
    filterset_fields = ["client", "staff", "status", "kind"]
    ordering_fields = ["starts_at", "status"]
    ordering = ["-starts_at", "-id"]
    queryset = Appointment.objects.none()  # for the permission class; rows come from get_queryset

    def get_queryset(self):
        return selectors.appointment_list_for_user(self.request.user)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        try:
            serializer.instance = services.appointment_schedule(
                client=data["client"],
                staff=data["staff"],
                kind=data["kind"],
                starts_at=data["starts_at"],
                duration_minutes=data["duration_minutes"],
                location=data.get("location", ""),
                telehealth_url=data.get("telehealth_url", ""),
                notes=data.get("notes", ""),
                acting_user=self.request.user,
                allow_double_booking=data["book_anyway"],
            )
        except DoubleBookingError as exc:
            raise _double_booking(exc) from exc

    def perform_update(self, serializer):
        data = {k: v for k, v in serializer.validated_data.items() if k in APPOINTMENT_LOGISTICS_FIELDS}
        data["allow_double_booking"] = serializer.validated_data.get("book_anyway", False)
        try:
            serializer.instance = services.appointment_update(
                appointment=serializer.instance,
                acting_user=self.request.user,
                data=data,
                expected=self.concurrency_expected(serializer.instance),
            )
        except DoubleBookingError as exc:
            raise _double_booking(exc) from exc

    @action(detail=True, methods=["post"], serializer_class=AppointmentStatusSerializer)
    def status(self, request, pk=None):
        """Mark attended / no-show / cancelled; moves outside the status table answer 400."""
        appointment = self.get_object()
        serializer = AppointmentStatusSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with timezone.override(user_time_zone(request.user)):
            appointment = services.appointment_set_status(
                appointment=appointment,
                status=serializer.validated_data["status"],
                reason=serializer.validated_data["reason"],
                acting_user=request.user,
            )
        return Response(AppointmentSerializer(appointment, context=self.get_serializer_context()).data)

    @action(detail=True, methods=["post"], serializer_class=AppointmentRescheduleSerializer)
    def reschedule(self, request, pk=None):
        """Book a new time; this appointment becomes ``rescheduled`` and points at the new one."""
        appointment = self.get_object()
        serializer = AppointmentRescheduleSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            new = services.appointment_reschedule(
                appointment=appointment,
                starts_at=data["starts_at"],
                duration_minutes=data.get("duration_minutes"),
                allow_double_booking=data["book_anyway"],
                reason=data["reason"],
                acting_user=request.user,
            )
        except DoubleBookingError as exc:
            raise _double_booking(exc) from exc
        return Response(
            AppointmentSerializer(new, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )


class NoteAddendumSerializer(serializers.ModelSerializer):
    author_name = serializers.CharField(source="author.__str__", read_only=True)

    class Meta:
        model = NoteAddendum
        fields = ["id", "author", "author_name", "text", "created_at"]
        read_only_fields = ["id", "author", "author_name", "created_at"]


class EncounterNoteSerializer(serializers.ModelSerializer):
    client = serializers.PrimaryKeyRelatedField(queryset=Client.objects.none())
    appointment = serializers.PrimaryKeyRelatedField(
        queryset=Appointment.objects.none(), required=False, allow_null=True
    )
    author_name = serializers.CharField(source="author.__str__", read_only=True)
    minutes_spent = serializers.IntegerField(
        min_value=1, max_value=MAX_DURATION_MINUTES, required=False, allow_null=True
    )
    addenda = NoteAddendumSerializer(many=True, read_only=True)

    class Meta:
        model = EncounterNote
        fields = [
            "id",
            "client",
            "appointment",
            "author",
            "author_name",
            *NOTE_EDITABLE_FIELDS,
            "status",
            "signed_at",
            "signed_by",
            "requires_cosign",
            "cosigned_at",
            "cosigned_by",
            "addenda",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "author",
            "status",
            "signed_at",
            "signed_by",
            "requires_cosign",
            "cosigned_at",
            "cosigned_by",
            "created_at",
            "updated_at",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            self.fields["client"].queryset = access.clients_visible_to(request.user, access.CHANGE)
            self.fields["appointment"].queryset = selectors.appointment_list_for_user(request.user)
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            self.fields["client"].read_only = True
            self.fields["appointment"].read_only = True

    def validate(self, attrs):
        appointment = attrs.get("appointment")
        if appointment is not None and appointment.client_id != attrs["client"].pk:
            raise serializers.ValidationError({"appointment": ["That appointment is for another client."]})
        return attrs


class AddendumCreateSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=ADDENDUM_MAX_LENGTH)


class NoteViewSet(
    ConcurrencyControlMixin,
    AuditedRecordsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Session notes the caller may read. A signed note's update is refused (400): add an addendum."""

    serializer_class = EncounterNoteSerializer
    audit_page = "api-notes"
    permission_classes = [ReadPermissions]
    filterset_fields = ["client", "status", "author"]
    ordering = ["-created_at", "-id"]
    queryset = EncounterNote.objects.none()

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not section_can_see(request.user, Section.NOTE_TEXT):
            raise PermissionDenied("Session notes are not part of the minimum-necessary view.")

    def get_queryset(self):
        return selectors.note_list_for_user(self.request.user).prefetch_related("addenda__author")

    def _fresh(self, note):
        return self.get_serializer(self.get_queryset().get(pk=note.pk)).data

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        note = services.note_create(
            client=data["client"],
            appointment=data.get("appointment"),
            acting_user=request.user,
            data={k: v for k, v in data.items() if k in NOTE_EDITABLE_FIELDS},
        )
        return Response(self._fresh(note), status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        note = self.get_object()
        if note.is_locked:
            raise ApiValidationError(
                {
                    "non_field_errors": [
                        "This note is signed and locked; it cannot be edited. Add an addendum."
                    ]
                }
            )
        if not selectors.notes_can_change(request.user, note.client):
            raise PermissionDenied("You may not change this client's record.")
        serializer = self.get_serializer(note, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        data = {k: v for k, v in serializer.validated_data.items() if k in NOTE_EDITABLE_FIELDS}
        note = services.note_update(
            note=note, acting_user=request.user, data=data, expected=self.concurrency_expected(note)
        )
        return Response(self._fresh(note))

    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        note = services.note_sign(note=self.get_object(), acting_user=request.user)
        return Response(self._fresh(note))

    @action(detail=True, methods=["post"])
    def cosign(self, request, pk=None):
        note = services.note_cosign(note=self.get_object(), acting_user=request.user)
        return Response(self._fresh(note))

    @action(detail=True, methods=["post"], serializer_class=AddendumCreateSerializer)
    def addenda(self, request, pk=None):
        note = self.get_object()
        if not selectors.addenda_can_add(request.user):
            raise PermissionDenied("Your role does not add addenda.")
        serializer = AddendumCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        addendum = services.note_addendum_add(
            note=note, acting_user=request.user, text=serializer.validated_data["text"]
        )
        return Response(NoteAddendumSerializer(addendum).data, status=status.HTTP_201_CREATED)
