"""Peer matching: a pure ranking of peer specialists for one client, with the reasons for each rank.

``rank_peers`` takes plain facts (no ORM) so the rules are tested on their own;
``peer_matches_for_client`` builds the facts from the database in a fixed
number of queries and calls it. The staff member chooses: the ranking only
orders and explains.

Rules (our program's matching policy, after SAMHSA's peer-support guidance that
matching on shared lived experience, language and the client's own recovery
pathway supports engagement):

- Excluded: peers not accepting new clients, peers at caseload capacity, peers
  already working with this client, and — for clients under 18 — peers not
  trained for youth work (adolescent peer support needs youth-specific training).
- Pathways the client does not want are a PENALTY, not an exclusion: "pathways a
  peer can speak to" is a list, and a peer who can speak to 12-step can usually
  also speak to SMART Recovery. The penalty is shown as a caution so the staff
  member sees it; the score keeps such a peer below an otherwise equal one.
- Scores: language +3, gender preference met +3, each shared experience area the
  client asked to match on +2, each preferred pathway +2, same age bracket +2
  (adjacent +1), each unwanted pathway -3. Ties break on remaining capacity,
  then name.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..models import AgeBracket, ExperienceArea, Pathway, PeerGender

LANGUAGE_POINTS = 3
GENDER_POINTS = 3
SHARED_AREA_POINTS = 2
PATHWAY_POINTS = 2
SAME_AGE_POINTS = 2
NEAR_AGE_POINTS = 1
UNWANTED_PATHWAY_PENALTY = -3

# Brackets in age order, so "closeness" is the distance between indexes.
_BRACKETS = [
    AgeBracket.YOUTH,
    AgeBracket.YOUNG_ADULT,
    AgeBracket.ADULT,
    AgeBracket.MIDLIFE,
    AgeBracket.OLDER,
]
_LABEL_AREA = dict(ExperienceArea.choices)
_LABEL_PATHWAY = dict(Pathway.choices)
_LABEL_GENDER = dict(PeerGender.choices)
_LABEL_BRACKET = dict(AgeBracket.choices)


def age_on(date_of_birth: dt.date, today: dt.date) -> int:
    return (
        today.year
        - date_of_birth.year
        - ((today.month, today.day) < (date_of_birth.month, date_of_birth.day))
    )


def age_bracket_for(age: int) -> str:
    if age < 18:
        return AgeBracket.YOUTH
    if age <= 25:
        return AgeBracket.YOUNG_ADULT
    if age <= 40:
        return AgeBracket.ADULT
    if age <= 60:
        return AgeBracket.MIDLIFE
    return AgeBracket.OLDER


@dataclass(frozen=True)
class ClientFacts:
    """What matching needs to know about the client and what they asked for."""

    client_id: int
    date_of_birth: dt.date
    language: str
    language_label: str = ""
    language_match: bool = True
    shared_experience: tuple[str, ...] = ()
    gender_preference: str = ""
    pathway_preference: tuple[str, ...] = ()
    pathways_not_wanted: tuple[str, ...] = ()


@dataclass(frozen=True)
class PeerFacts:
    """What matching needs to know about one peer specialist."""

    user_id: int
    name: str
    languages: tuple[str, ...] = ()
    experience_areas: tuple[str, ...] = ()
    age_bracket: str = ""
    gender: str = ""
    pathways: tuple[str, ...] = ()
    trained_for_youth: bool = False
    accepting_new: bool = True
    capacity: int = 15
    active_count: int = 0
    already_with_client: bool = False

    @property
    def remaining_capacity(self) -> int:
        return max(self.capacity - self.active_count, 0)


@dataclass
class Match:
    peer: PeerFacts
    score: int
    reasons: list[str] = field(default_factory=list)
    cautions: list[str] = field(default_factory=list)

    @property
    def remaining_capacity(self) -> int:
        return self.peer.remaining_capacity


def _names(values, labels) -> str:
    return ", ".join(str(labels.get(v, v)) for v in values)


def _excluded(client: ClientFacts, peer: PeerFacts, *, is_youth: bool) -> bool:
    return (
        not peer.accepting_new
        or peer.remaining_capacity <= 0
        or peer.already_with_client
        or (is_youth and not peer.trained_for_youth)
    )


def _score(client: ClientFacts, peer: PeerFacts, *, bracket: str) -> Match:
    match = Match(peer=peer, score=0)
    if client.language_match:
        if client.language in peer.languages:
            match.score += LANGUAGE_POINTS
            match.reasons.append(f"Speaks {client.language_label or client.language}")
        else:
            match.cautions.append(f"Does not speak {client.language_label or client.language}")
    shared = [a for a in client.shared_experience if a in peer.experience_areas]
    if shared:
        match.score += SHARED_AREA_POINTS * len(shared)
        match.reasons.append(f"Shared lived experience: {_names(shared, _LABEL_AREA)}")
    if bracket == AgeBracket.YOUTH:
        match.reasons.append("Trained to work with young people")
    if peer.age_bracket in _BRACKETS and bracket in _BRACKETS:
        distance = abs(_BRACKETS.index(peer.age_bracket) - _BRACKETS.index(bracket))
        if distance == 0:
            match.score += SAME_AGE_POINTS
            match.reasons.append(f"Same age bracket ({_LABEL_BRACKET[bracket]})")
        elif distance == 1:
            match.score += NEAR_AGE_POINTS
            match.reasons.append(f"Close in age ({_LABEL_BRACKET[peer.age_bracket]})")
    if client.gender_preference:
        if peer.gender == client.gender_preference:
            match.score += GENDER_POINTS
            match.reasons.append(f"{_LABEL_GENDER[peer.gender]}, as the client prefers")
        else:
            match.cautions.append(
                f"Client prefers a peer who is a {str(_LABEL_GENDER[client.gender_preference]).lower()}"
            )
    preferred = [p for p in client.pathway_preference if p in peer.pathways]
    if preferred:
        match.score += PATHWAY_POINTS * len(preferred)
        match.reasons.append(f"Speaks to {_names(preferred, _LABEL_PATHWAY)}, as the client prefers")
    unwanted = [p for p in client.pathways_not_wanted if p in peer.pathways]
    if unwanted:
        match.score += UNWANTED_PATHWAY_PENALTY * len(unwanted)
        match.cautions.append(
            f"Also speaks to {_names(unwanted, _LABEL_PATHWAY)}, which the client does not want"
        )
    match.reasons.append(f"{peer.remaining_capacity} of {peer.capacity} places left on caseload")
    return match


def rank_peers(client_facts: ClientFacts, peers_facts: list[PeerFacts], *, today: dt.date) -> list[Match]:
    """Peers who may take this client, best first, each with the reasons (and cautions) for the rank."""
    bracket = age_bracket_for(age_on(client_facts.date_of_birth, today))
    is_youth = bracket == AgeBracket.YOUTH
    matches = [
        _score(client_facts, peer, bracket=bracket)
        for peer in peers_facts
        if not _excluded(client_facts, peer, is_youth=is_youth)
    ]
    matches.sort(key=lambda m: (-m.score, -m.remaining_capacity, m.peer.name, m.peer.user_id))
    return matches
