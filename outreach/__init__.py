"""Outreach: one outbox for every message to a person on the record, and the dispatcher that sends it.

Layer 2 (DESIGN "Layout and layers"): outreach reads the record (clients, supportive people,
consents, appointments) and the core; it imports no domain app. Plans, referrals, peers and crisis
call its services to schedule messages and register their source checks (``outreach.sources``).
"""
