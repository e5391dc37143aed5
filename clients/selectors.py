"""Reads of client records, already scoped to what the user may see."""

from __future__ import annotations

import datetime as dt
import difflib
import re

from django.db.models import (
    BooleanField,
    Case,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce, Greatest
from django.db.models.lookups import GreaterThanOrEqual
from django.http import Http404
from django.utils import timezone

from careteam import access
from careteam.minimum_necessary import Section, section_can_see
from careteam.models import CareTeamAssignment, User

from .assessments import scoring
from .assessments.selectors import CSSRS_RISK_LOOKBACK_DAYS
from .encounters.selectors import restricted_visible_q
from .models import (
    Appointment,
    AppointmentStatus,
    AssessmentResponse,
    Client,
    ClientContact,
    EncounterNote,
    Instrument,
    ScoringRule,
    SupportivePerson,
)

# ?sort= values the caseload accepts, mapped to orderings (stable with the pk last).
CLIENT_SORTS = {
    "name": ("legal_last_name", "legal_first_name", "id"),
    "-name": ("-legal_last_name", "-legal_first_name", "-id"),
    "record": ("record_number",),
    "-record": ("-record_number",),
    "dob": ("date_of_birth", "id"),
    "-dob": ("-date_of_birth", "-id"),
    "status": ("status", "legal_last_name", "id"),
    "-status": ("-status", "legal_last_name", "id"),
    "updated": ("updated_at", "id"),
    "-updated": ("-updated_at", "-id"),
}
_RECORD_NUMBER = re.compile(r"^\s*(CT-?)?\d{1,7}\s*$", re.IGNORECASE)


def with_care_team(qs: QuerySet[Client]) -> QuerySet[Client]:
    return qs.select_related("primary_team").prefetch_related(
        Prefetch(
            "assignments",
            queryset=CareTeamAssignment.objects.active().select_related("staff"),
            to_attr="active_assignments",
        )
    )


def client_list_for_user(
    user: User, *, q: str = "", status: str = "", team: int | None = None, sort: str = "name"
) -> QuerySet[Client]:
    """The clients ``user`` may see, searched by name or record number, filtered and sorted."""
    qs = access.clients_visible_to(user)
    q = q.strip()
    if q:
        if _RECORD_NUMBER.match(q):
            digits = re.sub(r"\D", "", q)
            qs = qs.filter(Q(record_number__iendswith=digits.zfill(7)) | Q(legal_last_name__istartswith=q))
        else:
            for term in q.split():
                qs = qs.filter(
                    Q(legal_first_name__istartswith=term)
                    | Q(legal_last_name__istartswith=term)
                    | Q(preferred_name__istartswith=term)
                )
    if status:
        qs = qs.filter(status=status)
    if team:
        qs = qs.filter(primary_team_id=team)
    return with_care_team(qs).order_by(*CLIENT_SORTS.get(sort, CLIENT_SORTS["name"]))


def client_can_change(user: User, client: Client) -> bool:
    """Edits the client's record itself: the user may change this client and the role changes clients."""
    return access.client_can_access(user, client, access.CHANGE) and user.has_perm("clients.change_client")


def client_can_archive(user: User) -> bool:
    """Archives a record entered in error, from any chart the user may open: the role archives clients
    and is not on the minimum-necessary view."""
    return user.has_perm("clients.archive_client") and not access.minimum_necessary_view(user)


def supportive_people_can_add(user: User, client: Client) -> bool:
    """Adds a supportive person to this client's record: the role adds them and the user edits the
    record itself (``client_can_change``)."""
    return user.has_perm("clients.add_supportiveperson") and client_can_change(user, client)


def client_get_for_user(user: User, pk: int, *, perm: str = access.VIEW) -> Client:
    """The one client-or-404 lookup: a client the user may see (or hold ``perm`` on), with their care
    team. Missing, archived, hidden and a malformed id are the same 404 with the same message, so
    the answer never confirms that a record exists."""
    qs = with_care_team(access.clients_visible_to(user, perm, emergency=True))
    if perm == access.VIEW and user.is_authenticated and not access.clients_can_see_all(user):
        # Seen under break-the-glass: the justification, for the audit rows the page writes (DESIGN
        # "Audit trail": why). In the same query, so a chart page costs nothing more.
        qs = qs.annotate(
            emergency_access_reason=Subquery(
                access.emergency_access_current_q(user).values("justification")[:1]
            )
        )
    try:
        return qs.get(pk=pk)
    except (Client.DoesNotExist, ValueError, TypeError):
        raise Http404("No such client.") from None


def access_reports_can_read(user: User) -> bool:
    """The role reads access reports (supervisors and administrators: ``careteam.view_auditevent``);
    whether this client's is theirs to read is ``access_report_can_view``. Decides the chart tab."""
    return user.has_perm("careteam.view_auditevent")


def access_report_can_view(user: User, client: Client) -> bool:
    """Reads this client's access report (who viewed, changed, exported, disclosed or was refused
    their record: HIPAA §164.312(b), §164.308(a)(1)(ii)(D)): administrators, and the supervisors of
    the client's team. The people who treat the client do not audit each other; to anyone else the
    page is a 404."""
    if access.clients_can_see_all(user):
        return True
    return access_reports_can_read(user) and client.primary_team.supervisors.filter(pk=user.pk).exists()


def supportive_people_for_client(client: Client) -> QuerySet[SupportivePerson]:
    return client.supportive_people.filter(archived_at__isnull=True)


def supportive_person_get_for_user(user: User, client_pk: int, pk: int) -> SupportivePerson:
    client = client_get_for_user(user, client_pk, perm=access.CHANGE)
    try:
        return supportive_people_for_client(client).get(pk=pk)
    except (SupportivePerson.DoesNotExist, ValueError):
        raise Http404("No such person.") from None


def care_team_history(client: Client) -> QuerySet[CareTeamAssignment]:
    return client.assignments.select_related("staff", "created_by").order_by("ended_on", "-started_on")


def _name_similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a.casefold(), b.casefold()).ratio()


