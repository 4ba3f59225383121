"""Organizations: creating (unique slug), roles, emailed invitations (expiry, the verified
address rule), pending invitations, role changes, removal, leaving, ownership transfer,
the active organization, and that outsiders find nothing."""

from __future__ import annotations

import pytest

from fluxkit.models import OrgInvitation, User
from fluxkit.services import organizations as orgs
from fluxkit.services.errors import InvalidInput, NotFound
from fluxkit.services.organizations import NotAllowed
from tests.support.factories import invitation_id, make_organization, make_user


@pytest.fixture
def team(db, clock):
    """Ada owns Acme; Bob is an admin, Cy a member; Dee is an outsider."""
    ada, bob, cy, dee = (make_user(db, f"{n}@example.com", n.title()).id for n in ("ada", "bob", "cy", "dee"))
    org = make_organization(db, ada, "Acme Inc", "acme", members={bob: "admin", cy: "member"}, clock=clock)
    return org.id, ada, bob, cy, dee


def roles(db, viewer, org_id):
    return {m.name: m.role for m in orgs.members(db, viewer, org_id)}


def test_create_makes_the_creator_owner_and_active_and_slugs_are_unique(db, clock):
    ada = make_user(db, "ada@example.com", "Ada").id
    bob = make_user(db, "bob@example.com", "Bob").id
    org = orgs.create(db, ada, "  Acme Inc ", "", clock=clock)
    assert (org.name, org.slug, org.role, org.members, org.active) == ("Acme Inc", "acme-inc", "owner", 1, True)
    assert orgs.active_org(db, ada).id == org.id
    with pytest.raises(InvalidInput) as taken:
        orgs.create(db, bob, "Other", "ACME-inc", clock=clock)
    assert taken.value.fields["slug"] == "The slug acme-inc is taken. Choose another."
    for bad in ("no spaces", "-dash", "UPPER!"):
        with pytest.raises(InvalidInput) as wrong:
            orgs.create(db, bob, "Other", bad, clock=clock)
        assert "slug" in wrong.value.fields
    with pytest.raises(InvalidInput) as empty:
        orgs.create(db, bob, "   ", "x", clock=clock)
    assert empty.value.fields["name"] == "Enter a name."
    assert orgs.list_mine(db, bob) == []


def test_invitation_email_links_to_an_unguessable_id_valid_seven_days(db, clock):
    ada = make_user(db, "ada@example.com", "Ada").id
    org = orgs.create(db, ada, "Acme", "acme", clock=clock)
    invited = orgs.invite(db, ada, org.id, "Bob@Example.com", "member", clock=clock)
    [message] = invited.messages
    assert message["To"] == "bob@example.com"
    assert "Ada invited you to Acme" in message["Subject"]
    inv_id = invitation_id(message)
    assert len(inv_id) >= 32 and inv_id == invited.invitation.id
    assert f"/invite/{inv_id}" in message.get_content()
    stored = db.get(OrgInvitation, inv_id)
    assert (stored.expires_at - stored.created_at).days == 7
    assert [i.email for i in orgs.pending_invitations(db, ada, org.id, clock)] == ["bob@example.com"]
    other = orgs.invite(db, ada, org.id, "carl@example.com", clock=clock)
    assert other.invitation.id != inv_id


def test_accepting_needs_the_invited_verified_address_and_a_live_invitation(db, clock):
    ada = make_user(db, "ada@example.com", "Ada").id
    eve = make_user(db, "eve@example.com", "Eve").id
    bob = make_user(db, "bob@example.com", "Bob", verified=False).id
    org = orgs.create(db, ada, "Acme", "acme", clock=clock)
    inv = orgs.invite(db, ada, org.id, "bob@example.com", clock=clock).invitation.id

    assert (
        orgs.accept_problem(db, eve, inv, clock)
        == "This invitation is for bob@example.com. Sign in with that address to accept it."
    )
    assert orgs.view_invitation(db, eve, inv, clock, from_link=True).email == "bob@example.com"  # the page says whose
    with pytest.raises(NotFound):
        orgs.accept(db, eve, inv, clock=clock)  # elsewhere someone else's invitation is not found
    with pytest.raises(NotFound):
        orgs.view_invitation(db, eve, inv, clock)
    assert orgs.view_invitation(db, ada, inv, clock).email == "bob@example.com"  # the owner sees it
    with pytest.raises(InvalidInput, match="Verify your email address"):
        orgs.accept(db, bob, inv, clock=clock)
    assert orgs.list_mine(db, bob) == []

    db.get(User, bob).email_verified = True
    clock.advance(days=7, seconds=1)
    assert orgs.view_invitation(db, bob, inv, clock).status == "expired"
    with pytest.raises(InvalidInput, match="expired"):
        orgs.accept(db, bob, inv, clock=clock)

    fresh = orgs.invite(db, ada, org.id, "bob@example.com", clock=clock).invitation.id
    joined = orgs.accept(db, bob, fresh, clock=clock)
    assert (joined.id, joined.role, joined.active) == (org.id, "member", True)
    with pytest.raises(InvalidInput, match="already been accepted"):
        orgs.accept(db, bob, fresh, clock=clock)
    with pytest.raises(NotFound):
        orgs.accept(db, bob, "not-a-real-invitation-id", clock=clock)
    assert orgs.pending_invitations(db, ada, org.id, clock) == []


