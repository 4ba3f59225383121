"""The tasks page's CSV export and import.

`TaskCsvMixin` is mixed into `TasksState` (page.py): the export is the current view (its
`_query`); the import is the shared flow of `state/imports.py` with `services.tasks.csv`
(size, encoding, header, every row; the plan by `services.billing`), after which the page
reloads (its `_reload`).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import date

import reflex as rx

from fluxkit import offload
from fluxkit.services import billing, plans
from fluxkit.services.dto import Identity
from fluxkit.services.tasks import csv as task_csv
from fluxkit.state.imports import Importer, ImportMixin
from fluxkit.state.session import service_call

log = logging.getLogger("fluxkit.export")

_IMPORTER = Importer(
    run=task_csv.import_csv,
    max_bytes=task_csv.MAX_BYTES,
    noun="task",
    choose="Choose a CSV file to import.",
    kind="tasks",
    item="row",
)


class TaskCsvMixin(ImportMixin, mixin=True):
    def _importer(self) -> Importer:
        return _IMPORTER

    async def _after_import(self, me: Identity) -> None:
        self._reload(me)

    @rx.event(background=True)
    async def export_csv(self):
        """Every task of the current view (all pages, same filters and order) as a CSV file,
        written in a child process (up to 50,000 rows; fluxkit/exporting.py) without holding
        the tab's state or the worker's event loop."""
        me = self._current_identity()
        if me is None:
            yield self._to_sign_in()
            return
        query = self._query()

        def allowed() -> rx.event.EventSpec | None:
            with service_call() as call:  # refused e.g. when the plan does not include CSV export
                billing.check_feature(call.db, me.user.id, plans.CSV_EXPORT)
            return call.toast if call.refused else None

        refusal = await asyncio.to_thread(allowed)
        if refusal is not None:
            yield refusal
            return
        try:
            text = await offload.run("fluxkit.exporting:export_tasks_csv", me.user.id, query)
        except Exception:  # the job raised, its process died, or none could start
            log.exception("export failed", extra={"user_id": me.user.id})
            yield rx.toast.error("The export failed. Try again in a moment.")
            return
        stamp = date.today().isoformat()
        yield rx.download(data=text, filename=f"tasks-{stamp}.csv", mime_type="text/csv")
