"""Template context every page shares from the core: what the user's role may see of a record."""

from django.utils.functional import SimpleLazyObject

from .minimum_necessary import section_flags_for


def minimum_necessary(request):
    """``can_see``: the sections of a client's record the user may see (``careteam.minimum_necessary``),
    so templates write ``{% if can_see.dob %}`` and never decide by role themselves."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"can_see": SimpleLazyObject(lambda: section_flags_for(user))}
