"""Removing a problem (or goal, step, intervention) from a draft asks first and says what goes with it
(issue 18: "one click, no confirm, no undo"). A draft is not yet record history, so after the
confirmation the items are deleted."""

import pytest
from django.urls import reverse

from plans import services
from plans.models import ActionStep, Goal, Problem
from tests.conftest import login
from tests.factories import active_plan


@pytest.fixture
def draft(alice, counselor):
    """A draft copied from an active plan whose one problem has 2 goals of 3 steps each."""
    active_plan(alice, counselor, goals=2, steps=3)
    return services.plan_create_draft(client=alice, acting_user=counselor)


def _remove_url(alice, draft, kind, pk) -> str:
    return reverse("plans:item-remove", args=[alice.pk, draft.pk, kind, pk])


def test_the_draft_page_links_remove_to_a_confirmation_instead_of_deleting(alice, counselor, draft):
    problem = draft.problems.get()
    page = login(counselor).get(reverse("plans:draft", args=[alice.pk, draft.pk])).content.decode()
    assert f'href="{_remove_url(alice, draft, "problems", problem.pk)}"' in page


def test_a_get_shows_what_will_be_removed_with_a_remove_button_and_cancel(alice, counselor, draft):
    """GIVEN a draft problem with 2 goals and 6 steps WHEN the counselor opens its Remove
    THEN the page names the problem, says 2 goals and 6 action steps go with it, offers a POST
    Remove with ``confirm`` and a Cancel back to the draft, and nothing is deleted yet."""
    problem = draft.problems.get()

    response = login(counselor).get(_remove_url(alice, draft, "problems", problem.pk))

    html = response.content.decode()
    assert response.status_code == 200
    assert problem.description in html
    assert "2 goals" in html and "6 action steps" in html
    assert 'method="post"' in html and 'name="confirm"' in html
    assert f'href="{reverse("plans:draft", args=[alice.pk, draft.pk])}"' in html
    assert Problem.objects.filter(pk=problem.pk).exists()


def test_a_post_without_confirm_redirects_to_the_confirmation_and_deletes_nothing(alice, counselor, draft):
    problem = draft.problems.get()
    url = _remove_url(alice, draft, "problems", problem.pk)

    response = login(counselor).post(url)

    assert response.status_code == 302 and response.url == url
    assert Problem.objects.filter(pk=problem.pk).exists()
    assert Goal.objects.filter(problem=problem).count() == 2


def test_a_confirmed_post_removes_the_problem_with_its_goals_and_steps(alice, counselor, draft):
    problem = draft.problems.get()

    response = login(counselor).post(_remove_url(alice, draft, "problems", problem.pk), {"confirm": "1"})

    assert response.status_code == 302 and response.url == reverse("plans:draft", args=[alice.pk, draft.pk])
    assert not Problem.objects.filter(pk=problem.pk).exists()
    assert not ActionStep.objects.filter(goal__problem__plan=draft).exists()


def test_removing_one_step_also_asks_first(alice, counselor, draft):
    step = ActionStep.objects.filter(goal__problem__plan=draft).first()
    url = _remove_url(alice, draft, "steps", step.pk)
    http = login(counselor)

    assert http.post(url).url == url
    assert step.description in http.get(url).content.decode()
    http.post(url, {"confirm": "1"})
    assert not ActionStep.objects.filter(pk=step.pk).exists()


def test_an_outsider_gets_404_on_the_confirmation(alice, outsider, draft):
    problem = draft.problems.get()
    assert login(outsider).get(_remove_url(alice, draft, "problems", problem.pk)).status_code == 404
