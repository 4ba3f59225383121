"""The import job that `fluxkit.offload` runs in a child process: one file, one transaction.

Kept apart from `fluxkit/state/imports.py` so the child imports only the services and the
database, not Reflex. The importer is named "module:function" (a service under
`fluxkit.services`), so what runs is decided by the worker, never by the browser.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field

from fluxkit.clock import system_clock
from fluxkit.db import gather_statistics, session_scope
from fluxkit.services import imports
from fluxkit.services.errors import ServiceError

# An import this big changes a table enough that plans made from the old statistics go wrong.
STATISTICS_AFTER = 1_000


@dataclass
class ImportAnswer:
    """What the tab is told: what was created, or why nothing was (picklable, crosses processes)."""

    outcome: imports.ImportOutcome | None = None
    message: str = ""  # the file as a whole was refused, or some of its items
    refused: list[imports.ImportProblem] = field(default_factory=list)


def import_file(
    importer: str, user_id: int, kind: str, data: bytes, *, noun: str, again: bool, progress=None
) -> ImportAnswer:
    module, _, name = importer.partition(":")
    if not module.startswith("fluxkit.services."):
        raise ValueError(f"not an importer: {importer}")
    run = getattr(importlib.import_module(module), name)
    try:
        with session_scope() as db:
            outcome = imports.run_import(
                db, user_id, kind, run, data, system_clock, noun=noun, again=again, progress=progress
            )
    except imports.ImportRefused as refused:
        return ImportAnswer(message=refused.message, refused=list(refused.report.refused))
    except ServiceError as refused:  # size, encoding, header: the file as a whole
        return ImportAnswer(message=refused.message)
    if outcome.report.created >= STATISTICS_AFTER:
        with session_scope() as db:
            gather_statistics(db)  # the planner's picture of the tables moved (see fluxkit.db)
    return ImportAnswer(outcome=outcome)
