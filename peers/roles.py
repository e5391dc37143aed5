"""Model permissions each role gets on peer support (see careteam.roles)."""

_LOG = [
    "peers.view_peercontact",
    "peers.add_peercontact",
    "peers.change_peercontact",
    "peers.view_groupattendance",
    "peers.add_groupattendance",
    "peers.view_recoverycapitalcheckin",
    "peers.add_recoverycapitalcheckin",
]
_READ = [
    "peers.view_peerprofile",
    "peers.view_peerassignment",
    "peers.view_supportgroup",
    "peers.view_firstfriend",
    "peers.view_peermatchpreferences",
]
_MATCH = [
    "peers.add_peerassignment",
    "peers.change_peerassignment",
    "peers.add_peermatchpreferences",
    "peers.change_peermatchpreferences",
]

# What the rest of the care team reads of the peer work (the chart's Peer Support tab).
_TEAM_VIEW = ["peers.view_peercontact", "peers.view_groupattendance", "peers.view_recoverycapitalcheckin"]

PEER_ROLE_PERMISSIONS: dict[str, list[str]] = {
    "peer_specialist": _READ + _LOG + ["peers.change_peerprofile"],
    "counselor": _READ + _MATCH + _TEAM_VIEW + ["peers.add_groupattendance"],
    "case_manager": _READ + _MATCH + _TEAM_VIEW + ["peers.add_groupattendance"],
    "crisis_worker": _READ + _TEAM_VIEW,
    "supervisor": _READ + _MATCH + _LOG + ["peers.add_supportgroup", "peers.change_supportgroup"],
    "admin": [
        *_READ,
        "peers.add_peerprofile",
        "peers.change_peerprofile",
        "peers.add_supportgroup",
        "peers.change_supportgroup",
        "peers.add_firstfriend",
        "peers.change_firstfriend",
    ],
}
