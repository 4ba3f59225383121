"""/api/auth/two-factor/* and the sign-in of a two-factor account, as a browser calls them.

Codes are real TOTP codes computed with pyotp from the secret in `totpURI`; time is moved
with time_machine (the routes read the system clock).
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest
import time_machine
from sqlmodel import select

from fluxkit.db import session_scope
from fluxkit.models import AuditEvent, UserSession
from fluxkit.services import ratelimit
from fluxkit.services import two_factor as tf
from tests.support.factories import PASSWORD, make_user
from tests.support.http import cookie_name, emails, session_of, signed_in_client

# The start of a 30-second step, so every test knows where the window's edges are.
START = datetime(2026, 12, 3, 12, 0, 0, tzinfo=UTC)
ENABLE = "/api/auth/two-factor/enable"
VERIFY = "/api/auth/two-factor/verify-totp"
BACKUP = "/api/auth/two-factor/verify-backup-code"
DISABLE = "/api/auth/two-factor/disable"
REGENERATE = "/api/auth/two-factor/generate-backup-codes"


@pytest.fixture
def travel():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def _secret(answer: dict) -> str:
    return parse_qs(urlsplit(answer["totpURI"]).query)["secret"][0]


def _code(secret: str, offset: float = 0) -> str:
    return pyotp.TOTP(secret).at(datetime.fromtimestamp(time.time() + offset, UTC))


def _turn_on(browser) -> tuple[str, list[str]]:
    answer = browser.post(ENABLE, json={"password": PASSWORD})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert set(body) == {"totpURI", "backupCodes"}
    secret = _secret(body)
    confirmed = browser.post(VERIFY, json={"code": _code(secret)})
    assert confirmed.status_code == 200, confirmed.text
    return secret, body["backupCodes"]


@pytest.fixture
def ada(db, new_client, travel, outbox):
    """Ada with two-factor on; (her signed-in browser, secret, backup codes). Time is 30 s later."""
    make_user(db)
    browser = signed_in_client(new_client)
    secret, codes = _turn_on(browser)
    travel.shift(30)  # the next step: the confirming code is spent
    return browser, secret, codes


def _sessions(email: str = "ada@example.com") -> int:
    with session_scope() as db:
        return len(db.exec(select(UserSession)).all())


def _password_step(new_client, **kwargs):
    browser = new_client(**kwargs)
    answer = browser.post(
        "/api/auth/sign-in/email", json={"email": "ada@example.com", "password": PASSWORD, "callbackURL": "/tasks"}
    )
    return browser, answer


# ---- turning it on -----------------------------------------------------------------------------


def test_enable_needs_a_session_and_the_password(db, new_client, travel):
    make_user(db)
    assert new_client().post(ENABLE, json={"password": PASSWORD}).status_code == 401
    browser = signed_in_client(new_client)
    wrong = browser.post(ENABLE, json={"password": "not it"})
    assert wrong.status_code == 422
    assert wrong.json()["fields"] == {"password": "Your password is not right."}


def test_two_factor_counts_only_after_the_first_code(db, new_client, travel, outbox):
    make_user(db)
    browser = signed_in_client(new_client)
    body = browser.post(ENABLE, json={"password": PASSWORD}).json()
    assert body["totpURI"].startswith("otpauth://totp/FluxKit:ada%40example.com?")
    assert len(body["backupCodes"]) == 10
    # Not confirmed yet: a password alone still signs in.
    _, answer = _password_step(new_client)
    assert "user" in answer.json() and "twoFactorRedirect" not in answer.json()
    assert browser.get("/api/auth/two-factor/status").json()["pending"] is True
    wrong = browser.post(VERIFY, json={"code": "000000" if _code(_secret(body)) != "000000" else "111111"})
    assert wrong.status_code == 422 and wrong.json()["fields"]["code"]
    assert browser.post(VERIFY, json={"code": _code(_secret(body))}).json()["status"] is True
    assert browser.get("/api/auth/two-factor/status").json() == {
        "enabled": True,
        "pending": False,
        "backupCodesLeft": 10,
        "trustedDevices": 0,
    }
    [message] = emails(outbox, subject="Two-factor sign-in turned on")
    assert message["To"] == "ada@example.com"
    # The secret is never sent again: enabling twice is refused, nothing echoes it.
    again = browser.post(ENABLE, json={"password": PASSWORD})
    assert again.status_code == 409 and _secret(body) not in again.text


# ---- signing in with a second step --------------------------------------------------------------


def test_password_sign_in_answers_two_factor_redirect_and_opens_no_session(ada, new_client):
    _, secret, _ = ada
    before = _sessions()
    browser, answer = _password_step(new_client)
    assert answer.status_code == 200
    assert answer.json() == {"twoFactorRedirect": True, "redirect": "/two-factor?redirect=/tasks"}
    assert not browser.cookies.get(cookie_name())
    assert session_of(browser) is None
    assert _sessions() == before
    challenge_cookie = [
        v for k, v in answer.headers.multi_items() if k == "set-cookie" and v.startswith(tf.CHALLENGE_COOKIE)
    ]
    [header] = challenge_cookie
    assert "HttpOnly" in header and "Path=/api/auth" in header and "Max-Age=600" in header

    done = browser.post(VERIFY, json={"code": _code(secret), "trustDevice": False})
    assert done.status_code == 200, done.text
    assert done.json()["user"]["email"] == "ada@example.com"
    assert done.json()["redirect"] == "/tasks"
    assert "token" not in done.json()
    assert session_of(browser)["user"]["email"] == "ada@example.com"
    assert _sessions() == before + 1
    # The challenge is spent: its cookie is cleared and it cannot open another session.
    assert not browser.cookies.get(tf.CHALLENGE_COOKIE)


def test_a_replayed_code_is_refused(ada, new_client):
    _, secret, _ = ada
    code = _code(secret)
    first, _ = _password_step(new_client, ip="203.0.113.1")
    assert first.post(VERIFY, json={"code": code}).status_code == 200
    second, _ = _password_step(new_client, ip="203.0.113.2")
    replay = second.post(VERIFY, json={"code": code})
    assert replay.status_code == 422
    assert session_of(second) is None


def test_codes_at_the_window_edges(ada, new_client, travel):
    _, secret, _ = ada
    travel.shift(300)
    browser, _ = _password_step(new_client)
    assert browser.post(VERIFY, json={"code": _code(secret, -60)}).status_code == 422  # two steps back
    assert browser.post(VERIFY, json={"code": _code(secret, +60)}).status_code == 422  # two steps ahead
    assert browser.post(VERIFY, json={"code": _code(secret, +30)}).status_code == 200  # the next step
    travel.shift(29)  # the last second of the step before the one just used
    browser, _ = _password_step(new_client)
    # The code of the step just spent (and older) cannot be used; the next one can.
    assert browser.post(VERIFY, json={"code": _code(secret, +1)}).status_code == 422
    travel.shift(31)
    assert browser.post(VERIFY, json={"code": _code(secret, +1)}).status_code == 200


def test_a_backup_code_signs_in_once(ada, new_client, outbox):
    _, _, codes = ada
    browser, _ = _password_step(new_client)
    assert browser.post(BACKUP, json={"code": codes[0]}).status_code == 200
    assert session_of(browser)["user"]["email"] == "ada@example.com"
    other, _ = _password_step(new_client, ip="203.0.113.9")
    again = other.post(BACKUP, json={"code": codes[0]})
    assert again.status_code == 422 and "already used" in again.json()["message"]
    assert session_of(other) is None


def test_no_challenge_means_sign_in_again(db, new_client, travel):
    make_user(db)
    stranger = new_client()
    for path in (VERIFY, BACKUP):
        answer = stranger.post(path, json={"code": "123456"})
        assert answer.status_code == 401
        assert answer.json()["error"] == "two_factor_expired"
    forged = new_client()
    forged.cookies.set(tf.CHALLENGE_COOKIE, "forged-token", path="/api/auth")
    assert forged.post(VERIFY, json={"code": "123456"}).status_code == 401


def test_the_challenge_expires(ada, new_client, travel):
    _, secret, _ = ada
    browser, _ = _password_step(new_client)
    travel.shift(601)
    expired = browser.post(VERIFY, json={"code": _code(secret)})
    assert expired.status_code == 401 and "Sign in again" in expired.json()["message"]
    assert session_of(browser) is None


def test_wrong_codes_are_limited_per_challenge_and_per_account(ada, new_client):
    _, secret, _ = ada
    browser, _ = _password_step(new_client)
    for _ in range(tf.CHALLENGE_FAILURES):
        assert browser.post(VERIFY, json={"code": "000000"}).status_code == 422
    closed = browser.post(VERIFY, json={"code": _code(secret)})
    assert closed.status_code == 401 and "Too many wrong codes" in closed.json()["message"]
    # A fresh challenge from the same account has what is left of the account's budget.
    left = ratelimit.TWO_FACTOR_PER_ACCOUNT.amount - tf.CHALLENGE_FAILURES
    browser, _ = _password_step(new_client, ip="203.0.113.5")
    for _ in range(left):
        assert browser.post(BACKUP, json={"code": "aaaaa-bbbbb"}).status_code in (422, 401)
        browser, _ = _password_step(new_client, ip="203.0.113.5")
    limited = browser.post(VERIFY, json={"code": _code(secret)})
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) > 0
    assert limited.json()["error"] == "rate_limited"
    assert session_of(browser) is None


def test_a_trusted_device_skips_the_step_for_thirty_days(ada, new_client, travel):
    _, secret, _ = ada
    browser, _ = _password_step(new_client)
    done = browser.post(VERIFY, json={"code": _code(secret), "trustDevice": True})
    [header] = [v for k, v in done.headers.multi_items() if k == "set-cookie" and v.startswith(tf.TRUSTED_COOKIE)]
    assert "HttpOnly" in header and f"Max-Age={30 * 86400}" in header
    browser.post("/api/auth/sign-out")
    assert session_of(browser) is None
    again = browser.post("/api/auth/sign-in/email", json={"email": "ada@example.com", "password": PASSWORD})
    assert "user" in again.json()  # straight in
    browser.post("/api/auth/sign-out")
    travel.shift(30 * 86400 + 1)
    later = browser.post("/api/auth/sign-in/email", json={"email": "ada@example.com", "password": PASSWORD})
    assert later.json()["twoFactorRedirect"] is True


def test_magic_link_of_a_two_factor_account_goes_to_the_second_step(ada, new_client, outbox):
    _, secret, _ = ada
    browser = new_client()
    browser.post("/api/auth/sign-in/magic-link", json={"email": "ada@example.com", "callbackURL": "/calendar"})
    [message] = emails(outbox, subject="sign-in link")
    [link] = re.findall(r"http://localhost:3000(/api/auth/magic-link/verify\S+)", message.get_content())
    followed = browser.get(link)
    assert followed.status_code == 303
    assert followed.headers["location"] == "/two-factor?redirect=/calendar"
    assert session_of(browser) is None
    done = browser.post(VERIFY, json={"code": _code(secret)})
    assert done.status_code == 200 and done.json()["redirect"] == "/calendar"
    assert session_of(browser)["user"]["email"] == "ada@example.com"


# ---- changing it -----------------------------------------------------------------------------------


def test_disable_needs_the_password_and_emails(ada, new_client, outbox):
    browser, _, _ = ada
    assert browser.post(DISABLE, json={"password": "wrong"}).status_code == 422
    assert browser.get("/api/auth/two-factor/status").json()["enabled"] is True
    assert browser.post(DISABLE, json={"password": PASSWORD}).json() == {"status": True}
    [message] = emails(outbox, subject="Two-factor sign-in turned off")
    assert message["To"] == "ada@example.com"
    _, answer = _password_step(new_client)
    assert "user" in answer.json()
    assert new_client().post(DISABLE, json={"password": PASSWORD}).status_code == 401


def test_generate_backup_codes_needs_the_password_and_retires_the_old(ada, new_client, outbox):
    browser, _, old = ada
    assert browser.post(REGENERATE, json={"password": "wrong"}).status_code == 422
    answer = browser.post(REGENERATE, json={"password": PASSWORD})
    assert answer.status_code == 200
    new = answer.json()["backupCodes"]
    assert len(new) == 10 and not set(new) & set(old)
    assert emails(outbox, subject="New backup codes for FluxKit")
    other, _ = _password_step(new_client)
    assert other.post(BACKUP, json={"code": old[1]}).status_code == 422
    assert other.post(BACKUP, json={"code": new[1]}).status_code == 200


def test_every_change_is_in_the_audit_log(ada, new_client):
    browser, secret, codes = ada
    signer, _ = _password_step(new_client)
    signer.post(VERIFY, json={"code": "000000"})
    signer.post(BACKUP, json={"code": codes[2]})
    browser.post(REGENERATE, json={"password": PASSWORD})
    browser.post(DISABLE, json={"password": PASSWORD})
    with session_scope() as db:
        actions = [e.action for e in db.exec(select(AuditEvent).order_by(AuditEvent.id))]
    for action in (
        "two_factor_setup_started",
        "two_factor_enabled",
        "two_factor_challenge",
        "two_factor_failed",
        "backup_codes_generated",
        "two_factor_disabled",
    ):
        assert action in actions
    sign_ins = [e for e in actions if e == "sign_in"]
    assert len(sign_ins) == 2  # Ada's first browser, then the backup code; never the bare password step


@pytest.mark.parametrize(
    "body", [None, [], "x", {"code": None}, {"code": 123456}, {"code": "1" * 5000}, {"password": ["x"]}]
)
@pytest.mark.parametrize("path", [ENABLE, VERIFY, BACKUP, DISABLE, REGENERATE])
def test_malformed_bodies_get_a_clear_refusal_never_a_500(ada, new_client, path, body):
    browser, _, _ = ada
    challenged, _ = _password_step(new_client)
    for who in (browser, challenged, new_client()):
        answer = who.post(path, json=body)
        assert answer.status_code in (401, 409, 422), answer.text
        assert set(answer.json()) >= {"error", "message"}


def test_the_rest_api_refuses_an_organization_requiring_two_factor_with_a_clear_error(db, ada, new_client):
    from fluxkit.services import organizations as orgs
    from tests.support.factories import make_organization
    from tests.support.http import make_account

    browser, _, _ = ada
    owner = session_of(browser)["user"]["id"]
    bob = make_account(db, "bob@example.com", "Bob")
    org = make_organization(db, owner, "Acme", members={bob.user.id: "member"})
    orgs.set_two_factor_requirement(db, owner, org.id, True)
    db.commit()
    for path in (f"/api/v1/organizations/{org.id}/members", f"/api/v1/organizations/{org.id}"):
        refused = new_client().get(path, headers=bob.headers)
        assert refused.status_code == 403
        assert refused.json()["error"] == "two_factor_required"
        assert "Acme requires two-factor sign-in" in refused.json()["message"]
    listed = new_client().get("/api/v1/organizations", headers=bob.headers).json()
    assert listed[0]["require_two_factor"] is True
