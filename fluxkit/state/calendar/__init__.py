"""The /calendar page state: the page (page.py), its feed and .ics files (files.py), the grid layout (layout.py)."""
