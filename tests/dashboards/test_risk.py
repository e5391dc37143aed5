"""Panel 3, the leading-risk list: every flag against hand-built data, the severity order, and the edges."""

import datetime as dt
import zoneinfo

import pytest
import time_machine

from careteam.models import Task, TaskKind, TaskPriority, TaskStatus
from clients.assessments import scoring
from crisis.services import episode_record_disposition
from dashboards.panels import risk
from dashboards.scope import scope_for
from tests.factories import AppointmentFactory, AssessmentResponseFactory, ClientContactFactory, ClientFactory
from tests.factories.assessments import answers_totalling, instrument
from tests.factories.crisis import CrisisEpisodeFactory

NY = zoneinfo.ZoneInfo("America/New_York")
NOW = dt.datetime(2026, 3, 18, 15, 0, tzinfo=NY)
TODAY = NOW.date()


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


def ago(days=0, hours=0):
    return NOW - dt.timedelta(days=days, hours=hours)


def phq9(client, staff, total, *, days_ago, q9=0):
    answers = answers_totalling("phq9", total - q9)
    answers["q9"] = q9
    return AssessmentResponseFactory(
        client=client,
        instrument=instrument("phq9"),
        answers=answers,
        administered_by=staff,
        administered_at=ago(days_ago),
    )


def cssrs(client, staff, answers, *, days_ago):
    return AssessmentResponseFactory(
        client=client,
        instrument=instrument("cssrs_screener"),
        answers=answers,
        administered_by=staff,
        administered_at=ago(days_ago),
    )


def episode_with_checkpoints(client, opened_days_ago, *, disposition="community"):
    episode = CrisisEpisodeFactory(client=client, opened_at=ago(opened_days_ago))
    start = ago(opened_days_ago) + dt.timedelta(hours=1)
    episode = episode_record_disposition(
        episode=episode, disposition=disposition, acting_user=episode.opened_by, at=start
    )
    return episode, start


def flags_of(scope):
    return {r["client_id"]: r["flag_keys"] for r in risk.risk_rows(scope)}


def test_each_flag_is_raised_by_its_own_rule(team, supervisor, counselor, crisis_worker):
    c = {
        name: ClientFactory(primary_team=team, legal_last_name=name)
        for name in ("Crisis", "Cssrs", "Item9", "Reply", "Rise", "Isolated", "NoShows", "MedNoShow", "Calm")
    }
    episode_with_checkpoints(c["Crisis"], 10)  # 7-day window passed, no visit
    cssrs(
        c["Cssrs"], counselor, {"q1": 1, "q2": 1, "q3": 1, "q4": 0, "q5": 0, "q6": 0}, days_ago=5
    )  # moderate
    phq9(c["Item9"], counselor, 8, days_ago=2, q9=1)
    Task.objects.create(
        kind=TaskKind.CLIENT_REPLY,
        title="Urgent: reply",
        client=c["Reply"],
        team=team,
        priority=TaskPriority.URGENT,
        status=TaskStatus.OPEN,
    )
    phq9(c["Rise"], counselor, 6, days_ago=40)
    phq9(c["Rise"], counselor, 11, days_ago=3)  # +5
    for d in (60, 53, 46, 39):
        ClientContactFactory(client=c["Isolated"], staff=counselor, contacted_at=ago(d))
    AppointmentFactory(client=c["NoShows"], staff=counselor, status="attended", starts_at=ago(20))
    AppointmentFactory(client=c["NoShows"], staff=counselor, status="no_show", starts_at=ago(13))
    AppointmentFactory(client=c["NoShows"], staff=counselor, status="no_show", starts_at=ago(6))
    AppointmentFactory(client=c["NoShows"], staff=counselor, status="scheduled", starts_at=ago(-2))
    AppointmentFactory(
        client=c["MedNoShow"], staff=counselor, kind="medication", status="no_show", starts_at=ago(4)
    )
    AppointmentFactory(client=c["MedNoShow"], staff=counselor, status="attended", starts_at=ago(2))
    # Calm: a recent attended appointment, a low PHQ-9, a handled urgent reply, a normal-priority open one.
    AppointmentFactory(client=c["Calm"], staff=counselor, status="attended", starts_at=ago(2))
    phq9(c["Calm"], counselor, 3, days_ago=2)
    Task.objects.create(
        kind=TaskKind.CLIENT_REPLY,
        title="Urgent",
        client=c["Calm"],
        team=team,
        priority=TaskPriority.URGENT,
        status=TaskStatus.DONE,
    )
    Task.objects.create(kind=TaskKind.CLIENT_REPLY, title="Thanks!", client=c["Calm"], team=team)

    flags = flags_of(scope_for(supervisor, end=TODAY))

    assert flags == {
        c["Crisis"].pk: ["crisis_7d"],
        c["Cssrs"].pk: ["cssrs"],
        c["Item9"].pk: ["phq9_item9"],
        c["Reply"].pk: ["urgent_reply"],
        c["Rise"].pk: ["phq9_rise"],
        c["Isolated"].pk: ["isolation"],
        c["NoShows"].pk: ["no_shows"],
        c["MedNoShow"].pk: ["med_no_show"],
    }


