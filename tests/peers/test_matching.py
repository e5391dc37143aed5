"""The peer ranking: pure rules (no database) and the selector that feeds it."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from peers.assignments.matching import ClientFacts, PeerFacts, rank_peers
from peers.assignments.selectors import peer_matches_for_client
from tests.factories import ClientFactory, PeerProfileFactory

TODAY = dt.date(2025, 6, 1)
ADULT_DOB = dt.date(1990, 3, 1)  # 35 on TODAY
YOUTH_DOB = dt.date(2009, 9, 1)  # 15 on TODAY


def client(**kw):
    base = {"client_id": 1, "date_of_birth": ADULT_DOB, "language": "es", "language_label": "Spanish"}
    return ClientFacts(**{**base, **kw})


def peer(user_id, name, **kw):
    return PeerFacts(user_id=user_id, name=name, **kw)


def by_name(matches):
    return {m.peer.name: m for m in matches}


def test_it_excludes_peers_at_capacity_or_not_accepting_new_clients():
    peers = [
        peer(1, "Full", capacity=5, active_count=5, languages=("es",)),
        peer(2, "Closed", accepting_new=False, languages=("es",)),
        peer(3, "Open", capacity=5, active_count=4),
    ]
    matches = rank_peers(client(), peers, today=TODAY)
    assert [m.peer.name for m in matches] == ["Open"]
    assert "1 of 5 places left on caseload" in matches[0].reasons


def test_it_excludes_a_peer_already_working_with_the_client():
    matches = rank_peers(client(), [peer(1, "Already", already_with_client=True)], today=TODAY)
    assert matches == []


def test_it_ranks_a_peer_who_speaks_the_clients_language_first_and_says_so():
    matches = rank_peers(
        client(),
        [peer(1, "Anglo", languages=("en",)), peer(2, "Hispano", languages=("en", "es"))],
        today=TODAY,
    )
    assert [m.peer.name for m in matches] == ["Hispano", "Anglo"]
    assert "Speaks Spanish" in matches[0].reasons
    assert "Does not speak Spanish" in matches[1].cautions


def test_language_is_not_scored_when_the_client_did_not_ask_for_it():
    matches = rank_peers(client(language_match=False), [peer(1, "A", languages=("es",))], today=TODAY)
    assert matches[0].score == 0
    assert not any("Spanish" in r for r in matches[0].reasons)


def test_clients_under_18_are_matched_only_with_peers_trained_for_youth():
    peers = [peer(1, "Untrained", age_bracket="18_25"), peer(2, "Youth worker", trained_for_youth=True)]
    matches = rank_peers(client(date_of_birth=YOUTH_DOB), peers, today=TODAY)
    assert [m.peer.name for m in matches] == ["Youth worker"]
    assert "Trained to work with young people" in matches[0].reasons


def test_adults_may_be_matched_with_any_peer():
    peers = [peer(1, "Untrained"), peer(2, "Youth worker", trained_for_youth=True)]
    assert len(rank_peers(client(), peers, today=TODAY)) == 2


def test_shared_experience_counts_only_the_areas_the_client_asked_to_match_on_and_names_them():
    facts = client(shared_experience=("opioids", "parenting"), language_match=False)
    peers = [
        peer(1, "Both", experience_areas=("opioids", "parenting", "veteran")),
        peer(2, "One", experience_areas=("opioids", "veteran")),
        peer(3, "Unasked", experience_areas=("veteran", "justice")),
    ]
    matches = rank_peers(facts, peers, today=TODAY)
    assert [m.peer.name for m in matches] == ["Both", "One", "Unasked"]
    assert "Shared lived experience: Opioids, Parenting" in matches[0].reasons
    assert "Shared lived experience: Opioids" in matches[1].reasons
    assert not any("lived experience" in r for r in matches[2].reasons)


def test_gender_preference_met_scores_and_unmet_is_a_caution():
    facts = client(gender_preference="woman", language_match=False)
    matches = rank_peers(facts, [peer(1, "Man", gender="man"), peer(2, "Woman", gender="woman")], today=TODAY)
    assert [m.peer.name for m in matches] == ["Woman", "Man"]
    assert "Woman, as the client prefers" in matches[0].reasons
    assert "Client prefers a peer who is a woman" in matches[1].cautions


def test_preferred_pathway_scores_and_an_unwanted_pathway_is_a_penalty_not_an_exclusion():
    facts = client(pathway_preference=("smart",), pathways_not_wanted=("twelve_step",), language_match=False)
    peers = [
        peer(1, "Twelve", pathways=("twelve_step",)),
        peer(2, "Neutral", pathways=("faith",)),
        peer(3, "Smart", pathways=("smart",)),
    ]
    matches = by_name(rank_peers(facts, peers, today=TODAY))
    assert [m.peer.name for m in rank_peers(facts, peers, today=TODAY)] == ["Smart", "Neutral", "Twelve"]
    assert "Speaks to SMART Recovery, as the client prefers" in matches["Smart"].reasons
    assert "Also speaks to 12-step, which the client does not want" in matches["Twelve"].cautions
    assert matches["Twelve"].score < 0


def test_age_bracket_closeness_scores_same_above_adjacent_above_distant():
    facts = client(language_match=False)  # 35: the 26-40 bracket
    peers = [
        peer(1, "Older", age_bracket="60_plus"),
        peer(2, "Near", age_bracket="41_60"),
        peer(3, "Same", age_bracket="26_40"),
    ]
    matches = rank_peers(facts, peers, today=TODAY)
    assert [m.peer.name for m in matches] == ["Same", "Near", "Older"]
    assert "Same age bracket (26-40)" in matches[0].reasons
    assert "Close in age (41-60)" in matches[1].reasons


def test_ties_break_on_remaining_capacity():
    peers = [peer(1, "Busy", capacity=10, active_count=8), peer(2, "Free", capacity=10, active_count=1)]
    assert [m.peer.name for m in rank_peers(client(language_match=False), peers, today=TODAY)] == [
        "Free",
        "Busy",
    ]


@pytest.mark.django_db
def test_the_selector_counts_active_assignments_and_keeps_queries_flat(alice):
    def run(n):
        for _ in range(n):
            PeerProfileFactory()
        with CaptureQueriesContext(connection) as ctx:
            matches = peer_matches_for_client(alice, today=TODAY)
        return len(ctx.captured_queries), matches

    few, matches = run(3)
    many, matches = run(12)
    assert few == many <= 4
    assert len(matches) == 15


@pytest.mark.django_db
def test_the_selector_leaves_out_peers_whose_caseload_is_full(alice, counselor):
    from peers.assignments.services import peer_assignment_start

    profile = PeerProfileFactory(caseload_capacity=1)
    other = ClientFactory(primary_team=alice.primary_team)
    peer_assignment_start(client=other, peer=profile.user, acting_user=counselor, goals="x")
    assert profile.user_id not in [m.peer.user_id for m in peer_matches_for_client(alice, today=TODAY)]
