"""REST API for crisis episodes, safety plans, follow-up checkpoints and caring-contact plans.

Scoped exactly like the pages: a client the caller may not see is a 404; lists write one audit
LIST row per client shown, reads a VIEW row. Writes go through ``crisis.services``; refusals are
400s with field messages (``careteam.api.api_exception_handler``).
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import set_rollback

from careteam import access
from careteam.api_base import AuditedRecordsMixin, ReadPermissions
from careteam.concurrency import Expected, StaleEditError, token_for
from careteam.models import User
from clients.models import Client
from outreach.models import Channel

from . import checkpoints, selectors, services
from .models import (
    CaringContactPlan,
    CaringContactProtocol,
    CrisisEpisode,
    Disposition,
    FollowUpCheckpoint,
    ImmediateAction,
    PresentingConcern,
    RiskLevel,
    SafetyPlanReason,
    SafetyPlanVersion,
)

# Caring contacts go by text or email (never a phone task); named for the API schema's enum.
CARING_CONTACT_CHANNELS = [(Channel.SMS.value, Channel.SMS.label), (Channel.EMAIL.value, Channel.EMAIL.label)]


# --- episodes ---------------------------------------------------------------------------------------


class CrisisEpisodeSerializer(serializers.ModelSerializer):
    client = serializers.PrimaryKeyRelatedField(queryset=Client.objects.none())
    concerns = serializers.MultipleChoiceField(choices=PresentingConcern.choices, allow_empty=False)
    immediate_actions = serializers.MultipleChoiceField(choices=ImmediateAction.choices, required=False)
    risk_level = serializers.ChoiceField(
        choices=RiskLevel.choices, required=False, allow_blank=True, default=""
    )
    responders = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), many=True, required=False
    )
    opened_by_name = serializers.CharField(source="opened_by.__str__", read_only=True)
    caring_contacts = serializers.ChoiceField(
        choices=["auto", "yes", "no"],
        default="auto",
        write_only=True,
        help_text="Start caring contacts: auto (from moderate risk up), yes or no.",
    )

    class Meta:
        model = CrisisEpisode
        fields = [
            "id",
            "client",
            "opened_at",
            "opened_by",
            "opened_by_name",
            "source",
            "concerns",
            "risk_level",
            "risk_source",
            "risk_screen",
            "immediate_actions",
            "summary",
            "caring_contacts",
            "responders",
            "disposition",
            "disposition_at",
            "disposition_note",
            "closed_at",
        ]
        read_only_fields = [
            "id",
            "opened_at",
            "opened_by",
            "risk_source",
            "risk_screen",
            "disposition",
            "disposition_at",
            "disposition_note",
            "closed_at",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            self.fields["client"].queryset = selectors._candidates(request.user)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["concerns"] = list(instance.concerns)
        data["immediate_actions"] = list(instance.immediate_actions)
        return data


class EpisodeCloseSerializer(serializers.Serializer):
    """Closing takes no input."""


class DispositionSerializer(serializers.Serializer):
    disposition = serializers.ChoiceField(choices=Disposition.choices)
    disposition_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class CrisisEpisodeViewSet(
    AuditedRecordsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Crisis episodes of the clients the caller may see. No delete; ``disposition`` and ``close`` actions."""

    serializer_class = CrisisEpisodeSerializer
    permission_classes = [ReadPermissions]
    filterset_fields = ["client", "risk_level", "disposition"]
    ordering_fields = ["opened_at"]
    ordering = ["-opened_at", "-id"]
    queryset = CrisisEpisode.objects.none()
    audit_page = "api-crisis-episodes"

    def get_queryset(self):
        return selectors.episode_list_for_user(self.request.user).prefetch_related("responders")

    def create(self, request, *args, **kwargs):
        """A client the caller may not open an episode for (another organisation's, without a current
        break-the-glass grant) is a 404, like any record they may not see; missing looks the same."""
        client_id = request.data.get("client") if hasattr(request.data, "get") else None
        if client_id not in (None, ""):
            selectors.open_candidate_get(request.user, client_id)
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data["concerns"] = sorted(data["concerns"])
        data["immediate_actions"] = sorted(data.get("immediate_actions") or [])
        serializer.instance = services.episode_open(
            client=data["client"], acting_user=self.request.user, data=data
        )

    def _change(self, episode):
        if not selectors.crisis_record_can_change(
            self.request.user, episode.client, "crisis.change_crisisepisode"
        ):
            self.permission_denied(self.request, message="You may not change this episode.")

    @action(detail=True, methods=["post"], serializer_class=DispositionSerializer)
    def disposition(self, request, pk=None):
        episode = self.get_object()
        self._change(episode)
        s = DispositionSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        episode = services.episode_record_disposition(
            episode=episode,
            disposition=s.validated_data["disposition"],
            at=s.validated_data["disposition_at"],
            note=s.validated_data["note"],
            acting_user=request.user,
        )
        return Response(CrisisEpisodeSerializer(episode, context=self.get_serializer_context()).data)

    @action(detail=True, methods=["post"], serializer_class=EpisodeCloseSerializer)
    def close(self, request, pk=None):
        episode = self.get_object()
        self._change(episode)
        episode = services.episode_close(episode=episode, acting_user=request.user)
        return Response(CrisisEpisodeSerializer(episode, context=self.get_serializer_context()).data)


