"""What an import of a file reports, for every importer (tasks from CSV, events from .ics).

An importer adds what it can and lists each item it refused, with where the item is in
the file (a CSV line number, an event's title) and why, so the user can fix the file and
import just those again. A file that cannot be read at all raises InvalidInput instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ImportProblem:
    item: str  # where it is in the file, as the user finds it: "4" (a CSV line), "Team lunch" (an event)
    reason: str

    def __str__(self) -> str:
        return f"{self.item}: {self.reason}"


@dataclass
class ImportReport:
    created: int = 0
    refused: list[ImportProblem] = field(default_factory=list)
