"""REST API for peer profiles, peer matches and peer assignments, scoped exactly like the pages."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from careteam.api_base import ConcurrencyControlMixin, ReadPermissions
from careteam.api_filters import row_id
from careteam.audit import Entry, audit_log, audit_log_many
from careteam.fields import COMMENT_MAX_LENGTH
from careteam.models import AuditAction, User
from careteam.roles import Role
from clients.models import LANGUAGE_CHOICES
from clients.selectors import client_get_for_user

from ..models import ExperienceArea, Pathway, PeerAssignment, PeerCertification, PeerProfile
from . import selectors, services


class CertificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = PeerCertification
        fields = ["id", "name", "issuer", "expires_on"]


class PeerProfileSerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField()
    experience_areas = serializers.MultipleChoiceField(choices=ExperienceArea.choices, required=False)
    # Plain strings checked against the client record's language codes (a second enum of the
    # same choices would collide in the OpenAPI schema).
    languages = serializers.ListField(
        child=serializers.CharField(max_length=8), required=False, max_length=len(LANGUAGE_CHOICES)
    )
    pathways = serializers.MultipleChoiceField(choices=Pathway.choices, required=False)
    certifications = CertificationSerializer(many=True, read_only=True)

    class Meta:
        model = PeerProfile
        fields = ["id", "user", "name", *services.PROFILE_FIELDS, "certifications"]
        read_only_fields = ["id", "user", "name", "trained_for_youth", "caseload_capacity", "certifications"]

    def get_name(self, obj) -> str:
        return obj.user.get_full_name() or obj.user.username

    def validate_languages(self, value):
        known = dict(LANGUAGE_CHOICES)
        unknown = [v for v in value if v not in known]
        if unknown:
            raise ValidationError(f"Unknown language code(s): {', '.join(unknown)}.")
        return sorted(set(value))

    def to_representation(self, instance):
        data = super().to_representation(instance)
        for key in ("experience_areas", "languages", "pathways"):
            data[key] = sorted(data[key])
        return data


class PeerProfileViewSet(
    ConcurrencyControlMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Peer profiles: staff read them; a peer specialist updates only their own (with ``If-Match``)."""

    serializer_class = PeerProfileSerializer
    permission_classes = [ReadPermissions]

    def get_queryset(self):
        return (
            PeerProfile.objects.filter(user__is_active=True)
            .select_related("user")
            .prefetch_related("certifications")
        )

    def perform_update(self, serializer):
        if serializer.instance.user_id != self.request.user.pk:
            raise PermissionDenied("You may update only your own peer profile.")
        data = {k: sorted(v) if isinstance(v, set) else v for k, v in serializer.validated_data.items()}
        serializer.instance = services.peer_profile_update(
            profile=serializer.instance,
            acting_user=self.request.user,
            data=data,
            fields=services.PROFILE_SELF_FIELDS,
            expected=self.concurrency_expected(serializer.instance),
        )


class PeerMatchSerializer(serializers.Serializer):
    """Output only: the ranked matches (``GET``); nothing is written through it."""

    peer = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    score = serializers.IntegerField(read_only=True)
    reasons = serializers.ListField(child=serializers.CharField(), read_only=True)
    cautions = serializers.ListField(child=serializers.CharField(), read_only=True)
    remaining_capacity = serializers.IntegerField(read_only=True)
    capacity = serializers.IntegerField(read_only=True)


