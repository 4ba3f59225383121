"""Sign-up, verification, sign-in and hash upgrades, as a user meets them."""

from __future__ import annotations

import time

import pytest
from passlib.hash import argon2, pbkdf2_sha256
from sqlmodel import func, select

from fluxkit.models import User
from fluxkit.services import accounts, passwords
from fluxkit.services.errors import InvalidCredentials, InvalidInput, InvalidToken
from tests.support.factories import META, PASSWORD, link_token


def _user(db, email="ada@example.com") -> User:
    db.expire_all()
    return db.exec(select(User).where(User.email == email)).one()


def _sign_up(db, clock, email="ada@example.com", password=PASSWORD, name="Ada"):
    messages = accounts.sign_up(db, name=name, email=email, password=password, meta=META, clock=clock)
    db.commit()
    return messages


# ---- sign-up validation ----------------------------------------------------------------


def test_sign_up_normalises_the_email(db, clock):
    [message] = _sign_up(db, clock, email="  Ada.Lovelace@EXAMPLE.Com ")
    assert message["To"] == "ada.lovelace@example.com"
    assert _user(db, "ada.lovelace@example.com").name == "Ada"


@pytest.mark.parametrize("email", ["", "   ", "not-an-email", "ada@", "@example.com", "ada@@example.com", None, 42])
def test_sign_up_refuses_an_invalid_email(db, clock, email):
    with pytest.raises(InvalidInput) as caught:
        _sign_up(db, clock, email=email)
    assert "email" in caught.value.fields
    assert caught.value.fields["email"].startswith("Enter")
    assert db.exec(select(func.count()).select_from(User)).one() == 0


@pytest.mark.parametrize(
    "password, problem",
    [
        ("", "Enter a password."),
        ("Sh0rt!x", "Use at least 8 characters."),
        ("x" * 129, "Use at most 128 characters."),
    ],
)
def test_sign_up_password_length_is_8_to_128(db, clock, password, problem):
    with pytest.raises(InvalidInput) as caught:
        _sign_up(db, clock, password=password)
    assert caught.value.fields == {"password": problem}
    assert db.exec(select(func.count()).select_from(User)).one() == 0


@pytest.mark.parametrize(
    "password",
    [
        "zq8vkt3w",  # exactly 8, lowercase and digits only: no composition rules
        "w" * 7 + "ü",  # 8 characters, one of them not ASCII
        "k" * 128,  # the longest allowed
        "correct horse battery staple",  # spaces
        "  leading and trailing spaces  ",
        "пароль-для-входа",  # Cyrillic
        "密码是一个很长的句子吗",  # CJK
        "🦄🦄🦄🦄🦄🦄🦄🦄",  # emoji
    ],
)
def test_sign_up_accepts_any_characters_and_the_password_then_signs_in(db, clock, password):
    [message] = _sign_up(db, clock, password=password)
    accounts.verify_email(db, link_token(message), META, clock)
    db.commit()
    token, identity = accounts.sign_in(db, email="ada@example.com", password=password, meta=META, clock=clock)
    assert identity.user.email == "ada@example.com"
    # Spaces are part of the password, not trimmed away.
    if password != password.strip():
        with pytest.raises(InvalidCredentials):
            accounts.sign_in(db, email="ada@example.com", password=password.strip(), meta=META, clock=clock)


@pytest.mark.parametrize("password", ["password", "12345678", "iloveyou", "Password1", "QWERTYUIOP"])
def test_sign_up_refuses_a_common_password_with_a_clear_message(db, clock, password):
    with pytest.raises(InvalidInput) as caught:
        _sign_up(db, clock, password=password)
    message = caught.value.fields["password"]
    assert "too common" in message
    assert "harder to guess" in message


def test_sign_up_reports_every_field_problem_at_once(db, clock):
    with pytest.raises(InvalidInput) as caught:
        accounts.sign_up(db, name="  ", email="nope", password="short", meta=META, clock=clock)
    assert set(caught.value.fields) == {"name", "email", "password"}


# ---- sign-up for a registered email -------------------------------------------------------