def test_cancelled_invitation_cannot_be_accepted_and_reinviting_replaces_the_link(db, clock):
    ada = make_user(db, "ada@example.com", "Ada").id
    bob = make_user(db, "bob@example.com", "Bob").id
    org = orgs.create(db, ada, "Acme", "acme", clock=clock)
    first = orgs.invite(db, ada, org.id, "bob@example.com", clock=clock).invitation.id
    second = orgs.invite(db, ada, org.id, "bob@example.com", clock=clock).invitation.id
    assert [i.id for i in orgs.pending_invitations(db, ada, org.id, clock)] == [second]
    with pytest.raises(InvalidInput, match="cancelled"):
        orgs.accept(db, bob, first, clock=clock)
    assert [i.organization for i in orgs.my_invitations(db, bob, clock)] == ["Acme"]
    orgs.cancel_invitation(db, ada, second)
    assert orgs.pending_invitations(db, ada, org.id, clock) == []
    assert orgs.my_invitations(db, bob, clock) == []
    with pytest.raises(InvalidInput, match="cancelled"):
        orgs.accept(db, bob, second, clock=clock)


def test_who_may_invite(db, clock, team):
    org, ada, bob, cy, dee = team
    with pytest.raises(NotAllowed):
        orgs.invite(db, cy, org, "x@example.com", clock=clock)  # a member
    with pytest.raises(NotAllowed, match="Only the owner can invite admins"):
        orgs.invite(db, bob, org, "x@example.com", "admin", clock=clock)
    assert orgs.invite(db, bob, org, "x@example.com", "member", clock=clock).invitation.role == "member"
    with pytest.raises(NotFound):
        orgs.invite(db, dee, org, "x@example.com", clock=clock)
    with pytest.raises(InvalidInput, match="already a member"):
        orgs.invite(db, ada, org, "cy@example.com", clock=clock)
    with pytest.raises(InvalidInput) as bad:
        orgs.invite(db, ada, org, "not an email", clock=clock)
    assert "email" in bad.value.fields
    with pytest.raises(InvalidInput):
        orgs.invite(db, ada, org, "x@example.com", "owner", clock=clock)


def test_outsiders_find_nothing(db, clock, team):
    org, ada, bob, cy, dee = team
    for call in (
        lambda: orgs.members(db, dee, org),
        lambda: orgs.detail(db, dee, org, clock),
        lambda: orgs.switch(db, dee, org),
        lambda: orgs.leave(db, dee, org),
        lambda: orgs.remove_member(db, dee, org, cy),
        lambda: orgs.change_role(db, dee, org, cy, "admin"),
        lambda: orgs.transfer(db, dee, org, cy),
        lambda: orgs.members(db, ada, 999_999),
        lambda: orgs.members(db, ada, "1"),
    ):
        with pytest.raises(NotFound):
            call()
    inv = orgs.invite(db, ada, org, "zed@example.com", clock=clock).invitation.id
    with pytest.raises(NotFound):
        orgs.cancel_invitation(db, dee, inv)
    assert orgs.list_mine(db, dee) == []


def test_role_changes_admin_cannot_touch_the_owner(db, clock, team):
    org, ada, bob, cy, dee = team
    assert roles(db, cy, org) == {"Ada": "owner", "Bob": "admin", "Cy": "member"}
    with pytest.raises(NotAllowed):
        orgs.change_role(db, cy, org, bob, "member")  # a member changes nothing
    with pytest.raises(NotAllowed, match="owner's role"):
        orgs.change_role(db, bob, org, ada, "member")
    with pytest.raises(NotAllowed, match="Only the owner can make someone an admin"):
        orgs.change_role(db, bob, org, cy, "admin")
    with pytest.raises(InvalidInput, match="transfer ownership"):
        orgs.change_role(db, ada, org, cy, "owner")
    assert orgs.change_role(db, ada, org, cy, "admin").role == "admin"
    assert orgs.change_role(db, bob, org, cy, "member").role == "member"
    assert roles(db, ada, org) == {"Ada": "owner", "Bob": "admin", "Cy": "member"}


