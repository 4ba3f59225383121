"""A bare Reflex app, the browser bench's reference: what Reflex itself costs on this machine.

`/` is a counter; `/table` a 50-row table filled by its on_load event (a page with data, as a
FluxKit page is), and "Next" fills the next 50 rows (an event whose delta is one page of rows,
about the size of FluxKit's tasks page of rows); `fill(count)` fills that many (bench.roundtrip
sizes its reference event's delta to match the event it compares).
"""

import dataclasses

import reflex as rx

ROWS = 50


@dataclasses.dataclass
class Row:
    id: int
    title: str
    status: str
    priority: str
    category: str
    due: str


def _rows(page: int) -> list[Row]:
    start = page * ROWS
    return [
        Row(
            id=n,
            title=f"Reference row {n} with a title as long as a task's",
            status=("pending", "in progress", "completed")[n % 3],
            priority=("low", "medium", "high")[n % 3],
            category=("feature", "bug", "documentation", "other")[n % 4],
            due=f"2026-12-{1 + n % 28:02d}",
        )
        for n in range(start, start + ROWS)
    ]


class CounterState(rx.State):
    count: int = 0

    @rx.event
    def increment(self):
        self.count += 1


class TableState(rx.State):
    rows: list[Row] = []
    page: int = 0

    @rx.event
    def load(self):
        self.page = 0
        self.rows = _rows(0)

    @rx.event
    def next_page(self):
        self.page += 1
        self.rows = _rows(self.page)

    @rx.event
    def fill(self, count: int):
        """`count` rows of the next page: bench.roundtrip's event with a delta of a chosen size."""
        self.page += 1
        self.rows = _rows(self.page)[: max(0, min(int(count), ROWS))]


def index() -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.heading(CounterState.count, id="count"),
            rx.button("Increment", on_click=CounterState.increment, id="count-inc"),
        ),
        padding="40px",
    )


def _row(row: Row) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row.title),
        rx.table.cell(row.status),
        rx.table.cell(row.priority),
        rx.table.cell(row.category),
        rx.table.cell(row.due),
    )


def table() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text("Page ", TableState.page + 1), rx.button("Next", on_click=TableState.next_page, id="table-next")
        ),
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    *[rx.table.column_header_cell(name) for name in ("Title", "Status", "Priority", "Category", "Due")]
                )
            ),
            rx.table.body(rx.foreach(TableState.rows, _row)),
            id="bare-table",
        ),
        padding="20px",
    )


app = rx.App()
app.add_page(index, route="/", title="Bare counter")
app.add_page(table, route="/table", title="Bare table", on_load=TableState.load)
