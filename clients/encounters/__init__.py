"""Appointments and signed session notes: part of the client record (``clients``)."""
