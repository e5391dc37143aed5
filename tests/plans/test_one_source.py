"""Plan pages read their rules from one place: the status table, the notes' own selector, the user's today."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from plans.models import PlanStatus, TreatmentPlan
from plans.states import PLAN_STATES
from tests.conftest import login
from tests.factories import EncounterNoteFactory, active_plan, assign


def url(name, client, *args):
    return reverse(f"plans:{name}", args=[client.pk, *args])


@pytest.mark.parametrize("status", PlanStatus.values)
def test_a_review_is_offered_only_on_the_plan_in_force(alice, counselor, status):
    """GIVEN a version in ``status`` WHEN the counselor opens it THEN "Record a review" shows only on
    the active one (``services.plan_review_record`` refuses the others), and the page's draft banner
    names a version only while the table lets it be signed."""
    plan = active_plan(alice, counselor)
    TreatmentPlan.objects.filter(pk=plan.pk).update(status=status)

    html = login(counselor).get(url("version", alice, plan.pk)).content.decode()

    assert (url("review-create", alice, plan.pk) in html) is (status == PlanStatus.ACTIVE)
    assert (url("draft", alice, plan.pk) in html) is PLAN_STATES.can_move(status, PlanStatus.ACTIVE)


def test_the_note_panel_keeps_a_restricted_note_to_its_author_and_their_supervisor(
    alice, counselor, case_manager, supervisor
):
    """GIVEN a restricted (psychotherapy) note by Alice's counselor and a case manager on her care team
    WHEN each opens the note's plan panel THEN the author and the author's supervisor get it and the
    case manager gets 404 — the rule of ``clients.encounters.selectors``, not a copy of it."""
    assign(alice, case_manager, "case_manager")
    assign(alice, supervisor, "other")
    active_plan(alice, counselor)
    note = EncounterNoteFactory(client=alice, author=counselor, restricted=True)
    panel = url("note-panel", alice, note.pk)

    assert login(counselor).get(panel).status_code == 200
    assert login(supervisor).get(panel).status_code == 200
    assert login(case_manager).get(panel).status_code == 404


def test_the_review_alert_counts_days_where_the_user_is(alice, counselor):
    """GIVEN a review due March 11 and a counselor in Honolulu WHEN she opens the chart at 06:00 UTC on
    March 12 (01:00 in the site's New York, still 20:00 on the 11th in Honolulu) THEN it is "due
    today" for her, not overdue: "today" is ``careteam.timezones.user_today``."""
    plan = active_plan(alice, counselor)
    TreatmentPlan.objects.filter(pk=plan.pk).update(review_due_on=dt.date(2031, 3, 11))
    counselor.time_zone = "Pacific/Honolulu"
    counselor.save(update_fields=["time_zone"])

    with time_machine.travel(dt.datetime(2031, 3, 12, 6, 0, tzinfo=dt.UTC), tick=False):
        html = login(counselor).get(reverse("clients:detail", args=[alice.pk])).content.decode()

    assert "Treatment plan review due today" in html and "overdue" not in html
