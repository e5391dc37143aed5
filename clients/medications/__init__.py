"""Medications (MOUD / MAUD included) and the prescriber's recommendations on the client's chart."""
