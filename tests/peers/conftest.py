"""Peer-support fixtures on top of the shared personas: Alice's peer assignment and a group."""

import pytest

from tests.factories import PeerAssignmentFactory, SupportGroupFactory


@pytest.fixture
def alice_peer(alice, peer):
    """The peer assignment behind the peer's care-team role on Alice's case."""
    return PeerAssignmentFactory(client=alice, peer=peer, goals="Find a home group; get my license back.")


@pytest.fixture
def group(db):
    return SupportGroupFactory(name="Tuesday Night AA")
