"""/users: the users admin (admins only) and the audit log, one page of rows at a time.

Every handler re-derives the user from the session and asks the database whether they are
an admin (not suspended) before anything else; for anyone else the page is "not found",
holds no data and every handler changes nothing. Ids from the browser are requests: the
service looks them up and applies every rule (last admin, own account, typed confirmation).
"""

from __future__ import annotations

from typing import ClassVar
from urllib.parse import urlencode

import reflex as rx

from fluxkit import routes
from fluxkit.db import session_scope
from fluxkit.services import email
from fluxkit.services import users_admin as admin
from fluxkit.services.audit import RequestMeta
from fluxkit.services.dto import Identity
from fluxkit.services.users_admin import AuditQuery, AuditRow, PendingInvite, UserQuery, UserRow, UserStats
from fluxkit.state.paged_list import ALL, PagedListMixin
from fluxkit.state.session import SignedInState, service_call

ROUTE = routes.USERS
TABS = ("users", "audit")
_AUDIT_FILTERS = ("actor", "target", "action", "date_from", "date_to")
GONE = "That user was not found. They may have been deleted."


def _text(form: object, key: str) -> str:
    value = form.get(key) if isinstance(form, dict) else None
    return value if isinstance(value, str) else ""


class UsersState(PagedListMixin, SignedInState):
    # The users list's view handlers (search, filters, sort, paging) and `refresh` are
    # PagedListMixin's, gated by `_may_view`: only an active admin.
    FILTERS: ClassVar[tuple[str, ...]] = ("role", "status", "plan")
    SORTS: ClassVar[tuple[str, ...]] = admin.SORTS
    DESCENDING_FIRST: ClassVar[tuple[str, ...]] = ("created",)
    PAGE_SIZES: ClassVar[tuple[int, ...]] = admin.PAGE_SIZES
    SEARCH_INPUT: ClassVar[str] = "users-search"

    # Whether this tab's user may see the page at all (decided on the server, every event).
    allowed: bool = False
    tab: str = "users"
    me_id: int = 0

    # The users list: one page (with PagedListMixin's `total` and `pages`) and the stat cards.
    rows: list[UserRow] = []
    stats: UserStats = UserStats()
    invites: list[PendingInvite] = []
    # The view, with PagedListMixin's `search`, `sort`, `descending` and `page`.
    role_filter: str = ""
    status_filter: str = ""
    plan_filter: str = ""
    page_size: int = 25

    # Invite dialog.
    invite_open: bool = False
    invite_error: str = ""

    # Delete dialog (typed confirmation).
    delete_open: bool = False
    delete_id: int = 0
    delete_email: str = ""
    delete_name: str = ""
    delete_confirm: str = ""
    delete_error: str = ""

    # The audit log.
    audit_rows: list[AuditRow] = []
    audit_total: int = 0
    audit_page: int = 1
    audit_pages: int = 1
    audit_actions: list[str] = []
    audit_actor: str = ""
    audit_target: str = ""
    audit_action: str = ""
    audit_date_from: str = ""
    audit_date_to: str = ""

    # ---- computed -------------------------------------------------------------------------------

    @rx.var
    def has_filters(self) -> bool:
        return bool(self.search or self.role_filter or self.status_filter or self.plan_filter)

    @rx.var
    def has_audit_filters(self) -> bool:
        return bool(
            self.audit_actor or self.audit_target or self.audit_action or self.audit_date_from or self.audit_date_to
        )

    @rx.var
    def delete_ready(self) -> bool:
        return self.delete_email != "" and self.delete_confirm.strip().lower() == self.delete_email

    # ---- private helpers ----------------------------------------------------------------------------

    def _meta(self) -> RequestMeta:
        return RequestMeta(ip=self.router.session.client_ip or "", user_agent=self.router.headers.user_agent)

    def _may_administer(self, me: Identity) -> bool:
        """True for an active admin; anyone else's tab is emptied and shows "not found"."""
        with session_scope() as db:
            ok = admin.is_admin(db, me.user.id)
        if not ok:
            self.reset()
            self.loaded = True
        self.allowed = ok
        self.me_id = me.user.id if ok else 0
        return ok

    def _may_view(self, me: Identity) -> bool:
        return self._may_administer(me)

    def _query(self) -> UserQuery:
        return UserQuery.parse(
            {
                "search": self.search,
                "role": self.role_filter,
                "status": self.status_filter,
                "plan": self.plan_filter,
                "sort": self.sort,
                "order": "desc" if self.descending else "asc",
                "page": str(self.page),
                "page_size": str(self.page_size),
            }
        )

    def _audit_query(self) -> AuditQuery:
        return AuditQuery.parse(
            {
                "actor": self.audit_actor,
                "target": self.audit_target,
                "action": self.audit_action,
                "date_from": self.audit_date_from,
                "date_to": self.audit_date_to,
                "page": str(self.audit_page),
            }
        )

    def _reload(self, me: Identity) -> None:
        self._reading()
        query = self._query()
        audit_query = self._audit_query()
        with session_scope() as db:
            page = admin.list_users(db, me.user.id, query)
            self.stats = admin.stats(db, me.user.id)
            self.invites = admin.pending_invites(db, me.user.id)
            log = admin.audit_log(db, me.user.id, audit_query) if self.tab == "audit" else None
        self.search, self.role_filter, self.status_filter, self.plan_filter = (
            query.search,
            query.role,
            query.status,
            query.plan,
        )
        self.sort, self.descending, self.page_size = query.sort, query.descending, query.page_size
        self.rows, self.total, self.page, self.pages = page.rows, page.total, page.page, page.pages
        if log is not None:
            self.audit_actor, self.audit_target, self.audit_action = (
                audit_query.actor,
                audit_query.target,
                audit_query.action,
            )
            self.audit_date_from, self.audit_date_to = audit_query.date_from, audit_query.date_to
            self.audit_rows, self.audit_total, self.audit_page, self.audit_pages = (
                log.rows,
                log.total,
                log.page,
                log.pages,
            )
            self.audit_actions = log.actions
        if self.delete_open and not any(row.id == self.delete_id for row in self.rows):
            self._close_delete()
        self.loaded = True

    def _url(self) -> str:
        params = dict(self._query().as_params())
        if self.tab == "audit":
            params["tab"] = "audit"
            audit = self._audit_query()
            for key in _AUDIT_FILTERS:
                if value := getattr(audit, key):
                    params[f"audit_{key}"] = value
            if audit.page > 1:
                params["audit_page"] = str(audit.page)
        encoded = urlencode(params)
        return f"{ROUTE}?{encoded}" if encoded else ROUTE

    def _close_delete(self) -> None:
        self.delete_open = False
        self.delete_id = 0
        self.delete_email = ""
        self.delete_name = ""
        self.delete_confirm = ""
        self.delete_error = ""

    def _act(self, me: Identity, action, done: str):
        """Run one admin action on a user, reload, and say how it went."""
        with service_call(GONE) as call:
            action(call.db)
        self._reload(me)
        return call.toast or rx.toast.success(done)

    # ---- loading ----------------------------------------------------------------------------------

    @rx.event
    def load(self):
        """on_load: the view from the URL, then its page of rows (or "not found")."""
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        if not self._may_administer(me):
            return None
        params = dict(self.router.url.query_parameters)
        query = UserQuery.parse(params)
        self.search, self.role_filter, self.status_filter, self.plan_filter = (
            query.search,
            query.role,
            query.status,
            query.plan,
        )
        self.sort, self.descending, self.page, self.page_size = (
            query.sort,
            query.descending,
            query.page,
            query.page_size,
        )
        self.tab = "audit" if params.get("tab") == "audit" else "users"
        audit = AuditQuery.parse({key: params.get(f"audit_{key}", "") for key in (*_AUDIT_FILTERS, "page")})
        self.audit_actor, self.audit_target, self.audit_action = audit.actor, audit.target, audit.action
        self.audit_date_from, self.audit_date_to, self.audit_page = audit.date_from, audit.date_to, audit.page
        self.invite_open = False
        self._close_delete()
        self._reload(me)
        return self._sync_url()

    # ---- the view -------------------------------------------------------------------------------------

    @rx.event
    def set_tab(self, tab: str | list[str]):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        if not self._may_administer(me) or tab not in TABS:
            return None
        self.tab = tab
        return self._view_changed(me)

    # ---- actions on a user ----------------------------------------------------------------------------

    @rx.event
    def set_role(self, user_id: int, role: str):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        if not self._may_administer(me):
            return None
        word = "an admin" if role == "admin" else "a user"
        return self._act(
            me, lambda db: admin.set_role(db, me.user.id, user_id, role, self._meta()), f"Role changed: now {word}."
        )

    @rx.event
    def suspend(self, user_id: int):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        if not self._may_administer(me):
            return None
        return self._act(
            me,
            lambda db: admin.suspend(db, me.user.id, user_id, self._meta()),
            "Suspended: their sessions ended and they cannot sign in.",
        )

    @rx.event
    def reactivate(self, user_id: int):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        if not self._may_administer(me):
            return None
        return self._act(
            me,
            lambda db: admin.reactivate(db, me.user.id, user_id, self._meta()),
            "Reactivated: they can sign in again.",
        )

    @rx.event
    def resend_verification(self, user_id: int):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        if not self._may_administer(me):
            return None
        sent: list = []
        toast = self._act(
            me,
            lambda db: sent.extend(admin.resend_verification(db, me.user.id, user_id, self._meta())),
            "Verification email sent.",
        )
        email.send_in_background(sent)
        return toast

    # ---- invite ---------------------------------------------------------------------------------------

    @rx.event
    def set_invite_open(self, open: bool):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        if not self._may_administer(me):
            return None
        self.invite_open = open is True
        self.invite_error = ""
        return None

    @rx.event
    def invite(self, form: dict):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        if not self._may_administer(me):
            return None
        with service_call() as call:
            invitation = admin.invite(call.db, me.user.id, _text(form, "email"), self._meta())
        if call.refused:
            self.invite_error = call.refused.fields.get("email", call.refused.message)
            return None
        email.send_in_background(invitation.messages)
        self.invite_open = False
        self.invite_error = ""
        self._reload(me)
        return rx.toast.success(
            f"Invitation sent to {invitation.email}. It shows under Pending invitations until they sign up."
        )

    # ---- delete (typed confirmation) ------------------------------------------------------------------

    @rx.event
    def open_delete(self, user_id: int):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        if not self._may_administer(me):
            return None
        with service_call(GONE) as call:
            row = admin.get_user(call.db, me.user.id, user_id)
        if call.refused:
            self._reload(me)
            return call.toast
        self._close_delete()
        self.delete_id, self.delete_email, self.delete_name = row.id, row.email, row.name
        self.delete_open = True
        return None

    @rx.event
    def set_delete_open(self, open: bool):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        if not self._may_administer(me):
            return None
        if open is not True:
            self._close_delete()
        return None

    @rx.event
    def set_delete_confirm(self, value: str):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        if not self._may_administer(me):
            return None
        self.delete_confirm = value[:254] if isinstance(value, str) else ""
        self.delete_error = ""
        return None

    @rx.event
    def delete_user(self):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        if not self._may_administer(me) or not self.delete_id:
            return None
        with service_call(GONE) as call:
            email = admin.delete_user(call.db, me.user.id, self.delete_id, self.delete_confirm, self._meta())
        if call.refused:
            self.delete_error = call.refused.fields.get("confirm", call.refused.message)
            return None
        self._close_delete()
        self._reload(me)
        return rx.toast.success(f"Deleted {email} and everything that was theirs.")

    # ---- the audit log ---------------------------------------------------------------------------------

    @rx.event
    def set_audit_filter(self, name: str, value: str):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        if not self._may_administer(me) or name not in _AUDIT_FILTERS:
            return None
        setattr(self, f"audit_{name}", "" if value == ALL or not isinstance(value, str) else value)
        self.audit_page = 1
        return self._view_changed(me)

    @rx.event
    def clear_audit_filters(self):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        if not self._may_administer(me):
            return None
        for name in _AUDIT_FILTERS:
            setattr(self, f"audit_{name}", "")
        self.audit_page = 1
        return [self._view_changed(me), rx.set_value("audit-actor", ""), rx.set_value("audit-target", "")]

    @rx.event
    def audit_go_to_page(self, page: int):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        if not self._may_administer(me) or not isinstance(page, int) or isinstance(page, bool):
            return None
        self.audit_page = max(1, min(page, self.audit_pages))
        return self._view_changed(me)
