"""Password rules beyond Django's own validators (length 12, common list, similarity, numeric)."""

from itertools import pairwise

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class LowEntropyPasswordValidator:
    """Refuse passwords made of a few repeated characters or one repeated pattern.

    Django's CommonPasswordValidator (about 20,000 breached passwords) misses
    ``aaaaaaaaaaaa``, ``abababababab`` and ``123123123123``; NIST SP 800-63B 5.1.1.2 asks
    verifiers to reject "repetitive or sequential characters".
    """

    def __init__(self, min_distinct: int = 5):
        self.min_distinct = min_distinct

    def validate(self, password: str, user=None) -> None:
        if len(set(password.lower())) < self.min_distinct or _is_repetition(password) or _is_run(password):
            raise ValidationError(
                _(
                    "This password is too easy to guess: it repeats a few characters or one pattern. "
                    "Use at least %(count)d different characters, for example a few unrelated words."
                ),
                code="password_low_entropy",
                params={"count": self.min_distinct},
            )

    def get_help_text(self) -> str:
        return _("Your password can't be a few characters or one pattern repeated.") % {}


def _is_repetition(password: str) -> bool:
    """``abcabcabcabc``: the whole password is one shorter piece repeated."""
    return len(password) > 1 and password in (password + password)[1:-1]


def _is_run(password: str) -> bool:
    """``abcdefghijkl`` or ``9876543210``: every character one step from the last."""
    steps = {ord(b) - ord(a) for a, b in pairwise(password)}
    return len(steps) == 1 and steps <= {1, -1}
