"""CSV export of the current task view and CSV import with a per-row report.

Export writes every task the view matches (all pages), with cells that a spreadsheet
would run as a formula defused by a leading apostrophe. Import reads a header row, checks
each row with the same rules as the add-task dialog (`rules.create_task`), creates the
valid rows and lists every refused row with its line and the reason: nothing is dropped
without a word. Run through `services.imports.run_import`, one refused row imports nothing.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from sqlmodel import Session

from fluxkit.clock import Clock, system_clock
from fluxkit.services import billing, imports, plans
from fluxkit.services.errors import InvalidInput
from fluxkit.services.imports import ImportProblem
from fluxkit.services.tasks import listing, rules

COLUMNS = ("title", "description", "status", "priority", "category", "due_date", "created_at", "completed_at")
# Columns an import reads; created_at / completed_at are informational (set by the import).
IMPORTED = ("title", "description", "status", "priority", "category", "due_date")
MAX_BYTES = 1024 * 1024
MAX_ROWS = 5_000
EXPORT_LIMIT = 50_000
PROGRESS_EVERY = 50  # rows between two progress reports

# A cell a spreadsheet would evaluate (=, +, -, @, and tab / CR which some treat alike),
# possibly behind apostrophes we added before: prefixing one more keeps the mapping
# reversible, so an import restores exactly what was exported.
_FORMULA = re.compile(r"^'*[=+\-@\t\r]")
_DEFUSED = re.compile(r"^'+[=+\-@\t\r]")


@dataclass
class ImportReport(imports.ImportReport):
    blank: int = 0  # rows with no cell filled in (e.g. trailing ",,,,," lines), not tasks

    @property
    def summary(self) -> str:
        text = f"{self.created} task{'' if self.created == 1 else 's'} imported"
        if self.refused:
            text += f", {len(self.refused)} row{'' if len(self.refused) == 1 else 's'} refused"
        return text + "."


# ---- export -----------------------------------------------------------------------------------


def defuse(cell: str) -> str:
    """A cell as a spreadsheet shows it as text, never runs it."""
    return "'" + cell if _FORMULA.match(cell) else cell


def undefuse(cell: str) -> str:
    """The inverse of `defuse` (for import)."""
    return cell[1:] if _DEFUSED.match(cell) else cell


def export_csv(
    db: Session, user_id: int, query: rules.TaskQuery, clock: Clock = system_clock, *, limit: int = EXPORT_LIMIT
) -> str:
    """Every task of the view `query` describes (its filters and sort; all pages), as CSV."""
    billing.check_feature(db, user_id, plans.CSV_EXPORT)  # not on Free (once billing is on)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in listing.all_matching(db, user_id, query, clock, limit=limit):
        writer.writerow(defuse(str(getattr(row, column))) for column in COLUMNS)
    return out.getvalue()


# ---- import ------------------------------------------------------------------------------------


def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        if len(data.encode("utf-8", "surrogatepass")) > MAX_BYTES:
            raise _too_big()
        return data.removeprefix("\ufeff")
    if not isinstance(data, bytes | bytearray | memoryview):
        raise InvalidInput("Choose a CSV file to import.", fields={"file": "Choose a CSV file to import."})
    raw = bytes(data)
    if len(raw) > MAX_BYTES:
        raise _too_big()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        message = (
            f"The file is not UTF-8 text (line {line} has bytes that are not UTF-8). "
            "Save it as \u201cCSV UTF-8\u201d and import it again."
        )
        raise InvalidInput(message, fields={"file": message}) from None


def _too_big() -> InvalidInput:
    message = f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB. Split it into smaller files."
    return InvalidInput(message, fields={"file": message})


def _refuse_file(message: str) -> InvalidInput:
    return InvalidInput(message, fields={"file": message})


def _records(text: str) -> tuple[dict[str, int], int, list[tuple[int, list[str]]]]:
    """The header (column name -> index), its width, and each row with its first line number."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header: list[str] | None = None
    header_line = 0
    rows: list[tuple[int, list[str]]] = []
    line = 1
    try:
        for cells in reader:
            start, line = line, reader.line_num + 1
            if header is None:
                if not any(c.strip() for c in cells):
                    continue  # blank lines before the header
                header, header_line = cells, start
                continue
            rows.append((start, cells))
            if len(rows) > MAX_ROWS:
                raise _refuse_file(
                    f"The file has more than {MAX_ROWS:,} rows. Split it into smaller files and import each."
                )
    except csv.Error as exc:
        raise _refuse_file(
            f"The row starting on line {line} cannot be read as CSV ({exc}); check its quotes. Nothing was imported."
        ) from None
    if header is None:
        raise _refuse_file("The file is empty. The first line must name the columns, e.g. title,description,due_date.")
    columns: dict[str, int] = {}
    for index, name in enumerate(header):
        key = name.strip().lower().replace(" ", "_")
        if key in IMPORTED:
            if key in columns:
                raise _refuse_file(f"Line {header_line}: the column \u201c{key}\u201d appears twice.")
            columns[key] = index
    if "title" not in columns:
        raise _refuse_file(
            f"Line {header_line} must be a header naming the columns, with at least a \u201ctitle\u201d column "
            f"(known columns: {', '.join(COLUMNS)})."
        )
    return columns, len(header), rows


def _enum(value: str) -> str:
    return " ".join(value.strip().lower().replace("_", " ").replace("-", " ").split())


def _row_data(columns: dict[str, int], cells: list[str]) -> dict[str, object]:
    data: dict[str, object] = {}
    for key, index in columns.items():
        cell = undefuse(cells[index]) if index < len(cells) else ""
        if key in ("title", "description"):
            data[key] = cell
        elif key == "due_date":
            data[key] = cell.strip()
        elif cell.strip():  # status / priority / category: empty means the default
            data[key] = _enum(cell)
    return data


def import_csv(
    db: Session,
    user_id: int,
    data: bytes | str,
    clock: Clock = system_clock,
    *,
    progress: imports.Progress | None = None,
) -> ImportReport:
    """Create a task for every valid row (in the caller's transaction); report the rest.

    A problem with the file as a whole (size, encoding, no header, unreadable CSV) raises
    InvalidInput before anything is created. `imports.run_import` makes it all-or-nothing.
    `progress(rows checked, rows)` is called as it goes.
    """
    columns, width, rows = _records(_decode(data))
    report = ImportReport()
    for done, (line, cells) in enumerate(rows):
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done, len(rows))
        if not any(c.strip() for c in cells):
            report.blank += 1
            continue
        if any(c.strip() for c in cells[width:]):
            # Most often an unquoted comma inside a title: refuse rather than guess.
            reason = (
                f"row: {len(cells)} cells but the header names {width} columns "
                "(put text containing commas in double quotes)."
            )
            report.refused.append(ImportProblem(item=str(line), reason=reason))
            continue
        try:
            rules.create_task(db, user_id, _row_data(columns, cells), clock, row=False)
        except (InvalidInput, billing.PlanLimitReached) as exc:  # a full plan refuses the rest
            problems = exc.fields or {"row": exc.message}
            reason = "; ".join(f"{name}: {text}" for name, text in problems.items())
            report.refused.append(ImportProblem(item=str(line), reason=reason))
            continue
        report.created += 1
    if progress is not None:
        progress(len(rows), len(rows))
    return report
