"""Diagnoses on the client's problem list, ICD-10-CM coded (issue 15)."""
