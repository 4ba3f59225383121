"""Organizations: the /organizations page, the /invite/<id> page and the sidebar switcher.

Every handler re-derives the user from the session first and hands only that id to
`services.organizations`, which checks membership and role: an organization, member or
invitation id from the browser is a request, never a permission (not a member: not found).
"""

from __future__ import annotations

import reflex as rx

from fluxkit import routes
from fluxkit.db import session_scope
from fluxkit.services import email
from fluxkit.services import organizations as org_service
from fluxkit.services.dto import Identity
from fluxkit.services.organizations import InvitationRow, MemberRow, OrgRow
from fluxkit.state.paged_list import ReloadMixin
from fluxkit.state.session import SignedInState, service_call

ROUTE = routes.ORGANIZATIONS
INVITE_ROUTE = routes.INVITE
GONE = "That organization was not found. You may no longer be a member."
NO_INVITATION = "That invitation was not found. Check the link in the email."
EMPTY_ORG = OrgRow(id=0, name="", slug="", role="", members=0, active=False)
EMPTY_INVITATION = InvitationRow(
    id="", organization_id=0, organization="", email="", role="", inviter="", status="", created_at="", expires_at=""
)
CONFIRMS = ("remove", "leave", "transfer")


def _text(form: object, key: str) -> str:
    value = form.get(key) if isinstance(form, dict) else None
    return value.strip() if isinstance(value, str) else ""


class OrgSwitcherState(SignedInState):
    """The active organization in the sidebar, and switching it."""

    orgs: list[OrgRow] = []
    active_id: int = 0
    active_name: str = ""
    loaded: bool = False  # until then the sidebar shows the first-paint hint's name
    # The active organization's name when it requires two-factor sign-in the user has not
    # turned on: the shell shows a notice sending them to Settings › Account.
    two_factor_block: str = ""

    def _reload(self, me: Identity) -> None:
        with session_scope() as db:
            self.orgs = org_service.list_mine(db, me.user.id)
            self.two_factor_block = org_service.two_factor_block(db, me.user.id)
        active = next((o for o in self.orgs if o.active), None)
        self.active_id = active.id if active else 0
        self.active_name = active.name if active else ""
        self.loaded = True

    @rx.event
    def refresh(self):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        self._reload(me)
        return None

    @rx.event
    async def switch_to(self, org_id: int):
        """Make one of the user's organizations active (0: none, personal tasks only)."""
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        with service_call(GONE) as call:
            row = org_service.switch(call.db, me.user.id, org_id or None)
        self._reload(me)
        if call.refused:
            return call.toast
        page = await self.get_state(OrganizationsState)
        if page.loaded:
            page._reload(me)
        return rx.toast.success(f"Now working in {row.name}." if row else "No active organization: tasks are your own.")


