"""Passkeys through the service, with real WebAuthn data from a software authenticator:
registration, sign-in, the challenge and counter rules, rename, remove, the last way in."""

from __future__ import annotations

import pytest
from sqlmodel import select

from fluxkit.models import AuditEvent, Passkey, PasskeyChallenge, User
from fluxkit.services import passkeys, sessions
from fluxkit.services.errors import InvalidCredentials, InvalidInput, NotFound
from tests.support.factories import META
from tests.support.passkeys import RP_ID, SoftAuthenticator, b64url, unb64url
from tests.support.settings_env import settings_env


@pytest.fixture
def ada(db, signed_up, sign_in):
    signed_up()
    return sign_in()[1]


@pytest.fixture
def device():
    return SoftAuthenticator()


def _register(db, identity, device, clock, name: object = "Laptop", **create) -> passkeys.PasskeyRow:
    options = passkeys.registration_options(db, identity.user.id, clock)
    db.commit()
    row, messages = passkeys.verify_registration(
        db, identity, device.create(options, **create), name=name, meta=META, clock=clock
    )
    db.commit()
    return row, messages


def _sign_in(db, device, clock, **get):
    options = passkeys.authentication_options(db, clock)
    db.commit()
    answer = device.get(options, **get)
    try:
        return passkeys.verify_authentication(db, answer, meta=META, clock=clock)
    finally:
        db.commit()  # a refusal's audit row and the used-up challenge stay, as the API commits them


def _actions(db, user_id: int) -> list[str]:
    db.expire_all()
    return [e.action for e in db.exec(select(AuditEvent).where(AuditEvent.user_id == user_id).order_by(AuditEvent.id))]


# ---- options ------------------------------------------------------------------------------------


def test_registration_options_ask_for_a_discoverable_user_verified_passkey_of_this_site(db, ada, clock):
    options = passkeys.registration_options(db, ada.user.id, clock)
    assert options["rp"] == {"name": "FluxKit", "id": "localhost"}
    assert options["user"]["name"] == "ada@example.com"
    assert options["user"]["displayName"] == "Ada"
    # The user handle is opaque: no id, email or name in it, and the same for every passkey of Ada.
    handle = unb64url(options["user"]["id"])
    assert len(handle) == 32 and b"ada" not in handle and handle == passkeys.user_handle(ada.user.id)
    assert options["authenticatorSelection"]["residentKey"] == "required"
    assert options["authenticatorSelection"]["userVerification"] == "required"
    assert options["attestation"] == "none"
    assert len(unb64url(options["challenge"])) == 32
    assert options["excludeCredentials"] == []
    # Stored as a hash only, for Ada, and for 5 minutes.
    [row] = db.exec(select(PasskeyChallenge)).all()
    assert row.user_id == ada.user.id and row.purpose == "register"
    assert options["challenge"] not in row.challenge_hash
    assert row.expires_at - row.created_at == passkeys.CHALLENGE_TTL


def test_the_rp_id_and_origins_come_from_the_configured_address():
    with settings_env(FLUXKIT_BASE_URL="https://app.example.com", FLUXKIT_TRUSTED_ORIGINS="https://eu.app.example.com"):
        rp = passkeys.relying_party()
    assert rp.id == "app.example.com"
    assert rp.origins == ("https://app.example.com", "https://eu.app.example.com")
    # A trusted origin on another site is not a WebAuthn origin of this RP.
    with settings_env(FLUXKIT_BASE_URL="https://app.example.com", FLUXKIT_TRUSTED_ORIGINS="https://other.test"):
        assert passkeys.relying_party().origins == ("https://app.example.com",)


def test_authentication_options_let_the_browser_offer_any_passkey_of_this_site(db, clock):
    options = passkeys.authentication_options(db, clock)
    assert options["rpId"] == "localhost"
    assert options["allowCredentials"] == []
    assert options["userVerification"] == "required"
    [row] = db.exec(select(PasskeyChallenge)).all()
    assert row.user_id is None and row.purpose == "authenticate"


# ---- registration -----------------------------------------------------------------------------------


