"""/chat: conversations on the left, the open one on the right (one at a time on a phone)."""

from __future__ import annotations

import reflex as rx

from fluxkit.components.shell import shell
from fluxkit.services.chat import BODY_MAX, TITLE_MAX, ConversationRow, MessageRow, TextPart, UserHit
from fluxkit.state.chat import ROUTE as CHAT_ROUTE
from fluxkit.state.chat import ChatState

ROUTE = CHAT_ROUTE
TITLE = "Chat · FluxKit"
ON_LOAD = ChatState.load

# Enter sends, Shift+Enter (or an IME composition) does not: a capture listener on the
# document, registered once, so the newline never reaches the box.
_ENTER_SENDS = """
if (!window.fluxkitChatEnter) {
  window.fluxkitChatEnter = true;
  document.addEventListener("keydown", (e) => {
    const box = e.target;
    if (box && box.id === "chat-input" && e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      if (box.form) box.form.requestSubmit();
    }
  }, true);
}
"""
CLAMP_1 = {"overflow": "hidden", "textOverflow": "ellipsis", "whiteSpace": "nowrap"}
PANE_HEIGHT = "calc(100vh - 150px)"


def _avatar(name: rx.Var[str], online: rx.Var[bool], group: rx.Var[bool], size: str = "3") -> rx.Component:
    return rx.box(
        rx.cond(
            group,
            rx.avatar(fallback="#", size=size, radius="full", color_scheme="gray"),
            rx.avatar(fallback=name[:1].upper(), size=size, radius="full"),
        ),
        rx.cond(
            online,
            rx.box(
                position="absolute",
                bottom="0",
                right="0",
                width="11px",
                height="11px",
                border_radius="50%",
                bg=rx.color("grass", 9),
                border=f"2px solid {rx.color('gray', 1)}",
            ),
        ),
        position="relative",
        flex_shrink="0",
    )


# ---- the conversation list -------------------------------------------------------------------------


def _conversation_item(item: rx.Var[ConversationRow]) -> rx.Component:
    active = ChatState.active_id == item.id
    return rx.hstack(
        _avatar(item.title, item.online, item.kind == "group"),
        rx.vstack(
            rx.hstack(
                rx.text(
                    item.title,
                    size="2",
                    weight=rx.cond(item.unread > 0, "bold", "medium"),
                    style=CLAMP_1,
                    flex="1",
                    min_width="0",
                ),
                rx.cond(item.pinned, rx.icon("pin", size=12, color=rx.color("gray", 10), aria_label="Pinned")),
                rx.cond(item.muted, rx.icon("bell-off", size=12, color=rx.color("gray", 10), aria_label="Muted")),
                rx.text(
                    rx.moment(item.last_message_at, from_now=True), size="1", color_scheme="gray", white_space="nowrap"
                ),
                width="100%",
                align="center",
                spacing="1",
            ),
            rx.hstack(
                rx.text(
                    rx.cond(item.last_message != "", item.last_message, item.subtitle),
                    size="1",
                    color_scheme="gray",
                    style=CLAMP_1,
                    flex="1",
                    min_width="0",
                ),
                rx.cond(
                    (item.unread > 0) & ~item.muted,
                    rx.badge(
                        item.unread,
                        color_scheme="red",
                        variant="solid",
                        radius="full",
                        size="1",
                        id=f"chat-unread-{item.id}",
                    ),
                ),
                width="100%",
                align="center",
            ),
            spacing="0",
            flex="1",
            min_width="0",
        ),
        on_click=ChatState.open_conversation(item.id),
        id=f"chat-conversation-{item.id}",
        role="button",
        tab_index=0,
        width="100%",
        align="center",
        spacing="3",
        padding="10px 12px",
        cursor="pointer",
        border_radius="8px",
        bg=rx.cond(active, rx.color("accent", 3), "transparent"),
        _hover={"bg": rx.cond(active, rx.color("accent", 3), rx.color("gray", 3))},
        class_name="chat-conversation",
    )


