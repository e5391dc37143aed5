"""REST API for logged contacts: list (scoped, ``?client=``) and create. Contacts are never edited."""

from __future__ import annotations

from rest_framework import mixins, serializers, viewsets

from careteam import access
from careteam.api_base import ReadPermissions
from careteam.audit import audit_clients_listed
from clients.models import Client, ClientContact

from . import selectors, services


class ContactSerializer(serializers.ModelSerializer):
    client = serializers.PrimaryKeyRelatedField(queryset=Client.objects.none())
    staff_name = serializers.CharField(source="staff.__str__", read_only=True)
    contacted_at = serializers.DateTimeField(required=False)

    class Meta:
        model = ClientContact
        fields = [
            "id",
            "client",
            "staff",
            "staff_name",
            "contacted_at",
            "mode",
            "purpose",
            "reached",
            "summary",
        ]
        read_only_fields = ["id", "staff"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            self.fields["client"].queryset = access.clients_visible_to(request.user)


class ContactViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    serializer_class = ContactSerializer
    permission_classes = [ReadPermissions]
    filterset_fields = ["client", "purpose", "mode", "reached"]
    ordering_fields = ["contacted_at"]
    ordering = ["-contacted_at", "-id"]
    queryset = ClientContact.objects.none()

    def get_queryset(self):
        return selectors.contact_list_for_user(self.request.user)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        audit_clients_listed(
            user=request.user, clients={c.client for c in page}, detail={"page": "api-contacts"}
        )
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        client = data.pop("client")
        serializer.instance = services.contact_log(client=client, acting_user=self.request.user, data=data)
