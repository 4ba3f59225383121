"""Settings › Appearance and Notifications: theme, accent, density; per type and channel, quiet hours."""

from __future__ import annotations

import reflex as rx

from fluxkit.components.settings.profile import labelled
from fluxkit.services import preferences
from fluxkit.state.settings import ChoiceRow
from fluxkit.state.settings import SettingsState as S

_THEME_ICONS = {"light": "sun", "dark": "moon", "system": "monitor"}


def _segmented(value, options: list[tuple[str, str]], on_change, id: str) -> rx.Component:
    return rx.segmented_control.root(
        *[rx.segmented_control.item(label, value=key, id=f"{id}-{key}") for key, label in options],
        value=value,
        on_change=on_change,
        id=id,
    )


def _swatch(accent: str) -> rx.Component:
    chosen = S.accent == accent
    return rx.tooltip(
        rx.box(
            rx.cond(chosen, rx.icon("check", size=14, color="white")),
            on_click=S.set_accent(accent),
            id=f"accent-{accent}",
            aria_label=f"Accent {accent}",
            role="radio",
            aria_checked=rx.cond(chosen, "true", "false"),
            bg=rx.color(accent, 9),
            width="28px",
            height="28px",
            border_radius="999px",
            display="flex",
            align_items="center",
            justify_content="center",
            cursor="pointer",
            outline=rx.cond(chosen, f"2px solid {rx.color('gray', 12)}", "none"),
            outline_offset="2px",
        ),
        content=accent.capitalize(),
    )


def appearance_panel() -> rx.Component:
    return rx.vstack(
        labelled(
            "Theme",
            _segmented(S.theme, [(t, t.capitalize()) for t in preferences.THEMES], S.set_theme, "appearance-theme"),
            "appearance-theme",
        ),
        rx.vstack(
            rx.text("Accent color", size="2", weight="medium"),
            rx.hstack(
                *[_swatch(a) for a in preferences.ACCENTS],
                spacing="3",
                wrap="wrap",
                role="radiogroup",
                id="accent-choices",
            ),
            spacing="2",
        ),
        labelled(
            "Density",
            _segmented(
                S.density, [(d, d.capitalize()) for d in preferences.DENSITIES], S.set_density, "appearance-density"
            ),
            "appearance-density",
        ),
        rx.text("Saved to your account: every device you sign in on uses them.", size="1", color_scheme="gray"),
        spacing="4",
        width="100%",
    )


def _switch(row: rx.Var[ChoiceRow], channel: str, on) -> rx.Component:
    return rx.switch(
        checked=on,
        on_change=lambda value: S.set_channel(row.type, channel, value),
        id=f"notify-{row.type}-{channel}",
        aria_label=f"{channel.replace('_', ' ')}",
    )


def _choice_row(row: rx.Var[ChoiceRow]) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(rx.text(row.label, size="2")),
        rx.table.cell(_switch(row, "in_app", row.in_app)),
        rx.table.cell(_switch(row, "email", row.email)),
        rx.table.cell(_switch(row, "digest", row.digest)),
    )


def notifications_panel() -> rx.Component:
    return rx.vstack(
        rx.box(
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        rx.table.column_header_cell("Notify me when"),
                        rx.table.column_header_cell("In app"),
                        rx.table.column_header_cell("Email"),
                        rx.table.column_header_cell("Daily digest"),
                    )
                ),
                rx.table.body(rx.foreach(S.choices, _choice_row)),
                size="1",
                width="100%",
                id="notification-choices",
            ),
            width="100%",
            overflow_x="auto",
        ),
        rx.text(
            "The digest is one email a day (from 08:00 your time) with what it collected.",
            size="1",
            color_scheme="gray",
        ),
        rx.form(
            rx.vstack(
                rx.text("Quiet hours", size="2", weight="medium"),
                rx.flex(
                    rx.input(
                        name="quiet_start",
                        id="quiet-start",
                        type="time",
                        default_value=S.quiet_start,
                        key=S.quiet_start + "s",
                        size="2",
                        aria_label="Quiet hours start",
                    ),
                    rx.text("to", size="2"),
                    rx.input(
                        name="quiet_end",
                        id="quiet-end",
                        type="time",
                        default_value=S.quiet_end,
                        key=S.quiet_end + "e",
                        size="2",
                        aria_label="Quiet hours end",
                    ),
                    rx.button("Save", type="submit", size="2", variant="soft", id="quiet-save"),
                    gap="8px",
                    align="center",
                    wrap="wrap",
                ),
                rx.text(
                    "No emails in this window (",
                    S.timezone,
                    "): they wait for the digest. Leave both empty for none.",
                    size="1",
                    color_scheme="gray",
                ),
                rx.cond(
                    S.quiet_error != "",
                    rx.text(S.quiet_error, color_scheme="red", size="1", id="quiet-error", role="alert"),
                ),
                spacing="2",
            ),
            on_submit=S.save_quiet_hours,
            width="100%",
        ),
        spacing="4",
        width="100%",
    )