class OrganizationsState(ReloadMixin, SignedInState):
    """/organizations: the user's organizations, one of them open with its members.

    `refresh` (the live layer: members, roles or invitations changed) is ReloadMixin's.
    """

    orgs: list[OrgRow] = []
    selected: OrgRow = EMPTY_ORG
    members: list[MemberRow] = []
    invitations: list[InvitationRow] = []  # pending, for the owner and admins
    my_invitations: list[InvitationRow] = []  # to the user's own address
    blocked: str = ""  # the selected organization requires two-factor sign-in the user lacks

    create_open: bool = False
    create_errors: dict[str, str] = {}
    create_name: str = ""
    create_slug: str = ""
    create_key: int = 0

    invite_errors: dict[str, str] = {}
    invite_email: str = ""
    invite_key: int = 0

    rename_open: bool = False
    rename_errors: dict[str, str] = {}
    rename_name: str = ""
    rename_key: int = 0

    # The pending confirmation: remove / leave / transfer (who, and the sentence shown).
    confirm_kind: str = ""
    confirm_user_id: int = 0
    confirm_text: str = ""

    @rx.var
    def can_manage(self) -> bool:
        return self.selected.role in ("owner", "admin")

    @rx.var
    def is_owner(self) -> bool:
        return self.selected.role == "owner"

    # ---- private helpers ----------------------------------------------------------------------

    def _reload(self, me: Identity) -> None:
        self._reading()
        with session_scope() as db:
            self.orgs = org_service.list_mine(db, me.user.id)
            self.my_invitations = org_service.my_invitations(db, me.user.id)
            wanted = self.selected.id
            ids = [o.id for o in self.orgs]
            if wanted not in ids:
                wanted = next((o.id for o in self.orgs if o.active), ids[0] if ids else 0)
            self.blocked = ""
            if wanted:
                try:
                    found = org_service.detail(db, me.user.id, wanted)
                except org_service.TwoFactorRequired as exc:
                    # Its name and a way to fix it, nothing of its members or invitations.
                    self.selected = next(o for o in self.orgs if o.id == wanted)
                    self.members, self.invitations, self.blocked = [], [], exc.message
                else:
                    self.selected, self.members, self.invitations = found.org, found.members, found.invitations
            else:
                self.selected, self.members, self.invitations = EMPTY_ORG, [], []
        self.loaded = True

    async def _after_change(self, me: Identity, message: str) -> rx.event.EventSpec:
        self._reload(me)
        switcher = await self.get_state(OrgSwitcherState)
        switcher._reload(me)
        return rx.toast.success(message)

    def _member_name(self, user_id: int) -> str:
        return next((m.name for m in self.members if m.user_id == user_id), "this member")

    # ---- loading ---------------------------------------------------------------------------------

    @rx.event
    def load(self):
        """on_load: ?org=<id> opens that organization (if the user is in it)."""
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        param = self.router.url.query_parameters.get("org", "")
        self.selected = EMPTY_ORG
        if isinstance(param, str) and param.isdigit():
            self.selected = OrgRow(id=int(param), name="", slug="", role="", members=0, active=False)
        self.create_open = False
        self.confirm_kind = ""
        self._reload(me)
        return None

    @rx.event
    def select(self, org_id: int):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        with service_call(GONE) as call:
            found = org_service.detail(call.db, me.user.id, org_id)
        if isinstance(call.refused, org_service.TwoFactorRequired):
            self.selected = next((o for o in self.orgs if o.id == org_id), EMPTY_ORG)
            self.members, self.invitations, self.blocked = [], [], call.refused.message
            return None
        if call.refused:
            self._reload(me)
            return call.toast
        self.selected, self.members, self.invitations = found.org, found.members, found.invitations
        self.blocked = ""
        return None

    @rx.event
    async def set_require_two_factor(self, required: bool):
        """The owner or an admin: members need two-factor sign-in to use the organization."""
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        with service_call(GONE) as call:
            org_service.set_two_factor_requirement(call.db, me.user.id, self.selected.id, required)
        if call.refused:
            return call.toast
        if required is True:
            return await self._after_change(me, "Members now need two-factor sign-in to use this organization.")
        return await self._after_change(me, "Two-factor sign-in is no longer required here.")

    # ---- creating ---------------------------------------------------------------------------------

    @rx.event
    def set_create_open(self, open: bool):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        self.create_open = open is True
        if self.create_open:
            self.create_errors = {}
            self.create_name = ""
            self.create_slug = ""
            self.create_key += 1
        return None

    @rx.event
    async def create(self, form: dict):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        self.create_name, self.create_slug = _text(form, "name"), _text(form, "slug")
        with service_call() as call:
            row = org_service.create(call.db, me.user.id, self.create_name, self.create_slug)
        if call.refused:
            self.create_errors = call.refused.fields or {"form": call.refused.message}
            return None
        self.create_open = False
        self.create_errors = {}
        self.selected = row
        return await self._after_change(me, f"Created {row.name}. It is now your active organization.")

    # ---- renaming ---------------------------------------------------------------------------------

    @rx.event
    def set_rename_open(self, open: bool):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        self.rename_open = open is True
        if self.rename_open:
            self.rename_errors = {}
            self.rename_name = self.selected.name
            self.rename_key += 1
        return None

    @rx.event
    async def rename(self, form: dict):
        """Rename the open organization (owner and admins; the service checks the role)."""
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        self.rename_name = _text(form, "name")
        with service_call(GONE) as call:
            row = org_service.rename(call.db, me.user.id, self.selected.id, self.rename_name)
        if call.refused:
            if call.refused.fields:
                self.rename_errors = call.refused.fields
                return None
            self.rename_open = False
            self._reload(me)
            return call.toast
        self.rename_open = False
        self.rename_errors = {}
        return await self._after_change(me, f"Renamed to {row.name}.")

    # ---- invitations ------------------------------------------------------------------------------

    @rx.event
    async def invite(self, form: dict):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        self.invite_email = _text(form, "email")
        role = _text(form, "role") or "member"
        with service_call(GONE) as call:
            invited = org_service.invite(call.db, me.user.id, self.selected.id, self.invite_email, role)
        if call.refused:
            self.invite_errors = call.refused.fields or {"form": call.refused.message}
            return None
        email.send_in_background(invited.messages)
        self.invite_errors = {}
        self.invite_email = ""
        self.invite_key += 1
        return await self._after_change(me, f"Invitation emailed to {invited.invitation.email}.")

    @rx.event
    async def cancel_invitation(self, invitation_id: str):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        with service_call(NO_INVITATION) as call:
            org_service.cancel_invitation(call.db, me.user.id, invitation_id)
        if call.refused:
            self._reload(me)
            return call.toast
        return await self._after_change(me, "Invitation cancelled: its link no longer works.")

    @rx.event
    async def accept_invitation(self, invitation_id: str):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        with service_call(NO_INVITATION) as call:
            row = org_service.accept(call.db, me.user.id, invitation_id)
        if call.refused:
            self._reload(me)
            return call.toast
        self.selected = row
        return await self._after_change(me, f"You joined {row.name}.")

    # ---- members ------------------------------------------------------------------------------------

    @rx.event
    async def change_role(self, user_id: int, role: str):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        with service_call(GONE) as call:
            row = org_service.change_role(call.db, me.user.id, self.selected.id, user_id, role)
        if call.refused:
            self._reload(me)
            return call.toast
        return await self._after_change(me, f"{row.name} is now {'an admin' if row.role == 'admin' else 'a member'}.")

    @rx.event
    def ask(self, kind: str, user_id: int):
        """Open the confirmation for removing a member, leaving, or transferring ownership."""
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        if kind not in CONFIRMS or not self.selected.id:
            return None
        name, org = self._member_name(user_id), self.selected.name
        self.confirm_kind, self.confirm_user_id = kind, user_id if kind != "leave" else 0
        self.confirm_text = {
            "remove": f"Remove {name} from {org}? Tasks assigned to them here become unassigned.",
            "leave": f"Leave {org}? Tasks assigned to you there go back to their owners.",
            "transfer": f"Make {name} the owner of {org}? You become an admin.",
        }[kind]
        return None

    @rx.event
    def set_confirm_open(self, open: bool):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        if open is not True:
            self.confirm_kind = ""
        return None

    @rx.event
    async def confirm(self):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        kind, user_id, org_id = self.confirm_kind, self.confirm_user_id, self.selected.id
        self.confirm_kind = ""
        if kind not in CONFIRMS:
            return None
        name, org = self._member_name(user_id), self.selected.name
        with service_call(GONE) as call:
            if kind == "remove":
                org_service.remove_member(call.db, me.user.id, org_id, user_id)
            elif kind == "leave":
                org_service.leave(call.db, me.user.id, org_id)
            else:
                org_service.transfer(call.db, me.user.id, org_id, user_id)
        if call.refused:
            self._reload(me)
            return call.toast
        if kind == "leave":
            self.selected = EMPTY_ORG
        message = {
            "remove": f"{name} was removed.",
            "leave": f"You left {org}.",
            "transfer": f"{name} now owns {org}.",
        }[kind]
        return await self._after_change(me, message)

    @rx.event
    async def make_active(self):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        with service_call(GONE) as call:
            row = org_service.switch(call.db, me.user.id, self.selected.id)
        if call.refused:
            self._reload(me)
            return call.toast
        return await self._after_change(me, f"Now working in {row.name}.")


