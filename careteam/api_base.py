"""What every API over client records shares: read permissions by role, and audited list/retrieve.

Below the apps (``config/api.py`` imports every app's viewsets for the router, so the shared
pieces live here instead). ``ReadPermissions`` is the API's one model-permission class: a viewset
that needs more composes it with another permission (``[RefuseMinimumNecessary, ReadPermissions]``)
rather than declaring its own copy (``tests/careteam/test_access_vocabulary.py`` holds that).
``ConcurrencyControlMixin`` is the API half of optimistic concurrency (``careteam.concurrency``):
an ``ETag`` on every detail read, ``If-Match`` required on every update.
"""

from django.http import Http404
from django.utils.http import parse_etags, quote_etag
from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, PermissionDenied
from rest_framework.permissions import BasePermission, DjangoModelPermissions
from rest_framework.response import Response
from rest_framework.views import set_rollback

from . import access
from .access import minimum_necessary_view
from .audit import audit_client_ids_listed, audit_log
from .concurrency import Expected, StaleEditError, token_for
from .minimum_necessary import sections_visible_to
from .models import AuditAction


class ReadPermissions(DjangoModelPermissions):
    """The role's model permission (view for reads); which rows is decided by the scoped queryset."""

    perms_map = {**DjangoModelPermissions.perms_map, "GET": ["%(app_label)s.view_%(model_name)s"]}


class RefuseMinimumNecessary(BasePermission):
    """A user whose role may not see the viewset's ``refused_section`` (``careteam.minimum_necessary``;
    without one: any minimum-necessary user, i.e. a peer specialist) is refused outright, before the
    role's model permission is looked at: 403 with the viewset's ``minimum_necessary_refusal``. List it
    first."""

    def has_permission(self, request, view):
        if not request.user.is_authenticated:
            return True
        section = getattr(view, "refused_section", None)
        hidden = (
            section not in sections_visible_to(request.user)
            if section is not None
            else minimum_necessary_view(request.user)
        )
        if hidden:
            raise PermissionDenied(view.minimum_necessary_refusal)
        return True


class SectionFieldsMixin:
    """A serializer that leaves out the fields of the record sections the requesting user's role may not
    see (``careteam.minimum_necessary``: the one rule). ``section_fields`` maps a ``Section`` to the
    field names that carry it; nested serializers get the request through the context like any other.

    ``section_fields = {Section.PLAN_PROBLEM_TEXT: ("description",)}``
    """

    section_fields: dict = {}

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is None or not self.section_fields:
            return data
        visible = sections_visible_to(user)
        for section, names in self.section_fields.items():
            if section not in visible:
                for name in names:
                    data.pop(name, None)
        return data


class ClientFieldSerializerMixin:
    """A serializer whose ``client`` field takes only the clients the caller holds ``client_perm`` on
    (any other is "does not exist", like a client they may not see), and is read only once the record
    exists: a record does not move to another client."""

    client_perm = access.CHANGE

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            self.fields["client"].queryset = access.clients_visible_to(request.user, self.client_perm)
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            self.fields["client"].read_only = True


class AuditedRecordsMixin:
    """``list`` and ``retrieve`` of rows that belong to a client (``client_id``), audited: a LIST row per
    client on the page, a VIEW row for the record opened. Which rows a user gets is the viewset's
    ``get_queryset`` (a selector scoped to the user); a row outside it is a 404."""

    audit_page = ""  # ``detail["page"]`` of the LIST rows, e.g. "api-needs"

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        audit_client_ids_listed(
            user=request.user, client_ids=(row.client_id for row in page), detail={"page": self.audit_page}
        )
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        obj = self.get_object()
        audit_log(
            user=request.user, action=AuditAction.VIEW, client=obj.client_id, obj=obj, detail={"via": "api"}
        )
        return Response(self.get_serializer(obj).data)


# --- optimistic concurrency: ETag and If-Match --------------------------------------------------------

VERSIONED_ACTIONS = ("retrieve", "update", "partial_update")
UPDATE_ACTIONS = ("update", "partial_update")


class PreconditionRequired(APIException):
    """RFC 6585 §3: an update must say which version it was made from."""

    status_code = 428
    default_detail = _(
        "This update needs an If-Match header. GET the record first and send its ETag back in "
        "If-Match, so that a change someone made since you read it is not overwritten."
    )
    default_code = "precondition_required"


class PreconditionFailedSerializer(serializers.Serializer):
    """The body of a 412: what changed since the caller's ETag, and the record's version now."""

    detail = serializers.CharField()
    changed = serializers.ListField(
        child=serializers.CharField(),
        allow_null=True,
        help_text="The fields changed since the version in If-Match (null when that ETag cannot say).",
    )
    current = serializers.DictField(help_text="Those fields as they are saved now.")
    etag = serializers.CharField(help_text="The record's ETag now (also in the ETag header).")


class PreconditionRequiredSerializer(serializers.Serializer):
    detail = serializers.CharField()


