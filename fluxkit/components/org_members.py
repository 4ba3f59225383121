"""/organizations: the open organization's members, invitations and the dialogs."""

from __future__ import annotations

import reflex as rx

from fluxkit.components.forms import field_error, form_dialog, labelled_field
from fluxkit.services.organizations import InvitationRow, MemberRow
from fluxkit.state.organizations import OrganizationsState

ROLE_COLORS = {"owner": "amber", "admin": "violet", "member": "gray"}


def role_badge(role: rx.Var[str]) -> rx.Component:
    return rx.match(
        role,
        *[(r, rx.badge(r.capitalize(), color_scheme=c, variant="soft")) for r, c in ROLE_COLORS.items()],
        rx.badge(role),
    )


def _error(errors: rx.Var, name: str) -> rx.Component:
    return rx.cond(errors.contains(name), rx.text(errors[name], color_scheme="red", size="1", id=f"org-error-{name}"))


def _member_actions(m: rx.Var[MemberRow]) -> rx.Component:
    state = OrganizationsState
    touchable = state.can_manage & (m.role != "owner") & ~m.is_me
    return rx.hstack(
        rx.cond(
            touchable,
            rx.select.root(
                rx.select.trigger(id="member-role-" + m.user_id.to_string(), width="110px"),
                rx.select.content(rx.select.item("Admin", value="admin"), rx.select.item("Member", value="member")),
                value=m.role,
                on_change=lambda role: state.change_role(m.user_id, role),
                size="1",
                disabled=~state.is_owner & (m.role != "admin"),
            ),
            role_badge(m.role),
        ),
        rx.cond(
            touchable & (state.is_owner | (m.role == "member")),
            rx.dropdown_menu.root(
                rx.dropdown_menu.trigger(
                    rx.icon_button(
                        rx.icon("ellipsis", size=14),
                        variant="ghost",
                        color_scheme="gray",
                        size="1",
                        aria_label="Member actions",
                        id="member-actions-" + m.user_id.to_string(),
                    )
                ),
                rx.dropdown_menu.content(
                    rx.cond(
                        state.is_owner,
                        rx.dropdown_menu.item(
                            rx.icon("crown", size=14),
                            "Make owner",
                            on_click=state.ask("transfer", m.user_id),
                            id="member-transfer-" + m.user_id.to_string(),
                        ),
                    ),
                    rx.dropdown_menu.item(
                        rx.icon("user-minus", size=14),
                        "Remove",
                        color_scheme="red",
                        on_click=state.ask("remove", m.user_id),
                        id="member-remove-" + m.user_id.to_string(),
                    ),
                    align="end",
                ),
            ),
        ),
        spacing="2",
        align="center",
    )


def _member(m: rx.Var[MemberRow]) -> rx.Component:
    return rx.flex(
        rx.hstack(
            rx.avatar(fallback=m.name[:1].upper(), size="2", radius="full"),
            rx.vstack(
                rx.hstack(
                    rx.text(m.name, size="2", weight="medium"),
                    rx.cond(m.is_me, rx.text("(you)", size="1", color_scheme="gray")),
                    spacing="1",
                    align="center",
                ),
                rx.text(m.email, size="1", color_scheme="gray", word_break="break-all"),
                spacing="0",
                min_width="0",
            ),
            spacing="3",
            align="center",
            flex="1",
            min_width="0",
        ),
        _member_actions(m),
        direction=rx.breakpoints(initial="column", sm="row"),
        align=rx.breakpoints(initial="start", sm="center"),
        gap="2",
        width="100%",
        padding="10px 14px",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        id="member-" + m.user_id.to_string(),
        class_name="org-member",
    )


def _invitation(inv: rx.Var[InvitationRow]) -> rx.Component:
    return rx.flex(
        rx.vstack(
            rx.hstack(
                rx.text(inv.email, size="2", weight="medium", word_break="break-all"),
                role_badge(inv.role),
                spacing="2",
                align="center",
            ),
            rx.text(
                "Invited by ",
                inv.inviter,
                " · ",
                rx.cond(
                    inv.status == "expired",
                    rx.text.span("expired", color=rx.color("red", 11)),
                    rx.text.span("expires ", rx.moment(inv.expires_at, from_now=True)),
                ),
                size="1",
                color_scheme="gray",
            ),
            spacing="1",
            flex="1",
            min_width="0",
        ),
        rx.button(
            "Cancel",
            size="1",
            variant="soft",
            color_scheme="red",
            on_click=OrganizationsState.cancel_invitation(inv.id),
            id="invitation-cancel-" + inv.email,
        ),
        direction=rx.breakpoints(initial="column", sm="row"),
        align=rx.breakpoints(initial="start", sm="center"),
        gap="2",
        width="100%",
        padding="10px 14px",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        class_name="org-invitation",
    )