def test_sign_up_with_a_verified_email_sends_a_notice_and_changes_nothing(db, clock, signed_up):
    signed_up()
    before = _user(db).password_hash
    [notice] = _sign_up(db, clock, email="ADA@example.com", password="an attacker's new password", name="Mallory")
    assert notice["To"] == "ada@example.com"
    assert "Someone tried to sign up" in notice["Subject"]
    assert "http://localhost:3000/forgot-password" in notice.get_content()
    assert "token=" not in notice.get_content()
    user = _user(db)
    assert (user.name, user.password_hash) == ("Ada", before)
    assert db.exec(select(func.count()).select_from(User)).one() == 1
    # The owner's password still works; the would-be newcomer's does not.
    accounts.sign_in(db, email="ada@example.com", password=PASSWORD, meta=META, clock=clock)
    with pytest.raises(InvalidCredentials):
        accounts.sign_in(db, email="ada@example.com", password="an attacker's new password", meta=META, clock=clock)


def test_sign_up_again_while_unverified_sends_a_fresh_working_link(db, clock):
    [first] = _sign_up(db, clock)
    clock.advance(hours=3)  # the first link has expired
    [second] = _sign_up(db, clock, password="some other passphrase")
    assert second["Subject"] == first["Subject"]
    assert link_token(second) != link_token(first)
    with pytest.raises(InvalidToken):
        accounts.verify_email(db, link_token(first), META, clock)
    db.rollback()
    assert accounts.verify_email(db, link_token(second), META, clock).email_verified
    db.commit()
    # The account keeps its first password: a second sign-up cannot take it over.
    accounts.sign_in(db, email="ada@example.com", password=PASSWORD, meta=META, clock=clock)
    assert db.exec(select(func.count()).select_from(User)).one() == 1


# ---- verification ----------------------------------------------------------------------


def test_verification_link_points_at_the_base_url(db, clock):
    [message] = _sign_up(db, clock)
    assert message["Subject"] == "Verify your email for FluxKit"
    assert f"http://localhost:3000/verify-email?token={link_token(message)}" in message.get_content()


def test_unverified_account_cannot_sign_in_until_the_link_is_followed(db, clock):
    [message] = _sign_up(db, clock)
    with pytest.raises(InvalidCredentials):
        accounts.sign_in(db, email="ada@example.com", password=PASSWORD, meta=META, clock=clock)
    db.rollback()
    user = accounts.verify_email(db, link_token(message), META, clock)
    db.commit()
    assert user.email_verified
    token, identity = accounts.sign_in(db, email="ada@example.com", password=PASSWORD, meta=META, clock=clock)
    assert identity.user.id == user.id


def test_verification_link_works_once(db, clock):
    [message] = _sign_up(db, clock)
    accounts.verify_email(db, link_token(message), META, clock)
    db.commit()
    with pytest.raises(InvalidToken):
        accounts.verify_email(db, link_token(message), META, clock)


def test_verification_link_works_for_2_hours_and_not_after(db, clock):
    [early, late] = _sign_up(db, clock) + _sign_up(db, clock)
    clock.advance(hours=1, minutes=59)
    assert accounts.verify_email(db, link_token(early), META, clock).email_verified
    db.commit()

    [message] = _sign_up(db, clock, email="bob@example.com", name="Bob")
    clock.advance(hours=2, seconds=1)
    with pytest.raises(InvalidToken):
        accounts.verify_email(db, link_token(message), META, clock)
    db.rollback()
    assert _user(db, "bob@example.com").email_verified is False


@pytest.mark.parametrize("token", ["", "forged-token", "x" * 43, "x" * 500, None, 12345, ["a"]])
def test_forged_verification_token_is_refused(db, clock, token):
    _sign_up(db, clock)
    with pytest.raises(InvalidToken):
        accounts.verify_email(db, token, META, clock)
    db.rollback()
    assert _user(db).email_verified is False


def test_a_reset_token_is_not_a_verification_token(db, clock):
    _sign_up(db, clock)
    [reset] = accounts.request_password_reset(db, "ada@example.com", meta=META, clock=clock)
    db.commit()
    with pytest.raises(InvalidToken):
        accounts.verify_email(db, link_token(reset), META, clock)