def test_register_then_sign_in_with_the_passkey(db, ada, device, clock, outbox):
    row, messages = _register(db, ada, device, clock)
    assert row.name == "Laptop"
    assert row.credential_id == b64url(device.credentials[0].id)
    assert row.transports == ("internal",)
    assert row.last_used_at is None
    [added] = messages
    assert added["To"] == "ada@example.com"
    assert "new passkey" in added["Subject"].lower() and "“Laptop”" in added.get_content()
    assert passkeys.list_passkeys(db, ada.user.id) == [row]
    # The challenge is gone: used once.
    assert db.exec(select(PasskeyChallenge)).all() == []

    clock.advance(minutes=1)
    token, identity = _sign_in(db, device, clock)
    assert identity.user.id == ada.user.id
    assert sessions.resolve(db, token).session.id == identity.session.id
    [used] = passkeys.list_passkeys(db, ada.user.id)
    assert used.last_used_at == clock.now() and used.sign_count == 1
    assert _actions(db, ada.user.id)[-2:] == ["passkey_added", "sign_in"]


def test_without_a_name_the_passkey_is_named_after_the_device(db, ada, device, clock):
    row, _ = _register(db, ada, device, clock, name=None)
    assert row.name == "Passkey on pytest-browser/1.0"


def test_a_registration_needs_user_verification(db, ada, device, clock):
    with pytest.raises(InvalidCredentials):
        _register(db, ada, device, clock, user_verified=False)
    db.rollback()
    assert passkeys.list_passkeys(db, ada.user.id) == []


@pytest.mark.parametrize(
    "bad",
    [{"origin": "https://evil.example"}, {"origin": "http://localhost:3001"}, {"rp_id": "evil.example"}],
    ids=["other site", "other port", "other rp id"],
)
def test_a_registration_made_for_another_site_is_refused(db, ada, device, clock, bad):
    options = passkeys.registration_options(db, ada.user.id, clock)
    db.commit()
    with pytest.raises(InvalidCredentials):
        passkeys.verify_registration(db, ada, device.create(options, **bad), meta=META, clock=clock)
    db.commit()
    assert passkeys.list_passkeys(db, ada.user.id) == []
    assert _actions(db, ada.user.id)[-1] == "passkey_add_failed"


def test_a_registration_challenge_is_ada_s_alone_and_works_once(db, ada, device, clock, signed_up, sign_in):
    signed_up("bob@example.com", name="Bob")
    _, bob = sign_in("bob@example.com")
    options = passkeys.registration_options(db, ada.user.id, clock)
    db.commit()
    answer = device.create(options)
    # Bob cannot finish the ceremony Ada started (and so use it up either).
    with pytest.raises(InvalidCredentials, match="expired or was already used"):
        passkeys.verify_registration(db, bob, answer, meta=META, clock=clock)
    db.rollback()
    passkeys.verify_registration(db, ada, answer, meta=META, clock=clock)
    db.commit()
    with pytest.raises(InvalidCredentials, match="expired or was already used"):
        passkeys.verify_registration(db, ada, answer, meta=META, clock=clock)


def test_a_challenge_expires_after_five_minutes(db, ada, device, clock):
    options = passkeys.registration_options(db, ada.user.id, clock)
    db.commit()
    clock.advance(minutes=5, seconds=1)
    with pytest.raises(InvalidCredentials, match="expired"):
        passkeys.verify_registration(db, ada, device.create(options), meta=META, clock=clock)


def test_an_authenticator_already_holding_a_passkey_is_excluded(db, ada, device, clock):
    row, _ = _register(db, ada, device, clock)
    options = passkeys.registration_options(db, ada.user.id, clock)
    assert [d["id"] for d in options["excludeCredentials"]] == [row.credential_id]


def test_names_are_checked(db, ada, device, clock):
    with pytest.raises(InvalidInput):
        _register(db, ada, device, clock, name="x" * 101)
    row, _ = _register(db, ada, device, clock, name="  Work   phone ")
    assert row.name == "Work phone"


def test_a_response_that_is_not_a_passkey_response_is_invalid_input(db, ada, clock):
    for junk in (None, "text", {}, {"response": {"clientDataJSON": "not base64!"}}, {"response": []}):
        with pytest.raises(InvalidInput):
            passkeys.verify_registration(db, ada, junk, meta=META, clock=clock)
        with pytest.raises(InvalidInput):
            passkeys.verify_authentication(db, junk, meta=META, clock=clock)


# ---- sign-in ------------------------------------------------------------------------------------------


