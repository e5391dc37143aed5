"""Staff roles: Django groups and the model permissions each one carries.

A role says what kind of thing a user may do (model permissions); which
clients they may do it to follows the care team (see ``careteam.access``).
The data migrations build the groups from ``ROLE_PERMISSIONS`` so the
mapping lives in exactly one place.
"""

from django.db import models


class Role(models.TextChoices):
    COUNSELOR = "counselor", "Counselor"
    CASE_MANAGER = "case_manager", "Case manager"
    PEER_SPECIALIST = "peer_specialist", "Peer specialist"
    CRISIS_WORKER = "crisis_worker", "Crisis worker"
    SUPERVISOR = "supervisor", "Supervisor"
    ADMIN = "admin", "Administrator"


_CLIENT_READ = ["clients.view_client", "clients.view_supportiveperson"]
_CLIENT_WRITE = [
    "clients.add_client",
    "clients.change_client",
    "clients.add_supportiveperson",
    "clients.change_supportiveperson",
]
_TEAM_READ = ["careteam.view_team", "careteam.view_careteamassignment"]
_ASSIGN = ["careteam.add_careteamassignment", "careteam.change_careteamassignment"]

# "app_label.codename" strings per role. Later apps extend this mapping in
# their own data migrations through ``grant_role_permissions``.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.COUNSELOR: _CLIENT_READ + _CLIENT_WRITE + _TEAM_READ,
    Role.CASE_MANAGER: _CLIENT_READ + _CLIENT_WRITE + _TEAM_READ,
    # Peers see a minimum-necessary view of assigned clients and write nothing on the record itself.
    Role.PEER_SPECIALIST: ["clients.view_client", *_TEAM_READ],
    Role.CRISIS_WORKER: _CLIENT_READ + _CLIENT_WRITE + _TEAM_READ,
    Role.SUPERVISOR: _CLIENT_READ
    + _CLIENT_WRITE
    + _TEAM_READ
    + _ASSIGN
    + ["clients.archive_client", "careteam.view_auditevent"],
    Role.ADMIN: _CLIENT_READ
    + _CLIENT_WRITE
    + _TEAM_READ
    + _ASSIGN
    + [
        "clients.archive_client",
        "careteam.view_auditevent",
        "careteam.add_team",
        "careteam.change_team",
        "careteam.view_user",
        "careteam.add_user",
        "careteam.change_user",
    ],
}


def grant_role_permissions(apps, mapping: dict[str, list[str]]) -> None:
    """Create the role groups (if missing) and add the listed permissions.

    Written against the historical ``apps`` registry so data migrations can
    call it. Permissions are created first: in a fresh database the
    ``post_migrate`` signal that normally creates them has not run yet.
    """
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, verbosity=0, apps=apps)

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, perms in mapping.items():
        group, _ = Group.objects.get_or_create(name=str(role))
        for dotted in perms:
            app_label, codename = dotted.split(".")
            permission = Permission.objects.get(content_type__app_label=app_label, codename=codename)
            group.permissions.add(permission)
