"""Two-factor in the UI: the second-step page's state and Settings › Account › Two-factor sign-in."""

from __future__ import annotations

import pyotp
from sqlmodel import select

from fluxkit.models import AuditEvent
from fluxkit.services import organizations
from fluxkit.services import two_factor as tf
from fluxkit.state.auth import AuthState
from fluxkit.state.organizations import OrganizationsState, OrgSwitcherState
from fluxkit.state.two_factor import SecondStepState, TwoFactorSettingsState
from tests.support.factories import PASSWORD, make_organization
from tests.support.states import call, make_root, redirect_targets, scripts, substate, texts

# ---- the second step -----------------------------------------------------------------------------


async def test_second_step_posts_the_code_to_the_api_and_keeps_no_code(db):
    page = substate(make_root(None, "/two-factor?redirect=/tasks"), SecondStepState)
    await call(page, "open_second_step")
    out = await call(page, "verify", {"code": ""})
    assert page.field_errors == {"code": "Enter the 6-digit code."}
    out = await call(page, "verify", {"code": "12a456"})
    assert "6 digits" in page.field_errors["code"] and scripts(out) == []
    await call(page, "set_trust", True)
    out = await call(page, "verify", {"code": "123456"})
    [script] = scripts(out)
    assert "/api/auth/two-factor/verify-totp" in script and '"trustDevice": true' in script
    assert "123456" not in script  # the browser reads the code from its own form
    assert page.pending is True


async def test_second_step_switches_to_a_backup_code(db):
    page = substate(make_root(None, "/two-factor"), SecondStepState)
    await call(page, "toggle_backup")
    assert page.use_backup is True
    out = await call(page, "verify", {"code": "abcde-fghij"})
    assert "/api/auth/two-factor/verify-backup-code" in scripts(out)[0]
    assert '"trustDevice": false' in scripts(out)[0]


async def test_second_step_answer_lands_on_the_callback_or_shows_why_not(db):
    page = substate(make_root(None, "/two-factor?redirect=/tasks"), SecondStepState)
    out = await call(page, "verified", {"status": 200, "body": {"redirect": "/calendar"}})
    assert scripts(out) == ['window.location.assign("/calendar")']
    out = await call(page, "verified", {"status": 200, "body": {"redirect": "https://evil.example"}})
    assert scripts(out) == ['window.location.assign("/dashboard")']
    await call(page, "verified", {"status": 422, "body": {"message": tf.WRONG_CODE, "fields": {"code": tf.WRONG_CODE}}})
    assert page.field_errors == {"code": tf.WRONG_CODE}
    await call(page, "verified", {"status": 401, "body": {"message": tf.CHALLENGE_GONE}})
    assert page.error.startswith("This sign-in has expired. Sign in again.")
    await call(page, "verified", {"status": 429, "body": {"message": "Too many wrong codes. Try again in 5 minutes."}})
    assert "Too many wrong codes" in page.error


async def test_the_password_step_sends_a_two_factor_account_to_the_second_step(db):
    auth = substate(make_root(None, "/sign-in"), AuthState)
    out = await call(
        auth,
        "signed_in",
        {"status": 200, "body": {"twoFactorRedirect": True, "redirect": "/two-factor?redirect=/tasks"}},
    )
    assert redirect_targets(out) == ["/two-factor?redirect=/tasks"]
    assert scripts(out) == []  # no full page load: there is no session cookie to reconnect with


async def test_a_signed_in_visitor_skips_the_second_step_page(db, alice):
    _, token, _ = alice
    page = substate(make_root(token, "/two-factor?redirect=/tasks"), SecondStepState)
    assert redirect_targets(await call(page, "open_second_step")) == ["/tasks"]


# ---- settings ---------------------------------------------------------------------------------------


def _secret(state) -> str:
    return state.secret