def test_send_verification_only_for_unverified_accounts(db, clock, signed_up):
    _sign_up(db, clock, email="new@example.com", name="New")
    signed_up("done@example.com")
    [message] = accounts.send_verification(db, " NEW@example.com", META, clock)
    db.commit()
    assert message["To"] == "new@example.com"
    assert accounts.verify_email(db, link_token(message), META, clock).email_verified
    assert accounts.send_verification(db, "done@example.com", META, clock) == []
    assert accounts.send_verification(db, "nobody@example.com", META, clock) == []
    assert accounts.send_verification(db, "garbage", META, clock) == []


# ---- sign-in ---------------------------------------------------------------------------


def _sign_in_error(db, clock, email, password) -> InvalidCredentials:
    with pytest.raises(InvalidCredentials) as caught:
        accounts.sign_in(db, email=email, password=password, meta=META, clock=clock)
    db.rollback()
    return caught.value


def test_sign_in_error_is_identical_for_unknown_wrong_and_unverified(db, clock, signed_up):
    signed_up("ada@example.com")
    _sign_up(db, clock, email="pending@example.com", name="Pending")
    errors = [
        _sign_in_error(db, clock, "nobody@example.com", PASSWORD),
        _sign_in_error(db, clock, "ada@example.com", PASSWORD + "!"),
        _sign_in_error(db, clock, "pending@example.com", PASSWORD),
        _sign_in_error(db, clock, "not an email", PASSWORD),
        _sign_in_error(db, clock, "ada@example.com", ""),
    ]
    shapes = {(type(e), e.code, e.message, tuple(e.fields.items())) for e in errors}
    assert len(shapes) == 1
    assert errors[0].message == accounts.SIGN_IN_FAILED


@pytest.mark.production_hash_cost
def test_sign_in_costs_a_hash_even_for_an_unknown_email(db, clock, signed_up):
    """Timing does not tell whether an account exists: both paths run argon2."""
    signed_up()

    def fastest(email: str) -> float:
        times = []
        for _ in range(5):
            start = time.perf_counter()
            with pytest.raises(InvalidCredentials):
                accounts.sign_in(db, email=email, password="wrong passphrase", meta=META, clock=clock)
            times.append(time.perf_counter() - start)
            db.rollback()
        return min(times)

    known, unknown = fastest("ada@example.com"), fastest("nobody@example.com")
    hash_cost = min(_timed(lambda: passwords.verify_password("x", passwords.hash_password("y"))) for _ in range(3)) / 2
    assert unknown > 0.5 * hash_cost
    assert unknown > 0.5 * known


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def test_sign_in_accepts_the_email_in_any_case(db, clock, signed_up):
    signed_up()
    _, identity = accounts.sign_in(db, email=" ADA@Example.com ", password=PASSWORD, meta=META, clock=clock)
    assert identity.user.email == "ada@example.com"


# ---- hash upgrades ------------------------------------------------------------------------


def _store_hash(db, password_hash: str, email="ada@example.com") -> None:
    user = _user(db, email)
    user.password_hash = password_hash
    db.add(user)
    db.commit()


@pytest.mark.production_hash_cost
@pytest.mark.parametrize(
    "old_hash",
    [
        pytest.param(lambda p: pbkdf2_sha256.hash(p), id="pbkdf2_sha256"),
        pytest.param(
            lambda p: argon2.using(type="ID", memory_cost=8192, time_cost=1, parallelism=1).hash(p), id="argon2id-weak"
        ),
        pytest.param(
            lambda p: argon2.using(type="ID", memory_cost=19456, time_cost=1, parallelism=1).hash(p), id="argon2id-t1"
        ),
        pytest.param(
            lambda p: argon2.using(type="I", memory_cost=19456, time_cost=3, parallelism=1).hash(p), id="argon2i"
        ),
    ],
)
def test_older_hash_is_upgraded_to_argon2id_at_sign_in(db, clock, signed_up, old_hash):
    signed_up()
    stored = old_hash(PASSWORD)
    _store_hash(db, stored)

    # A wrong password does not touch the stored hash.
    _sign_in_error(db, clock, "ada@example.com", "not the passphrase")
    assert _user(db).password_hash == stored

    accounts.sign_in(db, email="ada@example.com", password=PASSWORD, meta=META, clock=clock)
    db.commit()
    upgraded = _user(db).password_hash
    assert upgraded != stored
    assert upgraded.startswith("$argon2id$v=19$")
    params = dict(kv.split("=") for kv in upgraded.split("$")[3].split(","))
    # At least OWASP's floor: 19 MiB, 2 iterations, 1 lane.
    assert int(params["m"]) >= 19 * 1024 and int(params["t"]) >= 2 and int(params["p"]) >= 1
    # The upgraded hash still matches, and is not upgraded again.
    accounts.sign_in(db, email="ada@example.com", password=PASSWORD, meta=META, clock=clock)
    db.commit()
    assert _user(db).password_hash == upgraded


