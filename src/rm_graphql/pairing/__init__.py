"""Reverse-mentoring pairing: the pure engine lives in solver.py (entry point `match`)."""
