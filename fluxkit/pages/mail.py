"""/mail: folders with counts, one page of a folder, the open conversation, compose."""

from __future__ import annotations

import reflex as rx

from fluxkit.components.empty_state import empty_state
from fluxkit.components.markdown import markdown
from fluxkit.components.shell import shell
from fluxkit.components.tasks.badges import CLAMP_2
from fluxkit.services.mailbox import FOLDERS, MailRow, MailView, Recipient
from fluxkit.state.mail import FOLDER_ICONS, FolderTab, MailState
from fluxkit.state.mail import ROUTE as MAIL_ROUTE

ROUTE = MAIL_ROUTE
TITLE = "Mail · FluxKit"
ON_LOAD = MailState.load
# Quoted text in replies (markdown "> ") reads as a quote: indented behind a bar.
QUOTE_STYLE = {
    "& blockquote": {
        "borderLeft": f"3px solid {rx.color('gray', 6)}",
        "paddingLeft": "12px",
        "margin": "8px 0",
        "color": rx.color("gray", 11),
    }
}


# ---- folders ------------------------------------------------------------------------------------


def _folder_button(tab: rx.Var[FolderTab]) -> rx.Component:
    active = MailState.folder == tab.folder
    return rx.button(
        rx.match(tab.folder, *[(f, rx.icon(FOLDER_ICONS[f], size=16)) for f in FOLDERS], rx.icon("folder", size=16)),
        rx.text(tab.label, flex="1", text_align="left"),
        rx.cond(
            tab.badge > 0,
            rx.badge(
                tab.badge,
                variant=rx.cond(active, "solid", "soft"),
                radius="full",
                id=rx.Var.create("mail-count-") + tab.folder,
            ),
        ),
        on_click=MailState.set_folder(tab.folder),
        variant=rx.cond(active, "soft", "ghost"),
        color_scheme=rx.cond(active, "accent", "gray"),
        id=rx.Var.create("mail-folder-") + tab.folder,
        justify="start",
        width=rx.breakpoints(initial="auto", md="100%"),
        flex_shrink="0",
        font_weight=rx.cond(tab.unread, "bold", "normal"),
        size="2",
        margin="0",  # ghost buttons otherwise pull out of line with the active one
    )


def folder_nav() -> rx.Component:
    return rx.flex(
        rx.foreach(MailState.folders, _folder_button),
        direction=rx.breakpoints(initial="row", md="column"),
        # On a phone the folders wrap onto a second line: every one (Trash too) in reach.
        wrap=rx.breakpoints(initial="wrap", md="nowrap"),
        spacing="1",
        width=rx.breakpoints(initial="100%", md="200px"),
        min_width=rx.breakpoints(initial="0", md="200px"),
        id="mail-folders",
    )


# ---- the folder list ------------------------------------------------------------------------------


def _star(copy_id: rx.Var[int], starred: rx.Var[bool], id_prefix: str) -> rx.Component:
    return rx.icon_button(
        rx.icon("star", size=16, fill=rx.cond(starred, "currentColor", "none")),
        variant="ghost",
        color_scheme=rx.cond(starred, "amber", "gray"),
        size="1",
        on_click=MailState.toggle_star(copy_id).stop_propagation,
        aria_label=rx.cond(starred, "Unstar", "Star"),
        id=f"{id_prefix}-{copy_id}",
    )