@pytest.mark.production_hash_cost
def test_new_hashes_are_argon2id_with_owasp_parameters(db, clock, signed_up):
    signed_up()
    stored = _user(db).password_hash
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored
    params = dict(kv.split("=") for kv in stored.split("$")[3].split(","))
    assert int(params["m"]) >= 19 * 1024 and int(params["t"]) >= 2


# ---- command-line accounts ------------------------------------------------------------------


def test_create_verified_user_can_sign_in_at_once_and_refuses_duplicates(db, clock):
    accounts.create_verified_user(db, accounts.NewUser("Root@Example.com", "Root", PASSWORD, admin=True), META, clock)
    db.commit()
    _, identity = accounts.sign_in(db, email="root@example.com", password=PASSWORD, meta=META, clock=clock)
    assert identity.user.is_admin
    with pytest.raises(InvalidInput):
        accounts.create_verified_user(db, accounts.NewUser("root@example.com", "Again", PASSWORD), META, clock)


def test_safe_redirect_keeps_only_relative_paths():
    assert accounts.safe_redirect("/tasks?x=1") == "/tasks?x=1"
    for bad in [
        "https://evil.example/x",
        "//evil.example",
        "/\\evil.example",
        "evil.example",
        "javascript:alert(1)",
        "/\x00x",
        None,
        7,
    ]:
        assert accounts.safe_redirect(bad) == "/dashboard"
    assert accounts.safe_redirect("//evil.example", default="/reset-password") == "/reset-password"


def test_admins_lists_and_the_users_own_tabs_hear_of_a_sign_up_and_its_verification(db, clock):
    """An admin watching /users sees the new account arrive, then turn verified, live."""
    from fluxkit.services import live

    admin = accounts.create_verified_user(db, accounts.NewUser("root@example.com", "Root", PASSWORD), META)
    db.exec(select(User).where(User.id == admin.id)).one().role = "admin"
    db.commit()
    heard: list[tuple[int, frozenset[str]]] = []
    stop = live.subscribe(lambda uid, topics: heard.append((uid, topics)))
    try:
        [message] = _sign_up(db, clock)
        db.commit()
        assert (admin.id, frozenset({"users"})) in heard
        heard.clear()
        user = accounts.verify_email(db, link_token(message), META, clock)
        db.commit()
        assert (admin.id, frozenset({"users"})) in heard
        assert any(uid == user.id and "account" in topics for uid, topics in heard)
    finally:
        stop()


def test_a_password_sign_in_to_an_account_without_one_costs_a_hash_too(db, clock, signed_up, monkeypatch):
    """An account made through a provider (no password) is refused as slowly as a wrong password,
    so timing does not tell that it exists and signs in another way."""
    signed_up()
    user = accounts.user_by_email(db, "ada@example.com")
    user.password_hash = ""
    db.add(user)
    db.commit()
    burned: list[str] = []
    real_burn = passwords.burn_hash_time
    monkeypatch.setattr(passwords, "burn_hash_time", lambda text: burned.append(text) or real_burn(text))
    with pytest.raises(InvalidCredentials):
        accounts.sign_in(db, email="ada@example.com", password="any passphrase", meta=META, clock=clock)
    assert burned == ["any passphrase"]
