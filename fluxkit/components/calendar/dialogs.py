"""The calendar's dialogs: new/edit event, event details, subscription feed, .ics import."""

from __future__ import annotations

import reflex as rx

from fluxkit.components.calendar.views import tint
from fluxkit.components.forms import field_error, form_dialog, labelled_field
from fluxkit.components.import_dialog import ImportCopy, import_dialog
from fluxkit.components.markdown import markdown
from fluxkit.services.calendar import COLORS, TYPES, AttendeeRow, UserPick
from fluxkit.state.calendar.files import CalendarFilesState
from fluxkit.state.calendar.page import CalendarState

S = CalendarState
F = CalendarFilesState
STATUS_COLORS = {"accepted": "green", "declined": "red", "pending": "gray"}
STATUS_LABELS = {"accepted": "Accepted", "declined": "Declined", "pending": "No answer yet"}


def _error(name: str) -> rx.Component:
    return field_error(S.form_errors, name, "event")


def _field(label: str, name: str, control: rx.Component, html_for: str) -> rx.Component:
    return labelled_field(label, control, _error(name), html_for)


CHOICE_LABELS = {"none": "Does not repeat", "until": "On a date", "count": "After a number of times"}


def _choice(name: str, options, value: rx.Var[str], id: str) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(id=id, width="100%"),
        rx.select.content(
            *[rx.select.item(CHOICE_LABELS.get(o, o.capitalize()), value=o, id=f"{id}-{o}") for o in options]
        ),
        value=value,
        on_change=lambda v: S.set_form_choice(name, v),
    )


def _color_swatch(color: str) -> rx.Component:
    return rx.box(
        width="22px",
        height="22px",
        border_radius="50%",
        bg=f"var(--{color}-9)",
        cursor="pointer",
        outline=rx.cond(S.form_color == color, f"2px solid var(--{color}-11)", "none"),
        outline_offset="2px",
        on_click=S.set_form_choice("color", color),
        id=f"event-color-{color}",
        aria_label=color,
        title=color.capitalize(),
    )


def _picked(user: rx.Var[UserPick]) -> rx.Component:
    return rx.badge(
        rx.text(user.name),
        rx.icon("x", size=12, cursor="pointer", on_click=S.remove_attendee(user.id), aria_label="Remove"),
        variant="soft",
        size="2",
        radius="full",
        id=f"event-attendee-{user.id}",
    )


def _result(user: rx.Var[UserPick]) -> rx.Component:
    return rx.hstack(
        rx.avatar(fallback=user.name[:1].upper(), size="1", radius="full"),
        rx.vstack(
            rx.text(user.name, size="2", weight="medium"),
            rx.text(user.email, size="1", color_scheme="gray"),
            spacing="0",
        ),
        padding="6px 8px",
        width="100%",
        align="center",
        cursor="pointer",
        border_radius="6px",
        _hover={"bg": rx.color("accent", 3)},
        on_click=S.add_attendee(user.id),
        id=f"event-attendee-option-{user.id}",
    )


def _attendee_picker() -> rx.Component:
    return rx.vstack(
        rx.text("Attendees", as_="label", custom_attrs={"htmlFor": "event-attendee-search"}, size="2", weight="medium"),
        rx.cond(S.form_attendees.length() > 0, rx.flex(rx.foreach(S.form_attendees, _picked), wrap="wrap", gap="2")),
        rx.debounce_input(
            rx.input(
                placeholder="Invite people by name or email",
                id="event-attendee-search",
                width="100%",
                on_change=S.search_attendees,
            ),
            debounce_timeout=250,
        ),
        rx.cond(
            S.attendee_results.length() > 0,
            rx.card(
                rx.vstack(rx.foreach(S.attendee_results, _result), spacing="0", width="100%"),
                padding="4px",
                width="100%",
                id="event-attendee-results",
            ),
            rx.cond(S.attendee_query != "", rx.text("Nobody here matches that.", size="1", color_scheme="gray")),
        ),
        _error("attendees"),
        spacing="1",
        width="100%",
    )


