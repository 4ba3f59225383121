"""Importing a file into a page, one flow for every importer (tasks from CSV, events from .ics).

`ImportMixin` holds the import dialog's state and its handlers. A page's state mixes it in
and says what it imports with `_importer()` (an `Importer`: the feature's service function
and its limits) and what to re-read afterwards (`_after_import`). The dialog is
`fluxkit/components/import_dialog.py`.

The import runs as a Reflex background event: the file arrives in chunks
(`rx.upload_files_chunk`), the feature's service runs in a child process
(`fluxkit.offload`, `fluxkit.importing`) in one transaction (`services.imports.run_import`:
all or nothing), and the tab's state lock is taken only for the short updates (progress,
the result). So the worker keeps serving other tabs and `/api/health` meanwhile, and the tab
gets the result whenever it finishes, also after its dialog was closed. A file sent again
soon after it was imported is held until the user answers "Import again?".
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import reflex as rx

from fluxkit import offload
from fluxkit.clock import system_clock
from fluxkit.importing import ImportAnswer
from fluxkit.services import imports
from fluxkit.services.dto import Identity
from fluxkit.services.imports import ImportProblem

log = logging.getLogger("fluxkit.imports")

PROGRESS_SECONDS = 0.25  # how often the progress bar moves while an import runs


@dataclass(frozen=True)
class Importer:
    run: Callable[..., imports.ImportReport]  # the feature's service: (db, user_id, data, clock, progress=...)
    max_bytes: int  # one byte more is read, so the service can refuse a file that is too big
    noun: str  # what one item is called in the toast: "task", "event"
    choose: str  # asked for when no file came: "Choose a CSV file to import."
    kind: str = ""  # remembered with the file's fingerprint: "tasks", "calendar"
    item: str = "item"  # what one entry of the file is called when refused: "row", "event"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _ago(at: datetime) -> str:
    seconds = max(0, int((system_clock.now() - at).total_seconds()))
    if seconds < 90:
        return "a minute ago" if seconds >= 45 else "moments ago"
    for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds >= size:
            return f"{_plural(round(seconds / size), unit)} ago"
    return "moments ago"


class ImportMixin(rx.State, mixin=True):
    import_open: bool = False
    importing: bool = False
    import_progress: int = 0  # percent of the file's items checked
    import_done: bool = False
    import_created: int = 0
    import_refused: list[ImportProblem] = []
    import_error: str = ""
    import_again: str = ""  # the question asked when the same file was imported recently
    _import_pending: bytes = b""  # that file, until the question is answered

    def _importer(self) -> Importer:
        """What this page imports: each state that mixes this in says (tasks CSV, calendar .ics)."""
        raise TypeError(f"{type(self).__name__} mixes in ImportMixin without saying what it imports")

    async def _after_import(self, me: Identity) -> None:
        """Re-read what the imported items change on screen (called holding the state lock)."""

    def _clear_import(self) -> None:
        self.import_done = False
        self.import_error = ""
        self.import_created = 0
        self.import_refused = []
        self.import_again = ""
        self._import_pending = b""

    @rx.event
    def set_import_open(self, open: bool):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        self.import_open = open is True
        if not self.importing:  # a running import keeps its progress; it reports when done
            self._clear_import()
            self.import_progress = 0
        return None

    @rx.event
    def cancel_import_again(self):
        if self._current_identity() is None:
            return self._to_sign_in()
        self.import_again = ""
        self._import_pending = b""
        return None

    @rx.event(background=True)
    async def import_file(self, chunks: rx.UploadChunkIterator):
        me = self._current_identity()
        if me is None:
            yield self._to_sign_in()
            return
        importer = self._importer()
        data = bytearray()
        if isinstance(chunks, rx.UploadChunkIterator):
            async for chunk in chunks:
                data += chunk.data[: importer.max_bytes + 1 - len(data)]
                if len(data) > importer.max_bytes:
                    break  # the service refuses it as too big; the rest is not read
        if not data:
            yield rx.toast.error(importer.choose)
            return
        async for event in self._import(me, bytes(data), again=False):
            yield event

    @rx.event(background=True)
    async def import_again_confirmed(self):
        """The user answered "Import again": import the file held since the question."""
        me = self._current_identity()
        if me is None:
            yield self._to_sign_in()
            return
        async with self:
            data, self._import_pending = self._import_pending, b""
            self.import_again = ""
        if not data:
            return
        async for event in self._import(me, data, again=True):
            yield event

    async def _import(self, me: Identity, data: bytes, *, again: bool):
        importer = self._importer()
        async with self:
            if self.importing:
                yield rx.toast.info("An import is already running; it reports here when it finishes.")
                return
            self._clear_import()
            self.importing = True
            self.import_progress = 0
        last = 0.0

        async def progress(done: int, total: int) -> None:
            nonlocal last
            now = time.monotonic()
            if now - last >= PROGRESS_SECONDS and done < total:
                last = now
                async with self:
                    self.import_progress = 100 * done // max(1, total)

        answer: ImportAnswer | None = None
        try:
            answer = await offload.run(
                "fluxkit.importing:import_file",
                f"{importer.run.__module__}:{importer.run.__name__}",
                me.user.id,
                importer.kind,
                data,
                noun=importer.item,
                again=again,
                on_progress=progress,
            )
        except Exception:  # the job raised, its process died, or none could start
            log.exception("import failed", extra={"user_id": me.user.id, "kind": importer.kind})
        failed = answer is None
        refused = bool(answer and answer.message)
        outcome = answer.outcome if answer is not None else None
        async with self:
            self.importing = False
            self.import_progress = 100 if outcome is not None and outcome.previous is None else 0
            if answer is None:
                self.import_error = "The import failed and nothing was imported. Try again in a moment."
            elif refused:
                self.import_error = answer.message
                self.import_refused = list(answer.refused)
            elif outcome is not None and outcome.previous is not None:
                previous = outcome.previous
                self.import_again = (
                    f"You imported this file {_ago(previous.at)} ({_plural(previous.items, importer.noun)}). "
                    "Import it again?"
                )
                self._import_pending = data
            elif outcome is not None:
                self.import_done = True
                self.import_created = outcome.report.created
                await self._after_import(me)
        if failed:
            yield rx.toast.error("The import failed; nothing was imported.")
        elif refused:
            yield rx.toast.error(answer.message)
        elif outcome is not None and outcome.previous is None:
            yield rx.toast.success(f"Imported {_plural(outcome.report.created, importer.noun)}.")
