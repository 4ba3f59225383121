"""The command palette: a search box over pages, actions, my tasks, mail and events.

Opened with Ctrl/⌘-K (assets/fluxkit.js clicks the hidden `palette-hotkey` button) or the
header's search button. Inside, assets/fluxkit.js turns ↑/↓/Enter in the box into clicks on
hidden buttons, so only those keys reach the server; Esc is the dialog's own.
"""

from __future__ import annotations

import reflex as rx
from reflex.style import resolved_color_mode

from fluxkit.navigation import NAV_ITEMS
from fluxkit.state.palette import ACTIONS, THEME_TOGGLE_ID, PaletteItem, PaletteState
from fluxkit.state.settings import AppearanceState

# Every icon a result can have (pages, actions, tasks, mail, events). Chosen among these by name
# rather than `rx.icon(var)`, which loads lucide's dynamic loader (a map of every icon) on every
# signed-in page.
ICONS = sorted(
    {icon for _label, _href, icon in NAV_ITEMS} | {a[3] for a in ACTIONS} | {"list-todo", "mail", "calendar"}
)


def _icon(name: rx.Var[str]) -> rx.Component:
    return rx.match(name, *[(icon, rx.icon(icon, size=16)) for icon in ICONS], rx.icon("circle", size=16))


def _hidden(id: str, on_click) -> rx.Component:
    return rx.el.button(id=id, on_click=on_click, type="button", tab_index=-1, aria_hidden="true", display="none")


def _result(item: rx.Var[PaletteItem], index: rx.Var[int]) -> rx.Component:
    active = PaletteState.active == index
    return rx.fragment(
        rx.cond(
            item.section != "",
            rx.text(
                item.section,
                size="1",
                weight="bold",
                color_scheme="gray",
                padding="10px 10px 4px",
                text_transform="uppercase",
                letter_spacing="0.04em",
            ),
        ),
        rx.hstack(
            rx.center(
                _icon(item.icon),
                width="28px",
                height="28px",
                border_radius="6px",
                bg=rx.color("gray", 3),
                flex_shrink="0",
            ),
            rx.vstack(
                rx.text(
                    item.label,
                    size="2",
                    weight="medium",
                    trim="both",
                    overflow="hidden",
                    text_overflow="ellipsis",
                    white_space="nowrap",
                    max_width="100%",
                ),
                rx.text(
                    item.detail,
                    size="1",
                    color_scheme="gray",
                    overflow="hidden",
                    text_overflow="ellipsis",
                    white_space="nowrap",
                    max_width="100%",
                ),
                spacing="0",
                min_width="0",
                flex="1",
            ),
            rx.cond(active, rx.icon("corner-down-left", size=14, color=rx.color("gray", 10))),
            align="center",
            spacing="3",
            width="100%",
            padding="8px 10px",
            border_radius="8px",
            cursor="pointer",
            bg=rx.cond(active, rx.color("accent", 4), "transparent"),
            _hover={"bg": rx.cond(active, rx.color("accent", 4), rx.color("gray", 3))},
            on_click=PaletteState.choose(index),
            role="option",
            aria_selected=rx.cond(active, "true", "false"),
            id=f"palette-item-{index}",
            class_name="palette-item",
        ),
    )


def _kbd(text: str) -> rx.Component:
    return rx.el.kbd(
        text,
        font_size="11px",
        padding="1px 5px",
        border_radius="4px",
        border=f"1px solid {rx.color('gray', 6)}",
        bg=rx.color("gray", 2),
        color=rx.color("gray", 11),
        font_family="inherit",
    )


def palette_button() -> rx.Component:
    """The header's search button: an icon on a phone, "Search… Ctrl K" on a wider screen."""
    return rx.fragment(
        rx.icon_button(
            rx.icon("search", size=18),
            variant="ghost",
            size="2",
            on_click=PaletteState.open_palette,
            aria_label="Search and jump (Ctrl+K)",
            id="palette-open",
            display=["inline-flex", "inline-flex", "none"],
        ),
        rx.button(
            rx.icon("search", size=15),
            rx.text("Search…", size="2"),
            _kbd("Ctrl K"),
            variant="outline",
            color_scheme="gray",
            size="2",
            on_click=PaletteState.open_palette,
            # Its name starts with what it shows (axe: label-content-name-mismatch).
            aria_label="Search… Ctrl K: search and jump",
            id="palette-open-wide",
            display=["none", "none", "inline-flex"],
            gap="8px",
        ),
    )


def palette() -> rx.Component:
    """The dialog and its hidden triggers (part of the shell of every signed-in page)."""
    return rx.fragment(
        _hidden("palette-hotkey", PaletteState.toggle),
        # Toggled here at once, and saved to the account (Settings › Appearance) for every device.
        _hidden(THEME_TOGGLE_ID, [AppearanceState.toggle_theme(resolved_color_mode), rx.toggle_color_mode]),
        rx.dialog.root(
            rx.dialog.content(
                rx.dialog.title(
                    "Search and jump",
                    position="absolute",
                    width="1px",
                    height="1px",
                    overflow="hidden",
                    clip="rect(0 0 0 0)",
                ),
                rx.input(
                    rx.input.slot(rx.icon("search", size=16)),
                    placeholder="Search pages, tasks, mail, events and actions…",
                    value=PaletteState.query,
                    on_change=PaletteState.set_query,
                    debounce_timeout=150,
                    id="palette-input",
                    size="3",
                    max_length=100,
                    auto_focus=True,
                    auto_complete="off",
                    width="100%",
                    aria_label="Search pages, tasks, mail, events and actions",
                    aria_controls="palette-results",
                ),
                rx.box(
                    rx.cond(
                        PaletteState.items.length() > 0,
                        rx.foreach(PaletteState.items, _result),
                        rx.center(
                            rx.text("Nothing found for “", PaletteState.query, "”.", size="2", color_scheme="gray"),
                            padding="28px 8px",
                            id="palette-empty",
                        ),
                    ),
                    height="min(420px, 55vh)",
                    overflow_y="auto",
                    margin_top="10px",
                    role="listbox",
                    id="palette-results",
                ),
                rx.hstack(
                    rx.hstack(_kbd("↑"), _kbd("↓"), rx.text("move", size="1"), spacing="1", align="center"),
                    rx.hstack(_kbd("Enter"), rx.text("open", size="1"), spacing="1", align="center"),
                    rx.hstack(_kbd("Esc"), rx.text("close", size="1"), spacing="1", align="center"),
                    spacing="4",
                    color=rx.color("gray", 10),
                    padding_top="10px",
                    margin_top="8px",
                    border_top=f"1px solid {rx.color('gray', 4)}",
                    display=["none", "flex"],
                ),
                _hidden("palette-next", PaletteState.move(1)),
                _hidden("palette-prev", PaletteState.move(-1)),
                _hidden("palette-run", PaletteState.run_active),
                max_width="620px",
                width="calc(100vw - 24px)",
                padding="12px",
                id="palette",
            ),
            open=PaletteState.open,
            on_open_change=PaletteState.set_open,
        ),
    )