class PeerMatchViewSet(viewsets.GenericViewSet):
    """``GET /peer-matches/?client=<id>``: the ranked peers for a client the user may see, with reasons."""

    permission_classes = [IsAuthenticated]
    serializer_class = PeerMatchSerializer
    pagination_class = None
    queryset = PeerProfile.objects.none()  # for the schema only; rows come from the selector

    def list(self, request):
        if not request.user.has_perm("peers.add_peerassignment"):
            raise PermissionDenied("Only staff who assign peers see matches.")
        client_id = request.query_params.get("client")
        if not client_id:
            raise ValidationError({"client": ["Give the client's id."]})
        client = client_get_for_user(request.user, client_id)
        matches = selectors.peer_matches_for_client(client, today=timezone.localdate())
        audit_log(
            user=request.user,
            action=AuditAction.VIEW,
            client=client,
            obj=client,
            detail={"api": "peer-matches"},
        )
        return Response(
            {
                "client": client.pk,
                "results": [
                    {
                        "peer": m.peer.user_id,
                        "name": m.peer.name,
                        "score": m.score,
                        "reasons": m.reasons,
                        "cautions": m.cautions,
                        "remaining_capacity": m.remaining_capacity,
                        "capacity": m.peer.capacity,
                    }
                    for m in matches
                ],
            }
        )


class PeerAssignmentSerializer(serializers.ModelSerializer):
    peer_name = serializers.SerializerMethodField()

    class Meta:
        model = PeerAssignment
        fields = [
            "id",
            "client",
            "peer",
            "peer_name",
            "started_on",
            "ended_on",
            "end_reason",
            "goals",
            "match_reasons",
        ]
        read_only_fields = fields

    def get_peer_name(self, obj) -> str:
        return obj.peer.get_full_name() or obj.peer.username


class PeerAssignmentCreateSerializer(serializers.Serializer):
    client = serializers.IntegerField()
    peer = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True, groups__name=Role.PEER_SPECIALIST)
    )
    goals = serializers.CharField(max_length=COMMENT_MAX_LENGTH)
    override_capacity = serializers.BooleanField(default=False)


class PeerAssignmentEndSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


class PeerAssignmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Peer assignments of visible clients; create starts one, ``end`` ends it (access follows)."""

    serializer_class = PeerAssignmentSerializer
    permission_classes = [ReadPermissions]

    def get_queryset(self):
        qs = selectors.peer_assignment_list_for_user(self.request.user)
        client = row_id(self.request.query_params.get("client"))
        if client:
            qs = qs.filter(client_id=client)
        if self.request.query_params.get("active") == "1":
            qs = qs.filter(ended_on__isnull=True)
        return qs

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        rows = response.data["results"] if isinstance(response.data, dict) else response.data
        audit_log_many(
            user=request.user,
            entries=[
                Entry(
                    action=AuditAction.LIST,
                    client_id=row["client"],
                    object_type="peers.peerassignment",
                    object_id=str(row["id"]),
                    detail={"api": "peer-assignments"},
                )
                for row in rows
            ],
        )
        return response

    def retrieve(self, request, *args, **kwargs):
        obj = self.get_object()
        audit_log(user=request.user, action=AuditAction.VIEW, client=obj.client_id, obj=obj)
        return Response(self.get_serializer(obj).data)

    def create(self, request, *args, **kwargs):
        data = PeerAssignmentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        client = client_get_for_user(request.user, data.validated_data["client"])
        peer = data.validated_data["peer"]
        match = next(
            (
                m
                for m in selectors.peer_matches_for_client(client, today=timezone.localdate())
                if m.peer.user_id == peer.pk
            ),
            None,
        )
        assignment = services.peer_assignment_start(
            client=client,
            peer=peer,
            acting_user=request.user,
            goals=data.validated_data["goals"],
            match_reasons=(match.reasons + match.cautions) if match else [],
            override_capacity=data.validated_data["override_capacity"],
        )
        return Response(PeerAssignmentSerializer(assignment).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        if not request.user.has_perm("peers.change_peerassignment"):
            raise PermissionDenied("You may not end peer assignments.")
        assignment = self.get_object()
        data = PeerAssignmentEndSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        assignment = services.peer_assignment_end(
            assignment=assignment, acting_user=request.user, reason=data.validated_data["reason"]
        )
        return Response(PeerAssignmentSerializer(assignment).data)
