"""The admin toolkit every app's admin uses: scoping to visible clients, audited client admins,
input and date filters, read-only admins and forms whose write is a service call.

``careteam/admin.py`` registers the core's own models; this module registers nothing.
"""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count, IntegerField, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from clients.models import Client

from . import access
from .audit import Entry, audit_log, audit_log_many
from .errors import DomainError
from .models import AuditAction, User

_CLIENT_REFERENCE = re.compile(r"(?P<prefix>CT-?)?(?P<digits>\d{1,18})", re.IGNORECASE)


def parse_client_reference(text: str) -> tuple[str, str | int]:
    """Read what staff type to name a client: a record number (``CT-0000042``, ``ct-42``) or an id (``42``).

    Returns ``("record_number", "CT-0000042")`` or ``("pk", 42)``; raises ``ValidationError`` otherwise.
    At most 18 digits, so the number always fits the database's 64-bit key.
    """
    match = _CLIENT_REFERENCE.fullmatch(text.strip().replace(" ", ""))
    if match is None:
        raise ValidationError("Type a record number such as CT-0000042, or a client id.")
    number = int(match["digits"])
    if match["prefix"]:
        return "record_number", f"CT-{number:07d}"
    return "pk", number


def scope_to_visible_clients(queryset: QuerySet, user: User, *, client_field: str = "client") -> QuerySet:
    """Limit rows that belong to a client to the clients ``user`` may see (admins see everything).

    The admin is one more door into client records; a staff account that is
    not an administrator gets no more through it than through the chart.
    """
    if access.clients_can_see_all(user):
        return queryset
    visible = Client.objects.filter(access.visible_clients_q(user)).values("pk")
    return queryset.filter(**{f"{client_field}__in": visible})


def count_subquery(queryset: QuerySet, *, group_by: str) -> Coalesce:
    """COUNT(*) of ``queryset`` per outer row as a correlated subquery.

    Two plain ``Count()`` annotations over two to-many joins multiply each
    other's rows (a team's members times its clients); one subquery each
    keeps the changelist at one query whatever the sizes.
    """
    counted = queryset.order_by().values(group_by).annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


