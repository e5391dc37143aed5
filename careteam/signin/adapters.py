"""careteam's adapters for django-allauth: no self-service sign-up, MFA secrets encrypted at rest."""

import base64
from functools import cache

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from cryptography.fernet import Fernet, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        # Staff accounts are created by administrators, who also give the role and team.
        return False


@cache
def _fernet(keys: tuple[str, ...], secret_key: str) -> MultiFernet:
    if not keys:
        # Derived, not the SECRET_KEY itself: a leaked Fernet key must not forge sessions.
        derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"careteam-mfa-secrets").derive(
            secret_key.encode()
        )
        keys = (base64.urlsafe_b64encode(derived).decode(),)
    return MultiFernet([Fernet(key) for key in keys])


def secrets_cipher() -> MultiFernet:
    """The cipher for secrets at rest: the first of MFA_ENCRYPTION_KEYS encrypts, every one decrypts."""
    return _fernet(tuple(settings.MFA_ENCRYPTION_KEYS), settings.SECRET_KEY)


class MFAAdapter(DefaultMFAAdapter):
    """TOTP keys and the recovery-code seed are stored encrypted (django-otp stores them in the clear)."""

    def encrypt(self, text: str) -> str:
        return secrets_cipher().encrypt(text.encode()).decode()

    def decrypt(self, encrypted_text: str) -> str:
        return secrets_cipher().decrypt(encrypted_text.encode()).decode()