def test_sign_in_needs_user_verification(db, ada, device, clock):
    _register(db, ada, device, clock)
    with pytest.raises(InvalidCredentials):
        _sign_in(db, device, clock, user_verified=False)
    assert _actions(db, ada.user.id)[-1] == "sign_in_failed"


@pytest.mark.parametrize(
    "bad", [{"origin": "https://evil.example"}, {"rp_id": "evil.example"}], ids=["other origin", "other rp id"]
)
def test_an_assertion_for_another_site_does_not_sign_in(db, ada, device, clock, bad):
    _register(db, ada, device, clock)
    with pytest.raises(InvalidCredentials):
        _sign_in(db, device, clock, **bad)
    db.expire_all()
    [event] = db.exec(select(AuditEvent).where(AuditEvent.action == "sign_in_failed")).all()
    assert event.user_id == ada.user.id and event.detail.startswith("passkey:")


def test_a_replayed_assertion_is_refused(db, ada, device, clock):
    _register(db, ada, device, clock)
    options = passkeys.authentication_options(db, clock)
    db.commit()
    answer = device.get(options)
    passkeys.verify_authentication(db, answer, meta=META, clock=clock)
    db.commit()
    with pytest.raises(InvalidCredentials, match="expired or was already used"):
        passkeys.verify_authentication(db, answer, meta=META, clock=clock)


def test_a_counter_that_does_not_go_up_is_refused(db, ada, device, clock):
    """A cloned authenticator: same key, same counter; the second one to sign is refused."""
    _register(db, ada, device, clock)
    _sign_in(db, device, clock)  # count 1
    device.credentials[0].sign_count = 0  # the clone signs with count 1 again
    with pytest.raises(InvalidCredentials):
        _sign_in(db, device, clock)
    [row] = passkeys.list_passkeys(db, ada.user.id)
    assert row.sign_count == 1


def test_a_passkey_that_does_not_count_signs_in_every_time(db, ada, clock):
    device = SoftAuthenticator(counting=False)
    _register(db, ada, device, clock)
    _sign_in(db, device, clock)
    _sign_in(db, device, clock)
    assert passkeys.list_passkeys(db, ada.user.id)[0].sign_count == 0


def test_an_unknown_or_removed_passkey_does_not_sign_in(db, ada, clock):
    stranger = SoftAuthenticator()
    options = passkeys.registration_options(db, ada.user.id, clock)
    stranger.create(options)  # made, but never sent to FluxKit
    db.rollback()
    with pytest.raises(InvalidCredentials, match="not registered"):
        _sign_in(db, stranger, clock, rp_id=RP_ID)


def test_a_forged_signature_does_not_sign_in(db, ada, device, clock):
    _register(db, ada, device, clock)
    options = passkeys.authentication_options(db, clock)
    db.commit()
    answer = device.get(options)
    other = SoftAuthenticator()
    other.credentials = [device.credentials[0].__class__(**{**device.credentials[0].__dict__})]
    from cryptography.hazmat.primitives.asymmetric import ec

    other.credentials[0].key = ec.generate_private_key(ec.SECP256R1())  # the right id, the wrong key
    forged = other.get(options, credential=other.credentials[0])
    answer["response"]["signature"] = forged["response"]["signature"]
    answer["response"]["authenticatorData"] = forged["response"]["authenticatorData"]
    with pytest.raises(InvalidCredentials):
        passkeys.verify_authentication(db, answer, meta=META, clock=clock)


def test_a_user_handle_of_another_account_is_refused(db, ada, device, clock):
    _register(db, ada, device, clock)
    device.credentials[0].user_handle = passkeys.user_handle(ada.user.id + 1)
    with pytest.raises(InvalidCredentials):
        _sign_in(db, device, clock)


def test_a_suspended_account_cannot_sign_in_with_its_passkey(db, ada, device, clock):
    _register(db, ada, device, clock)
    user = db.get(User, ada.user.id)
    user.suspended_at = clock.now()
    db.add(user)
    db.commit()
    with pytest.raises(InvalidCredentials, match="suspended"):
        _sign_in(db, device, clock)


# ---- rename and remove -----------------------------------------------------------------------------------


