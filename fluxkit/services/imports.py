"""What an import of a file reports, and the rules every importer shares (tasks from CSV, events from .ics).

An importer checks every item of the file and lists each one it refused, with where the item
is in the file (a CSV line number, an event's title) and why. An import is all-or-nothing:
`run_import` commits the items only when none was refused; otherwise it raises
`ImportRefused` (the caller's transaction rolls back) carrying the report, so the user can fix
those items and send the file again. A file that cannot be read at all raises InvalidInput.

The same file sent again soon after a committed import is not imported until the user says
so (`again=True`): `run_import` keeps the SHA-256 of each committed file per user and kind.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import Session, select

from fluxkit.clock import Clock, system_clock
from fluxkit.models.imports import ImportFile
from fluxkit.services.errors import InvalidInput

# How long a committed file is remembered: sending it again within this asks first.
RECENT = timedelta(days=7)

# Called by an importer as it goes: (items checked so far, items in the file).
Progress = Callable[[int, int], None]


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


@dataclass(frozen=True)
class PreviousImport:
    """The same file, imported before by the same user."""

    at: datetime
    items: int


@dataclass
class ImportOutcome:
    report: ImportReport
    previous: PreviousImport | None = None  # set (and nothing imported) when the file was imported recently


class ImportRefused(InvalidInput):
    """At least one item was refused, so nothing was imported; `report.refused` lists them."""

    def __init__(self, report: ImportReport, noun: str):
        count = len(report.refused)
        message = (
            f"Nothing was imported: {count} {noun}{'' if count == 1 else 's'} "
            f"{'was' if count == 1 else 'were'} refused. Fix {'it' if count == 1 else 'them'} "
            "and import the file again."
        )
        super().__init__(message, fields={"file": message})
        self.report = report


def digest(data: bytes) -> str:
    return hashlib.sha256(bytes(data)).hexdigest()


def recent_import(
    db: Session, user_id: int, kind: str, sha256: str, clock: Clock = system_clock
) -> PreviousImport | None:
    """The latest committed import of this very file by this user within RECENT, if any."""
    since = clock.now() - RECENT
    row = db.exec(
        select(ImportFile)
        .where(ImportFile.user_id == user_id, ImportFile.kind == kind, ImportFile.sha256 == sha256)
        .where(ImportFile.created_at >= since)
        .order_by(ImportFile.created_at.desc())  # type: ignore[union-attr]
        .limit(1)
    ).first()
    return PreviousImport(at=row.created_at, items=row.items) if row is not None else None


Importer = Callable[..., ImportReport]  # (db, user_id, data, clock, progress=...) -> ImportReport


def run_import(
    db: Session,
    user_id: int,
    kind: str,
    importer: Importer,
    data: bytes,
    clock: Clock = system_clock,
    *,
    noun: str = "item",
    again: bool = False,
    progress: Progress | None = None,
) -> ImportOutcome:
    """Import `data` with `importer` in the caller's transaction, all or nothing.

    Returns without importing when the same file was imported within RECENT (unless
    `again`); raises ImportRefused when any item is refused (the caller rolls back), and
    InvalidInput when the file cannot be read.
    """
    sha256 = digest(data)
    if not again:
        previous = recent_import(db, user_id, kind, sha256, clock)
        if previous is not None:
            return ImportOutcome(report=ImportReport(), previous=previous)
    report = importer(db, user_id, data, clock, progress=progress)
    if report.refused:
        raise ImportRefused(report, noun)
    db.add(ImportFile(user_id=user_id, kind=kind, sha256=sha256, items=report.created, created_at=clock.now()))
    db.flush()
    return ImportOutcome(report=report)