def _list_pane() -> rx.Component:
    state = ChatState
    return rx.vstack(
        rx.hstack(
            rx.text("Conversations", weight="bold", size="3"),
            rx.spacer(),
            rx.button(
                rx.icon("square-pen", size=16), "New", size="2", on_click=state.set_picker_open(True), id="chat-new"
            ),
            width="100%",
            align="center",
            padding="12px 12px 8px 14px",
        ),
        rx.cond(
            state.conversations.length() > 0,
            rx.vstack(
                rx.foreach(state.conversations, _conversation_item),
                spacing="1",
                width="100%",
                padding="4px 6px 8px",
                overflow_y="auto",
                flex="1",
                id="chat-list",
            ),
            rx.cond(
                state.loaded,
                rx.center(
                    rx.vstack(
                        rx.icon("messages-square", size=28, color=rx.color("gray", 9)),
                        rx.text("No conversations yet.", weight="medium"),
                        rx.text(
                            "Start one with anyone on this FluxKit.", size="2", color_scheme="gray", text_align="center"
                        ),
                        rx.button(
                            "Start a conversation",
                            variant="soft",
                            on_click=state.set_picker_open(True),
                            id="chat-empty-new",
                        ),
                        align="center",
                        spacing="2",
                    ),
                    padding="32px 16px",
                    width="100%",
                    id="chat-empty",
                ),
                rx.center(rx.spinner(size="3"), padding="48px", width="100%"),
            ),
        ),
        spacing="0",
        width=rx.breakpoints(initial="100%", md="320px"),
        min_width=rx.breakpoints(initial="0", md="320px"),
        height="100%",
        border_right=rx.breakpoints(initial="none", md=f"1px solid {rx.color('gray', 5)}"),
        # On a phone one pane at a time: the list, or the open conversation.
        display=rx.breakpoints(initial=rx.cond(state.active_id > 0, "none", "flex"), md="flex"),
    )


# ---- the open conversation ---------------------------------------------------------------------------


def _part(part: rx.Var[TextPart]) -> rx.Component:
    # Text is always text (React escapes it); only http(s) runs become links.
    return rx.cond(
        part.url != "",
        rx.link(
            part.text,
            href=part.url,
            is_external=True,
            rel="noopener noreferrer nofollow",
            underline="always",
            color="inherit",
        ),
        rx.text.span(part.text),
    )


def _message(item: rx.Var[MessageRow]) -> rx.Component:
    bubble = rx.vstack(
        rx.cond(
            ~item.mine & (ChatState.active.kind == "group"),
            rx.text(item.sender_name, size="1", weight="bold", color=rx.color("accent", 11)),
        ),
        rx.text(
            rx.foreach(item.parts, _part),
            size="2",
            white_space="pre-wrap",
            word_break="break-word",
            overflow_wrap="anywhere",
        ),
        rx.text(rx.moment(item.created_at, format="HH:mm"), size="1", opacity="0.7", align_self="end"),
        spacing="1",
        padding="8px 12px",
        border_radius="14px",
        max_width=rx.breakpoints(initial="85%", md="70%"),
        bg=rx.cond(item.mine, rx.color("accent", 9), rx.color("gray", 3)),
        color=rx.cond(item.mine, rx.color("accent", 1), rx.color("gray", 12)),
        class_name="chat-message",
        id=f"chat-message-{item.id}",
    )
    return rx.cond(
        item.kind == "event",
        rx.center(
            rx.text(item.body, size="1", color_scheme="gray", id=f"chat-message-{item.id}", class_name="chat-event"),
            width="100%",
            padding="4px 0",
        ),
        rx.flex(bubble, justify=rx.cond(item.mine, "end", "start"), width="100%"),
    )