def test_members_see_members_but_only_managers_see_invitations(db, clock, team):
    org, ada, bob, cy, dee = team
    orgs.invite(db, ada, org, "zed@example.com", clock=clock)
    assert [i.email for i in orgs.detail(db, bob, org, clock).invitations] == ["zed@example.com"]
    member_view = orgs.detail(db, cy, org, clock)
    assert member_view.invitations == [] and len(member_view.members) == 3
    with pytest.raises(NotAllowed):
        orgs.pending_invitations(db, cy, org, clock)


def test_remove_members(db, clock, team):
    org, ada, bob, cy, dee = team
    with pytest.raises(NotAllowed, match="Nobody can remove the owner"):
        orgs.remove_member(db, bob, org, ada)
    with pytest.raises(NotAllowed):
        orgs.remove_member(db, cy, org, bob)
    with pytest.raises(NotFound):
        orgs.remove_member(db, ada, org, dee)
    orgs.remove_member(db, bob, org, cy)
    assert roles(db, ada, org) == {"Ada": "owner", "Bob": "admin"}
    assert orgs.list_mine(db, cy) == [] and orgs.active_org(db, cy) is None
    with pytest.raises(NotFound):
        orgs.members(db, cy, org)


def test_leave_and_the_owner_must_transfer_first(db, clock, team):
    org, ada, bob, cy, dee = team
    with pytest.raises(NotAllowed, match="transfer ownership to another member before leaving"):
        orgs.leave(db, ada, org)
    orgs.leave(db, cy, org)
    assert orgs.list_mine(db, cy) == []
    with pytest.raises(NotAllowed, match="Only the owner can transfer"):
        orgs.transfer(db, bob, org, bob)
    with pytest.raises(InvalidInput):
        orgs.transfer(db, ada, org, ada)
    with pytest.raises(NotFound):
        orgs.transfer(db, ada, org, cy)  # no longer a member
    assert orgs.transfer(db, ada, org, bob).role == "owner"
    assert roles(db, ada, org) == {"Bob": "owner", "Ada": "admin"}
    orgs.leave(db, ada, org)
    assert roles(db, bob, org) == {"Bob": "owner"}
    with pytest.raises(NotAllowed):
        orgs.leave(db, bob, org)  # the last owner stays until someone takes over


def test_switching_the_active_organization(db, clock, team):
    org, ada, bob, cy, dee = team
    second = orgs.create(db, cy, "Cy's shop", "cys-shop", clock=clock)
    assert orgs.active_org(db, cy).id == second.id
    assert orgs.switch(db, cy, org).id == org
    assert [(o.slug, o.active, o.role) for o in orgs.list_mine(db, cy)] == [
        ("acme", True, "member"),
        ("cys-shop", False, "owner"),
    ]
    assert orgs.switch(db, cy, None) is None
    assert orgs.active_org(db, cy) is None
    with pytest.raises(NotFound):
        orgs.switch(db, dee, second.id)


def test_assignable_lists_the_active_organizations_other_members(db, clock, team):
    org, ada, bob, cy, dee = team
    assert [m.name for m in orgs.assignable(db, ada)] == ["Bob", "Cy"]
    assert orgs.assignable(db, dee) == []


def test_owner_and_admins_rename_members_and_outsiders_cannot(db, clock, team):
    org, ada, bob, cy, dee = team
    assert orgs.rename(db, bob, org, "  Acme Group ").name == "Acme Group"
    db.commit()
    assert orgs.detail(db, cy, org).org.name == "Acme Group"  # every member sees it
    with pytest.raises(NotAllowed):
        orgs.rename(db, cy, org, "Cy's Club")
    with pytest.raises(NotFound):
        orgs.rename(db, dee, org, "Taken over")
    for bad in ("", "   ", "x" * (orgs.NAME_MAX + 1), "A\x00B", None, 7):
        with pytest.raises(InvalidInput) as refused:
            orgs.rename(db, ada, org, bad)
        assert "name" in refused.value.fields
    db.rollback()
    assert orgs.detail(db, ada, org).org.name == "Acme Group"


@pytest.mark.parametrize("blank", ["", "   ", None])
def test_a_blank_invitee_is_asked_for_by_whose_address_it_is(db, clock, team, blank):
    org, ada, *_ = team
    with pytest.raises(InvalidInput) as bad:
        orgs.invite(db, ada, org, blank, clock=clock)
    assert bad.value.fields == {"email": "Enter the email address of the person to invite."}
    assert "your" not in bad.value.message
