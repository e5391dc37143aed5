"""The ``Median`` aggregate (dashboards.metrics): the same answer on SQLite and PostgreSQL, in one query.

NULLs are left out, an odd count gives the middle value, an even count the mean of the middle two, no
rows ``None``; numbers come back as floats, durations as timedeltas; ``filter=`` and ``annotate()``
work as with Django's own aggregates.
"""

import datetime as dt
import random
import statistics

import pytest
from django.db import connection
from django.db.models import DurationField, ExpressionWrapper, F, Q
from django.test.utils import CaptureQueriesContext

from clients.models import AssessmentResponse
from dashboards.metrics import Median
from referrals.models import Referral
from tests.factories import AssessmentResponseFactory, ClientFactory
from tests.factories.assessments import answers_totalling, instrument
from tests.factories.referrals import sent_referral

SENT = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def person(team):
    return ClientFactory(primary_team=team)


def scores(client, by, code, totals) -> list[AssessmentResponse]:
    return [
        AssessmentResponseFactory(
            client=client,
            instrument=instrument(code),
            answers=answers_totalling(code, total),
            administered_by=by,
        )
        for total in totals
    ]


def median_of(qs, expression="total", **kwargs):
    return qs.aggregate(m=Median(expression, **kwargs))["m"]


def test_an_odd_count_gives_the_middle_value(person, counselor):
    scores(person, counselor, "phq9", [9, 1, 5])
    assert median_of(AssessmentResponse.objects.all()) == 5.0


def test_an_even_count_gives_the_mean_of_the_middle_two(person, counselor):
    scores(person, counselor, "phq9", [10, 1, 7, 2])
    value = median_of(AssessmentResponse.objects.all())
    assert value == 4.5 and isinstance(value, float)


def test_nulls_are_left_out(person, counselor):
    rows = scores(person, counselor, "phq9", [3, 8, 20, 4])
    AssessmentResponse.objects.filter(pk=rows[2].pk).update(total=None)
    assert median_of(AssessmentResponse.objects.all()) == 4.0


def test_no_rows_or_only_nulls_give_none(person, counselor):
    assert median_of(AssessmentResponse.objects.all()) is None
    scores(person, counselor, "phq9", [6])
    AssessmentResponse.objects.update(total=None)
    assert median_of(AssessmentResponse.objects.all()) is None


def test_filter_keeps_only_the_rows_it_names(person, counselor):
    scores(person, counselor, "phq9", [1, 2, 3])
    scores(person, counselor, "gad7", [10, 21])
    result = AssessmentResponse.objects.aggregate(
        phq9=Median("total", filter=Q(instrument__code="phq9")),
        gad7=Median("total", filter=Q(instrument__code="gad7")),
        none=Median("total", filter=Q(instrument__code="barc10")),
        everything=Median("total"),
    )
    assert result == {"phq9": 2.0, "gad7": 15.5, "none": None, "everything": 3.0}


def test_annotate_gives_one_median_per_group(team, counselor):
    a, b = ClientFactory(primary_team=team), ClientFactory(primary_team=team)
    scores(a, counselor, "phq9", [4, 12, 8])
    scores(b, counselor, "phq9", [0, 27])
    per_client = dict(
        AssessmentResponse.objects.values("client_id")
        .annotate(m=Median("total"))
        .values_list("client_id", "m")
    )
    assert per_client == {a.pk: 8.0, b.pk: 13.5}


def test_durations_come_back_as_timedeltas(person, case_manager):
    for hours in (24, 72, 48, 96, None):
        sent_referral(
            client=person,
            referred_by=case_manager,
            requested_at=SENT,
            first_response_at=None if hours is None else SENT + dt.timedelta(hours=hours),
        )
    waited = ExpressionWrapper(F("first_response_at") - F("requested_at"), output_field=DurationField())
    referrals = Referral.objects.all()
    # 1, 2, 3, 4 days (the unanswered one is NULL): the mean of 2 and 3 days.
    assert median_of(referrals, waited) == dt.timedelta(days=2, hours=12)
    assert median_of(referrals, waited, filter=~Q(first_response_at=SENT + dt.timedelta(hours=96))) == (
        dt.timedelta(days=2)
    )
    assert median_of(referrals.none(), waited) is None
    assert median_of(referrals, waited, filter=Q(first_response_at__isnull=True)) is None


def test_it_agrees_with_the_statistics_module_in_one_query(person, counselor):
    rng = random.Random(7)
    totals = [rng.randint(0, 27) for _ in range(25)]  # repeats included
    scores(person, counselor, "phq9", totals)
    for n in (1, 2, 11, 24, 25):
        keep = AssessmentResponse.objects.order_by("pk").values_list("pk", flat=True)[:n]
        qs = AssessmentResponse.objects.filter(pk__in=list(keep))
        with CaptureQueriesContext(connection) as ctx:
            value = median_of(qs)
        assert len(ctx.captured_queries) == 1
        assert value == pytest.approx(statistics.median(totals[:n]))
