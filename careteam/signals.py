"""Audit rows for authentication events and role (group) changes; the care-team signals."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed
from django.dispatch import Signal, receiver

from .audit import audit_log, request_user
from .models import AuditAction, User

# Sent inside assignment_end's transaction, so apps above the core can end what hangs on an
# assignment (a peer assignment) without the core importing them. kwargs: assignment, acting_user, reason.
assignment_ended = Signal()


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    audit_log(user=user, action=AuditAction.LOGIN)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        # Set by careteam.signin.middleware when the session ended itself (idle, absolute, revoked).
        reason = getattr(request, "careteam_logout_reason", None)
        audit_log(user=user, action=AuditAction.LOGOUT, detail={"reason": reason} if reason else None)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    # Never the password: only the name that was tried.
    audit_log(user=None, action=AuditAction.LOGIN_FAILED, username=str(credentials.get("username", ""))[:150])


@receiver(m2m_changed, sender=User.groups.through)
def _roles_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    from django.contrib.auth.models import Group

    if reverse:  # group.user_set.add(...): instance is the group
        users, groups = list(User.objects.filter(pk__in=pk_set or [])), [instance.name]
    else:
        users = [instance]
        groups = list(Group.objects.filter(pk__in=pk_set or []).values_list("name", flat=True))
    for user in users:
        audit_log(
            user=request_user(),
            action=AuditAction.PERMISSION_CHANGE,
            obj=user,
            detail={"roles": action.removeprefix("post_"), "groups": sorted(groups)},
        )
