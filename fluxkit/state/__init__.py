"""Reflex states: thin, per page. Identity comes from the session cookie, every event."""
