"""/users through its state: admins see and change users; anyone else sees "not found" and changes nothing."""

from __future__ import annotations

import inspect

import pytest
from reflex.istate.data import RouterData
from sqlmodel import func, select

from fluxkit.models import AuditEvent, User, UserSession
from fluxkit.services import accounts, sessions
from fluxkit.services import users_admin as admin
from fluxkit.services.errors import InvalidCredentials
from fluxkit.state.users import UsersState
from tests.support.factories import META, PASSWORD, make_signed_in
from tests.support.states import call, make_root, redirect_targets, substate, texts, url_of


def _promote(db, user_id: int) -> None:
    user = db.get(User, user_id)
    user.role = "admin"
    db.add(user)
    db.commit()


@pytest.fixture
def admin_tab(db, alice):
    """Alice is an admin with /users open."""
    user, token, _ = alice
    _promote(db, user.id)
    return substate(make_root(token, "/users"), UsersState)


async def test_an_admin_sees_everyone_with_stat_cards(db, admin_tab, bob):
    accounts.sign_up(db, name="Cy", email="cy@example.com", password=PASSWORD, meta=META)
    db.commit()
    await call(admin_tab, "load")
    assert admin_tab.allowed and admin_tab.loaded
    assert [r.email for r in admin_tab.rows] == ["cy@example.com", "bob@example.com", "alice@example.com"]
    assert (admin_tab.stats.total, admin_tab.stats.active, admin_tab.stats.unverified, admin_tab.stats.paid) == (
        3,
        2,
        1,
        0,
    )
    assert admin_tab.me_id == db.exec(select(User.id).where(User.email == "alice@example.com")).one()

    out = await call(admin_tab, "set_filter", "status", "unverified")
    assert [r.email for r in admin_tab.rows] == ["cy@example.com"] and url_of(out) == "/users?status=unverified"
    await call(admin_tab, "set_filter", "status", "all")
    await call(admin_tab, "set_search", "bob")
    assert [r.email for r in admin_tab.rows] == ["bob@example.com"]
    await call(admin_tab, "clear_filters")
    out = await call(admin_tab, "sort_by", "name")
    assert [r.name for r in admin_tab.rows] == ["Alice", "Bob", "Cy"] and url_of(out) == "/users?sort=name&order=asc"
    await call(admin_tab, "set_filter", "role", "superuser")  # not a role: shows everyone
    assert admin_tab.total == 3


async def test_the_view_comes_from_the_url(db, alice, bob):
    user, token, _ = alice
    _promote(db, user.id)
    root = make_root(token, "/users")
    root.router = RouterData.from_router_data(
        {**root.router_data, "asPath": "/users?role=admin&tab=audit&audit_action=sign_in"}
    )
    tab = substate(root, UsersState)
    await call(tab, "load")
    assert tab.role_filter == "admin" and [r.email for r in tab.rows] == ["alice@example.com"]
    assert tab.tab == "audit" and tab.audit_action == "sign_in"
    assert {r.action for r in tab.audit_rows} == {"sign_in"} and tab.audit_total == 2


async def test_actions_change_the_user_and_say_so(db, admin_tab, bob):
    bob_user, bob_token, _ = bob
    await call(admin_tab, "load")

    out = await call(admin_tab, "set_role", bob_user.id, "admin")
    assert "now an admin" in texts(out) and db.get(User, bob_user.id).role == "admin"
    out = await call(admin_tab, "set_role", bob_user.id, "user")
    assert db.get(User, bob_user.id).role == "user"

    out = await call(admin_tab, "suspend", bob_user.id)
    assert "Suspended" in texts(out)
    db.expire_all()
    assert sessions.resolve(db, bob_token) is None
    assert next(r for r in admin_tab.rows if r.id == bob_user.id).status == "suspended"
    out = await call(admin_tab, "reactivate", bob_user.id)
    assert "Reactivated" in texts(out) and next(r for r in admin_tab.rows if r.id == bob_user.id).status == "active"

    out = await call(admin_tab, "resend_verification", bob_user.id)
    assert "already verified" in texts(out)
    out = await call(admin_tab, "suspend", 999_999)
    assert "was not found" in texts(out)


async def test_the_last_admin_gets_a_clear_message(db, admin_tab, alice):
    me, _, _ = alice
    await call(admin_tab, "load")
    out = await call(admin_tab, "set_role", me.id, "user")
    assert "You are the only admin" in texts(out)
    out = await call(admin_tab, "suspend", me.id)
    assert "You are the only admin" in texts(out)
    db.expire_all()
    assert db.get(User, me.id).role == "admin" and db.get(User, me.id).suspended_at is None


async def test_invite_shows_as_pending_and_bad_emails_stay_in_the_dialog(db, admin_tab, bob):
    await call(admin_tab, "load")
    await call(admin_tab, "set_invite_open", True)
    await call(admin_tab, "invite", {"email": "bob@example.com"})
    assert admin_tab.invite_open and "already has an account" in admin_tab.invite_error
    await call(admin_tab, "invite", {"email": "nope"})
    assert "valid email" in admin_tab.invite_error
    out = await call(admin_tab, "invite", {"email": "New@Example.com"})
    assert not admin_tab.invite_open and admin_tab.invite_error == ""
    assert "Invitation sent to new@example.com" in texts(out)
    assert [i.email for i in admin_tab.invites] == ["new@example.com"]


