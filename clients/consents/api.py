"""REST API for consents (list / retrieve / create, ``revoke``) and the accounting of disclosures
(read-only). Minimum-necessary roles (peer specialists) see no consents: empty lists and 404s."""

from __future__ import annotations

from django.http import Http404
from django.utils import timezone
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from careteam import access
from careteam.api_base import AuditedRecordsMixin, ReadPermissions
from clients.models import Client, Consent, Disclosure, InformationCategory

from . import selectors, services
from .forms import organization_model


class ConsentSerializer(serializers.ModelSerializer):
    client = serializers.PrimaryKeyRelatedField(queryset=Client.objects.none())
    recipient_organization = serializers.PrimaryKeyRelatedField(
        queryset=organization_model().objects.all(), required=False, allow_null=True
    )
    recipient = serializers.CharField(source="recipient_display", read_only=True)
    categories = serializers.ListField(
        child=serializers.ChoiceField(choices=InformationCategory.choices),
        required=False,
        default=list,
        max_length=len(InformationCategory.choices),
    )
    is_active = serializers.SerializerMethodField()

    class Meta:
        model = Consent
        fields = [
            "id",
            "client",
            "kind",
            "recipient_organization",
            "recipient_name",
            "recipient",
            "purpose",
            "categories",
            "signed_on",
            "signature_method",
            "expires_on",
            "expires_on_event",
            "revoked_on",
            "revoked_reason",
            "is_active",
            "recorded_by",
            "recorded_at",
        ]
        read_only_fields = ["id", "revoked_on", "revoked_reason", "recorded_by", "recorded_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            self.fields["client"].queryset = access.clients_visible_to(request.user, access.CHANGE)

    def get_is_active(self, consent) -> bool:
        return consent.is_active_on(timezone.localdate())


class RevokeSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)
    on = serializers.DateField(required=False, allow_null=True, default=None)


class ConsentViewSet(
    AuditedRecordsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Consents are recorded and revoked, never edited or deleted."""

    serializer_class = ConsentSerializer
    audit_page = "api-consents"
    permission_classes = [ReadPermissions]
    filterset_fields = ["client", "kind", "recipient_organization"]
    ordering_fields = ["signed_on", "expires_on"]
    ordering = ["-signed_on", "-id"]
    queryset = Consent.objects.none()

    def get_queryset(self):
        return selectors.consent_list_for_user(self.request.user)

    def check_permissions(self, request):
        # A peer specialist never learns which consents exist: 404 for every consent URL.
        if request.user.is_authenticated and not selectors.consents_can_see(request.user):
            raise Http404("No consents.")
        super().check_permissions(request)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        client = data.pop("client")
        data["recipient_name"] = data.get("recipient_name", "")
        serializer.instance = services.consent_record(client=client, acting_user=self.request.user, data=data)

    @action(detail=True, methods=["post"], serializer_class=RevokeSerializer)
    def revoke(self, request, pk=None):
        """Revoke from ``on`` (default today); a second revoke answers 400."""
        consent = self.get_object()
        if not selectors.consents_can_revoke(request.user, consent.client):
            self.permission_denied(request)
        serializer = RevokeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        consent = services.consent_revoke(
            consent=consent,
            acting_user=request.user,
            reason=serializer.validated_data["reason"],
            on=serializer.validated_data["on"],
        )
        return Response(ConsentSerializer(consent, context=self.get_serializer_context()).data)


class DisclosureSerializer(serializers.ModelSerializer):
    recipient = serializers.SerializerMethodField()
    disclosed_by_name = serializers.CharField(source="disclosed_by.__str__", read_only=True)

    class Meta:
        model = Disclosure
        fields = [
            "id",
            "client",
            "disclosed_at",
            "recipient_organization",
            "recipient_name",
            "recipient",
            "categories",
            "description",
            "purpose",
            "consent",
            "disclosed_by",
            "disclosed_by_name",
            "source_type",
            "source_id",
        ]
        read_only_fields = fields

    def get_recipient(self, d) -> str:
        return str(d.recipient_organization) if d.recipient_organization_id else d.recipient_name


class DisclosureViewSet(AuditedRecordsMixin, viewsets.ReadOnlyModelViewSet):
    """The accounting of disclosures; rows are written by the services that disclose."""

    serializer_class = DisclosureSerializer
    audit_page = "api-disclosures"
    permission_classes = [ReadPermissions]
    filterset_fields = ["client", "recipient_organization", "consent"]
    ordering_fields = ["disclosed_at"]
    ordering = ["-disclosed_at", "-id"]
    queryset = Disclosure.objects.none()

    def get_queryset(self):
        return selectors.disclosure_list_for_user(self.request.user)

    def check_permissions(self, request):
        if request.user.is_authenticated and not selectors.disclosures_can_see(request.user):
            raise Http404("No disclosures.")
        super().check_permissions(request)
