"""/organizations, /invite/<id>, the sidebar switcher and the task dialog's Assignee field:
what a user sees and does, through the states' handlers."""

from __future__ import annotations

from sqlmodel import select

from fluxkit.models import OrgInvitation, User
from fluxkit.services import organizations as orgs
from fluxkit.services import tasks
from fluxkit.state.organizations import InviteState, OrganizationsState, OrgSwitcherState
from fluxkit.state.tasks.page import TasksState
from tests.support.factories import make_organization, make_signed_in
from tests.support.states import call, make_root, redirect_targets, substate, texts


async def _page(token):
    page = substate(make_root(token, "/organizations"), OrganizationsState)
    await call(page, "load")
    return page


async def test_create_invite_and_accept_through_the_link(db, alice, bob, monkeypatch):
    (_, a_token, _), (_, b_token, _) = alice, bob
    sent = []
    monkeypatch.setattr("fluxkit.services.email.send_in_background", lambda messages: sent.extend(messages))
    page = await _page(a_token)
    assert page.orgs == [] and page.loaded

    await call(page, "create", {"name": "Acme Inc", "slug": ""})
    assert [o.name for o in page.orgs] == ["Acme Inc"] and page.selected.role == "owner" and page.can_manage
    switcher = substate(make_root(a_token), OrgSwitcherState)
    await call(switcher, "refresh")
    assert switcher.active_name == "Acme Inc"

    out = await call(page, "invite", {"email": "not-an-email", "role": "member"})
    assert "email" in page.invite_errors and page.invite_email == "not-an-email"  # kept to fix
    out = await call(page, "invite", {"email": "bob@example.com", "role": "member"})
    assert "Invitation emailed to bob@example.com" in texts(out)
    assert [i.email for i in page.invitations] == ["bob@example.com"] and page.invite_errors == {}
    [message] = sent
    inv_id = db.exec(select(OrgInvitation.id)).one()
    assert f"/invite/{inv_id}" in message.get_content()

    # Someone else signed in opens Bob's link: told whose it is, no accept button.
    carl = make_signed_in(db, "carl@example.com", "Carl")
    wrong = substate(make_root(carl[1], f"/invite/{inv_id}"), InviteState)
    await call(wrong, "load")
    assert (
        wrong.found
        and wrong.problem == "This invitation is for bob@example.com. Sign in with that address to accept it."
    )
    await call(wrong, "accept")
    assert orgs.list_mine(db, carl[0].id) == []

    invite = substate(make_root(b_token, f"/invite/{inv_id}"), InviteState)
    await call(invite, "load")
    assert (invite.invitation.organization, invite.invitation.inviter, invite.problem) == ("Acme Inc", "Alice", "")
    out = await call(invite, "accept")
    org_id = page.selected.id
    assert redirect_targets(out) == [f"/organizations?org={org_id}"]
    await call(page, "refresh")
    assert [(m.name, m.role) for m in page.members] == [("Alice", "owner"), ("Bob", "member")]
    assert page.invitations == []

    bogus = substate(make_root(b_token, "/invite/nope"), InviteState)
    await call(bogus, "load")
    assert not bogus.found and "not found" in bogus.problem


async def test_unverified_address_is_told_to_verify(db, alice):
    a_user, a_token, _ = alice
    dan = make_signed_in(db, "dan@example.com", "Dan")
    db.get(User, dan[0].id).email_verified = False
    db.commit()
    org = orgs.create(db, a_user.id, "Acme", "acme")
    inv = orgs.invite(db, a_user.id, org.id, "dan@example.com").invitation.id
    db.commit()
    invite = substate(make_root(dan[1], f"/invite/{inv}"), InviteState)
    await call(invite, "load")
    assert invite.problem.startswith("Verify your email address (dan@example.com) first")


async def _team(db, alice, bob):
    return make_organization(db, alice[0].id, "Acme", "acme", members={bob[0].id: "member"}).id


