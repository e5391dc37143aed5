"""Navigation for the base layout, by role."""

from django.urls import reverse

from .roles import Role


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    items = [
        ("Today", reverse("workspace:today"), "sun"),
        ("My caseload", reverse("clients:list"), "people"),
        ("Tasks", reverse("workspace:worklist"), "check2-square"),
    ]
    if user.has_role(Role.PEER_SPECIALIST):
        items.append(("My people", reverse("peers:home"), "people-fill"))
    if user.has_role(Role.SUPERVISOR, Role.ADMIN) or user.is_superuser:
        items.append(("Peer supervision", reverse("peers:supervision"), "diagram-3"))
    if user.has_perm("clients.add_client"):
        items.append(("New intake", reverse("clients:create"), "person-plus"))
    if user.is_staff:
        items.append(("Admin", reverse("admin:index"), "gear"))
    return {
        "nav_items": items,
        "nav_role": Role(user.primary_role).label if user.primary_role else "",
    }