def client_possible_duplicates(
    user: User, *, first_name: str, last_name: str, date_of_birth, exclude_pk: int | None = None
) -> tuple[list[Client], int]:
    """Records with the same date of birth and a similar name.

    Returns (the matches the user may open, how many more exist that they may
    not). Only the count of hidden matches is revealed — enough to ask a
    supervisor before creating a duplicate chart, nothing that identifies anyone.
    """
    candidates = Client.objects.not_archived().filter(date_of_birth=date_of_birth)
    if exclude_pk:
        candidates = candidates.exclude(pk=exclude_pk)
    wanted = f"{first_name} {last_name}"
    similar_ids = [
        pk
        for pk, first, last, preferred in candidates.values_list(
            "pk", "legal_first_name", "legal_last_name", "preferred_name"
        )[:200]
        if max(
            _name_similarity(wanted, f"{first} {last}"),
            _name_similarity(wanted, f"{preferred or first} {last}"),
            _name_similarity(last_name, last) if first[:1].casefold() == first_name[:1].casefold() else 0,
        )
        >= 0.75
    ]
    if not similar_ids:
        return [], 0
    visible = list(access.clients_visible_to(user).filter(pk__in=similar_ids))
    return visible, len(similar_ids) - len(visible)


# --- The caseload's clinical columns and the Overview's summary reads -------------------------------

# The caseload's risk flag, from the client's own record (``clients`` may not read the dashboards):
# the chart's suicide-risk flag — the latest PHQ-9 has item 9 answered at or above
# ``scoring.PHQ9_ITEM9_FLAG_FROM`` (Kroenke 2001; ``clients.assessments.registry.suicide_risk_alert``)
# — or a C-SSRS screener scored in ``scoring.CSSRS_RISK_BANDS`` (moderate or high, Posner et al. 2011)
# in the last ``CSSRS_RISK_LOOKBACK_DAYS`` days (``clients.assessments.registry.cssrs_risk_alert``): the
# chart header's two suicide-risk alerts, as one column.


def _pairs(*fields: str, descending: bool = False) -> tuple:
    return tuple(F(f).desc(nulls_last=True) if descending else F(f).asc(nulls_last=True) for f in fields)


# ?sort= values of the caseload's clinical columns (on top of ``CLIENT_SORTS``). Empty values sort
# last either way; the pk keeps pages stable.
CASELOAD_SORTS = {
    **CLIENT_SORTS,
    # Flagged clients first, then by name.
    "risk": ("-risk_flag", "legal_last_name", "legal_first_name", "id"),
    "-risk": ("risk_flag", "legal_last_name", "legal_first_name", "id"),
    # Soonest appointment first; nobody booked last.
    "next": (*_pairs("next_appointment_at"), "id"),
    "-next": (*_pairs("next_appointment_at", descending=True), "-id"),
    # Fewest days since the last contact first; "-contact" puts the longest without (and never) first.
    "contact": (*_pairs("last_contact_at", descending=True), "id"),
    "-contact": (F("last_contact_at").asc(nulls_first=True), "-id"),
    # By the latest PHQ-9 total (the bands are ranges of it, so this is the band order too).
    "phq9": (*_pairs("phq9_total"), "id"),
    "-phq9": (*_pairs("phq9_total", descending=True), "-id"),
}
# The sorts a role without ``Section.SCORES`` / ``Section.RISK_DETAILS`` does not get.
_SCORE_SORTS = {"phq9", "-phq9"}
_RISK_SORTS = {"risk", "-risk"}