async def test_roles_remove_leave_and_transfer_with_confirmation(db, alice, bob):
    await _team(db, alice, bob)
    page = await _page(alice[1])
    out = await call(page, "change_role", bob[0].id, "admin")
    assert "Bob is now an admin" in texts(out)
    await call(page, "ask", "transfer", bob[0].id)
    assert page.confirm_text == "Make Bob the owner of Acme? You become an admin."
    await call(page, "confirm")
    assert page.selected.role == "admin" and page.confirm_kind == ""
    out = await call(page, "change_role", bob[0].id, "member")  # an admin cannot touch the owner
    assert "owner's role" in texts(out)
    await call(page, "ask", "leave", 0)
    await call(page, "confirm")
    assert page.orgs == [] and page.selected.id == 0

    bobs = await _page(bob[1])
    assert [m.name for m in bobs.members] == ["Bob"]
    await call(bobs, "ask", "leave", 0)
    out = await call(bobs, "confirm")
    assert "transfer ownership to another member before leaving" in texts(out)


async def test_outsider_ids_are_refused(db, alice, bob):
    org = await _team(db, alice, bob)
    carl = make_signed_in(db, "carl@example.com", "Carl")
    page = await _page(carl[1])
    out = await call(page, "select", org)
    assert "not found" in texts(out) and page.members == []
    switcher = substate(make_root(carl[1]), OrgSwitcherState)
    out = await call(switcher, "switch_to", org)
    assert "not found" in texts(out) and switcher.active_id == 0


async def test_task_dialog_lists_the_active_organizations_members_and_assigns(db, alice, bob):
    await _team(db, alice, bob)
    state = substate(make_root(alice[1], "/tasks"), TasksState)
    await call(state, "load")
    await call(state, "open_new")
    assert [c.label for c in state.assignee_choices] == ["Unassigned", "Bob (bob@example.com)"]
    await call(
        state,
        "save",
        {"title": "Write the report", "priority": "medium", "category": "feature", "assignee": str(bob[0].id)},
    )
    [row] = state.rows
    assert (row.assignee_name, row.assigned_to_me) == ("Bob", False)

    bobs = substate(make_root(bob[1], "/tasks"), TasksState)
    await call(bobs, "load")
    [mine] = bobs.rows
    assert mine.assigned_to_me and mine.owner_name == "Alice"
    out = await call(bobs, "open_edit", mine.id)
    assert "Only Alice, who owns this task, can edit it" in texts(out) and not bobs.dialog_open
    out = await call(bobs, "delete", mine.id)
    assert "Only the task's owner can delete it" in texts(out)
    await call(bobs, "change_status", mine.id, "completed")
    assert bobs.rows[0].status == "completed"
    assert tasks.get_task(db, alice[0].id, row.id).status == "completed"

    # Personal (no active organization): no Assignee field.
    switcher = substate(make_root(alice[1]), OrgSwitcherState)
    await call(switcher, "switch_to", 0)
    await call(state, "open_new")
    assert state.assignee_choices == []


async def test_rename_through_the_dialog_keeps_a_refused_name_and_only_managers_may(db, alice, bob, monkeypatch):
    (a_user, a_token, _), (_, b_token, _) = alice, bob
    page = await _page(a_token)
    await call(page, "create", {"name": "Acme Inc", "slug": ""})
    org_id = page.selected.id
    await call(page, "set_rename_open", True)
    assert page.rename_open and page.rename_name == "Acme Inc"

    out = await call(page, "rename", {"name": "   "})
    assert page.rename_open and "name" in page.rename_errors and page.selected.name == "Acme Inc"
    out = await call(page, "rename", {"name": "Acme Group"})
    assert "Renamed to Acme Group." in texts(out)
    assert not page.rename_open and page.selected.name == "Acme Group" and [o.name for o in page.orgs] == ["Acme Group"]
    switcher = substate(make_root(a_token), OrgSwitcherState)
    await call(switcher, "refresh")
    assert switcher.active_name == "Acme Group"

    # Bob is no member: the open organization's id from his browser changes nothing.
    intruder = await _page(b_token)
    intruder.selected = page.selected
    out = await call(intruder, "rename", {"name": "Mine now"})
    assert "not found" in texts(out)
    assert orgs.detail(db, a_user.id, org_id).org.name == "Acme Group"
