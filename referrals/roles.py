"""Model permissions each role gets on the directory and on referrals (see careteam.roles)."""

_DIRECTORY_READ = [
    "referrals.view_organization",
    "referrals.view_service",
    "referrals.view_location",
    "referrals.view_taxonomyterm",
]
DIRECTORY_EDIT = [
    f"referrals.{action}_{model}"
    for model in (
        "organization",
        "service",
        "servicelanguage",
        "location",
        "address",
        "serviceatlocation",
        "phone",
        "schedule",
        "taxonomyterm",
    )
    for action in ("add", "change")
]
_REFERRALS = [
    "referrals.view_referral",
    "referrals.add_referral",
    "referrals.change_referral",
    "referrals.view_referralevent",
]

# Everyone finds services; clinical staff refer; case managers keep capacity current;
# admins curate the directory (and import it). Peers search the directory with clients.
REFERRAL_ROLE_PERMISSIONS: dict[str, list[str]] = {
    "counselor": _DIRECTORY_READ + _REFERRALS,
    "case_manager": _DIRECTORY_READ + _REFERRALS + ["referrals.change_service"],
    "peer_specialist": _DIRECTORY_READ,
    "crisis_worker": _DIRECTORY_READ + _REFERRALS,
    "supervisor": _DIRECTORY_READ + _REFERRALS,
    "admin": _DIRECTORY_READ + DIRECTORY_EDIT + ["referrals.view_referral", "referrals.view_referralevent"],
}