def caseload_sorts_for(user: User) -> set[str]:
    """The ``?sort=`` values ``user`` may use on the caseload (minimum necessary)."""
    sorts = set(CASELOAD_SORTS)
    if not section_can_see(user, Section.SCORES):
        sorts -= _SCORE_SORTS
    if not section_can_see(user, Section.RISK_DETAILS):
        sorts -= _RISK_SORTS
    return sorts


def _appointments_seen_by(user: User) -> QuerySet[Appointment]:
    """Appointments whose date ``user`` may see: all of them, or for a role without
    ``Section.OTHER_APPOINTMENTS`` (peers) those they accompany."""
    qs = Appointment.objects.all()
    if not section_can_see(user, Section.OTHER_APPOINTMENTS):
        qs = qs.filter(staff=user)
    return qs


def next_appointment_subquery(user: User, *, client_ref: str = "pk", now: dt.datetime | None = None):
    """The start of the client's next scheduled appointment (one the user may see). An index probe
    on (client, starts_at), whatever the client's history."""
    upcoming = _appointments_seen_by(user).filter(
        client_id=OuterRef(client_ref),
        status=AppointmentStatus.SCHEDULED,
        starts_at__gte=now or timezone.now(),
    )
    return Subquery(upcoming.order_by("starts_at").values("starts_at")[:1])


def _last_reached_contact(client_ref: str = "pk"):
    return Subquery(
        ClientContact.objects.filter(client_id=OuterRef(client_ref), reached=True)
        .order_by("-contacted_at")
        .values("contacted_at")[:1]
    )


def _last_attended(user: User, client_ref: str = "pk"):
    return Subquery(
        _appointments_seen_by(user)
        .filter(client_id=OuterRef(client_ref), status=AppointmentStatus.ATTENDED)
        .order_by("-starts_at")
        .values("starts_at")[:1]
    )


def last_contact_expression(user: User, *, client_ref: str = "pk"):
    """ "Last contact": the latest moment staff spoke with the client — a logged contact in which the
    client was reached (``ClientContact.reached``, the rule engagement and crisis checkpoints count)
    or an appointment they attended (for peers, one they accompanied). Two index probes
    (``clients_contact_reached_idx``, ``clients_appt_attended_idx``); NULL when neither ever happened.
    ``Coalesce`` on both sides because SQLite's MAX() of a NULL is NULL (PostgreSQL's GREATEST skips it)."""
    contact, attended = _last_reached_contact(client_ref), _last_attended(user, client_ref)
    return Greatest(Coalesce(contact, attended), Coalesce(attended, contact))


def instruments_scored_by(*rules: str) -> dict[str, list[int]]:
    """The ids of the instruments each scoring rule scores (the shipped PHQ-9 and any an organisation
    added with the same rule). One small query; the caseload's subqueries then name the instrument by
    id, so each is a single backward step on ``clients_assess_client_cov_idx`` (client, instrument,
    administered_at) instead of a join over the client's whole history."""
    found: dict[str, list[int]] = {rule: [] for rule in rules}
    for pk, rule in (
        Instrument.objects.filter(scoring_rule__in=rules).order_by("pk").values_list("pk", "scoring_rule")
    ):
        found[rule].append(pk)
    return found


def _instrument_q(ids: list[int]) -> Q:
    return Q(instrument_id=ids[0]) if len(ids) == 1 else Q(instrument_id__in=ids)


def _latest_of(ids: list[int], client_ref: str = "pk") -> QuerySet[AssessmentResponse]:
    """The client's responses to these instruments newest first, for ``[:1]`` subqueries."""
    return AssessmentResponse.objects.filter(_instrument_q(ids), client_id=OuterRef(client_ref)).order_by(
        "-administered_at", "-id"
    )


