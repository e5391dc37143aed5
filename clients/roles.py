"""Model permissions each role gets on the clinical parts of the record (see careteam.roles)."""

_READ_SCORES = ["clients.view_instrument", "clients.view_assessmentresponse"]
_SCORE = [*_READ_SCORES, "clients.add_assessmentresponse"]
_APPOINTMENTS = ["clients.view_appointment", "clients.add_appointment", "clients.change_appointment"]
_NOTES = [
    "clients.view_encounternote",
    "clients.add_encounternote",
    "clients.change_encounternote",
    "clients.view_noteaddendum",
    "clients.add_noteaddendum",
]

# Peer specialists: appointments only (minimum necessary: no scores, no notes).
CLINICAL_ROLE_PERMISSIONS: dict[str, list[str]] = {
    "counselor": _SCORE + _APPOINTMENTS + _NOTES,
    "case_manager": _READ_SCORES + _APPOINTMENTS + _NOTES,
    "peer_specialist": ["clients.view_appointment", "clients.add_appointment", "clients.change_appointment"],
    "crisis_worker": _SCORE + _APPOINTMENTS + _NOTES,
    "supervisor": _SCORE + _APPOINTMENTS + _NOTES + ["clients.cosign_encounternote"],
    "admin": [
        *_READ_SCORES,
        "clients.add_instrument",
        "clients.change_instrument",
        "clients.view_appointment",
    ],
}
