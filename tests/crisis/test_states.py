"""The crisis-episode table (crisis.states): open → dispositioned → closed, checked by the services."""

import pytest

from careteam.errors import DomainError
from crisis import services
from crisis.models import CrisisEpisode
from crisis.states import EPISODE_STATES, EpisodeState, episode_state


@pytest.fixture
def episode_in(episode, counselor):
    """The open episode moved along to ``state`` by the services themselves."""

    def make(state):
        if state in (EpisodeState.DISPOSITIONED, EpisodeState.CLOSED):
            services.episode_record_disposition(
                episode=episode, disposition="community", acting_user=counselor
            )
        if state == EpisodeState.CLOSED:
            services.episode_close(episode=episode, acting_user=counselor)
        fresh = CrisisEpisode.objects.get(pk=episode.pk)
        assert episode_state(fresh) == state
        return fresh

    return make


def _make_move(episode, to, user):
    if to == EpisodeState.DISPOSITIONED:
        return services.episode_record_disposition(episode=episode, disposition="ed", acting_user=user)
    if to == EpisodeState.CLOSED:
        return services.episode_close(episode=episode, acting_user=user)
    # Nothing reopens an episode: no service offers it, and the table refuses it.
    EPISODE_STATES.check(episode_state(episode), to)
    raise AssertionError("the table let an episode be reopened")


def test_an_episode_goes_open_then_dispositioned_then_closed_and_no_further():
    assert EPISODE_STATES.targets(EpisodeState.OPEN) == [EpisodeState.DISPOSITIONED]
    assert EPISODE_STATES.targets(EpisodeState.DISPOSITIONED) == [EpisodeState.CLOSED]
    assert EPISODE_STATES.terminal == {EpisodeState.CLOSED}


def test_the_state_is_read_from_the_disposition_and_the_close(episode):
    assert episode_state(episode) == EpisodeState.OPEN
    episode.disposition = "community"
    assert episode_state(episode) == EpisodeState.DISPOSITIONED
    episode.closed_at = episode.opened_at
    assert episode_state(episode) == EpisodeState.CLOSED


@pytest.mark.parametrize(("current", "to"), EPISODE_STATES.all_pairs())
def test_the_services_accept_exactly_the_tables_moves(episode_in, counselor, current, to):
    episode = episode_in(current)
    if EPISODE_STATES.can_move(current, to):
        _make_move(episode, to, counselor)
        assert episode_state(CrisisEpisode.objects.get(pk=episode.pk)) == to
    else:
        with pytest.raises(DomainError) as exc:
            _make_move(episode, to, counselor)
        assert exc.value.message.startswith(EPISODE_STATES.refusal(current, to))
        assert episode_state(CrisisEpisode.objects.get(pk=episode.pk)) == current


def test_a_second_disposition_is_refused_and_the_first_stands(episode_in, counselor):
    episode = episode_in(EpisodeState.DISPOSITIONED)
    with pytest.raises(DomainError) as exc:
        services.episode_record_disposition(episode=episode, disposition="ed", acting_user=counselor)
    assert exc.value.message == "The crisis episode is already dispositioned."
    assert CrisisEpisode.objects.get(pk=episode.pk).disposition == "community"


def test_closing_before_the_disposition_says_what_comes_first(episode_in, counselor):
    episode = episode_in(EpisodeState.OPEN)
    with pytest.raises(DomainError) as exc:
        services.episode_close(episode=episode, acting_user=counselor)
    assert exc.value.message == (
        "A crisis episode that is open cannot become closed. Record the disposition first."
    )
    assert exc.value.field == "disposition"


def test_a_closed_episode_is_final(episode_in, counselor):
    episode = episode_in(EpisodeState.CLOSED)
    with pytest.raises(DomainError) as exc:
        services.episode_record_disposition(episode=episode, disposition="ed", acting_user=counselor)
    assert exc.value.message == (
        "A crisis episode that is closed cannot become dispositioned: closed is final."
    )
    with pytest.raises(DomainError, match="already closed"):
        services.episode_close(episode=episode, acting_user=counselor)


def test_the_services_read_the_episode_as_stored_not_as_the_caller_holds_it(episode_in, counselor):
    """GIVEN a page that loaded the episode before a colleague closed it, WHEN it records a disposition,
    THEN the service checks the locked row, not the stale copy."""
    stale = episode_in(EpisodeState.OPEN)
    current = CrisisEpisode.objects.get(pk=stale.pk)
    services.episode_record_disposition(episode=current, disposition="community", acting_user=counselor)
    with pytest.raises(DomainError, match="already dispositioned"):
        services.episode_record_disposition(episode=stale, disposition="ed", acting_user=counselor)


def test_a_refusal_is_shown_against_the_disposition(episode_in, counselor):
    episode = episode_in(EpisodeState.DISPOSITIONED)
    with pytest.raises(DomainError) as exc:
        services.episode_record_disposition(episode=episode, disposition="ed", acting_user=counselor)
    assert exc.value.field == "disposition"


def test_the_episode_table_checks_moves_but_never_writes_a_status_column(episode):
    with pytest.raises(TypeError):
        EPISODE_STATES.move(episode, EpisodeState.DISPOSITIONED)
    with pytest.raises(TypeError):
        EPISODE_STATES.move_all(CrisisEpisode.objects.all(), EpisodeState.CLOSED)
