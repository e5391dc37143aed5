"""What every API over client records shares: read permissions by role, and audited list/retrieve.

Below the apps (``config/api.py`` imports every app's viewsets for the router, so the shared
pieces live here instead). ``ReadPermissions`` is the API's one model-permission class: a viewset
that needs more composes it with another permission (``[RefuseMinimumNecessary, ReadPermissions]``)
rather than declaring its own copy (``tests/careteam/test_access_vocabulary.py`` holds that).
"""

from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission, DjangoModelPermissions
from rest_framework.response import Response

from .access import minimum_necessary_view
from .audit import audit_client_ids_listed, audit_log
from .models import AuditAction


class ReadPermissions(DjangoModelPermissions):
    """The role's model permission (view for reads); which rows is decided by the scoped queryset."""

    perms_map = {**DjangoModelPermissions.perms_map, "GET": ["%(app_label)s.view_%(model_name)s"]}


class RefuseMinimumNecessary(BasePermission):
    """A minimum-necessary user (peer specialist) is refused outright, before the role's model
    permission is looked at: 403 with the viewset's ``minimum_necessary_refusal``. List it first."""

    def has_permission(self, request, view):
        if request.user.is_authenticated and minimum_necessary_view(request.user):
            raise PermissionDenied(view.minimum_necessary_refusal)
        return True


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
