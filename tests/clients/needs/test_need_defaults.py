"""Adding a need: the kind of need starts unchosen, so a hurried save cannot file a wrong category."""

import re

import pytest
from django.urls import reverse

from clients.models import Need
from tests.conftest import login

pytestmark = pytest.mark.django_db


def add_url(client):
    return reverse("clients:needs:create", args=[client.pk])


def selected_options(page: str, name: str) -> list[str]:
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page, re.S).group(1)
    return re.findall(r'<option value="([^"]*)"[^>]*\bselected\b', select)


def test_the_kind_of_need_starts_empty_with_a_choose_prompt(alice, counselor):
    page = login(counselor).get(add_url(alice)).content.decode()
    assert selected_options(page, "category") in ([], [""])
    assert '<option value="" selected>Choose…</option>' in page or '<option value="">Choose…</option>' in page


def test_a_need_without_a_kind_is_refused_and_nothing_is_saved(alice, counselor):
    response = login(counselor).post(add_url(alice), {"description": "Needs a bed", "urgency": "routine"})
    assert response.status_code == 400
    assert "Choose the kind of need." in response.content.decode()
    assert not Need.objects.filter(client=alice).exists()


def test_a_category_link_still_prefills_the_kind(alice, counselor):
    page = login(counselor).get(add_url(alice) + "?category=food").content.decode()
    assert selected_options(page, "category") == ["food"]