def _conversation_menu() -> rx.Component:
    state = ChatState
    return rx.dropdown_menu.root(
        rx.dropdown_menu.trigger(
            rx.icon_button(
                rx.icon("ellipsis-vertical", size=18),
                variant="ghost",
                color_scheme="gray",
                aria_label="Conversation menu",
                id="chat-menu",
            )
        ),
        rx.dropdown_menu.content(
            rx.dropdown_menu.item(
                rx.hstack(
                    rx.cond(state.active.pinned, rx.icon("pin-off", size=14), rx.icon("pin", size=14)),
                    rx.text(rx.cond(state.active.pinned, "Unpin", "Pin to top")),
                    align="center",
                ),
                on_click=state.toggle_pin(state.active_id),
                id="chat-pin",
            ),
            rx.dropdown_menu.item(
                rx.hstack(
                    rx.cond(state.active.muted, rx.icon("bell", size=14), rx.icon("bell-off", size=14)),
                    rx.text(rx.cond(state.active.muted, "Unmute", "Mute")),
                    align="center",
                ),
                on_click=state.toggle_mute(state.active_id),
                id="chat-mute",
            ),
            rx.cond(
                state.active.kind == "group",
                rx.fragment(
                    rx.dropdown_menu.item(
                        rx.hstack(rx.icon("pencil", size=14), rx.text("Rename group"), align="center"),
                        on_click=state.set_rename_open(True),
                        id="chat-rename",
                    ),
                    rx.dropdown_menu.separator(),
                    rx.dropdown_menu.item(
                        rx.hstack(rx.icon("log-out", size=14), rx.text("Leave group"), align="center"),
                        on_click=state.leave,
                        color="red",
                        id="chat-leave",
                    ),
                ),
            ),
            align="end",
        ),
    )


def _conversation_header() -> rx.Component:
    state = ChatState
    active = state.active
    return rx.hstack(
        rx.icon_button(
            rx.icon("arrow-left", size=18),
            variant="ghost",
            color_scheme="gray",
            on_click=state.close_conversation,
            aria_label="Back to conversations",
            display=rx.breakpoints(initial="inline-flex", md="none"),
            id="chat-back",
        ),
        _avatar(active.title, active.online, active.kind == "group", size="2"),
        rx.vstack(
            rx.text(active.title, weight="bold", size="3", style=CLAMP_1, id="chat-title"),
            rx.text(
                rx.cond(
                    active.kind == "group",
                    state.members_text,
                    rx.cond(active.online, "Online", active.subtitle),
                ),
                size="1",
                color_scheme="gray",
                style=CLAMP_1,
                id="chat-subtitle",
            ),
            spacing="0",
            min_width="0",
            flex="1",
        ),
        rx.cond(active.muted, rx.tooltip(rx.icon("bell-off", size=16, color=rx.color("gray", 10)), content="Muted")),
        _conversation_menu(),
        width="100%",
        align="center",
        spacing="3",
        padding="10px 12px",
        border_bottom=f"1px solid {rx.color('gray', 5)}",
    )


def _composer() -> rx.Component:
    state = ChatState
    return rx.form(
        rx.vstack(
            rx.cond(
                state.composer_error != "",
                rx.callout(
                    state.composer_error,
                    icon="triangle-alert",
                    color_scheme="red",
                    size="1",
                    width="100%",
                    id="chat-error",
                ),
            ),
            rx.hstack(
                rx.text_area(
                    name="body",
                    id="chat-input",
                    placeholder="Write a message…",
                    rows="1",
                    resize="none",
                    min_height="40px",
                    auto_height=True,
                    max_height="160px",
                    flex="1",
                    size="2",
                    aria_label="Message",
                    on_key_down=state.typing.throttle(1000),
                    on_mount=rx.call_script(_ENTER_SENDS),
                ),
                rx.icon_button(
                    rx.icon("send-horizontal", size=18), type="submit", size="3", aria_label="Send", id="chat-send"
                ),
                width="100%",
                align="end",
                spacing="2",
            ),
            rx.text(
                f"Enter sends · Shift+Enter for a new line · up to {BODY_MAX:,} characters",
                size="1",
                color_scheme="gray",
                display=rx.breakpoints(initial="none", sm="block"),
            ),
            spacing="1",
            width="100%",
        ),
        on_submit=state.send,
        reset_on_submit=False,
        width="100%",
        padding="10px 12px 12px",
        border_top=f"1px solid {rx.color('gray', 5)}",
        id="chat-form",
    )


