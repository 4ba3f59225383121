"""The tasks page's CSV export and import.

`TaskCsvMixin` is mixed into `TasksState` (page.py): the export is the
current view (its `_query`), and after an import the page reloads (its `_reload`). Each
handler re-derives the user from the session first; the file is checked by
`services.tasks.csv` (size, encoding, header, every row) and the plan by `services.billing`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import reflex as rx

from fluxkit.clock import system_clock
from fluxkit.services import billing, plans
from fluxkit.services.tasks import csv as task_csv
from fluxkit.state.session import service_call
from fluxkit.state.tasks.common import plural


@dataclass(frozen=True)
class ImportProblem:
    line: int
    reason: str


class TaskCsvMixin(rx.State, mixin=True):
    import_open: bool = False
    import_done: bool = False
    import_created: int = 0
    import_refused: list[ImportProblem] = []
    import_error: str = ""
    importing: bool = False

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
    async def import_csv(self, files: list[rx.UploadFile]):
        me = self._current_identity()
        if me is None:
            yield self._to_sign_in()
            return
        if not isinstance(files, list) or not files:
            yield rx.toast.error("Choose a CSV file to import.")
            return
        self.importing = True
        self.import_done = False
        self.import_error = ""
        yield
        # One byte over the limit is enough for the service to refuse the file as too big.
        data = await files[0].read(task_csv.MAX_BYTES + 1)
        with service_call() as call:
            report = task_csv.import_csv(call.db, me.user.id, data, system_clock)
        self.importing = False
        if call.refused:  # the file as a whole (size, encoding, header), or a plan limit
            self.import_error = call.refused.message
            return
        self.import_done = True
        self.import_created = report.created
        self.import_refused = [ImportProblem(line=r.line, reason=r.reason) for r in report.refused]
        self._reload(me)
        if report.created:
            yield rx.toast.success(f"Imported {plural(report.created, 'task')}.")
