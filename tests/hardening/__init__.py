"""Hardening: bad input of every kind, through the real CLI, never a traceback."""