class InviteState(SignedInState):
    """/invite/<id>: what the emailed link offers, and accepting it."""

    invitation: InvitationRow = EMPTY_INVITATION
    problem: str = ""  # why the signed-in user cannot accept ("" when they can)
    found: bool = False
    loaded: bool = False
    signed_in_as: str = ""

    def _invitation_id(self) -> str:
        path = self.router.url.path or ""
        prefix = INVITE_ROUTE + "/"
        return path[len(prefix) :].strip("/") if path.startswith(prefix) else ""

    def _reload(self, me: Identity) -> None:
        invitation_id = self._invitation_id()
        self.signed_in_as = me.user.email
        with service_call() as call:
            self.invitation = org_service.view_invitation(call.db, me.user.id, invitation_id, from_link=True)
            self.problem = org_service.accept_problem(call.db, me.user.id, invitation_id)
        self.found = call.refused is None
        if not self.found:
            self.invitation, self.problem = EMPTY_INVITATION, NO_INVITATION
        self.loaded = True

    @rx.event
    def load(self):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        self._reload(me)
        return None

    @rx.event
    async def accept(self):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        with service_call(NO_INVITATION) as call:
            row = org_service.accept(call.db, me.user.id, self._invitation_id())
        if call.refused:
            self._reload(me)
            return call.toast
        switcher = await self.get_state(OrgSwitcherState)
        switcher._reload(me)
        return [rx.redirect(f"{ROUTE}?org={row.id}"), rx.toast.success(f"Welcome to {row.name}!")]
