"""The /tasks page state: the page (page.py) and its mixins: dialogs, CSV, hidden columns, shared helpers."""