# --- safety plans -----------------------------------------------------------------------------------


class ContactRowSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=150, allow_blank=True)
    phone = serializers.CharField(max_length=40, allow_blank=True, required=False, default="")


def _section_field() -> serializers.ListField:
    return serializers.ListField(
        child=serializers.CharField(max_length=services.SAFETY_PLAN_ENTRY_MAX_LENGTH),
        required=False,
        max_length=services.SAFETY_PLAN_SECTION_MAX_ENTRIES,
    )


class SafetyPlanSerializer(serializers.ModelSerializer):
    client = serializers.PrimaryKeyRelatedField(queryset=Client.objects.none())
    reason = serializers.ChoiceField(choices=SafetyPlanReason.choices)
    author_name = serializers.CharField(source="author.__str__", read_only=True)
    warning_signs = _section_field()
    coping_strategies = _section_field()
    distractions = _section_field()
    help_contacts = ContactRowSerializer(
        many=True, required=False, max_length=services.SAFETY_PLAN_SECTION_MAX_ENTRIES
    )
    professionals = ContactRowSerializer(
        many=True, required=False, max_length=services.SAFETY_PLAN_SECTION_MAX_ENTRIES
    )
    environment_safety = _section_field()
    reasons_for_living = _section_field()
    based_on_version = serializers.IntegerField(
        write_only=True,
        allow_null=True,
        min_value=1,
        help_text=(
            "The version this plan was written from (the latest when you read it), or null for the "
            "client's first plan. If someone saved a newer version since, the answer is 412 and "
            "nothing is saved, so their changes are not silently replaced."
        ),
    )

    class Meta:
        model = SafetyPlanVersion
        fields = [
            "id",
            "client",
            "version",
            "author",
            "author_name",
            "created_at",
            "reason",
            "episode",
            "based_on_version",
            *services.SAFETY_PLAN_SECTIONS,
        ]
        read_only_fields = ["id", "version", "author", "created_at", "episode"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            self.fields["client"].queryset = access.clients_visible_to(request.user, access.CHANGE)


# A safety plan is never edited, only superseded: the version number is what a new one must start from.
VERSION_FIELDS = ("version",)


class SafetyPlanViewSet(
    AuditedRecordsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Safety-plan versions (``?client=`` for one client's, newest first); creating one adds a version."""

    serializer_class = SafetyPlanSerializer
    permission_classes = [ReadPermissions]
    filterset_fields = ["client"]
    ordering = ["client", "-version"]
    queryset = SafetyPlanVersion.objects.none()
    audit_page = "api-safety-plans"

    def get_queryset(self):
        return selectors.safety_plan_list_for_user(self.request.user)

    def create(self, request, *args, **kwargs):
        try:
            return super().create(request, *args, **kwargs)
        except StaleEditError:
            set_rollback()
            client_pk = request.data.get("client")
            latest = selectors.current_safety_plan(client_pk) if str(client_pk).isdigit() else None
            body = {
                "detail": _(
                    "Someone saved a newer version of this safety plan since the one you started from; "
                    "nothing was saved. Read the latest version, merge your changes and send its number "
                    "as based_on_version."
                ),
                "current_version": latest.version if latest else None,
            }
            return Response(body, status=status.HTTP_412_PRECONDITION_FAILED)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        client = data.pop("client")
        reason = data.pop("reason")
        based_on = data.pop("based_on_version")
        started_from = None
        if based_on is not None:
            started_from = SafetyPlanVersion.objects.filter(client=client, version=based_on).first()
            if started_from is None:
                raise serializers.ValidationError(
                    {
                        "based_on_version": [
                            _("This client has no safety plan version %(n)d.") % {"n": based_on}
                        ]
                    }
                )
        # The service checks under its lock that the version started from is still the latest.
        expected = Expected(
            token=token_for(started_from, VERSION_FIELDS, model=SafetyPlanVersion), fields=VERSION_FIELDS
        )
        serializer.instance = services.safety_plan_save(
            client=client, acting_user=self.request.user, data=data, reason=reason, expected=expected
        )


# --- checkpoints ------------------------------------------------------------------------------------


class CheckpointSerializer(serializers.ModelSerializer):
    state = serializers.SerializerMethodField()
    met_at = serializers.SerializerMethodField()
    met_by = serializers.SerializerMethodField()

    class Meta:
        model = FollowUpCheckpoint
        fields = [
            "id",
            "episode",
            "client",
            "kind",
            "label",
            "meets",
            "window_start",
            "window_end",
            "state",
            "met_at",
            "met_by",
        ]

    def _state(self, obj):
        if not hasattr(obj, "_state_cache"):
            obj._state_cache = checkpoints.state_of(obj)
        return obj._state_cache

    def get_state(self, obj) -> str:
        return self._state(obj).state

    def get_met_at(self, obj) -> str | None:
        at = self._state(obj).met_at
        return at.isoformat() if at else None

    def get_met_by(self, obj) -> str:
        return self._state(obj).met_by


class CheckpointViewSet(AuditedRecordsMixin, viewsets.ReadOnlyModelViewSet):
    """Follow-up checkpoints with their computed state (met / due / missed / upcoming). Read only."""

    serializer_class = CheckpointSerializer
    permission_classes = [ReadPermissions]
    filterset_fields = ["client", "episode", "kind"]
    ordering = ["window_end", "id"]
    queryset = FollowUpCheckpoint.objects.none()
    audit_page = "api-checkpoints"

    def get_queryset(self):
        return selectors.checkpoint_list_for_user(self.request.user)


# --- caring contacts --------------------------------------------------------------------------------


class CaringContactPlanSerializer(serializers.ModelSerializer):
    client = serializers.PrimaryKeyRelatedField(queryset=Client.objects.none())
    protocol = serializers.PrimaryKeyRelatedField(
        queryset=CaringContactProtocol.objects.filter(is_active=True), required=False
    )
    channel = serializers.ChoiceField(choices=CARING_CONTACT_CHANNELS, required=False)
    signer = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True), required=False)
    start_date = serializers.DateField(required=False)
    episode = serializers.PrimaryKeyRelatedField(queryset=CrisisEpisode.objects.none(), required=False)

    class Meta:
        model = CaringContactPlan
        fields = [
            "id",
            "client",
            "protocol",
            "episode",
            "channel",
            "signer",
            "start_date",
            "started_by",
            "started_at",
            "stopped_at",
            "stop_reason",
        ]
        read_only_fields = ["id", "started_by", "started_at", "stopped_at", "stop_reason"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            self.fields["client"].queryset = access.clients_visible_to(request.user, access.CHANGE)
            self.fields["episode"].queryset = selectors.episode_list_for_user(request.user)

    def validate(self, attrs):
        episode = attrs.get("episode")
        if episode is not None and episode.client_id != attrs["client"].pk:
            raise serializers.ValidationError({"episode": ["That episode belongs to another client."]})
        return attrs


class StopSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


class CaringContactPlanViewSet(
    AuditedRecordsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Caring-contact plans; creating one schedules every message; ``stop`` cancels the pending ones."""

    serializer_class = CaringContactPlanSerializer
    permission_classes = [ReadPermissions]
    filterset_fields = ["client"]
    ordering = ["-started_at", "-id"]
    queryset = CaringContactPlan.objects.none()
    audit_page = "api-caring-contact-plans"

    def get_queryset(self):
        return selectors.caring_contact_plan_list_for_user(self.request.user)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.caring_contacts_start(acting_user=self.request.user, **data)

    @action(detail=True, methods=["post"], serializer_class=StopSerializer)
    def stop(self, request, pk=None):
        plan = self.get_object()
        if not selectors.crisis_record_can_change(
            request.user, plan.client, "crisis.change_caringcontactplan"
        ):
            self.permission_denied(request, message="You may not stop these caring contacts.")
        s = StopSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        plan = services.caring_contacts_stop(
            plan=plan, acting_user=request.user, reason=s.validated_data["reason"]
        )
        return Response(CaringContactPlanSerializer(plan, context=self.get_serializer_context()).data)