def _messages() -> rx.Component:
    state = ChatState
    # column-reverse keeps the view pinned to the newest message as messages arrive, and
    # keeps the reader's place when older ones are put on top.
    return rx.box(
        rx.vstack(
            rx.cond(
                state.has_more,
                rx.center(
                    rx.button(
                        "Load older messages", variant="soft", size="1", on_click=state.load_older, id="chat-load-older"
                    ),
                    width="100%",
                    padding="4px",
                ),
            ),
            rx.foreach(state.messages, _message),
            rx.cond(
                state.seen_text != "",
                rx.hstack(
                    rx.icon("check-check", size=12, color=rx.color("gray", 10)),
                    rx.text(state.seen_text, size="1", color_scheme="gray", id="chat-seen"),
                    justify="end",
                    align="center",
                    spacing="1",
                    width="100%",
                ),
            ),
            rx.cond(
                state.typing_text != "",
                rx.text(state.typing_text, size="1", color_scheme="gray", font_style="italic", id="chat-typing"),
            ),
            rx.cond(
                state.messages.length() == 0,
                rx.center(
                    rx.text("No messages yet. Say hello!", size="2", color_scheme="gray"),
                    padding="32px",
                    width="100%",
                    id="chat-no-messages",
                ),
            ),
            spacing="2",
            width="100%",
            padding="12px",
            id="chat-messages",
        ),
        display="flex",
        flex_direction="column-reverse",
        overflow_y="auto",
        flex="1",
        min_height="0",
        width="100%",
    )


def _conversation_pane() -> rx.Component:
    state = ChatState
    return rx.box(
        rx.cond(
            state.active_id > 0,
            rx.vstack(
                _conversation_header(),
                _messages(),
                _composer(),
                # While someone shows as typing, re-check every 2 s so it lapses on time.
                rx.cond(
                    state.typing_names.length() > 0, rx.moment(interval=2000, on_change=state.tick, display="none")
                ),
                spacing="0",
                height="100%",
                width="100%",
                id="chat-conversation",
            ),
            rx.center(
                rx.vstack(
                    rx.icon("message-circle", size=32, color=rx.color("gray", 9)),
                    rx.text("Pick a conversation, or start a new one.", size="2", color_scheme="gray"),
                    align="center",
                    spacing="2",
                ),
                height="100%",
                width="100%",
            ),
        ),
        flex="1",
        min_width="0",
        height="100%",
        display=rx.breakpoints(initial=rx.cond(state.active_id > 0, "block", "none"), md="block"),
    )


# ---- dialogs -----------------------------------------------------------------------------------------


def _person(hit: rx.Var[UserHit]) -> rx.Component:
    picked = ChatState.picked_ids.contains(hit.id)
    return rx.hstack(
        _avatar(hit.name, hit.online, False, size="2"),
        rx.vstack(
            rx.text(hit.name, size="2", weight="medium", style=CLAMP_1),
            rx.text(hit.email, size="1", color_scheme="gray", style=CLAMP_1),
            spacing="0",
            flex="1",
            min_width="0",
        ),
        rx.cond(
            picked,
            rx.icon("circle-check", size=18, color=rx.color("accent", 9)),
            rx.icon("circle", size=18, color=rx.color("gray", 7)),
        ),
        on_click=ChatState.toggle_person(hit.id),
        id=f"chat-person-{hit.id}",
        role="button",
        tab_index=0,
        width="100%",
        align="center",
        spacing="3",
        padding="8px",
        border_radius="8px",
        cursor="pointer",
        bg=rx.cond(picked, rx.color("accent", 3), "transparent"),
        _hover={"bg": rx.color("gray", 3)},
    )


