"""Settings › Profile and Email: the public profile, the picture, and changing the address."""

from __future__ import annotations

import reflex as rx

from fluxkit.services import avatars, profile
from fluxkit.state.settings import SettingsState as S

UPLOAD_ID = "avatar-file"


def field_error(errors, name: str, id: str) -> rx.Component:
    return rx.cond(
        errors.contains(name), rx.text(errors[name], color_scheme="red", size="1", id=f"{id}-error", role="alert")
    )


def labelled(label: str, control: rx.Component, id: str, errors=None, name: str = "", hint: str = "") -> rx.Component:
    return rx.vstack(
        rx.text(label, as_="label", custom_attrs={"htmlFor": id}, size="2", weight="medium"),
        control,
        *([rx.text(hint, size="1", color_scheme="gray")] if hint else []),
        *([field_error(errors, name, id)] if errors is not None else []),
        spacing="1",
        width="100%",
    )


def _text_input(
    label: str, name: str, value, max_length: int, placeholder: str = "", type: str = "text", hint: str = ""
) -> rx.Component:
    id = f"profile-{name}"
    return labelled(
        label,
        rx.input(
            name=name,
            id=id,
            default_value=value,
            key=value,
            size="3",
            width="100%",
            max_length=max_length,
            placeholder=placeholder,
            type=type,
        ),
        id,
        S.profile_errors,
        name,
        hint,
    )


def _select(options: rx.Component, name: str, value) -> rx.Component:
    """A native select (long lists scroll and type-to-find on every device), styled like the inputs."""
    return rx.el.select(
        options,
        name=name,
        id=f"profile-{name}",
        default_value=value,
        key=value,
        style={
            "height": "40px",
            "padding": "0 8px",
            "border-radius": "6px",
            "border": f"1px solid {rx.color('gray', 7)}",
            "background": rx.color("gray", 1),
            "color": rx.color("gray", 12),
            "width": "100%",
        },
    )


def avatar_block() -> rx.Component:
    return rx.flex(
        rx.avatar(src=S.avatar_url, fallback=S.name[:1].upper(), size="7", radius="full", id="settings-avatar"),
        rx.vstack(
            rx.upload.root(
                rx.button(
                    rx.icon("image-up", size=16),
                    "Upload a picture",
                    variant="soft",
                    size="2",
                    type="button",
                    loading=S.avatar_busy,
                    id="avatar-upload",
                ),
                id=UPLOAD_ID,
                accept={
                    "image/png": [".png"],
                    "image/jpeg": [".jpg", ".jpeg"],
                    "image/webp": [".webp"],
                    "image/gif": [".gif"],
                },
                max_files=1,
                multiple=False,
                on_drop=S.upload_avatar(rx.upload_files_chunk(upload_id=UPLOAD_ID)),
                no_drag=False,
            ),
            rx.text(
                f"PNG, JPEG, WebP or GIF, up to {avatars.MAX_BYTES // 1024 // 1024} MB. Cropped to a square; photo "
                "details (EXIF, location) are removed.",
                size="1",
                color_scheme="gray",
            ),
            rx.cond(
                S.avatar_url != "",
                rx.button(
                    "Remove picture",
                    variant="ghost",
                    color_scheme="red",
                    size="1",
                    on_click=S.remove_avatar,
                    id="avatar-remove",
                ),
            ),
            rx.cond(
                S.avatar_error != "",
                rx.callout(
                    S.avatar_error, icon="circle-x", color_scheme="red", size="1", role="alert", id="avatar-error"
                ),
            ),
            spacing="2",
            align="start",
        ),
        gap="16px",
        align="center",
        direction=rx.breakpoints(initial="column", sm="row"),
        width="100%",
    )


def profile_form() -> rx.Component:
    grid = rx.grid(
        _text_input("Name", "name", S.name, profile.LINE_MAX),
        _text_input("Company", "company", S.company, profile.LINE_MAX),
        _text_input("Location", "location", S.location, profile.LINE_MAX, "City, country"),
        _text_input("Website", "website", S.website, profile.WEBSITE_MAX, "https://example.com", type="url"),
        labelled(
            "Time zone",
            _select(rx.foreach(S.timezones, lambda z: rx.el.option(z, value=z)), "timezone", S.timezone),
            "profile-timezone",
            S.profile_errors,
            "timezone",
            "Due dates, reminders and the calendar use it.",
        ),
        labelled(
            "Language",
            _select(rx.foreach(S.languages, lambda pair: rx.el.option(pair[1], value=pair[0])), "language", S.language),
            "profile-language",
            S.profile_errors,
            "language",
            "Saved with your profile; FluxKit's screens are in English for now.",
        ),
        columns=rx.breakpoints(initial="1", sm="2"),
        spacing="4",
        width="100%",
    )
    return rx.form(
        rx.vstack(
            grid,
            labelled(
                "Bio",
                rx.text_area(
                    name="bio",
                    id="profile-bio",
                    default_value=S.bio,
                    key=S.bio,
                    max_length=profile.BIO_MAX,
                    rows="3",
                    width="100%",
                ),
                "profile-bio",
                S.profile_errors,
                "bio",
                f"Up to {profile.BIO_MAX} characters.",
            ),
            rx.button("Save profile", type="submit", size="3", id="profile-save"),
            spacing="4",
            width="100%",
        ),
        on_submit=S.save_profile,
        width="100%",
    )


def email_form() -> rx.Component:
    return rx.vstack(
        rx.text("Signed in as ", rx.text.strong(S.email, id="settings-email"), size="2"),
        rx.cond(
            S.pending_email != "",
            rx.callout(
                rx.hstack(
                    rx.text(
                        "Waiting for you to open the link sent to ",
                        rx.text.strong(S.pending_email),
                        ". Until then your email stays as it is.",
                        size="2",
                    ),
                    rx.button("Cancel", variant="ghost", size="1", on_click=S.cancel_email_change, id="email-cancel"),
                    align="center",
                    wrap="wrap",
                ),
                icon="mail",
                color_scheme="blue",
                width="100%",
                id="email-pending",
            ),
        ),
        rx.form(
            rx.flex(
                labelled(
                    "New email",
                    rx.input(name="email", id="new-email", type="email", size="3", width="100%", auto_complete="email"),
                    "new-email",
                    S.email_errors,
                    "email",
                ),
                labelled(
                    "Current password",
                    rx.input(
                        name="password",
                        id="email-password",
                        type="password",
                        size="3",
                        width="100%",
                        auto_complete="current-password",
                    ),
                    "email-password",
                    S.email_errors,
                    "password",
                ),
                rx.button("Send confirmation link", type="submit", size="3", id="email-save", flex_shrink="0"),
                gap="12px",
                align=rx.breakpoints(initial="stretch", md="end"),
                direction=rx.breakpoints(initial="column", md="row"),
                width="100%",
            ),
            on_submit=S.change_email,
            width="100%",
        ),
        rx.text(
            "We email a link to the new address; your email changes only when it is opened. Your current address "
            "is told either way.",
            size="1",
            color_scheme="gray",
        ),
        spacing="3",
        width="100%",
    )
