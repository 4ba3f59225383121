"""The first paint of a signed-in page: the head's few lines and styles that apply the server's
display hints (services/ui_hints.py) before anything is drawn.

`assets/first_paint.js` is inlined (not fetched: nothing may wait for a request before the first
paint). It sets the saved theme on <html>, the accent for the shell while its state is pending,
and marks the user's organization and admin role, which these styles show in the sidebar until
the shell's state replaces them.
"""

from __future__ import annotations

from pathlib import Path

import reflex as rx

SCRIPT = Path(__file__).resolve().parents[2] / "assets" / "first_paint.js"

# Elements the sidebar shows before its state arrives (components/shell.py, org_switcher.py).
ADMIN_HINT = "fk-hint-admin"
ORG_HINT = "fk-hint-org"
# A visitor without hints (signed out) never sees the shell drawn while its state is pending.
GUEST_HIDES_SHELL = "html[data-fk-guest] [data-appearance=pending]{visibility:hidden}"
STYLES = (
    f'html:not([data-fk-admin]) .{ADMIN_HINT}{{display:none}}.{ORG_HINT}::after{{content:var(--fk-org,"")}}'
    + GUEST_HIDES_SHELL
)


def head_components() -> list[rx.Component]:
    return [
        rx.el.script(custom_attrs={"dangerouslySetInnerHTML": {"__html": SCRIPT.read_text()}}),
        rx.el.style(custom_attrs={"dangerouslySetInnerHTML": {"__html": STYLES}}),
    ]
