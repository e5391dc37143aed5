"""Read-only REST API of the resource directory: services (filtered like the search page) and organizations.

``GET /api/v1/directory/services/?category=food&text=pantry&language=es&open_now=true&accepting=true``
needs ``referrals.view_service``; ``/api/v1/directory/organizations/`` needs
``referrals.view_organization``. The directory holds no client information.
"""

from __future__ import annotations

from django.utils import timezone
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError

from careteam.api_base import ReadPermissions
from clients.models import NeedCategory
from referrals.models import Address, Organization, Phone, Schedule, Service, ServiceLanguage

from . import selectors

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}


class PhoneSerializer(serializers.ModelSerializer):
    class Meta:
        model = Phone
        fields = ["number", "extension", "type", "description"]


class LanguageSerializer(serializers.ModelSerializer):
    class Meta:
        model = ServiceLanguage
        fields = ["code", "name", "note"]


class ScheduleSerializer(serializers.ModelSerializer):
    class Meta:
        model = Schedule
        fields = ["byday", "opens_at", "closes_at", "timezone", "valid_from", "valid_to", "description"]


class AddressSerializer(serializers.ModelSerializer):
    class Meta:
        model = Address
        fields = ["address_1", "address_2", "city", "state_province", "postal_code", "country"]


class ServiceSerializer(serializers.ModelSerializer):
    organization = serializers.SerializerMethodField()
    categories = serializers.SerializerMethodField()
    languages = LanguageSerializer(many=True, read_only=True)
    phones = PhoneSerializer(many=True, read_only=True)
    schedules = ScheduleSerializer(many=True, read_only=True)
    addresses = serializers.SerializerMethodField()
    hours = serializers.SerializerMethodField()
    # Plain strings: the API schema would otherwise name yet another "status" enum.
    status = serializers.CharField(read_only=True)
    capacity = serializers.CharField(read_only=True, help_text="open, waitlist or full")
    open_now = serializers.SerializerMethodField()

    class Meta:
        model = Service
        fields = [
            "id",
            "hsds_id",
            "organization",
            "name",
            "description",
            "status",
            "eligibility_description",
            "minimum_age",
            "maximum_age",
            "fees_description",
            "application_process",
            "url",
            "email",
            "categories",
            "languages",
            "phones",
            "schedules",
            "addresses",
            "hours",
            "open_now",
            "accepts_electronic_referrals",
            "typical_response_days",
            "capacity",
            "capacity_updated_at",
        ]
        read_only_fields = fields

    def get_organization(self, obj: Service) -> dict:
        return {
            "id": obj.organization_id,
            "hsds_id": str(obj.organization.hsds_id),
            "name": obj.organization.name,
        }

    def get_categories(self, obj: Service) -> list[str]:
        return [t.code for t in obj.taxonomy_terms.all() if t.taxonomy == selectors.NEEDS_TAXONOMY]

    def get_addresses(self, obj: Service) -> list[dict]:
        return [
            AddressSerializer(a).data for _location, rows in selectors.location_addresses(obj) for a in rows
        ]

    def get_hours(self, obj: Service) -> str:
        return selectors.hours_summary(obj)

    def get_open_now(self, obj: Service) -> bool:
        return selectors.service_is_open(obj, self.context.get("now") or timezone.now())


class OrganizationSerializer(serializers.ModelSerializer):
    phones = PhoneSerializer(many=True, read_only=True)

    class Meta:
        model = Organization
        fields = ["id", "hsds_id", "name", "alternate_name", "description", "email", "website", "phones"]
        read_only_fields = fields


def _flag(params, name: str) -> bool:
    value = params.get(name, "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValidationError({name: ["Use true or false."]})


class ServiceViewSet(viewsets.ReadOnlyModelViewSet):
    """Directory services. Filters: ``category`` (a need), ``text``, ``language`` (ISO 639-1),
    ``open_now`` and ``accepting`` (true/false). Active services only in the list."""

    serializer_class = ServiceSerializer
    permission_classes = [ReadPermissions]  # the directory is not scoped per client
    queryset = Service.objects.none()  # for the permission class; get_queryset reads the selector

    def get_queryset(self):
        if self.action == "retrieve":
            return selectors._with_related(Service.objects.all())
        params = self.request.query_params
        category = params.get("category", "")
        if category and category not in NeedCategory.values:
            raise ValidationError({"category": [f"“{category}” is not a need category."]})
        return selectors.service_search(
            category=category,
            text=params.get("text", "")[:200],
            language=params.get("language", "")[:8],
            open_now=_flag(params, "open_now"),
            accepting=_flag(params, "accepting"),
        )

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "now": timezone.now()}


class OrganizationViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = OrganizationSerializer
    permission_classes = [ReadPermissions]  # the directory is not scoped per client
    queryset = Organization.objects.prefetch_related("phones").order_by("name", "id")