def test_rename_writes_the_audit_log_and_tells_the_user(db, ada, device, clock):
    row, _ = _register(db, ada, device, clock)
    renamed, [message] = passkeys.rename_passkey(db, ada.user.id, row.id, "YubiKey", meta=META, clock=clock)
    db.commit()
    assert renamed.name == "YubiKey"
    assert "renamed" in message["Subject"] and "“Laptop”" in message.get_content()
    assert _actions(db, ada.user.id)[-1] == "passkey_renamed"


def test_someone_else_s_passkey_is_not_found(db, ada, device, clock, signed_up, sign_in):
    row, _ = _register(db, ada, device, clock)
    signed_up("bob@example.com", name="Bob")
    _, bob = sign_in("bob@example.com")
    for passkey_id in (row.id, row.id + 1000, "1", True, None):
        with pytest.raises(NotFound):
            passkeys.rename_passkey(db, bob.user.id, passkey_id, "Mine now", meta=META, clock=clock)
        with pytest.raises(NotFound):
            passkeys.delete_passkey(db, bob.user.id, passkey_id, meta=META, clock=clock)
    db.rollback()
    assert passkeys.list_passkeys(db, ada.user.id)[0].name == "Laptop"


def test_remove_a_passkey(db, ada, device, clock):
    row, _ = _register(db, ada, device, clock)
    [message] = passkeys.delete_passkey(db, ada.user.id, row.id, meta=META, clock=clock)
    db.commit()
    assert "removed" in message["Subject"]
    assert passkeys.list_passkeys(db, ada.user.id) == []
    assert _actions(db, ada.user.id)[-1] == "passkey_removed"
    with pytest.raises(InvalidCredentials, match="not registered"):
        _sign_in(db, device, clock)


def test_the_last_way_to_sign_in_cannot_be_removed(db, ada, clock):
    phone, laptop = SoftAuthenticator(), SoftAuthenticator()
    first, _ = _register(db, ada, phone, clock, name="Phone")
    second, _ = _register(db, ada, laptop, clock, name="Laptop")
    # An account without a usable password (as one made through a social provider is).
    user = db.get(User, ada.user.id)
    user.password_hash = ""
    db.add(user)
    db.commit()
    assert passkeys.remaining_sign_in_methods(db, ada.user.id) == 2
    passkeys.delete_passkey(db, ada.user.id, first.id, meta=META, clock=clock)
    db.commit()
    assert passkeys.remaining_sign_in_methods(db, ada.user.id) == 1
    with pytest.raises(passkeys.LastSignInMethod, match="last way to sign in"):
        passkeys.delete_passkey(db, ada.user.id, second.id, meta=META, clock=clock)
    db.rollback()
    assert [r.name for r in passkeys.list_passkeys(db, ada.user.id)] == ["Laptop"]
    _sign_in(db, laptop, clock)  # still gets in


def test_with_a_password_the_only_passkey_can_go(db, ada, device, clock):
    row, _ = _register(db, ada, device, clock)
    assert passkeys.remaining_sign_in_methods(db, ada.user.id) == 2
    passkeys.delete_passkey(db, ada.user.id, row.id, meta=META, clock=clock)
    db.commit()
    assert passkeys.remaining_sign_in_methods(db, ada.user.id) == 1


def test_a_deleted_account_takes_its_passkeys(db, ada, device, clock):
    _register(db, ada, device, clock)
    db.delete(db.get(User, ada.user.id))
    db.commit()
    assert db.exec(select(Passkey)).all() == []


def test_at_most_so_many_passkeys(db, ada, clock, monkeypatch):
    monkeypatch.setattr(passkeys, "MAX_PASSKEYS", 2)
    _register(db, ada, SoftAuthenticator(), clock)
    _register(db, ada, SoftAuthenticator(), clock)
    with pytest.raises(passkeys.TooManyPasskeys):
        passkeys.registration_options(db, ada.user.id, clock)


def test_my_data_export_lists_my_passkeys_without_key_material(db, ada, device, clock, signed_up, sign_in):
    import json

    from fluxkit.services import data_export

    row, _ = _register(db, ada, device, clock)
    signed_up("bob@example.com", name="Bob")
    _register(db, sign_in("bob@example.com")[1], SoftAuthenticator(), clock, name="Bob's key")
    out = data_export.export(db, ada.user.id)
    [mine] = out["passkeys"]
    assert mine["name"] == "Laptop" and mine["credential_id"] == row.credential_id
    assert "public_key" not in mine and "Bob's key" not in json.dumps(out)
