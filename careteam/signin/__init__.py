"""Signing in and staying signed in: MFA, lockout, session timeouts, API tokens, password policy.

The pages come from django-allauth (login, password change, TOTP, passkeys, recovery codes),
the failure counting from django-axes and the API tokens from django-rest-knox; this package
holds careteam's own rules around them: MFA required for every staff account, secrets
encrypted at rest, idle and absolute session limits, audit rows for every change. README
"Security" says what a deployer sets.
"""
