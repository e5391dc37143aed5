"""The chart's view helpers, shared by every app that adds a tab or a page to the client chart.

A library, not a views module: apps import these; nobody imports another app's ``views``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from careteam import access
from careteam.audit import audit_log, audit_reason
from careteam.concurrency import ConcurrencyFormMixin, StaleEditError
from careteam.errors import DomainError
from careteam.models import AuditAction
from careteam.redirects import safe_next_url
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
    # A part of the chart some roles may not learn exists (medications, consents for peer specialists):
    # the app's ``<entity>_can_see(user)``. Refused as 404, like a record they may not see, not 403.
    page_predicate: Callable | None = None
    # Rendering the chart shows client information, so chart_context() writes a VIEW row. Pages that
    # audit something more specific themselves (a tab, a note, a print) set this to skip that row.
    audits_own_view = False

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if self.page_predicate is not None and not self.page_predicate(request.user):
            raise Http404("No such page.")
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


class ChartFormPageMixin(ChartMixin):
    """A chart page with a form about the client or one of the client's records, which returns to
    ``return_url()`` (the app's tab) or, when ``follows_next``, first to a safe ``?next=``.

    ``get_record()`` loads the record the URL names through the app's ``<entity>_get_for_user``
    selector (``record_selector``, keyed by the URL's ``record_url_kwarg``), limited to this client:
    a record that is missing, hidden or another client's is the same 404.
    """

    follows_next = False
    record_selector: Callable | None = None
    record_url_kwarg = ""

    def return_url(self) -> str:
        raise NotImplementedError

    def back_url(self) -> str:
        return (safe_next_url(self.request) if self.follows_next else "") or self.return_url()

    def get_record(self):
        return self.record_selector(
            self.request.user, self.kwargs[self.record_url_kwarg], client_pk=self.client_record.pk
        )

    def page(self, status=200, **extra):
        """Render the page in the chart shell, with its Back link (and the ``next`` it carries)."""
        if self.follows_next:
            extra = {"next_url": safe_next_url(self.request), **extra}
        return self.render_to_response(self.chart_context(back_url=self.back_url(), **extra), status=status)
