"""Admin for referrals; the directory's admin lives in referrals.directory.admin."""

from .directory import admin as directory_admin  # noqa: F401  (registers the directory models)
