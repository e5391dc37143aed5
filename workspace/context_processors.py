"""Navigation for the base layout, by role: it gathers pages from every app, so it lives above them."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from careteam.access import emergency_access_can_review
from careteam.roles import Role
from crisis.selectors import crisis_board_can_use
from dashboards.selectors import dashboard_can_link
from peers.selectors import peer_supervision_can_view
from referrals.selectors import referrals_can_read


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    items = [
        ("Today", reverse("workspace:today"), "sun"),
        ("Caseload", reverse("clients:list"), "people"),
        ("Tasks", reverse("workspace:worklist"), "check2-square"),
    ]
    if referrals_can_read(user):
        items.append(("Referrals", reverse("referrals:worklist"), "arrow-left-right"))
    if user.has_perm("referrals.view_service"):
        items.append(("Directory", reverse("referrals:directory"), "signpost-split"))
    if crisis_board_can_use(user):
        items.append(("Crisis board", reverse("crisis:board"), "heart-pulse"))
    if user.has_role(Role.PEER_SPECIALIST):
        items.append(("My people", reverse("peers:home"), "people-fill"))
    if peer_supervision_can_view(user):
        items.append(("Peers", reverse("peers:supervision"), "diagram-3"))
    if dashboard_can_link(user):
        items.append(("Dashboard", reverse("dashboards:dashboard"), "speedometer2"))
    if emergency_access_can_review(user):
        items.append((_("Break-glass review"), reverse("emergency-review"), "unlock"))
    if user.has_perm("clients.add_client"):
        items.append(("Intake", reverse("clients:create"), "person-plus"))
    if user.is_staff:
        items.append(("Admin", reverse("admin:index"), "gear"))
    return {
        "nav_items": items,
        "nav_role": Role(user.primary_role).label if user.primary_role else "",
    }