def _dialog_form(*fields: rx.Component, submit: rx.Component, on_submit) -> rx.Component:
    """A dialog's form: its fields, then Cancel and the submit button."""
    return rx.form(
        rx.vstack(
            *fields,
            rx.hstack(
                rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray", type="button")),
                submit,
                justify="end",
                width="100%",
                spacing="3",
            ),
            spacing="3",
            width="100%",
            margin_top="12px",
        ),
        on_submit=on_submit,
        reset_on_submit=False,
    )


def _picker() -> rx.Component:
    state = ChatState
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("New conversation"),
            rx.dialog.description(
                "Pick one person for a direct chat, or several for a group.", size="2", color_scheme="gray"
            ),
            rx.vstack(
                rx.input(
                    rx.input.slot(rx.icon("search", size=16)),
                    value=state.picker_query,
                    on_change=state.search_people,
                    debounce_timeout=250,
                    placeholder="Search people by name or email",
                    id="chat-people-search",
                    width="100%",
                    auto_focus=True,
                ),
                rx.cond(
                    state.picked.length() > 0,
                    rx.flex(
                        rx.foreach(
                            state.picked,
                            lambda p: rx.badge(
                                p.name,
                                rx.icon("x", size=12),
                                variant="soft",
                                radius="full",
                                cursor="pointer",
                                on_click=state.toggle_person(p.id),
                            ),
                        ),
                        wrap="wrap",
                        spacing="2",
                        width="100%",
                        id="chat-picked",
                    ),
                ),
                rx.scroll_area(
                    rx.cond(
                        state.picker_hits.length() > 0,
                        rx.vstack(rx.foreach(state.picker_hits, _person), spacing="1", width="100%"),
                        rx.center(
                            rx.text("Nobody found.", size="2", color_scheme="gray"), padding="16px", width="100%"
                        ),
                    ),
                    max_height="280px",
                    type="auto",
                    scrollbars="vertical",
                    id="chat-people",
                ),
                spacing="3",
                width="100%",
                margin_top="12px",
            ),
            _dialog_form(
                rx.cond(
                    state.picked.length() > 1,
                    rx.input(
                        name="title",
                        placeholder="Group name (optional)",
                        max_length=TITLE_MAX,
                        id="chat-group-title",
                        width="100%",
                    ),
                ),
                rx.cond(
                    state.picker_error != "",
                    rx.text(state.picker_error, size="2", color_scheme="red", id="chat-picker-error"),
                ),
                submit=rx.button(
                    rx.cond(state.picked.length() > 1, "Create group", "Start chat"),
                    type="submit",
                    disabled=state.picked.length() == 0,
                    id="chat-start",
                ),
                on_submit=state.start_conversation,
            ),
            max_width="460px",
        ),
        open=state.picker_open,
        on_open_change=state.set_picker_open,
    )


def _rename_dialog() -> rx.Component:
    state = ChatState
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Rename group"),
            _dialog_form(
                rx.input(
                    name="title",
                    default_value=state.active.custom_title,
                    placeholder="Leave empty to show the members' names",
                    id="chat-rename-input",
                    width="100%",
                    auto_focus=True,
                ),
                rx.cond(
                    state.rename_error != "",
                    rx.text(state.rename_error, size="2", color_scheme="red", id="chat-rename-error"),
                ),
                submit=rx.button("Save", type="submit", id="chat-rename-save"),
                on_submit=state.rename,
            ),
            max_width="420px",
        ),
        open=state.rename_open,
        on_open_change=state.set_rename_open,
    )


def content() -> rx.Component:
    return rx.fragment(
        rx.card(
            rx.flex(_list_pane(), _conversation_pane(), width="100%", height="100%"),
            padding="0",
            width="100%",
            height=PANE_HEIGHT,
            min_height="420px",
            overflow="hidden",
            id="chat-page",
        ),
        _picker(),
        _rename_dialog(),
    )


page = shell("Chat", content, loaded=ChatState.loaded)