async def test_turning_it_on_shows_the_secret_once_then_confirms_with_a_code(db, alice, outbox):
    _, token, identity = alice
    root = make_root(token, "/settings/account")
    section = substate(root, TwoFactorSettingsState)
    await call(section, "load")
    assert section.enabled is False and section.setting_up is False
    await call(section, "start", {"password": "wrong"})
    assert section.errors == {"password": tf.WRONG_PASSWORD}
    assert section.secret == ""
    await call(section, "start", {"password": PASSWORD})
    assert section.setting_up is True
    assert len(section.secret) == 32 and section.totp_uri.startswith("otpauth://totp/")
    assert section.qr_code.startswith("data:image/svg+xml")
    assert len(section.new_backup_codes) == 10
    await call(section, "confirm", {"code": "000000"})
    assert section.errors.get("code") and section.enabled is False
    out = await call(section, "confirm", {"code": pyotp.TOTP(_secret(section)).now()})
    assert "Two-factor sign-in is on" in texts(out)
    assert section.enabled is True and section.setting_up is False
    assert section.secret == "" and section.qr_code == ""  # never shown again
    assert section.new_backup_codes  # until the user says they saved them
    await call(section, "hide_codes")
    assert section.new_backup_codes == []
    # A reload never brings the secret back.
    await call(section, "load")
    assert section.enabled is True and section.secret == "" and section.backup_codes_left == 10


async def _on(db, token):
    section = substate(make_root(token, "/settings/account"), TwoFactorSettingsState)
    await call(section, "load")
    await call(section, "start", {"password": PASSWORD})
    await call(section, "confirm", {"code": pyotp.TOTP(section.secret).now()})
    await call(section, "hide_codes")
    return section


async def test_new_backup_codes_and_turning_off_need_the_password(db, alice, outbox):
    _, token, identity = alice
    section = await _on(db, token)
    await call(section, "regenerate", {"password": "wrong"})
    assert section.errors == {"regenerate": tf.WRONG_PASSWORD} and section.new_backup_codes == []
    await call(section, "regenerate", {"password": PASSWORD})
    assert len(section.new_backup_codes) == 10
    await call(section, "disable", {"password": "wrong"})
    assert section.errors == {"disable": tf.WRONG_PASSWORD} and section.enabled is True
    out = await call(section, "disable", {"password": PASSWORD})
    assert "Two-factor sign-in is off" in texts(out)
    assert section.enabled is False and section.new_backup_codes == []
    actions = {e.action for e in db.exec(select(AuditEvent).where(AuditEvent.user_id == identity.user.id))}
    assert {"two_factor_enabled", "backup_codes_generated", "two_factor_disabled"} <= actions


async def test_one_users_settings_never_touch_anothers(db, alice, bob):
    _, alice_token, _ = alice
    _, bob_token, bob_identity = bob
    await _on(db, alice_token)
    # Bob's tab, with Alice's password: it is Bob's own password that is checked.
    bob_section = substate(make_root(bob_token, "/settings/account"), TwoFactorSettingsState)
    await call(bob_section, "load")
    assert bob_section.enabled is False
    await call(bob_section, "disable", {"password": PASSWORD})  # Bob has nothing to turn off
    assert tf.is_enabled(db, alice[2].user.id)


# ---- organizations that require it ---------------------------------------------------------------------


async def test_an_organization_requiring_two_factor_is_closed_to_a_member_without_it(db, alice, bob):
    _, alice_token, alice_identity = alice
    _, bob_token, bob_identity = bob
    org = make_organization(db, alice_identity.user.id, "Acme", members={bob_identity.user.id: "member"})
    organizations.switch(db, bob_identity.user.id, org.id)  # Bob works in Acme
    db.commit()
    owner_page = substate(make_root(alice_token, "/organizations"), OrganizationsState)
    await call(owner_page, "load")
    out = await call(owner_page, "set_require_two_factor", True)
    assert "your own account first" in texts(out)  # Alice herself has no two-factor yet
    await _on(db, alice_token)
    out = await call(owner_page, "set_require_two_factor", True)
    assert owner_page.selected.require_two_factor is True

    bob_root = make_root(bob_token, "/organizations")
    switcher = substate(bob_root, OrgSwitcherState)
    await call(switcher, "refresh")
    assert switcher.two_factor_block == "Acme"
    bob_page = substate(bob_root, OrganizationsState)
    await call(bob_page, "load")
    assert "requires two-factor sign-in" in bob_page.blocked
    assert bob_page.members == [] and bob_page.invitations == []
    # Switching into it is refused too, with the same reason.
    out = await call(switcher, "switch_to", org.id)
    assert "requires two-factor sign-in" in texts(out)

    await _on(db, bob_token)
    await call(switcher, "refresh")
    assert switcher.two_factor_block == ""
    await call(bob_page, "load")
    assert bob_page.blocked == "" and len(bob_page.members) == 2
