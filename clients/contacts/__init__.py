"""Logged contacts with a client outside booked appointments (calls, texts, visits, attempts)."""
