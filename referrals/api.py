"""REST API for referrals, scoped like the pages: list, create a draft, retrieve with its timeline,
and ``transition`` ({to, note, outcome, outcome_note, refer_elsewhere}) enforcing the status table.
The partner's link is not part of the staff API."""

from __future__ import annotations

from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from careteam import access
from careteam.api_base import AuditedRecordsMixin, ReadPermissions
from careteam.fields import COMMENT_MAX_LENGTH
from clients.models import Client, InformationCategory, Need

from . import selectors, services
from .models import Referral, ReferralEvent, ReferralOutcome, ReferralStatus, Service, ServiceStatus


class ReferralEventSerializer(serializers.ModelSerializer):
    actor_name = serializers.SerializerMethodField()

    class Meta:
        model = ReferralEvent
        fields = [
            "id",
            "kind",
            "from_status",
            "to_status",
            "actor_kind",
            "actor",
            "actor_name",
            "note",
            "occurred_at",
        ]

    def get_actor_name(self, event) -> str:
        return str(event.actor) if event.actor_id else ""


class ReferralSerializer(serializers.ModelSerializer):
    client = serializers.PrimaryKeyRelatedField(queryset=Client.objects.none())
    need = serializers.PrimaryKeyRelatedField(queryset=Need.objects.none(), required=False, allow_null=True)
    service = serializers.PrimaryKeyRelatedField(queryset=Service.objects.filter(status=ServiceStatus.ACTIVE))
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    service_name = serializers.CharField(source="service.name", read_only=True)
    shared_categories = serializers.ListField(
        child=serializers.ChoiceField(choices=InformationCategory.choices),
        required=False,
        default=list,
        max_length=len(InformationCategory.choices),
    )

    class Meta:
        model = Referral
        fields = [
            "id",
            "client",
            "need",
            "service",
            "service_name",
            "organization",
            "organization_name",
            "referred_by",
            "reason",
            "urgency",
            "category",
            "shared_categories",
            "shared_summary",
            "consent",
            "warm_handoff",
            "warm_handoff_how",
            "appointment_at",
            "status",
            "status_changed_at",
            "outcome",
            "outcome_note",
            "requested_at",
            "first_response_at",
            "closed_at",
            "last_activity_at",
            "flagged_at",
            "flag_reason",
            "created_at",
        ]
        read_only_fields = [
            f
            for f in fields
            if f
            not in {
                "client",
                "need",
                "service",
                "reason",
                "urgency",
                "shared_categories",
                "shared_summary",
                "warm_handoff",
                "warm_handoff_how",
                "appointment_at",
            }
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            visible = access.clients_visible_to(request.user)
            self.fields["client"].queryset = visible
            self.fields["need"].queryset = Need.objects.filter(client__in=visible.values("pk"))


class ReferralDetailSerializer(ReferralSerializer):
    events = ReferralEventSerializer(many=True, read_only=True)

    class Meta(ReferralSerializer.Meta):
        fields = [*ReferralSerializer.Meta.fields, "events"]


class TransitionSerializer(serializers.Serializer):
    to = serializers.ChoiceField(choices=ReferralStatus.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=COMMENT_MAX_LENGTH)
    outcome = serializers.ChoiceField(
        choices=ReferralOutcome.choices, required=False, allow_blank=True, default=""
    )
    outcome_note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
    refer_elsewhere = serializers.BooleanField(required=False, default=False)


class ReferralViewSet(
    AuditedRecordsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Referrals of the clients the caller may see. No delete: referrals are cancelled or entered in error."""

    permission_classes = [ReadPermissions]
    filterset_fields = ["client", "status", "urgency", "organization", "referred_by"]
    ordering_fields = ["created_at", "requested_at", "status", "appointment_at"]
    ordering = ["-created_at", "-id"]
    queryset = Referral.objects.none()

    def get_queryset(self):
        qs = selectors.referral_list_for_user(self.request.user)
        if self.action == "retrieve":
            qs = qs.prefetch_related("events__actor")
        return qs

    def get_serializer_class(self):
        if self.action == "retrieve":
            return ReferralDetailSerializer
        if self.action == "transition":
            return TransitionSerializer
        return ReferralSerializer

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        client = data.pop("client")
        if not selectors.referrals_can_refer(self.request.user, client):
            raise PermissionDenied("You may not refer this client.")
        serializer.instance = services.referral_create(
            client=client, acting_user=self.request.user, data=data
        )

    @action(detail=True, methods=["post"], permission_classes=[ReadPermissions])
    def transition(self, request, pk=None):
        referral = self.get_object()
        if not selectors.referrals_can_change(request.user, referral.client):
            raise PermissionDenied("You may not change this referral.")
        body = TransitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        # A refused consent gate is a DomainError on "consent": the shared handler makes it a 400.
        services.referral_transition(referral=referral, acting_user=request.user, **body.validated_data)
        referral = selectors.referral_get_for_user(request.user, referral.pk)
        return Response(ReferralDetailSerializer(referral, context={"request": request}).data)