def invite_form() -> rx.Component:
    state = OrganizationsState
    return rx.form(
        rx.flex(
            rx.input(
                name="email",
                type="email",
                placeholder="name@example.com",
                default_value=state.invite_email,
                id="invite-email",
                flex="1",
                min_width="0",
                aria_label="Email to invite",
            ),
            rx.select.root(
                rx.select.trigger(id="invite-role", width=rx.breakpoints(initial="100%", sm="120px")),
                rx.select.content(
                    rx.select.item("Member", value="member"),
                    rx.cond(state.is_owner, rx.select.item("Admin", value="admin")),
                ),
                name="role",
                default_value="member",
            ),
            rx.button(rx.icon("send", size=14), "Invite", type="submit", id="invite-send"),
            direction=rx.breakpoints(initial="column", sm="row"),
            gap="2",
            width="100%",
        ),
        _error(state.invite_errors, "email"),
        _error(state.invite_errors, "role"),
        _error(state.invite_errors, "form"),
        on_submit=state.invite,
        reset_on_submit=False,
        key=state.invite_key,
        width="100%",
        id="invite-form",
    )


def members_card() -> rx.Component:
    state = OrganizationsState
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading("Members", size="3"),
                rx.badge(state.members.length(), variant="soft", color_scheme="gray"),
                align="center",
                spacing="2",
                padding="12px 14px 4px",
            ),
            rx.vstack(rx.foreach(state.members, _member), spacing="0", width="100%", id="org-members"),
            spacing="1",
            width="100%",
        ),
        padding="0",
        width="100%",
    )


def invitations_card() -> rx.Component:
    state = OrganizationsState
    return rx.cond(
        state.can_manage,
        rx.card(
            rx.vstack(
                rx.heading("Invite people", size="3"),
                rx.text(
                    "They get an email with a link, valid for 7 days. They accept it signed in with that "
                    "(verified) address.",
                    size="2",
                    color_scheme="gray",
                ),
                invite_form(),
                rx.cond(
                    state.invitations.length() > 0,
                    rx.vstack(
                        rx.text("Pending invitations", size="2", weight="medium", padding_top="6px"),
                        rx.vstack(
                            rx.foreach(state.invitations, _invitation),
                            spacing="0",
                            width="100%",
                            id="org-invitations",
                            border=f"1px solid {rx.color('gray', 4)}",
                            border_radius="8px",
                        ),
                        spacing="2",
                        width="100%",
                    ),
                    rx.text("No pending invitations.", size="1", color_scheme="gray", id="org-invitations-empty"),
                ),
                spacing="3",
                width="100%",
            ),
            width="100%",
        ),
    )


def create_dialog() -> rx.Component:
    state = OrganizationsState
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("New organization"),
            rx.dialog.description(
                "You become its owner, and it becomes your active organization.",
                size="2",
                color_scheme="gray",
                margin_bottom="12px",
            ),
            rx.form(
                rx.vstack(
                    rx.text("Name *", as_="label", custom_attrs={"htmlFor": "org-name"}, size="2", weight="medium"),
                    rx.input(
                        name="name",
                        id="org-name",
                        default_value=state.create_name,
                        max_length=100,
                        placeholder="Acme Inc",
                        auto_focus=True,
                        width="100%",
                    ),
                    _error(state.create_errors, "name"),
                    rx.text("Slug", as_="label", custom_attrs={"htmlFor": "org-slug"}, size="2", weight="medium"),
                    rx.input(
                        name="slug",
                        id="org-slug",
                        default_value=state.create_slug,
                        max_length=60,
                        placeholder="acme-inc (made from the name when empty)",
                        width="100%",
                    ),
                    _error(state.create_errors, "slug"),
                    _error(state.create_errors, "form"),
                    rx.hstack(
                        rx.dialog.close(rx.button("Cancel", type="button", variant="soft", color_scheme="gray")),
                        rx.button("Create", type="submit", id="org-create-submit"),
                        justify="end",
                        width="100%",
                        spacing="3",
                        padding_top="8px",
                    ),
                    spacing="2",
                    width="100%",
                ),
                on_submit=state.create,
                reset_on_submit=False,
                key=state.create_key,
            ),
            max_width="460px",
            id="org-create-dialog",
        ),
        open=state.create_open,
        on_open_change=state.set_create_open,
    )


def rename_dialog() -> rx.Component:
    state = OrganizationsState
    return form_dialog(
        "org-rename",
        title="Rename organization",
        description=rx.text(
            "Every member sees the new name at once. The slug stays the same.", size="2", color_scheme="gray"
        ),
        fields=[
            labelled_field(
                "Name *",
                rx.input(
                    name="name",
                    id="org-rename-name",
                    default_value=state.rename_name,
                    max_length=100,
                    auto_focus=True,
                    width="100%",
                ),
                field_error(state.rename_errors, "name", "org-rename"),
                "org-rename-name",
            ),
        ],
        errors=state.rename_errors,
        editing=True,
        create_label="Rename",
        on_submit=state.rename,
        form_key=state.rename_key,
        open=state.rename_open,
        on_open_change=state.set_rename_open,
        max_width="460px",
    )


def confirm_dialog() -> rx.Component:
    state = OrganizationsState
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Are you sure?"),
            rx.alert_dialog.description(state.confirm_text, size="2", id="org-confirm-text"),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Cancel", variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(
                    rx.button("Confirm", color_scheme="red", on_click=state.confirm, id="org-confirm")
                ),
                justify="end",
                spacing="3",
                padding_top="12px",
            ),
            max_width="440px",
        ),
        open=state.confirm_kind != "",
        on_open_change=state.set_confirm_open,
    )
