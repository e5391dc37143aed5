"""Consents (42 CFR Part 2, general releases, text messaging) and the accounting of disclosures."""
