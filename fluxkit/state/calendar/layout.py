"""The calendar's grid: which days a view shows, and where each occurrence sits on them.

Pure functions over the service's occurrences (no database, no Reflex), used by CalendarState.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from fluxkit.services.calendar import Occurrence

VIEWS = ("month", "week", "day", "agenda")
AGENDA_DAYS = 30
MONTH_ITEMS = 3  # per day cell; the rest is "+N more"
HOUR_PX = 48


@dataclass(frozen=True)
class DayCell:
    """A day of the month grid."""

    date: str
    number: int
    in_month: bool
    is_today: bool
    shown: list[Occurrence] = field(default_factory=list)
    more: int = 0


@dataclass(frozen=True)
class Placed:
    """A timed occurrence placed in a day column (week and day views)."""

    key: str
    event_id: int
    title: str
    color: str
    time_label: str
    my_status: str
    top_px: int
    height_px: int
    left_pct: float
    width_pct: float


@dataclass(frozen=True)
class DayColumn:
    date: str
    label: str
    is_today: bool
    all_day: list[Occurrence] = field(default_factory=list)
    timed: list[Placed] = field(default_factory=list)


@dataclass(frozen=True)
class AgendaDay:
    date: str
    label: str
    is_today: bool
    shown: list[Occurrence] = field(default_factory=list)


def parse_day(value: object) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else None
    except ValueError:
        return None


def visible_range(view: str, anchor: date) -> tuple[date, date]:
    if view == "month":
        first = anchor.replace(day=1)
        start = first - timedelta(days=first.weekday())
        next_month = (first + timedelta(days=32)).replace(day=1)
        end = next_month + timedelta(days=(7 - next_month.weekday()) % 7)
        return start, end
    if view == "week":
        start = anchor - timedelta(days=anchor.weekday())
        return start, start + timedelta(days=7)
    if view == "day":
        return anchor, anchor + timedelta(days=1)
    return anchor, anchor + timedelta(days=AGENDA_DAYS)


def step_anchor(view: str, anchor: date, direction: int) -> date:
    if view == "month":
        month = anchor.month - 1 + direction
        return date(anchor.year + month // 12, month % 12 + 1, 1)
    days = {"week": 7, "day": 1}.get(view, AGENDA_DAYS)
    return anchor + timedelta(days=days * direction)


def heading(view: str, anchor: date, start: date, end: date) -> str:
    if view == "month":
        return f"{anchor:%B %Y}"
    if view == "day":
        return f"{anchor:%A}, {anchor.day} {anchor:%B %Y}"
    last = end - timedelta(days=1)
    if start.year != last.year:
        return f"{start.day} {start:%b %Y} – {last.day} {last:%b %Y}"
    if start.month != last.month:
        return f"{start.day} {start:%b} – {last.day} {last:%b %Y}"
    return f"{start.day} – {last.day} {last:%b %Y}"


def on_day(items: list[Occurrence], day: str) -> list[Occurrence]:
    """What is on `day`: events first (all-day, then by start time), then tasks due that day,
    so a day with many tasks due never hides a meeting behind "+N more"."""
    return sorted(
        (o for o in items if o.day <= day <= o.last_day),
        key=lambda o: (o.task_id > 0, not o.all_day, o.start),
    )


def place(items: list[Occurrence], day: str) -> list[Placed]:
    """Side by side where they overlap: each cluster of overlapping events shares the width."""
    timed = sorted((o for o in items if not o.all_day and o.day == day), key=lambda o: (o.top, -o.height))
    placed: list[Placed] = []
    cluster: list[tuple[Occurrence, int]] = []
    lanes_end: list[int] = []
    cluster_end = -1

    def flush() -> None:
        width = 100 / max(1, len(lanes_end))
        for occ, lane in cluster:
            placed.append(
                Placed(
                    key=occ.key,
                    event_id=occ.event_id,
                    title=occ.title,
                    color=occ.color,
                    time_label=occ.time_label,
                    my_status=occ.my_status,
                    top_px=occ.top * HOUR_PX // 60,
                    height_px=max(20, occ.height * HOUR_PX // 60 - 2),
                    left_pct=lane * width,
                    width_pct=width,
                )
            )

    for occ in timed:
        if occ.top >= cluster_end and cluster:
            flush()
            cluster, lanes_end = [], []
        lane = next((n for n, end in enumerate(lanes_end) if end <= occ.top), len(lanes_end))
        if lane == len(lanes_end):
            lanes_end.append(0)
        lanes_end[lane] = occ.top + occ.height
        cluster.append((occ, lane))
        cluster_end = max(cluster_end, occ.top + occ.height)
    if cluster:
        flush()
    return placed
