"""Model permissions each role gets on the outbox (see careteam.roles)."""

_MESSAGES_READ = ["outreach.view_scheduledmessage", "outreach.view_inboundmessage"]
_SEND = ["outreach.add_scheduledmessage", "outreach.change_scheduledmessage"]
_REMINDERS = ["outreach.view_clientreminder", "outreach.add_clientreminder", "outreach.change_clientreminder"]

# Clinical staff see and schedule a client's messages; admins edit the wording (templates).
OUTREACH_ROLE_PERMISSIONS: dict[str, list[str]] = {
    "counselor": _MESSAGES_READ + _SEND + _REMINDERS,
    "case_manager": _MESSAGES_READ + _SEND + _REMINDERS,
    "peer_specialist": ["outreach.view_clientreminder"],
    "crisis_worker": _MESSAGES_READ + _SEND + _REMINDERS,
    "supervisor": _MESSAGES_READ + _SEND + _REMINDERS,
    "admin": [
        *_MESSAGES_READ,
        "outreach.view_messagetemplate",
        "outreach.add_messagetemplate",
        "outreach.change_messagetemplate",
    ],
}