def _row(row: rx.Var[MailRow]) -> rx.Component:
    weight = rx.cond(row.read, "regular", "bold")
    who = rx.cond(
        (MailState.folder == "sent") | (MailState.folder == "drafts") | row.draft,
        rx.text.span("To: ", rx.cond(row.recipients != "", row.recipients, "(nobody yet)")),
        rx.text.span(row.sender_name),
    )
    return rx.hstack(
        _star(row.id, row.starred, "mail-star"),
        rx.vstack(
            rx.hstack(
                rx.text(
                    who,
                    size="2",
                    weight=weight,
                    trim="both",
                    overflow="hidden",
                    text_overflow="ellipsis",
                    white_space="nowrap",
                    flex="1",
                    min_width="0",
                ),
                rx.cond(row.draft, rx.badge("Draft", color_scheme="orange", variant="soft", size="1")),
                rx.text(rx.moment(row.at, from_now=True), size="1", color_scheme="gray", white_space="nowrap"),
                width="100%",
                align="center",
                spacing="2",
            ),
            rx.text(
                rx.cond(row.subject != "", row.subject, "(no subject)"),
                size="2",
                weight=weight,
                overflow="hidden",
                text_overflow="ellipsis",
                white_space="nowrap",
                width="100%",
            ),
            rx.text(row.snippet, size="1", color_scheme="gray", style=CLAMP_2),
            spacing="1",
            flex="1",
            min_width="0",
        ),
        rx.cond(
            ~row.read,
            rx.box(
                width="8px",
                height="8px",
                min_width="8px",
                border_radius="50%",
                bg=rx.color("accent", 9),
                margin_top="6px",
                aria_label="Unread",
            ),
        ),
        on_click=MailState.open(row.id),
        role="button",
        tab_index=0,
        align="start",
        spacing="3",
        width="100%",
        padding="12px 14px",
        cursor="pointer",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        bg=rx.cond(row.read, "transparent", rx.color("accent", 2)),
        _hover={"bg": rx.color("gray", 3)},
        id=f"mail-row-{row.id}",
        class_name=rx.cond(row.read, "mail-row mail-read", "mail-row mail-unread"),
    )


def pagination() -> rx.Component:
    return rx.hstack(
        rx.text(
            MailState.total,
            " message",
            rx.cond(MailState.total == 1, "", "s"),
            size="2",
            color_scheme="gray",
            id="mail-total",
        ),
        rx.spacer(),
        rx.icon_button(
            rx.icon("chevron-left", size=16),
            size="1",
            variant="soft",
            disabled=MailState.page <= 1,
            on_click=MailState.go_to_page(MailState.page - 1),
            aria_label="Previous page",
            id="mail-prev",
        ),
        rx.text(MailState.page, " / ", MailState.pages, size="2", id="mail-page", white_space="nowrap"),
        rx.icon_button(
            rx.icon("chevron-right", size=16),
            size="1",
            variant="soft",
            disabled=MailState.page >= MailState.pages,
            on_click=MailState.go_to_page(MailState.page + 1),
            aria_label="Next page",
            id="mail-next",
        ),
        align="center",
        spacing="2",
        width="100%",
    )


def _empty() -> rx.Component:
    return empty_state(
        rx.match(
            MailState.folder,
            *[(f, rx.icon(FOLDER_ICONS[f], size=28, color=rx.color("gray", 9))) for f in FOLDERS],
            rx.icon("inbox", size=28, color=rx.color("gray", 9)),
        ),
        rx.cond(
            MailState.search != "",
            rx.text("No messages match “", MailState.search, "”.", weight="medium"),
            rx.text(MailState.folder_label, " is empty.", weight="medium"),
        ),
        rx.text("Mail from people on this FluxKit arrives in your Inbox.", size="2", color_scheme="gray"),
        rx.button(
            rx.icon("pencil", size=14),
            "Write a message",
            variant="soft",
            on_click=MailState.compose,
            id="mail-empty-compose",
        ),
        id="mail-empty",
    )


def folder_list() -> rx.Component:
    return rx.vstack(
        rx.cond(
            MailState.folder == "trash",
            rx.cond(
                MailState.total > 0,
                rx.hstack(
                    rx.text("Messages in the Trash stay until you delete them.", size="2", color_scheme="gray"),
                    rx.spacer(),
                    rx.button(
                        rx.icon("trash", size=14),
                        "Empty trash",
                        variant="soft",
                        color_scheme="red",
                        size="1",
                        on_click=MailState.empty_trash,
                        id="mail-empty-trash",
                    ),
                    width="100%",
                    align="center",
                ),
            ),
        ),
        rx.cond(
            MailState.rows.length() > 0,
            rx.vstack(
                rx.card(
                    rx.vstack(rx.foreach(MailState.rows, _row), spacing="0", width="100%"),
                    padding="0",
                    width="100%",
                    id="mail-list",
                ),
                pagination(),
                spacing="3",
                width="100%",
            ),
            rx.cond(MailState.loaded, _empty(), rx.center(rx.spinner(size="3"), padding="64px", width="100%")),
        ),
        spacing="3",
        width="100%",
    )