def risk_flag_expression(
    *, phq9_ids: list[int], cssrs_ids: list[int], client_ref: str = "pk", now: dt.datetime | None = None
):
    """The caseload's risk flag (its definition is above ``CASELOAD_SORTS``), as a boolean
    expression: two index probes per client."""
    item9 = Subquery(
        _latest_of(phq9_ids, client_ref)
        .annotate(item9=Cast(KeyTextTransform(scoring.PHQ9_ITEM9, "answers"), IntegerField()))
        .values("item9")[:1]
    )
    since = (now or timezone.now()) - dt.timedelta(days=CSSRS_RISK_LOOKBACK_DAYS)
    cssrs = AssessmentResponse.objects.filter(
        _instrument_q(cssrs_ids),
        client_id=OuterRef(client_ref),
        band__in=sorted(scoring.CSSRS_RISK_BANDS),
        administered_at__gte=since,
    )
    return Case(
        When(GreaterThanOrEqual(item9, scoring.PHQ9_ITEM9_FLAG_FROM), then=Value(True)),
        When(Exists(cssrs), then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )


def caseload_for_user(
    user: User, *, q: str = "", status: str = "", sort: str = "name", now: dt.datetime | None = None
) -> QuerySet[Client]:
    """The caseload: ``client_list_for_user`` with the columns a counselor sorts by — next
    appointment, last contact, and (for roles that see them) the latest PHQ-9 and the risk flag.

    Each column is a correlated subquery that reads one row from an index on (client, time), so a
    page costs one query for the rows (plus the count, the care-team prefetch and, for roles that see
    scores or risk, one small query naming the PHQ-9 and C-SSRS instruments) whatever the clients'
    history; sorting by a column evaluates it once per visible client, never scanning a client's
    whole history (PostgreSQL at 5,000 visible clients: every sort under 75 ms of SQL).
    """
    now = now or timezone.now()
    if sort not in caseload_sorts_for(user):
        sort = "name"
    qs = client_list_for_user(user, q=q, status=status).annotate(
        next_appointment_at=next_appointment_subquery(user, now=now),
        last_contact_at=last_contact_expression(user),
    )
    show_scores = section_can_see(user, Section.SCORES)
    show_risk = section_can_see(user, Section.RISK_DETAILS)
    if show_scores or show_risk:
        ids = instruments_scored_by(ScoringRule.PHQ9, ScoringRule.CSSRS_SCREENER)
        phq9_ids, cssrs_ids = ids[ScoringRule.PHQ9], ids[ScoringRule.CSSRS_SCREENER]
    if show_scores:
        qs = qs.annotate(
            phq9_total=Subquery(_latest_of(phq9_ids).values("total")[:1]),
            phq9_band=Subquery(_latest_of(phq9_ids).values("band")[:1]),
        )
    if show_risk:
        qs = qs.annotate(risk_flag=risk_flag_expression(phq9_ids=phq9_ids, cssrs_ids=cssrs_ids, now=now))
    return qs.order_by(*CASELOAD_SORTS[sort])


def latest_scores_for_client(client: Client) -> list[AssessmentResponse]:
    """The client's latest response per instrument, each with ``previous_total`` (the total of the
    response before it on that instrument, or None), instruments by name. One query whatever the
    number of responses: "no later response" and "the one before" are correlated subqueries on
    ``clients_assess_client_cov_idx`` (SQLite and PostgreSQL alike)."""
    same = {"client_id": OuterRef("client_id"), "instrument_id": OuterRef("instrument_id")}
    later = AssessmentResponse.objects.filter(**same).filter(
        Q(administered_at__gt=OuterRef("administered_at"))
        | Q(administered_at=OuterRef("administered_at"), pk__gt=OuterRef("pk"))
    )
    earlier = (
        AssessmentResponse.objects.filter(**same)
        .filter(
            Q(administered_at__lt=OuterRef("administered_at"))
            | Q(administered_at=OuterRef("administered_at"), pk__lt=OuterRef("pk"))
        )
        .order_by("-administered_at", "-pk")
    )
    return list(
        AssessmentResponse.objects.filter(client=client)
        .exclude(Exists(later))
        .annotate(previous_total=Subquery(earlier.values("total")[:1]))
        .select_related("instrument")
        .order_by("instrument__name", "instrument_id")
    )


def next_appointment_for_client(user: User, client: Client, *, now: dt.datetime | None = None):
    """The client's next scheduled appointment the user may see (peers: one they accompany), with
    its staff member. One query."""
    return (
        _appointments_seen_by(user)
        .filter(client=client, status=AppointmentStatus.SCHEDULED, starts_at__gte=now or timezone.now())
        .select_related("staff")
        .order_by("starts_at", "id")
        .first()
    )


def last_contact_for_client(user: User, client: Client, *, with_notes: bool = False) -> dict:
    """When staff last spoke with the client (``last_contact_expression``'s rule), split into the
    last reached contact and the last attended appointment, and with ``with_notes`` the date of the
    last session note the user may read (a restricted note stays hidden, as in the note list).
    One query."""
    columns = {
        "last_contact_at": last_contact_expression(user),
        "last_reached_contact_at": _last_reached_contact(),
        "last_attended_at": _last_attended(user),
    }
    if with_notes:
        columns["last_note_at"] = Subquery(
            EncounterNote.objects.filter(restricted_visible_q(user), client_id=OuterRef("pk"))
            .order_by("-created_at")
            .values("created_at")[:1]
        )
    return Client.objects.filter(pk=client.pk).values(**columns).get()