def _range_inputs(kind: str, first: str, last: str) -> rx.Component:
    """Start and end; all-day and timed events get their own inputs (each mounts with its prefill)."""
    invalid = lambda name: rx.cond(S.form_errors.contains(name), "red", "gray")  # noqa: E731
    return rx.grid(
        _field(
            first,
            "start",
            rx.input(
                name="start",
                type=kind,
                id="event-start",
                default_value=S.form_start,
                color_scheme=invalid("start"),
                width="100%",
            ),
            "event-start",
        ),
        _field(
            last,
            "end",
            rx.input(
                name="end",
                type=kind,
                id="event-end",
                default_value=S.form_end,
                color_scheme=invalid("end"),
                width="100%",
            ),
            "event-end",
        ),
        columns=rx.breakpoints(initial="1", sm="2"),
        spacing="3",
        width="100%",
    )


def _when_fields() -> rx.Component:
    invalid = lambda name: rx.cond(S.form_errors.contains(name), "red", "gray")  # noqa: E731
    return rx.vstack(
        rx.hstack(
            rx.switch(checked=S.form_all_day, on_change=S.set_all_day, id="event-all-day"),
            rx.text("All day", as_="label", custom_attrs={"htmlFor": "event-all-day"}, size="2"),
            align="center",
            spacing="2",
        ),
        rx.cond(
            S.form_all_day,
            _range_inputs("date", "First day *", "Last day"),
            _range_inputs("datetime-local", "Starts *", "Ends"),
        ),
        rx.grid(
            _field(
                "Repeats",
                "repeat",
                _choice("repeat", ["none", "daily", "weekly", "monthly"], S.form_repeat, "event-repeat"),
                "event-repeat",
            ),
            rx.cond(
                S.form_repeat != "none",
                _field(
                    "Ends",
                    "repeat_end",
                    _choice("repeat_end", ["until", "count"], S.form_repeat_end, "event-repeat-end"),
                    "event-repeat-end",
                ),
            ),
            rx.cond(
                S.form_repeat != "none",
                rx.cond(
                    S.form_repeat_end == "count",
                    _field(
                        "Times",
                        "repeat_count",
                        rx.input(
                            name="repeat_count",
                            type="number",
                            min="1",
                            max="500",
                            id="event-repeat-count",
                            default_value=S.form_repeat_count,
                            color_scheme=invalid("repeat_count"),
                            width="100%",
                        ),
                        "event-repeat-count",
                    ),
                    _field(
                        "Until",
                        "repeat_until",
                        rx.input(
                            name="repeat_until",
                            type="date",
                            id="event-repeat-until",
                            default_value=S.form_repeat_until,
                            color_scheme=invalid("repeat_until"),
                            width="100%",
                        ),
                        "event-repeat-until",
                    ),
                ),
            ),
            columns=rx.breakpoints(initial="1", sm="3"),
            spacing="3",
            width="100%",
        ),
        spacing="3",
        width="100%",
    )


def event_dialog() -> rx.Component:
    return form_dialog(
        "event",
        title=rx.cond(S.editing_id > 0, "Edit event", "New event"),
        title_id="event-dialog-heading",
        description=rx.text(
            rx.cond(S.form_repeat != "none", "Changes apply to every occurrence. ", ""),
            "Fields marked * are required.",
            size="2",
            color_scheme="gray",
        ),
        fields=[
            _field(
                "Title *",
                "title",
                rx.input(
                    name="title",
                    id="event-title",
                    default_value=S.form_title,
                    max_length=200,
                    placeholder="What is happening?",
                    auto_focus=True,
                    width="100%",
                ),
                "event-title",
            ),
            _when_fields(),
            rx.grid(
                _field("Type", "type", _choice("type", list(TYPES), S.form_type, "event-type"), "event-type"),
                _field(
                    "Location",
                    "location",
                    rx.input(
                        name="location",
                        id="event-location",
                        default_value=S.form_location,
                        max_length=200,
                        placeholder="Room, address or link",
                        width="100%",
                    ),
                    "event-location",
                ),
                columns=rx.breakpoints(initial="1", sm="2"),
                spacing="3",
                width="100%",
            ),
            rx.vstack(
                rx.text("Color", size="2", weight="medium"),
                rx.hstack(*[_color_swatch(c) for c in COLORS], spacing="3", wrap="wrap", padding="4px"),
                _error("color"),
                spacing="1",
            ),
            _field(
                "Description",
                "description",
                rx.text_area(
                    name="description",
                    id="event-description",
                    default_value=S.form_description,
                    rows="4",
                    placeholder="Agenda, links… Markdown is supported.",
                    width="100%",
                ),
                "event-description",
            ),
            _attendee_picker(),
        ],
        errors=S.form_errors,
        editing=S.editing_id > 0,
        create_label="Create event",
        on_submit=S.save,
        form_key=S.form_key,
        open=S.dialog_open,
        on_open_change=S.set_dialog_open,
        max_width="600px",
    )