# ---- the open conversation -------------------------------------------------------------------------


def _action(icon: str, text: str, on_click, id: str, **props) -> rx.Component:
    return rx.button(
        rx.icon(icon, size=14),
        rx.text(text, display=["none", "inline"]),
        variant="soft",
        color_scheme=props.pop("color_scheme", "gray"),
        size="2",
        on_click=on_click,
        id=id,
        aria_label=text,
        **props,
    )


def conversation_actions() -> rx.Component:
    copy_id = MailState.open_id
    folder = MailState.open_folder
    return rx.flex(
        rx.icon_button(
            rx.icon("arrow-left", size=16),
            variant="ghost",
            on_click=MailState.close_message,
            aria_label="Back to the folder",
            id="mail-back",
        ),
        rx.spacer(),
        _action("reply", "Reply", MailState.respond(copy_id, "reply"), "mail-reply"),
        _action("reply-all", "Reply all", MailState.respond(copy_id, "reply_all"), "mail-reply-all"),
        _action("forward", "Forward", MailState.respond(copy_id, "forward"), "mail-forward"),
        rx.cond(
            folder == "trash",
            rx.fragment(
                _action("undo-2", "Restore", MailState.restore(copy_id), "mail-restore"),
                _action(
                    "trash",
                    "Delete forever",
                    MailState.delete_forever(copy_id),
                    "mail-delete-forever",
                    color_scheme="red",
                ),
            ),
            rx.fragment(
                rx.cond(
                    folder == "archive",
                    _action("inbox", "Move to inbox", MailState.move(copy_id, "inbox"), "mail-unarchive"),
                    _action("archive", "Archive", MailState.move(copy_id, "archive"), "mail-archive"),
                ),
                _action("trash-2", "Trash", MailState.move(copy_id, "trash"), "mail-trash", color_scheme="red"),
            ),
        ),
        _action("mail", "Mark unread", MailState.toggle_read(copy_id), "mail-mark-unread"),
        rx.icon_button(
            rx.icon("star", size=16, fill=rx.cond(MailState.open_starred, "currentColor", "none")),
            variant="soft",
            color_scheme=rx.cond(MailState.open_starred, "amber", "gray"),
            on_click=MailState.toggle_star(copy_id),
            aria_label=rx.cond(MailState.open_starred, "Unstar", "Star"),
            id="mail-open-star",
        ),
        wrap="wrap",
        spacing="2",
        align="center",
        width="100%",
    )


def _message(view: rx.Var[MailView]) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.flex(
                rx.hstack(
                    rx.avatar(fallback=view.sender_name[:1].upper(), size="2", radius="full"),
                    rx.vstack(
                        rx.text(
                            view.sender_name,
                            " ",
                            rx.text.span("<", view.sender_email, ">", color_scheme="gray", weight="regular", size="1"),
                            size="2",
                            weight="bold",
                        ),
                        rx.text(
                            "To: ",
                            view.to_addresses.join(", "),
                            rx.cond(
                                view.cc_addresses.length() > 0, rx.text.span(" · Cc: ", view.cc_addresses.join(", "))
                            ),
                            size="1",
                            color_scheme="gray",
                            word_break="break-word",
                        ),
                        spacing="0",
                        min_width="0",
                    ),
                    align="center",
                    spacing="2",
                    min_width="0",
                ),
                rx.spacer(),
                rx.text(
                    rx.moment(view.at, format="MMM D, YYYY HH:mm"), size="1", color_scheme="gray", white_space="nowrap"
                ),
                direction=rx.breakpoints(initial="column", sm="row"),
                spacing="2",
                width="100%",
            ),
            rx.box(
                # use_raw=False: HTML in a message is shown as text, never run.
                markdown(view.body, width="100%"),
                class_name="mail-body",
                style=QUOTE_STYLE,
                width="100%",
                word_break="break-word",
                overflow_x="auto",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        id=f"mail-message-{view.id}",
        class_name="mail-message",
        border=rx.cond(view.id == MailState.open_id, f"1px solid {rx.color('accent', 7)}", "none"),
    )