def test_the_list_is_sorted_by_the_most_severe_flag_then_by_how_many(team, supervisor, counselor):
    two_flags = ClientFactory(primary_team=team, legal_last_name="Aaron")
    severe = ClientFactory(primary_team=team, legal_last_name="Zed")
    one_flag = ClientFactory(primary_team=team, legal_last_name="Baker")
    # Aaron: PHQ-9 rise (5th) and a medication no-show (8th); Baker: medication no-show only.
    phq9(two_flags, counselor, 4, days_ago=30)
    phq9(two_flags, counselor, 12, days_ago=1)
    for c in (two_flags, one_flag):
        AppointmentFactory(client=c, staff=counselor, kind="medication", status="no_show", starts_at=ago(3))
        AppointmentFactory(client=c, staff=counselor, status="attended", starts_at=ago(1))
    # Zed: C-SSRS high (2nd).
    cssrs(severe, counselor, {"q1": 1, "q2": 1, "q3": 1, "q4": 1, "q5": 0, "q6": 0}, days_ago=1)

    rows = risk.risk_rows(scope_for(supervisor, end=TODAY))

    assert [(r["client_id"], r["most_severe"]) for r in rows] == [
        (severe.pk, "C-SSRS moderate or high risk"),
        (two_flags.pk, "PHQ-9 up 5 or more points"),
        (one_flag.pk, "Missed medication appointment"),
    ]
    assert rows[1]["flags"] == "PHQ-9 up 5 or more points; Missed medication appointment"


def test_a_7_day_checkpoint_met_on_its_deadline_clears_the_crisis_flag(team, supervisor, counselor):
    met_on_deadline = ClientFactory(primary_team=team)
    missed_by_a_minute = ClientFactory(primary_team=team)
    _, start = episode_with_checkpoints(met_on_deadline, 12)
    AppointmentFactory(
        client=met_on_deadline, staff=counselor, status="attended", starts_at=start + dt.timedelta(days=7)
    )
    _, start = episode_with_checkpoints(missed_by_a_minute, 12)
    AppointmentFactory(
        client=missed_by_a_minute,
        staff=counselor,
        status="attended",
        starts_at=start + dt.timedelta(days=7, minutes=1),
    )

    flags = flags_of(scope_for(supervisor, end=TODAY))

    assert met_on_deadline.pk not in flags
    assert "crisis_7d" in flags[missed_by_a_minute.pk]


def test_old_or_low_results_raise_no_flag(team, supervisor, counselor):
    client = ClientFactory(primary_team=team)
    episode_with_checkpoints(client, 31)  # opened 31 days ago: outside the 30-day look-back
    cssrs(client, counselor, {"q1": 1, "q2": 0, "q6": 0}, days_ago=3)  # low
    phq9(client, counselor, 9, days_ago=35, q9=1)  # item 9, but 35 days ago
    phq9(client, counselor, 13, days_ago=2)  # +4 only
    AppointmentFactory(client=client, staff=counselor, status="attended", starts_at=ago(1))

    assert flags_of(scope_for(supervisor, end=TODAY)) == {}


def test_discharged_clients_are_not_on_the_huddle_list(team, supervisor, counselor):
    gone = ClientFactory(
        primary_team=team, status="discharged", discharged_on=TODAY, discharge_reason="completed"
    )
    phq9(gone, counselor, 20, days_ago=2, q9=2)

    assert flags_of(scope_for(supervisor, end=TODAY)) == {}


def test_the_panel_counts_clients_per_flag(team, supervisor, counselor):
    client = ClientFactory(primary_team=team)
    phq9(client, counselor, 3, days_ago=20)
    phq9(client, counselor, 12, days_ago=1, q9=1)  # item 9 and a rise of 9

    panel = risk.compute(scope_for(supervisor, end=TODAY))

    assert panel.figures[0].value == 1
    by_flag = {r["flag"]: r["clients"] for r in next(t for t in panel.tables if t.key == "risk.by_flag").rows}
    assert by_flag["PHQ-9 item 9 positive"] == 1
    assert by_flag["PHQ-9 up 5 or more points"] == 1
    assert sum(by_flag.values()) == 2