class ConcurrencyAutoSchema(AutoSchema):
    """Documents what ``ConcurrencyControlMixin`` adds: the ETag header, If-Match, 412 and 428."""

    def _action(self):
        return getattr(self.view, "action", None)

    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        if self._action() in VERSIONED_ACTIONS:
            parameters.append(
                OpenApiParameter(
                    "ETag",
                    OpenApiTypes.STR,
                    OpenApiParameter.HEADER,
                    response=[200, 412],
                    description="The record's version; send it back in If-Match to update it.",
                )
            )
        if self._action() in UPDATE_ACTIONS:
            parameters.append(
                OpenApiParameter(
                    "If-Match",
                    OpenApiTypes.STR,
                    OpenApiParameter.HEADER,
                    required=True,
                    description="The ETag of the version this update was made from (from a GET). "
                    "412 if the record changed since; 428 without it.",
                )
            )
        return parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if self._action() in UPDATE_ACTIONS:
            responses["412"] = self._get_response_for_code(
                PreconditionFailedSerializer, "412", direction=direction
            )
            responses["428"] = self._get_response_for_code(
                PreconditionRequiredSerializer, "428", direction=direction
            )
        return responses


class ConcurrencyControlMixin:
    """Optimistic concurrency for a viewset that updates records (DESIGN: "a stale save is refused").

    - ``retrieve`` answers with a strong ``ETag``: the version token (``careteam.concurrency``) of the
      fields an update may write (``concurrency_fields``; default: the serializer's writable model
      fields), so a change to anything else does not make a caller's copy stale.
    - ``update`` / ``partial_update`` must send ``If-Match``: without it 428 (RFC 6585), unless the
      update is refused for another reason first (400, 403). The viewset passes
      ``self.concurrency_expected(instance)`` to its service, which checks it under the row lock; a
      stale version is 412 with the changed fields and their current values, nothing written.
      ``If-Match: *`` updates whatever is there. A successful update answers with the new ``ETag``.
    """

    concurrency_fields: tuple[str, ...] | None = None
    schema = ConcurrencyAutoSchema()

    def get_concurrency_fields(self) -> tuple[str, ...]:
        if self.concurrency_fields is not None:
            return tuple(self.concurrency_fields)
        cached = getattr(self, "_concurrency_fields", None)
        if cached is None:
            serializer = self.get_serializer()
            model = serializer.Meta.model
            names = {f.name for f in model._meta.concrete_fields} | {f.name for f in model._meta.many_to_many}
            cached = tuple(
                name
                for name, field in serializer.fields.items()
                if not field.read_only and field.source == name and name in names
            )
            self._concurrency_fields = cached
        return cached

    def concurrency_token(self, obj) -> str:
        return token_for(obj, self.get_concurrency_fields())

    def get_object(self):
        obj = super().get_object()
        self._concurrency_object = obj
        return obj

    def concurrency_expected(self, instance) -> Expected | None:
        """The version this update must still find (from ``If-Match``), for the service to check under
        its lock; ``None`` for ``If-Match: *``. Without the header the service's check fails and the
        answer is 428 — after the service's own refusals (a signed plan is a 400 either way)."""
        header = self.request.headers.get("If-Match", "").strip()
        self._if_match_missing = not header
        fields = self.get_concurrency_fields()
        if not header:
            return Expected(token="", fields=fields)
        tags = parse_etags(header)
        if "*" in tags:
            return None
        sent = [tag[1:-1] for tag in tags if tag.startswith('"')]  # a weak ETag never matches (RFC 9110)
        current = token_for(instance, fields)
        token = current if current in sent else (sent[0] if sent else "")
        return Expected(token=token, fields=fields)

    def _precondition_failed(self, exc: StaleEditError) -> Response:
        try:
            representation = self.get_serializer(self.get_object()).data
        except (Http404, APIException):  # gone meanwhile: the 412 still says what changed, as stored
            representation = exc.current
        names = exc.changed if exc.changed is not None else list(exc.current)
        body = {
            "detail": _(
                "This record changed since the version in If-Match; nothing was saved. "
                "GET it again, review the changes and send the new ETag."
            ),
            "changed": exc.changed,
            "current": {name: representation.get(name, exc.current.get(name)) for name in names},
            "etag": quote_etag(exc.token),
        }
        set_rollback()
        return Response(
            body, status=status.HTTP_412_PRECONDITION_FAILED, headers={"ETag": quote_etag(exc.token)}
        )

    def handle_exception(self, exc):
        if isinstance(exc, StaleEditError) and getattr(self, "action", None) in UPDATE_ACTIONS:
            if getattr(self, "_if_match_missing", False):
                return super().handle_exception(PreconditionRequired())
            return self._precondition_failed(exc)
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        obj = getattr(self, "_concurrency_object", None)
        action = getattr(self, "action", None)
        if obj is not None and action in VERSIONED_ACTIONS and 200 <= response.status_code < 300:
            if action in UPDATE_ACTIONS:  # the version now saved, not the one the update started from
                obj = type(obj)._base_manager.filter(pk=obj.pk).first()
            if obj is not None:
                response["ETag"] = quote_etag(self.concurrency_token(obj))
        return response
