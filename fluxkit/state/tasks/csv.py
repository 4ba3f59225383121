"""The tasks page's CSV export and import.

`TaskCsvMixin` is mixed into `TasksState` (page.py): the export is the current view (its
`_query`); the import is the shared flow of `state/imports.py` with `services.tasks.csv`
(size, encoding, header, every row; the plan by `services.billing`), after which the page
reloads (its `_reload`).
"""

from __future__ import annotations

from datetime import date

import reflex as rx

from fluxkit.clock import system_clock
from fluxkit.services import billing, plans
from fluxkit.services.dto import Identity
from fluxkit.services.tasks import csv as task_csv
from fluxkit.state.imports import Importer, ImportMixin
from fluxkit.state.session import service_call

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

    @rx.event
    def export_csv(self):
        """Every task of the current view (all pages, same filters and order) as a CSV file."""
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        with service_call() as call:  # refused e.g. when the plan does not include CSV export
            billing.check_feature(call.db, me.user.id, plans.CSV_EXPORT)
            text = task_csv.export_csv(call.db, me.user.id, self._query(), system_clock)
        if call.refused:
            return call.toast
        stamp = date.today().isoformat()
        return rx.download(data=text, filename=f"tasks-{stamp}.csv", mime_type="text/csv")