# ---- details -------------------------------------------------------------------------------------------


def _attendee_row(row: rx.Var[AttendeeRow]) -> rx.Component:
    return rx.hstack(
        rx.avatar(fallback=row.name[:1].upper(), size="1", radius="full"),
        rx.vstack(
            rx.text(row.name, size="2", weight="medium"),
            rx.text(row.email, size="1", color_scheme="gray"),
            spacing="0",
            min_width="0",
            flex="1",
        ),
        rx.match(
            row.status,
            *[(k, rx.badge(STATUS_LABELS[k], color_scheme=STATUS_COLORS[k], variant="soft")) for k in STATUS_LABELS],
            rx.fragment(),
        ),
        align="center",
        width="100%",
        id=f"event-details-attendee-{row.user_id}",
        data_status=row.status,
    )


def _answer_buttons() -> rx.Component:
    d = S.detail
    return rx.cond(
        ~d.is_organizer,
        rx.hstack(
            rx.text(
                rx.match(d.my_status, ("accepted", "You accepted."), ("declined", "You declined."), "Will you attend?"),
                size="2",
                weight="medium",
                id="event-details-my-status",
            ),
            rx.spacer(),
            rx.button(
                rx.icon("check", size=14),
                "Accept",
                size="2",
                color_scheme="green",
                variant=rx.cond(d.my_status == "accepted", "solid", "soft"),
                on_click=S.respond("accepted"),
                id="event-accept",
            ),
            rx.button(
                rx.icon("x", size=14),
                "Decline",
                size="2",
                color_scheme="red",
                variant=rx.cond(d.my_status == "declined", "solid", "soft"),
                on_click=S.respond("declined"),
                id="event-decline",
            ),
            width="100%",
            align="center",
            spacing="2",
            wrap="wrap",
            padding="10px 12px",
            border_radius="8px",
            bg=rx.color("gray", 2),
        ),
    )


def details_dialog() -> rx.Component:
    d = S.detail
    return rx.dialog.root(
        rx.dialog.content(
            rx.vstack(
                rx.hstack(
                    rx.box(
                        width="12px",
                        height="12px",
                        min_width="12px",
                        border_radius="3px",
                        bg=tint(d.color, 9),
                        margin_top="8px",
                    ),
                    rx.dialog.title(d.title, id="event-details-title", margin="0", word_break="break-word", flex="1"),
                    rx.dialog.close(
                        rx.icon_button(
                            rx.icon("x", size=16),
                            variant="ghost",
                            color_scheme="gray",
                            aria_label="Close",
                            id="event-details-close",
                        )
                    ),
                    align="start",
                    width="100%",
                    spacing="3",
                ),
                rx.hstack(
                    rx.icon("clock", size=14),
                    rx.text(d.when, size="2", id="event-details-when"),
                    spacing="2",
                    align="center",
                ),
                rx.cond(
                    d.location != "",
                    rx.hstack(rx.icon("map-pin", size=14), rx.text(d.location, size="2"), spacing="2", align="center"),
                ),
                rx.hstack(
                    rx.badge(d.type, variant="soft", color_scheme="gray"),
                    rx.text("Organizer: ", rx.text.strong(d.organizer_name), size="2", color_scheme="gray"),
                    spacing="2",
                    align="center",
                    wrap="wrap",
                ),
                _answer_buttons(),
                rx.cond(
                    d.description != "",
                    rx.box(
                        markdown(d.description, width="100%"),
                        width="100%",
                        id="event-details-description",
                    ),
                ),
                rx.cond(
                    d.attendees.length() > 0,
                    rx.vstack(
                        rx.text("Attendees", size="2", weight="bold"),
                        rx.foreach(d.attendees, _attendee_row),
                        spacing="2",
                        width="100%",
                        id="event-details-attendees",
                    ),
                ),
                rx.cond(
                    S.confirm_delete,
                    rx.callout(
                        rx.hstack(
                            rx.text(
                                "Delete this event",
                                rx.cond(d.repeat != "", " and every occurrence", ""),
                                " for everyone?",
                                size="2",
                            ),
                            rx.spacer(),
                            rx.button(
                                "Keep it", size="1", variant="soft", color_scheme="gray", on_click=S.ask_delete(False)
                            ),
                            rx.button(
                                "Delete",
                                size="1",
                                color_scheme="red",
                                on_click=S.delete_event,
                                id="event-delete-confirm",
                            ),
                            align="center",
                            width="100%",
                            wrap="wrap",
                        ),
                        color_scheme="red",
                        icon="triangle-alert",
                        width="100%",
                    ),
                ),
                rx.hstack(
                    rx.button(
                        rx.icon("download", size=14),
                        ".ics",
                        variant="soft",
                        color_scheme="gray",
                        size="2",
                        on_click=S.download_ics,
                        id="event-download",
                    ),
                    rx.spacer(),
                    rx.cond(
                        d.is_organizer,
                        rx.hstack(
                            rx.button(
                                rx.icon("trash-2", size=14),
                                "Delete",
                                variant="soft",
                                color_scheme="red",
                                size="2",
                                on_click=S.ask_delete(True),
                                id="event-delete",
                            ),
                            rx.button(
                                rx.icon("pencil", size=14), "Edit", size="2", on_click=S.edit_event, id="event-edit"
                            ),
                            spacing="2",
                        ),
                    ),
                    width="100%",
                    padding_top="8px",
                ),
                spacing="3",
                width="100%",
            ),
            max_width="560px",
            id="event-details",
        ),
        open=S.details_open,
        on_open_change=S.set_details_open,
    )