def test_only_the_latest_phq9_counts_and_same_time_scores_go_by_entry_order(team, supervisor, counselor):
    recovered = ClientFactory(primary_team=team, legal_last_name="Recovered")
    phq9(recovered, counselor, 18, days_ago=10, q9=2)  # item 9 positive ...
    phq9(recovered, counselor, 6, days_ago=3)  # ... but the latest is not
    same_time = ClientFactory(primary_team=team, legal_last_name="Same")
    phq9(same_time, counselor, 4, days_ago=2)
    phq9(same_time, counselor, 10, days_ago=2, q9=1)  # entered second at the same time: the latest

    flags = flags_of(scope_for(supervisor, end=TODAY))

    assert recovered.pk not in flags
    assert flags[same_time.pk] == ["phq9_item9", "phq9_rise"]


def test_the_counts_cover_every_flagged_client_not_only_the_huddle_top(team, supervisor, counselor):
    clients = [ClientFactory(primary_team=team) for _ in range(risk.HUDDLE_TOP + 2)]
    for client in clients:
        phq9(client, counselor, 9, days_ago=1, q9=1)

    panel = risk.compute(scope_for(supervisor, end=TODAY))

    assert panel.figures[0].value == risk.HUDDLE_TOP + 2
    huddle = next(t for t in panel.tables if t.key == "risk.huddle")
    assert len(huddle.rows) == risk.HUDDLE_TOP
    by_flag = {r["flag"]: r["clients"] for r in next(t for t in panel.tables if t.key == "risk.by_flag").rows}
    assert by_flag["PHQ-9 item 9 positive"] == risk.HUDDLE_TOP + 2
    assert len(risk.risk_rows(scope_for(supervisor, end=TODAY))) == risk.HUDDLE_TOP + 2


def test_the_panel_takes_two_queries_however_many_clients_are_flagged(
    team, supervisor, counselor, django_assert_num_queries
):
    for _ in range(3):
        phq9(ClientFactory(primary_team=team), counselor, 9, days_ago=1, q9=1)
    scope = scope_for(supervisor, end=TODAY)
    with django_assert_num_queries(2):  # sudden isolation, then the list with its counts
        risk.compute(scope)
    for _ in range(5):
        phq9(ClientFactory(primary_team=team), counselor, 9, days_ago=1, q9=1)
    scope = scope_for(supervisor, end=TODAY)
    with django_assert_num_queries(2):
        risk.compute(scope)


# --- the flags' cut-points are the scoring module's (one source) -----------------------------------


def test_item_9_flags_from_the_scoring_modules_cut_point_and_not_below(team, supervisor, counselor):
    """GIVEN two latest PHQ-9s whose item 9 is the scoring rule's lowest flagging answer and one below
    THEN the list flags exactly the one the scoring rule flags."""
    at_cut = ClientFactory(primary_team=team)
    below = ClientFactory(primary_team=team)
    flagged = phq9(at_cut, counselor, 6, days_ago=1, q9=scoring.PHQ9_ITEM9_FLAG_FROM)
    calm = phq9(below, counselor, 6, days_ago=1, q9=scoring.PHQ9_ITEM9_FLAG_FROM - 1)
    assert scoring.SUICIDE_RISK in flagged.flags and scoring.SUICIDE_RISK not in calm.flags

    flags = flags_of(scope_for(supervisor, end=TODAY))

    assert flags[at_cut.pk] == ["phq9_item9"]
    assert below.pk not in flags


def test_a_rise_of_exactly_the_meaningful_change_flags_and_one_less_does_not(team, supervisor, counselor):
    points = scoring.MEANINGFUL_CHANGE["phq9"]
    rose = ClientFactory(primary_team=team)
    phq9(rose, counselor, 3, days_ago=10)
    phq9(rose, counselor, 3 + points, days_ago=1)
    almost = ClientFactory(primary_team=team)
    phq9(almost, counselor, 3, days_ago=10)
    phq9(almost, counselor, 3 + points - 1, days_ago=1)

    flags = flags_of(scope_for(supervisor, end=TODAY))

    assert flags[rose.pk] == ["phq9_rise"]
    assert almost.pk not in flags


@pytest.mark.parametrize(
    ("answers", "flagged"),
    [
        ({"q1": 1, "q2": 0, "q6": 0}, False),  # low
        ({"q1": 1, "q2": 1, "q3": 1, "q4": 0, "q5": 0, "q6": 0}, True),  # moderate
        ({"q1": 1, "q2": 1, "q3": 1, "q4": 1, "q5": 0, "q6": 0}, True),  # high
    ],
)
def test_the_cssrs_flag_is_the_scoring_rules_suicide_risk_flag(team, supervisor, counselor, answers, flagged):
    client = ClientFactory(primary_team=team)
    response = cssrs(client, counselor, answers, days_ago=1)
    assert (scoring.SUICIDE_RISK in response.flags) is flagged
    assert (response.band in scoring.CSSRS_RISK_BANDS) is flagged

    assert ("cssrs" in flags_of(scope_for(supervisor, end=TODAY)).get(client.pk, [])) is flagged
