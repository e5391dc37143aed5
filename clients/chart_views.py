"""The chart's view helpers, shared by every app that adds a tab or a page to the client chart.

A library, not a views module: apps import these; nobody imports another app's ``views``.
"""

from __future__ import annotations

from functools import cached_property

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from careteam import access
from careteam.audit import audit_log, audit_reason
from careteam.concurrency import ConcurrencyFormMixin, StaleEditError
from careteam.errors import DomainError
from careteam.models import AuditAction
from careteam.timezones import user_time_zone

from . import selectors
from .chart import alerts_for, tabs_for


def add_service_errors(form, exc: Exception) -> None:
    """Show a service's refusal on the form without losing what the user typed. A stale save
    (``StaleEditError``) on a versioned form also lists what changed and carries the new version."""
    if isinstance(exc, StaleEditError) and isinstance(form, ConcurrencyFormMixin):
        form.refuse_stale(exc)
    elif isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    elif isinstance(exc, DomainError):
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    else:
        form.add_error(None, exc.messages if isinstance(exc, ValidationError) else str(exc))


class UserTimeZoneMixin:
    """Read and write times in the user's time zone for the whole request (every page where staff
    enter or read appointment, note, contact, crisis or referral times)."""

    def dispatch(self, request, *args, **kwargs):
        with timezone.override(user_time_zone(request.user)):
            return super().dispatch(request, *args, **kwargs)


class ChartMixin(LoginRequiredMixin):
    """Loads the client the user may see (404 otherwise) and the chart shell's context."""

    perm = access.VIEW
    tab = ""
    # Rendering the chart shows client information, so chart_context() writes a VIEW row. Pages that
    # audit something more specific themselves (a tab, a note, a print) set this to skip that row.
    audits_own_view = False

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        # A client the user may not see is a 404 (missing and hidden look the same). One they
        # may see but not change here (a peer on the edit page) is a 403: no secret is kept by a 404.
        self.client_record = selectors.client_get_for_user(request.user, kwargs["pk"])
        self.require_stronger_access(request.user)
        if self.audit_reason and request.method not in ("GET", "HEAD", "OPTIONS"):
            # Seen only under break-the-glass: the grant is to read (DESIGN "Access"); writes stay
            # with the care team, who got the task. (Opening a crisis episode is the crisis quick-open.)
            raise PermissionDenied
        with audit_reason(self.audit_reason):  # every row this page writes under break-glass says why
            return super().dispatch(request, *args, **kwargs)

    def require_stronger_access(self, user) -> None:
        """403 unless the user holds ``perm`` on the client. View access was checked by the lookup, so
        only pages that need more (change, archive) ask again."""
        if self.perm == access.VIEW:
            return
        if not access.client_can_access(user, self.client_record, self.perm):
            raise PermissionDenied

    @property
    def audit_reason(self) -> str:
        """Why the user may see this client, for the audit rows the page writes: the break-glass
        justification when they see it only under emergency access (``client_get_for_user``), else ""."""
        return getattr(self.client_record, "emergency_access_reason", None) or ""

    @cached_property
    def manages_care_team(self) -> bool:
        """``access.care_team_can_manage`` for this request's user and client, asked once."""
        return access.care_team_can_manage(self.request.user, self.client_record)

    def chart_context(self, **extra) -> dict:
        client = self.client_record
        user = self.request.user
        if not self.audits_own_view:
            match = self.request.resolver_match
            audit_log(
                user=user,
                action=AuditAction.VIEW,
                client=client,
                obj=client,
                reason=self.audit_reason,
                detail={"page": match.view_name if match else self.request.path},
            )
        return {
            "client": client,
            "tabs": tabs_for(user, client),
            "alerts": alerts_for(user, client),
            "active_tab": self.tab,
            "can_edit": selectors.client_can_change(user, client),
            "can_manage_team": self.manages_care_team,
            **extra,
        }
