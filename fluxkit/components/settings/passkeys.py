"""Settings › Account › Passkeys: add one (the device asks for a fingerprint, face or PIN),
the list with when each was made and last used, rename, remove."""

from __future__ import annotations

import reflex as rx

from fluxkit.state.passkeys import PasskeyItem, PasskeysState


def _add_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.text(
                "Name (optional)", as_="label", custom_attrs={"htmlFor": "passkey-name"}, size="2", weight="medium"
            ),
            rx.flex(
                rx.input(
                    name="name",
                    id="passkey-name",
                    placeholder="Where it lives, e.g. “Work laptop” or “Phone”",
                    max_length=100,
                    size="3",
                    width="100%",
                    color_scheme=rx.cond(PasskeysState.add_error != "", "red", "gray"),
                    aria_invalid=PasskeysState.add_error != "",
                ),
                rx.button(
                    rx.icon("fingerprint", size=16),
                    "Add a passkey",
                    type="submit",
                    size="3",
                    loading=PasskeysState.adding,
                    id="passkey-add",
                ),
                direction=rx.breakpoints(initial="column", sm="row"),
                spacing="2",
                width="100%",
            ),
            rx.cond(
                PasskeysState.add_error != "",
                rx.text(PasskeysState.add_error, color_scheme="red", size="1", id="passkey-add-error", role="alert"),
            ),
            spacing="2",
            width="100%",
        ),
        on_submit=PasskeysState.add,
        reset_on_submit=False,
        key=PasskeysState.form_key,
        width="100%",
        id="passkey-form",
    )


def _row(passkey: rx.Var[PasskeyItem]) -> rx.Component:
    return rx.flex(
        rx.hstack(
            rx.center(
                rx.icon("fingerprint", size=16),
                bg=rx.color("accent", 3),
                color=rx.color("accent", 11),
                border_radius="8px",
                width="32px",
                height="32px",
                min_width="32px",
            ),
            rx.vstack(
                rx.hstack(
                    rx.text(
                        passkey.name, size="2", weight="medium", word_break="break-word", class_name="passkey-name"
                    ),
                    rx.cond(passkey.synced, rx.badge("Synced", color_scheme="gray", variant="soft")),
                    align="center",
                    spacing="2",
                ),
                rx.text(
                    "Added ",
                    rx.moment(passkey.created_at, format="MMM D, YYYY"),
                    " · ",
                    rx.cond(
                        passkey.last_used_at != "",
                        rx.text.span("last used ", rx.moment(passkey.last_used_at, from_now=True)),
                        "never used",
                    ),
                    size="1",
                    color_scheme="gray",
                    class_name="passkey-used",
                ),
                spacing="1",
                min_width="0",
            ),
            align="start",
            spacing="3",
            min_width="0",
            flex="1",
        ),
        rx.hstack(
            rx.button(
                rx.icon("pencil", size=14),
                "Rename",
                variant="soft",
                size="1",
                on_click=PasskeysState.ask_rename(passkey.id),
                id=f"passkey-rename-{passkey.id}",
            ),
            rx.button(
                rx.icon("trash-2", size=14),
                "Remove",
                variant="soft",
                color_scheme="red",
                size="1",
                on_click=PasskeysState.ask_delete(passkey.id),
                id=f"passkey-delete-{passkey.id}",
            ),
            spacing="2",
            align_self=rx.breakpoints(initial="end", sm="center"),
        ),
        direction=rx.breakpoints(initial="column", sm="row"),
        spacing="2",
        width="100%",
        padding_y="10px",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        id=f"passkey-row-{passkey.id}",
        class_name="passkey-row",
    )


def _list() -> rx.Component:
    return rx.cond(
        PasskeysState.passkeys.length() > 0,
        rx.vstack(rx.foreach(PasskeysState.passkeys, _row), spacing="0", width="100%", id="passkey-list"),
        rx.text(
            "No passkeys yet. Add one to sign in with this device's fingerprint, face or screen lock.",
            size="2",
            color_scheme="gray",
            id="passkeys-empty",
        ),
    )


def _rename_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Rename passkey"),
            rx.dialog.description("A name that tells you which device or app keeps it.", size="2"),
            rx.form(
                rx.vstack(
                    rx.input(
                        name="name",
                        id="passkey-rename-input",
                        default_value=PasskeysState.rename_name,
                        max_length=100,
                        size="3",
                        width="100%",
                        aria_label="Passkey name",
                        color_scheme=rx.cond(PasskeysState.rename_error != "", "red", "gray"),
                        aria_invalid=PasskeysState.rename_error != "",
                    ),
                    rx.cond(
                        PasskeysState.rename_error != "",
                        rx.text(
                            PasskeysState.rename_error,
                            color_scheme="red",
                            size="1",
                            id="passkey-rename-error",
                            role="alert",
                        ),
                    ),
                    rx.hstack(
                        rx.dialog.close(
                            rx.button(
                                "Cancel", type="button", variant="soft", color_scheme="gray", id="passkey-rename-cancel"
                            )
                        ),
                        rx.button("Save", type="submit", id="passkey-rename-save"),
                        justify="end",
                        spacing="3",
                        width="100%",
                    ),
                    spacing="3",
                    width="100%",
                    margin_top="12px",
                ),
                on_submit=PasskeysState.rename,
                reset_on_submit=False,
                width="100%",
            ),
            max_width="440px",
            id="passkey-rename-dialog",
        ),
        open=PasskeysState.rename_id > 0,
        on_open_change=PasskeysState.set_rename_open,
    )


def _delete_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Remove this passkey?"),
            rx.alert_dialog.description(
                rx.text(
                    "“",
                    rx.text.strong(PasskeysState.delete_name),
                    "” will no longer sign you in. The device may still list it; you can delete it there too.",
                    size="2",
                ),
            ),
            rx.hstack(
                rx.alert_dialog.cancel(
                    rx.button("Cancel", variant="soft", color_scheme="gray", id="passkey-delete-cancel")
                ),
                rx.alert_dialog.action(
                    rx.button(
                        "Remove passkey",
                        color_scheme="red",
                        on_click=PasskeysState.confirm_delete,
                        id="passkey-delete-confirm",
                    )
                ),
                justify="end",
                spacing="3",
                width="100%",
                margin_top="16px",
            ),
            max_width="460px",
            id="passkey-delete-dialog",
        ),
        open=PasskeysState.delete_id > 0,
        on_open_change=PasskeysState.set_delete_open,
    )


def passkeys_panel() -> rx.Component:
    """The body of the Passkeys card on Settings › Account."""
    return rx.vstack(
        # Until the list is read: its shape, not "No passkeys yet", and no form to type into yet.
        rx.cond(
            PasskeysState.loaded,
            rx.vstack(_add_form(), _list(), spacing="4", width="100%"),
            rx.skeleton(rx.box(height="88px"), loading=True, width="100%", id="passkeys-loading"),
        ),
        _rename_dialog(),
        _delete_dialog(),
        spacing="4",
        width="100%",
        on_mount=PasskeysState.load,
    )