def conversation() -> rx.Component:
    return rx.vstack(
        conversation_actions(),
        rx.heading(MailState.open_subject, size="5", id="mail-open-subject", word_break="break-word"),
        rx.vstack(rx.foreach(MailState.conversation, _message), spacing="3", width="100%", id="mail-thread"),
        spacing="3",
        width="100%",
        id="mail-conversation",
    )


# ---- compose -----------------------------------------------------------------------------------------


def _error(field: str) -> rx.Component:
    return rx.cond(
        MailState.compose_errors.contains(field),
        rx.text(MailState.compose_errors[field], size="1", color_scheme="red", id=f"mail-error-{field}"),
    )


def _suggestion(person: rx.Var[Recipient]) -> rx.Component:
    return rx.hstack(
        rx.avatar(fallback=person.name[:1].upper(), size="1", radius="full"),
        rx.text(person.name, size="2", weight="medium"),
        rx.text(person.email, size="1", color_scheme="gray"),
        on_click=MailState.pick_recipient(person.email),
        # Picked on pointer down, before the input's blur can hide the list.
        on_mouse_down=rx.prevent_default,
        role="option",
        cursor="pointer",
        padding="6px 10px",
        width="100%",
        align="center",
        spacing="2",
        _hover={"bg": rx.color("accent", 3)},
        id=rx.Var.create("mail-suggestion-") + person.email,
        class_name="mail-suggestion",
    )


def _address_field(field: str, label: str) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text(
                label, size="2", weight="medium", width="32px", as_="label", custom_attrs={"htmlFor": f"mail-{field}"}
            ),
            rx.box(
                rx.input(
                    value=getattr(MailState, field),
                    on_change=lambda value: MailState.edit(field, value),
                    # Picking a suggestion keeps the focus (mouse down is prevented there).
                    on_blur=MailState.hide_suggestions,
                    debounce_timeout=250,
                    placeholder="name@example.com, …",
                    id=f"mail-{field}",
                    auto_complete="off",
                    width="100%",
                ),
                rx.cond(
                    (MailState.suggest_field == field) & (MailState.suggestions.length() > 0),
                    rx.vstack(
                        rx.foreach(MailState.suggestions, _suggestion),
                        position="absolute",
                        top="100%",
                        left="0",
                        right="0",
                        z_index="20",
                        spacing="0",
                        bg=rx.color("gray", 1),
                        border=f"1px solid {rx.color('gray', 6)}",
                        border_radius="8px",
                        box_shadow="0 6px 20px rgba(0,0,0,0.15)",
                        margin_top="4px",
                        overflow="hidden",
                        role="listbox",
                        id=f"mail-suggestions-{field}",
                    ),
                ),
                position="relative",
                flex="1",
                min_width="0",
            ),
            width="100%",
            align="center",
        ),
        _error(field),
        spacing="1",
        width="100%",
    )


