"""Importing tasks from a CSV file in the browser: streamed to a background import, all or
nothing with the refused rows listed, and the same file again asks before duplicating."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.support.browser import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(1200)]

EMAIL = "importer@example.com"
PASSWORD = "import-journey-passphrase"
HEADER = b"title,description,status,priority,category,due_date\n"
GOOD = HEADER + b"Water the plants,,pending,low,other,\nCall the bank,,pending,high,other,2026-12-31\n"
BAD = GOOD + b"Fix the roof,,pending,low,other,31/12/2026\n"


def test_import_is_all_or_nothing_and_asks_before_importing_again(live_app, browser):
    live_app.create_user(EMAIL, "Importer", PASSWORD)
    context = browser.new_context(extra_http_headers={"X-Forwarded-For": "198.51.100.215"})
    context.set_default_timeout(30_000)
    errors: list[str] = []
    try:
        page = sign_in(context.new_page(), live_app, EMAIL, PASSWORD, "/tasks")
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.click("#task-empty-import")  # a new account: the empty state offers the import
        upload = page.locator("#task-import-file input[type=file]")

        # One bad row: nothing is imported, and the row is listed with why.
        upload.set_input_files(files=[{"name": "tasks.csv", "mimeType": "text/csv", "buffer": BAD}])
        expect(page.locator("#task-import-error")).to_contain_text("Nothing was imported: 1 row was refused")
        expect(page.locator("#task-import-refused")).to_contain_text("4")
        expect(page.locator("#task-import-refused")).to_contain_text("due_date")

        # The fixed file: both rows, and the table shows them.
        upload.set_input_files(files=[{"name": "tasks.csv", "mimeType": "text/csv", "buffer": GOOD}])
        expect(page.locator("#task-import-created")).to_have_text("2")
        expect(page.locator("#task-import-error")).to_have_count(0)
        expect(page.locator("#task-table")).to_contain_text("Call the bank")

        # The same file again: asked first; "Cancel" adds nothing, "Import again" adds it.
        upload.set_input_files(files=[{"name": "tasks.csv", "mimeType": "text/csv", "buffer": GOOD}])
        expect(page.locator("#task-import-again")).to_contain_text("Import it again?")
        page.click("#task-import-again-no")
        expect(page.locator("#task-import-again")).to_have_count(0)
        expect(page.locator("#stat-total")).to_contain_text("2")
        upload.set_input_files(files=[{"name": "tasks.csv", "mimeType": "text/csv", "buffer": GOOD}])
        page.click("#task-import-again-yes")
        expect(page.locator("#task-import-created")).to_have_text("2")
        expect(page.locator("#stat-total")).to_contain_text("4")
        assert errors == []
    finally:
        context.close()
