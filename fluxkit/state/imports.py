"""Importing a file into a page, one flow for every importer (tasks from CSV, events from .ics).

`ImportMixin` holds the import dialog's state and its two handlers. A page's state mixes it
in and says what it imports with `_importer()` (an `Importer`: the feature's service
function and its limits) and what to re-read afterwards (`_after_import`). The dialog is
`fluxkit/components/import_dialog.py`. The file is checked by the feature's service (size,
encoding, every item); a file refused as a whole shows its message, and each refused item
is listed with where it is in the file and why.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import reflex as rx
from sqlmodel import Session

from fluxkit.clock import Clock, system_clock
from fluxkit.services.dto import Identity
from fluxkit.services.imports import ImportProblem, ImportReport
from fluxkit.state.session import service_call


@dataclass(frozen=True)
class Importer:
    run: Callable[[Session, int, bytes, Clock], ImportReport]  # the feature's service: adds and reports
    max_bytes: int  # one byte more is read, so the service can refuse a file that is too big
    noun: str  # what one item is called in the toast: "task", "event"
    choose: str  # asked for when no file came: "Choose a CSV file to import."


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


class ImportMixin(rx.State, mixin=True):
    import_open: bool = False
    importing: bool = False
    import_done: bool = False
    import_created: int = 0
    import_refused: list[ImportProblem] = []
    import_error: str = ""

    def _importer(self) -> Importer:
        raise NotImplementedError

    async def _after_import(self, me: Identity) -> None:
        """Re-read what the imported items change on screen."""

    @rx.event
    def set_import_open(self, open: bool):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        self.import_open = open is True
        self.import_done = False
        self.import_error = ""
        self.import_created = 0
        self.import_refused = []
        return None

    @rx.event
    async def import_file(self, files: list[rx.UploadFile]):
        me = self._current_identity()
        if me is None:
            yield self._to_sign_in()
            return
        importer = self._importer()
        if not isinstance(files, list) or not files:
            yield rx.toast.error(importer.choose)
            return
        self.importing = True
        self.import_done = False
        self.import_error = ""
        yield
        data = await files[0].read(importer.max_bytes + 1)
        with service_call() as call:
            report = importer.run(call.db, me.user.id, data, system_clock)
        self.importing = False
        if call.refused:  # the file as a whole (size, encoding, header), or a plan limit
            self.import_error = call.refused.message
            return
        self.import_done = True
        self.import_created = report.created
        self.import_refused = list(report.refused)
        await self._after_import(me)
        if report.created:
            yield rx.toast.success(f"Imported {_plural(report.created, importer.noun)}.")