# ---- subscription feed and import -----------------------------------------------------------------------


def feed_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Subscribe in your calendar app"),
            rx.dialog.description(
                rx.text(
                    "A private address that Apple Calendar, Google Calendar or Outlook can subscribe to. "
                    "Anyone with it can read your events, so keep it to yourself. It is shown once; "
                    "a new one replaces the old, and revoking stops it at once.",
                    size="2",
                    color_scheme="gray",
                ),
                margin_bottom="12px",
            ),
            rx.cond(
                F.feed_url != "",
                rx.vstack(
                    rx.hstack(
                        rx.input(value=F.feed_url, read_only=True, width="100%", id="feed-url"),
                        rx.icon_button(
                            rx.icon("copy", size=16),
                            on_click=[rx.set_clipboard(F.feed_url), rx.toast.success("Copied.")],
                            aria_label="Copy",
                            variant="soft",
                        ),
                        width="100%",
                    ),
                    rx.text("Copy it now: it will not be shown again.", size="1", color_scheme="orange"),
                    width="100%",
                ),
                rx.text(
                    rx.cond(F.has_feed, "Your feed is active.", "You have no feed yet."), size="2", id="feed-status"
                ),
            ),
            rx.hstack(
                rx.cond(
                    F.has_feed,
                    rx.button("Revoke", color_scheme="red", variant="soft", on_click=F.revoke_feed, id="feed-revoke"),
                ),
                rx.spacer(),
                rx.button(
                    rx.cond(F.has_feed, "Make a new URL", "Create the URL"), on_click=F.new_feed_url, id="feed-create"
                ),
                rx.dialog.close(rx.button("Close", variant="soft", color_scheme="gray")),
                width="100%",
                spacing="2",
                padding_top="12px",
            ),
            max_width="560px",
            id="feed-dialog",
        ),
        open=F.feed_open,
        on_open_change=F.set_feed_open,
    )


ICS_IMPORT = ImportCopy(
    key="calendar",
    title="Import an .ics file",
    description=(
        "Events from another calendar become yours. Nobody in the file is invited; events already imported are skipped."
    ),
    drop_hint="Drop an .ics file here, or click to choose one",
    size_hint="Up to 1 MB",
    accept={"text/calendar": [".ics", ".ical"]},
    created="Imported",
    items="event(s)",
    refused=" refused:",
    item_column="Event",
)


def ics_import_dialog() -> rx.Component:
    return import_dialog(F, ICS_IMPORT)
