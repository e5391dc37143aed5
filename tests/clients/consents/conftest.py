"""Fixtures for consents and disclosures: a directory organisation and Alice's wider care team."""

import pytest

from tests.factories import assign
from tests.factories.directory import OrganizationFactory


@pytest.fixture
def org(db):
    return OrganizationFactory(name="Harbor Housing Partners")


@pytest.fixture
def team_on_case(alice, case_manager, crisis_worker):
    """The case manager and crisis worker on Alice's care team (the counselor and peer already are)."""
    assign(alice, case_manager, "case_manager")
    assign(alice, crisis_worker, "crisis")
    return alice
