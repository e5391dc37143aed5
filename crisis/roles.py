"""Model permissions each role gets on crisis records (see careteam.roles).

Clinical roles work crisis episodes, safety plans and caring contacts in full. Peer specialists read
the safety plan only — it is written to be shared with the people supporting the client — and no
episode, risk level or checkpoint (minimum necessary). Admins read everything and edit protocols.
"""

_CLINICAL = ["crisisepisode", "safetyplanversion", "caringcontactplan"]
_VIEW = [f"crisis.view_{m}" for m in _CLINICAL] + [
    "crisis.view_followupcheckpoint",
    "crisis.view_caringcontactprotocol",
]
_WRITE = [f"crisis.{verb}_{m}" for m in _CLINICAL for verb in ("add", "change")]
_FULL = _VIEW + _WRITE

CRISIS_ROLE_PERMISSIONS: dict[str, list[str]] = {
    "counselor": _FULL,
    "case_manager": _FULL,
    "crisis_worker": _FULL,
    "supervisor": _FULL,
    "peer_specialist": ["crisis.view_safetyplanversion"],
    "admin": [*_VIEW, "crisis.add_caringcontactprotocol", "crisis.change_caringcontactprotocol"],
}
