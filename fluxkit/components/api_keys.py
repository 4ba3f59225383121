"""Settings › API keys: the create form, the list of keys, the shown-once dialog, revoke."""

from __future__ import annotations

import reflex as rx

from fluxkit.state.api_keys import MAX_KEYS, ApiKeyItem, ApiKeysState


def _create_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.text("Name", as_="label", custom_attrs={"htmlFor": "api-key-name"}, size="2", weight="medium"),
            rx.flex(
                rx.input(
                    name="name",
                    id="api-key-name",
                    placeholder="What uses it, e.g. “Deploy script”",
                    max_length=100,
                    size="3",
                    width="100%",
                    color_scheme=rx.cond(ApiKeysState.name_error != "", "red", "gray"),
                    aria_invalid=ApiKeysState.name_error != "",
                ),
                rx.button(
                    rx.icon("key-round", size=16),
                    "Create key",
                    type="submit",
                    size="3",
                    id="api-key-create",
                    disabled=ApiKeysState.at_limit,
                ),
                direction=rx.breakpoints(initial="column", sm="row"),
                spacing="2",
                width="100%",
            ),
            rx.cond(
                ApiKeysState.name_error != "",
                rx.text(ApiKeysState.name_error, color_scheme="red", size="1", id="error-api-key-name", role="alert"),
            ),
            spacing="2",
            width="100%",
        ),
        on_submit=ApiKeysState.create,
        reset_on_submit=False,
        key=ApiKeysState.form_key,
        width="100%",
        id="api-key-form",
    )


def _key_row(key: rx.Var[ApiKeyItem]) -> rx.Component:
    return rx.flex(
        rx.hstack(
            rx.center(
                rx.icon("key-round", size=16),
                bg=rx.color("accent", 3),
                color=rx.color("accent", 11),
                border_radius="8px",
                width="32px",
                height="32px",
                min_width="32px",
            ),
            rx.vstack(
                rx.text(key.name, size="2", weight="medium", word_break="break-word"),
                rx.code(key.prefix, "…", size="1", variant="ghost", color_scheme="gray"),
                rx.text(
                    "Created ",
                    rx.moment(key.created_at, format="MMM D, YYYY"),
                    " · ",
                    rx.cond(
                        key.last_used_at != "",
                        rx.text.span("last used ", rx.moment(key.last_used_at, from_now=True)),
                        "never used",
                    ),
                    size="1",
                    color_scheme="gray",
                ),
                spacing="1",
                min_width="0",
            ),
            align="start",
            spacing="3",
            min_width="0",
            flex="1",
        ),
        rx.button(
            rx.icon("trash-2", size=14),
            "Revoke",
            variant="soft",
            color_scheme="red",
            size="1",
            on_click=ApiKeysState.ask_revoke(key.id),
            id=f"api-key-revoke-{key.id}",
            align_self=rx.breakpoints(initial="end", sm="center"),
        ),
        direction=rx.breakpoints(initial="column", sm="row"),
        spacing="2",
        width="100%",
        padding_y="10px",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        id=f"api-key-row-{key.id}",
        class_name="api-key-row",
    )


def _key_list() -> rx.Component:
    return rx.cond(
        ApiKeysState.keys.length() > 0,
        rx.vstack(
            rx.vstack(rx.foreach(ApiKeysState.keys, _key_row), spacing="0", width="100%", id="api-key-list"),
            rx.text(
                ApiKeysState.keys.length(),
                f" of {MAX_KEYS} keys",
                rx.cond(
                    ApiKeysState.at_limit, ": the most allowed. Revoke one you no longer use to create another.", ""
                ),
                size="1",
                color_scheme=rx.cond(ApiKeysState.at_limit, "orange", "gray"),
                id="api-key-count",
            ),
            spacing="2",
            width="100%",
        ),
        rx.text(
            "No API keys yet. Create one for each app or script that should use the API as you.",
            size="2",
            color_scheme="gray",
            id="api-keys-empty",
        ),
    )


def _new_key_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Your new API key"),
            rx.dialog.description(
                rx.text(
                    "“",
                    ApiKeysState.new_key_name,
                    "” is ready. Send it as ",
                    rx.code("Authorization: Bearer <key>"),
                    ".",
                    size="2",
                ),
                margin_bottom="12px",
            ),
            rx.callout(
                "Copy it now: you won't see it again. FluxKit keeps only a fingerprint of it; if you lose it, "
                "revoke it and create another.",
                icon="triangle-alert",
                color_scheme="amber",
                id="api-key-new-warning",
            ),
            rx.flex(
                rx.input(
                    value=ApiKeysState.new_key,
                    read_only=True,
                    id="api-key-new-value",
                    font_family="monospace",
                    size="3",
                    width="100%",
                    aria_label="Your new API key",
                    on_focus=rx.call_script("document.getElementById('api-key-new-value').select()"),
                ),
                rx.button(
                    rx.icon("copy", size=16),
                    "Copy",
                    size="3",
                    on_click=[rx.set_clipboard(ApiKeysState.new_key), rx.toast.success("API key copied.")],
                    id="api-key-copy",
                ),
                direction=rx.breakpoints(initial="column", sm="row"),
                spacing="2",
                width="100%",
                margin_top="12px",
            ),
            rx.hstack(
                rx.dialog.close(rx.button("I have copied it", id="api-key-new-done")),
                justify="end",
                width="100%",
                margin_top="16px",
            ),
            max_width="560px",
            id="api-key-new",
        ),
        open=ApiKeysState.new_key != "",
        on_open_change=ApiKeysState.set_new_key_open,
    )


def _revoke_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Revoke this API key?"),
            rx.alert_dialog.description(
                rx.text(
                    "“",
                    rx.text.strong(ApiKeysState.revoke_name),
                    "” stops working at once: every app or script using it gets 401 from then on. This cannot be "
                    "undone.",
                    size="2",
                ),
            ),
            rx.hstack(
                rx.alert_dialog.cancel(
                    rx.button("Cancel", variant="soft", color_scheme="gray", id="api-key-revoke-cancel")
                ),
                rx.alert_dialog.action(
                    rx.button(
                        "Revoke key",
                        color_scheme="red",
                        on_click=ApiKeysState.confirm_revoke,
                        id="api-key-revoke-confirm",
                    )
                ),
                justify="end",
                spacing="3",
                width="100%",
                margin_top="16px",
            ),
            max_width="460px",
            id="api-key-revoke-dialog",
        ),
        open=ApiKeysState.revoke_id > 0,
        on_open_change=ApiKeysState.set_revoke_open,
    )


def api_keys_panel() -> rx.Component:
    """The body of the Settings card: what a key is for, the form, the list, both dialogs."""
    return rx.vstack(
        _create_form(),
        _key_list(),
        _new_key_dialog(),
        _revoke_dialog(),
        spacing="4",
        width="100%",
        on_mount=ApiKeysState.load,
    )
