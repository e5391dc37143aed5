"""Deployment checks (``manage.py check --deploy``): keys that must live outside the database.

Both keys fall back to one derived from SECRET_KEY so the embedded default runs without setup, but a
production install that rotates SECRET_KEY would then lose its MFA secrets and its audit anchor.
"""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def keys_outside_the_database(app_configs, **kwargs):
    warnings = []
    if not settings.AUDIT_HMAC_KEY:
        warnings.append(
            Warning(
                "AUDIT_HMAC_KEY is not set: the audit trail's keyed hashes and checkpoints use a key "
                "derived from SECRET_KEY, and rotating SECRET_KEY would make the whole trail fail "
                "audit_verify.",
                hint="Set AUDIT_HMAC_KEY to a long random value kept out of the database and its "
                "backups, and never change it (docs/audit.md).",
                id="careteam.W001",
            )
        )
    if not settings.MFA_ENCRYPTION_KEYS:
        warnings.append(
            Warning(
                "MFA_ENCRYPTION_KEYS is not set: two-factor secrets are encrypted with a key derived "
                "from SECRET_KEY, and rotating SECRET_KEY would lock every enrolled account out.",
                hint="Set MFA_ENCRYPTION_KEYS to one or more Fernet keys (README, Security).",
                id="careteam.W002",
            )
        )
    return warnings
