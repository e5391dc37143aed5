"""Allergies and adverse reactions, and whether anyone has asked about them."""
