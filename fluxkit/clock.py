"""Time as services see it: timezone-aware UTC (SQLModel stores and returns UTC).

Services take a clock argument so tests can move time without sleeping.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class Clock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FrozenClock(Clock):
    """A clock tests move by hand."""

    def __init__(self, start: datetime | None = None):
        self.current = start or Clock().now()

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


system_clock = Clock()
