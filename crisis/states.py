"""The status table of a crisis episode: open → disposition recorded → closed.

An episode has no status column: where it stands follows from its fields (``disposition`` and
``closed_at``, with a database constraint that a closed episode has a disposition), and a second
column could only disagree with them. ``episode_state`` reads the state from the fields and
``EPISODE_STATES`` is the table the services check before they write:

- open → dispositioned: the crisis worker records where the person went; this starts the follow-up
  checkpoints, so it happens once.
- dispositioned → closed: the crisis is over (its follow-up checkpoints keep running).

An open episode cannot be closed before its disposition is recorded (the follow-up clock would never
start), a disposition is never recorded twice, and a closed episode is final.
"""

from __future__ import annotations

from typing import NoReturn

from django.db import models
from django.utils.translation import gettext_lazy as _

from careteam.statemachine import StateMachine

from .models import CrisisEpisode


class EpisodeState(models.TextChoices):
    """Where an episode stands; labels read in the table's refusals ("… that is dispositioned …")."""

    OPEN = "open", _("Open")
    DISPOSITIONED = "dispositioned", _("Dispositioned")
    CLOSED = "closed", _("Closed")


def episode_state(episode: CrisisEpisode) -> str:
    """Where the episode stands, from its fields."""
    if episode.closed_at is not None:
        return EpisodeState.CLOSED
    if episode.disposition:
        return EpisodeState.DISPOSITIONED
    return EpisodeState.OPEN


class ComputedStateMachine(StateMachine):
    """A table for a state read from other fields: services ``check`` moves here and write the fields.

    ``move`` and ``move_all`` would write a status column the model does not have, so they refuse to run;
    ``status_field`` only names the field a refusal is shown against (on the form and in the API).
    """

    def move(self, *args, **kwargs) -> NoReturn:
        raise TypeError(f"The {self.name} state is computed: check the move, then write the fields.")

    def move_all(self, *args, **kwargs) -> NoReturn:
        raise TypeError(f"The {self.name} state is computed: check the move, then write the fields.")


EPISODE_STATES = ComputedStateMachine(
    name=_("crisis episode"),
    statuses=EpisodeState,
    moves={
        EpisodeState.OPEN: frozenset({EpisodeState.DISPOSITIONED}),
        EpisodeState.DISPOSITIONED: frozenset({EpisodeState.CLOSED}),
        EpisodeState.CLOSED: frozenset(),
    },
    status_field="disposition",
)