class ReadOnlyAdminMixin:
    """For records only the application writes (audit rows, grants, scores): admins read them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- list filters -------------------------------------------------------------------------------


class InputFilter(admin.ListFilter):
    """A list filter people type into (text, dates) instead of picking from a list of every value.

    Subclasses list their ``inputs`` as (query parameter, label, HTML input
    type, placeholder) and implement ``filter(queryset, values)``, which may
    raise ``ValidationError``: the list then shows nothing and the filter
    shows the message, instead of the admin's bare "?e=1" error page.
    Rendered by ``templates/admin/input_filter.html`` as a small GET form
    that carries the other active filters, search and ordering along.
    """

    template = "admin/input_filter.html"
    inputs: tuple[tuple[str, str, str, str], ...] = ()

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        self.error = ""
        for name in self.expected_parameters():
            if name in params:
                # Popped even when blank: whatever is left in params the changelist applies as a field lookup.
                value = params.pop(name)[-1].strip()
                if value:
                    self.used_parameters[name] = value

    def has_output(self) -> bool:
        return True

    def expected_parameters(self) -> list[str]:
        return [name for name, *_ in self.inputs]

    def queryset(self, request, queryset):
        if not self.used_parameters:
            return queryset
        try:
            return self.filter(queryset, self.used_parameters)
        except ValidationError as exc:
            self.error = " ".join(exc.messages)
            return queryset.none()

    def filter(self, queryset: QuerySet, values: dict[str, str]) -> QuerySet:
        raise NotImplementedError

    def choices(self, changelist):
        own = self.expected_parameters()
        yield {
            "inputs": [
                {
                    "name": name,
                    "label": label,
                    "type": input_type,
                    "placeholder": placeholder,
                    "value": self.used_parameters.get(name, ""),
                }
                for name, label, input_type, placeholder in self.inputs
            ],
            # Submitting a GET form replaces the whole query string: carry the rest along.
            "hidden": [
                (key, value)
                for key, values in changelist.filter_params.items()
                if key not in own
                for value in values
            ],
            "clear_query_string": changelist.get_query_string(remove=own) if self.used_parameters else "",
            "error": self.error,
        }


class ClientRecordFilter(InputFilter):
    """Rows about one client, named by record number or id.

    A related-object list filter would render every client (100k) in the
    sidebar, so this one is typed instead.
    """

    title = "client"
    client_field = "client"
    inputs = (("client_ref", "Record number or client id", "text", "CT-0000042"),)

    def filter(self, queryset, values):
        kind, value = parse_client_reference(values["client_ref"])
        if kind == "pk":
            return queryset.filter(**{f"{self.client_field}_id": value})
        # Resolve the record number first: the rows are then found on the client_id index, with no join.
        client_ids = Client.objects.filter(record_number=value).values("pk")
        return queryset.filter(**{f"{self.client_field}_id__in": client_ids})


class DateRangeFilter(InputFilter):
    """Rows whose ``field_name`` falls between two dates, both inclusive, in the current time zone.

    Subclasses set ``field_name`` and ``title``; the query parameters are
    ``<field_name>_from`` and ``<field_name>_to`` (single underscore, so they
    never collide with ``date_hierarchy``'s ``<field>__year`` parameters).
    """

    field_name = ""

    def __init__(self, request, params, model, model_admin):
        self.inputs = (
            (f"{self.field_name}_from", "From", "date", ""),
            (f"{self.field_name}_to", "To (inclusive)", "date", ""),
        )
        super().__init__(request, params, model, model_admin)

    @staticmethod
    def _parse(value: str | None) -> dt.date | None:
        if not value:
            return None
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise ValidationError(f"“{value}” is not a date (YYYY-MM-DD).") from None

    def filter(self, queryset, values):
        start = self._parse(values.get(f"{self.field_name}_from"))
        end = self._parse(values.get(f"{self.field_name}_to"))
        if start and end and start > end:
            raise ValidationError("The “from” date is after the “to” date.")
        tz = timezone.get_current_timezone()
        if start:
            since = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
            queryset = queryset.filter(**{f"{self.field_name}__gte": since})
        if end:
            # Midnight at the start of the next day, so the whole "to" day is included.
            until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
            queryset = queryset.filter(**{f"{self.field_name}__lt": until})
        return queryset


class OccurredBetweenFilter(DateRangeFilter):
    """The audit report's date range."""

    title = "date range"
    field_name = "occurred_at"


def date_set_filter(*, field: str, title: str, parameter: str, unset_label: str, set_label: str):
    """A list filter on whether a nullable date is set (assignment ended, record archived)."""

    class DateSetFilter(admin.SimpleListFilter):
        parameter_name = parameter

        def lookups(self, request, model_admin):
            return [("unset", unset_label), ("set", set_label)]

        def queryset(self, request, queryset):
            if self.value() in ("unset", "set"):
                return queryset.filter(**{f"{field}__isnull": self.value() == "unset"})
            return queryset

    DateSetFilter.title = title
    return DateSetFilter


# --- auditing what admin pages show -------------------------------------------------------------


class AuditedClientAdminMixin:
    """Writes the audit rows the chart's own pages write: a client record shown is a client record viewed.

    A change page (GET) records one VIEW; a changelist records one LIST row per
    row shown, in one insert. ``audited_client_id`` says which client a row
    belongs to. Evaluating ``cl.result_list`` here fills its cache, so the
    template renders the same rows without a second query.
    """

    def audited_client_id(self, obj) -> int | None:
        return obj.client_id

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        if request.method == "GET" and changelist is not None:
            label = self.model._meta.label_lower
            audit_log_many(
                user=request.user,
                entries=[
                    Entry(
                        action=AuditAction.LIST,
                        client_id=self.audited_client_id(obj),
                        object_type=label,
                        object_id=str(obj.pk),
                        detail={"page": "admin"},
                    )
                    for obj in changelist.result_list
                ],
            )
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        obj = (getattr(response, "context_data", None) or {}).get("original")
        if request.method == "GET" and obj is not None and response.status_code == 200:
            audit_log(
                user=request.user,
                action=AuditAction.VIEW,
                client=self.audited_client_id(obj),
                obj=obj,
                detail={"page": "admin"},
            )
        return response


# --- staff and teams ----------------------------------------------------------------------------


class ServiceWriteForm(forms.ModelForm):
    """A ModelForm whose write is a service call made while the form validates.

    The admin validates a form and then saves it with no way back to the form,
    so a service's refusal (``DomainError``) raised at save time would be a
    500. Here ``clean()`` calls ``write()``, which runs the service (it
    validates, writes and audits in its own transaction, rolled back on
    refusal) and returns the saved row; a refusal becomes a form error and
    nothing is saved. ``ModelAdmin.save_model`` then has nothing left to do.

    The model's own constraint checks are skipped (``_post_clean``): the
    service enforces the same care-team rules with messages people can act
    on, and would otherwise be answered by a second, generic "Constraint …
    is violated" next to its own.

    Only safe on an admin without inlines: the admin commits the transaction
    even when an inline formset is invalid.
    """

    acting_user: User | None = None  # set per request by get_form (a fresh class each time)

    def write(self, cleaned_data: dict):
        raise NotImplementedError

    def clean(self):
        cleaned = super().clean()
        if self._errors:
            return cleaned
        try:
            saved = self.write(cleaned)
        except DomainError as exc:
            self.add_error(exc.field if exc.field in self.fields else None, exc.message)
        else:
            if saved is not None:
                self.instance = saved
        return cleaned

    def _post_clean(self):
        # No model validation after clean(): the service already validated and wrote (see above).
        pass


class RecordServiceForm(ServiceWriteForm):
    """``ServiceWriteForm`` that also shows a service's field-keyed ``ValidationError`` on the form."""

    def clean(self):
        try:
            return super().clean()
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    self.add_error(field if field in self.fields else None, errors)
            else:
                self.add_error(None, exc.messages)
            return self.cleaned_data


class ServiceFormAdminMixin:
    """The admin of a client record written only through its services, as on the chart.

    Rows are scoped to the clients the user may see; the add page shows ``add_form`` and the change
    page ``change_form`` (both ``ServiceWriteForm``s, told the acting user), after the client and
    followed by the read-only ``audit_fields`` the record keeps about itself. With no
    ``change_form`` the change page shows the add form's fields, for a record that is added and then
    only read. The form has already written when ``save_model`` runs, and nothing is deleted.
    """

    add_form: type[ServiceWriteForm]
    change_form: type[ServiceWriteForm] | None = None
    audit_fields: tuple[str, ...] = ()

    def get_queryset(self, request):
        return scope_to_visible_clients(super().get_queryset(request), request.user)

    def get_fields(self, request, obj=None):
        if obj is None:
            return self.add_form._meta.fields
        if self.change_form is None:
            return (*self.add_form._meta.fields, *self.audit_fields)
        return ("client", *self.change_form._meta.fields, *self.audit_fields)

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else ("client", *self.audit_fields)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = self.add_form if obj is None else self.change_form
        if form_class is not None:
            kwargs["form"] = form_class
        form = super().get_form(request, obj, change=change, **kwargs)
        form.acting_user = request.user
        return form

    def save_model(self, request, obj, form, change):
        pass  # written by the form's clean() through the services (see ServiceWriteForm)

    def has_delete_permission(self, request, obj=None):
        return False