def compose_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.vstack(
                rx.hstack(
                    rx.dialog.title(rx.cond(MailState.reply_to > 0, "Reply", "New message"), margin="0"),
                    rx.spacer(),
                    rx.text(MailState.saved_note, size="1", color_scheme="gray", id="mail-saved-note"),
                    rx.dialog.close(
                        rx.icon_button(
                            rx.icon("x", size=16),
                            variant="ghost",
                            color_scheme="gray",
                            aria_label="Close (the draft is kept)",
                            id="mail-compose-close",
                        )
                    ),
                    width="100%",
                    align="center",
                ),
                rx.box(
                    _address_field("to", "To"),
                    rx.cond(
                        MailState.show_cc,
                        rx.box(_address_field("cc", "Cc"), padding_top="8px"),
                        rx.button(
                            "Add Cc",
                            on_click=MailState.toggle_cc,
                            variant="ghost",
                            size="1",
                            id="mail-add-cc",
                            margin_left="40px",
                            margin_top="6px",
                        ),
                    ),
                    width="100%",
                ),
                rx.input(
                    value=MailState.subject,
                    on_change=lambda value: MailState.edit("subject", value),
                    debounce_timeout=400,
                    placeholder="Subject",
                    max_length=200,
                    id="mail-subject",
                    width="100%",
                ),
                _error("subject"),
                rx.hstack(
                    rx.segmented_control.root(
                        rx.segmented_control.item("Write", value="write"),
                        rx.segmented_control.item("Preview", value="preview"),
                        value=rx.cond(MailState.preview, "preview", "write"),
                        on_change=lambda _v: MailState.toggle_preview(),
                        size="1",
                        id="mail-preview-toggle",
                    ),
                    rx.spacer(),
                    rx.text(
                        "Markdown: **bold**, _italic_, lists, links",
                        size="1",
                        color_scheme="gray",
                        display=["none", "block"],
                    ),
                    width="100%",
                    align="center",
                ),
                rx.cond(
                    MailState.preview,
                    rx.box(
                        rx.cond(
                            MailState.body != "",
                            markdown(MailState.body, width="100%"),
                            rx.text("Nothing to preview yet.", size="2", color_scheme="gray"),
                        ),
                        id="mail-preview",
                        style=QUOTE_STYLE,
                        width="100%",
                        min_height="200px",
                        max_height="45vh",
                        overflow_y="auto",
                        padding="12px",
                        border_radius="8px",
                        bg=rx.color("gray", 2),
                        word_break="break-word",
                    ),
                    rx.text_area(
                        value=MailState.body,
                        on_change=lambda value: MailState.edit("body", value),
                        debounce_timeout=600,
                        placeholder="Write your message…",
                        id="mail-body",
                        rows="10",
                        width="100%",
                        resize="vertical",
                    ),
                ),
                _error("body"),
                rx.hstack(
                    rx.button(
                        rx.icon("trash-2", size=14),
                        "Discard",
                        variant="ghost",
                        color_scheme="red",
                        on_click=MailState.discard,
                        id="mail-discard",
                    ),
                    rx.spacer(),
                    rx.button(
                        rx.icon("send", size=14),
                        "Send",
                        on_click=MailState.send,
                        loading=MailState.sending,
                        id="mail-send",
                    ),
                    width="100%",
                    padding_top="4px",
                ),
                spacing="3",
                width="100%",
            ),
            key=MailState.compose_key,
            max_width="680px",
            id="mail-compose-dialog",
        ),
        open=MailState.compose_open,
        on_open_change=MailState.set_compose_open,
    )


# ---- the page ----------------------------------------------------------------------------------------


def toolbar() -> rx.Component:
    return rx.flex(
        # Enabled once the page's load has run: a click before it would be undone by the load.
        rx.button(
            rx.icon("pencil", size=16),
            "Compose",
            on_click=MailState.compose,
            id="mail-compose",
            flex_shrink="0",
            disabled=~rx.State.is_hydrated,
        ),
        rx.input(
            rx.input.slot(rx.icon("search", size=16)),
            placeholder=rx.Var.create("Search ") + MailState.folder_label.lower() + " by subject, text or sender…",
            value=MailState.search,
            on_change=MailState.set_search,
            debounce_timeout=300,
            id="mail-search",
            type="search",
            max_length=100,
            width="100%",
            aria_label="Search mail",
        ),
        direction=rx.breakpoints(initial="column-reverse", sm="row"),
        spacing="2",
        width="100%",
    )


def content() -> rx.Component:
    return rx.vstack(
        toolbar(),
        rx.flex(
            folder_nav(),
            rx.box(
                rx.cond(MailState.open_id > 0, conversation(), folder_list()),
                flex="1",
                min_width="0",
                width="100%",
            ),
            direction=rx.breakpoints(initial="column", md="row"),
            spacing="4",
            width="100%",
            align="start",
        ),
        compose_dialog(),
        spacing="4",
        width="100%",
    )


page = shell("Mail", content, loaded=MailState.loaded)