async def test_delete_needs_the_typed_email(db, admin_tab, bob):
    bob_user, _, _ = bob
    await call(admin_tab, "load")
    await call(admin_tab, "open_delete", bob_user.id)
    assert admin_tab.delete_open and admin_tab.delete_email == "bob@example.com" and not admin_tab.delete_ready
    await call(admin_tab, "set_delete_confirm", "bob@")
    await call(admin_tab, "delete_user")
    assert "Type bob@example.com" in admin_tab.delete_error and db.get(User, bob_user.id) is not None
    await call(admin_tab, "set_delete_confirm", "bob@example.com")
    assert admin_tab.delete_ready
    out = await call(admin_tab, "delete_user")
    assert "Deleted bob@example.com" in texts(out) and not admin_tab.delete_open
    db.expire_all()
    assert db.get(User, bob_user.id) is None
    assert [r.email for r in admin_tab.rows] == ["alice@example.com"]


async def test_audit_tab_filters_and_pages(db, admin_tab, bob):
    bob_user, _, _ = bob
    await call(admin_tab, "load")
    await call(admin_tab, "suspend", bob_user.id)
    out = await call(admin_tab, "set_tab", "audit")
    assert url_of(out) == "/users?tab=audit"
    assert admin_tab.audit_rows[0].action == "admin_user_suspended"
    assert admin_tab.audit_rows[0].actor == "alice@example.com" and admin_tab.audit_rows[0].target == "bob@example.com"
    assert "admin_user_suspended" in admin_tab.audit_actions
    out = await call(admin_tab, "set_audit_filter", "action", "sign_in")
    assert {r.action for r in admin_tab.audit_rows} == {"sign_in"} and "audit_action=sign_in" in url_of(out)
    await call(admin_tab, "set_audit_filter", "target", "bob@")
    assert [r.target for r in admin_tab.audit_rows] == ["bob@example.com"]
    await call(admin_tab, "set_audit_filter", "date_from", "2999-01-01")
    assert admin_tab.audit_rows == [] and admin_tab.has_audit_filters
    await call(admin_tab, "clear_audit_filters")
    assert admin_tab.audit_total == db.exec(select(func.count()).select_from(AuditEvent)).one()


async def test_a_demoted_admins_open_tab_turns_into_not_found(db, admin_tab, alice, bob):
    bob_user, bob_token, _ = bob
    _promote(db, bob_user.id)
    bob_tab = substate(make_root(bob_token, "/users"), UsersState)
    await call(bob_tab, "load")
    assert bob_tab.allowed and len(bob_tab.rows) == 2
    await call(admin_tab, "load")
    await call(admin_tab, "set_role", bob_user.id, "user")
    await call(bob_tab, "refresh")  # what the live layer runs in Bob's tab
    assert not bob_tab.allowed and bob_tab.rows == [] and bob_tab.stats.total == 0


# ---- non-admins: every handler refuses, nothing changes -------------------------------------------


def _args(name: str, target_id: int) -> list:
    fn = UsersState.event_handlers[name].fn
    args = []
    for param in list(inspect.signature(fn).parameters.values())[1:]:
        annotation = str(param.annotation)
        if param.name == "role":
            args.append("admin")
        elif "int" in annotation:
            args.append(target_id)
        elif "bool" in annotation:
            args.append(True)
        elif "dict" in annotation:
            args.append({"email": "someone@example.com"})
        elif param.name in ("value", "tab"):
            args.append("audit")
        else:
            args.append("status")
    return args


def _database(db) -> dict:
    db.expire_all()
    return {
        "users": sorted((u.id, u.role, u.suspended_at, u.email_verified) for u in db.exec(select(User))),
        "sessions": db.exec(select(func.count()).select_from(UserSession)).one(),
        "audit": db.exec(select(func.count()).select_from(AuditEvent)).one(),
    }


HANDLERS = sorted(name for name in UsersState.event_handlers if name != "setvar")


def test_every_handler_is_covered():
    assert {
        "load",
        "set_role",
        "suspend",
        "reactivate",
        "resend_verification",
        "invite",
        "delete_user",
        "open_delete",
    } <= set(HANDLERS)


@pytest.mark.parametrize("name", HANDLERS)
async def test_a_non_admin_gets_nothing_from_any_handler(db, alice, name):
    alice_user, _, _ = alice
    _promote(db, alice_user.id)
    cy, _, _ = make_signed_in(db, "cy@example.com", "Cy")
    accounts.sign_up(db, name="Dee", email="dee@example.com", password=PASSWORD, meta=META)
    db.commit()
    dee = accounts.user_by_email(db, "dee@example.com")
    mallory, token, _ = make_signed_in(db, "mallory@example.com", "Mallory")
    before = _database(db)

    tab = substate(make_root(token, "/users"), UsersState)
    for target in (alice_user.id, cy.id, dee.id, mallory.id):
        out = await call(tab, name, *_args(name, target))
        assert redirect_targets(out) == []
        assert "@example.com" not in texts(out)
        # Also the delete handler with a dialog the browser claims is open.
        tab.delete_id, tab.delete_confirm = target, "cy@example.com"
        await call(tab, "delete_user")
    assert _database(db) == before
    assert not tab.allowed and tab.rows == [] and tab.audit_rows == [] and tab.invites == []
    assert tab.stats.total == 0 and tab.delete_email == "" and tab.me_id == 0


async def test_a_suspended_admin_is_refused_too(db, admin_tab, alice, bob):
    bob_user, bob_token, _ = bob
    _promote(db, bob_user.id)
    await call(admin_tab, "load")
    await call(admin_tab, "suspend", bob_user.id)
    # Bob's session is gone: his tab is sent to sign-in.
    bob_tab = substate(make_root(bob_token, "/users"), UsersState)
    assert redirect_targets(await call(bob_tab, "load")) == ["/sign-in?redirect=/users"]
    # Even with a session made some other way, he is no admin while suspended.
    db.expire_all()
    with pytest.raises(InvalidCredentials, match="suspended"):
        accounts.sign_in(db, email="bob@example.com", password=PASSWORD, meta=META)
    assert not admin.is_admin(db, bob_user.id)
