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

_NEEDS = ["clients.view_need", "clients.add_need", "clients.change_need"]
_CONSENTS = [
    "clients.view_consent",
    "clients.add_consent",
    "clients.change_consent",
    "clients.view_disclosure",
]
_CONTACTS = ["clients.view_clientcontact", "clients.add_clientcontact"]

# Needs, consents and disclosures (42 CFR Part 2), logged contacts. Peers see needs
# (they help meet them) but not consent details: minimum necessary.
RECORD_ROLE_PERMISSIONS: dict[str, list[str]] = {
    "counselor": _NEEDS + _CONSENTS + _CONTACTS,
    "case_manager": _NEEDS + _CONSENTS + _CONTACTS,
    "peer_specialist": ["clients.view_need", "clients.add_need"],
    "crisis_worker": _NEEDS + _CONSENTS + _CONTACTS,
    "supervisor": _NEEDS + _CONSENTS + _CONTACTS,
    "admin": [
        "clients.view_need",
        "clients.view_consent",
        "clients.view_disclosure",
        "clients.view_clientcontact",
    ],
}

_PROBLEM_LIST_READ = [
    "clients.view_diagnosiscode",
    "clients.view_diagnosis",
    "clients.view_medication",
    "clients.view_prescriberrecommendation",
    "clients.view_allergy",
]
_PROBLEM_LIST_WRITE = [
    "clients.add_diagnosis",
    "clients.change_diagnosis",
    "clients.add_medication",
    "clients.change_medication",
    "clients.add_prescriberrecommendation",
    "clients.change_prescriberrecommendation",
    "clients.add_allergy",
    "clients.change_allergy",
]
_ALLERGIES_WRITE = ["clients.add_allergy", "clients.change_allergy"]

# Diagnoses, medications (with the prescriber's recommendations) and allergies. Counselors and
# supervisors keep the problem list; case managers and crisis workers read it (crisis workers also
# record an allergy they learn of); peers see none of it (minimum necessary, DESIGN "Access").
PROBLEM_LIST_ROLE_PERMISSIONS: dict[str, list[str]] = {
    "counselor": _PROBLEM_LIST_READ + _PROBLEM_LIST_WRITE,
    "case_manager": _PROBLEM_LIST_READ,
    "crisis_worker": _PROBLEM_LIST_READ + _ALLERGIES_WRITE,
    "supervisor": _PROBLEM_LIST_READ + _PROBLEM_LIST_WRITE,
    "admin": [*_PROBLEM_LIST_READ, "clients.add_diagnosiscode", "clients.change_diagnosiscode"],
}
