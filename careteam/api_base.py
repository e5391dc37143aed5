"""What every API over client records shares: read permissions by role, and audited list/retrieve.

Below the apps (``careteam/api.py`` imports every app's viewsets for the router, so the shared
pieces live here instead).
"""

from rest_framework.permissions import DjangoModelPermissions
from rest_framework.response import Response

from .audit import audit_client_ids_listed, audit_log
from .models import AuditAction


class ReadPermissions(DjangoModelPermissions):
    """The role's model permission (view for reads); which rows is decided by the scoped queryset."""

    perms_map = {**DjangoModelPermissions.perms_map, "GET": ["%(app_label)s.view_%(model_name)s"]}


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
