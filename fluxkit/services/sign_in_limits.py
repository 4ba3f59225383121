"""Sign-in limits that stop attackers, not users (OWASP's "device cookies" scheme).

Only failures count; a correct password never uses up anything, so 5 colleagues behind one
office address all sign in. Failures are counted three ways:

- per (account, address): one address guessing one account is slowed down first;
- per address over all accounts: credential stuffing from one address stops;
- per account, from browsers it never signed in on: a spread-out attack locks the account
  for *unknown* browsers only.

A browser the account signed in on before carries a device cookie (a nonce signed with the
account's address); it is judged by its own failures alone, so the owner gets in while the
account is under attack. Everyone else still has the emailed sign-in link
(`POST /api/auth/sign-in/magic-link`), which no guessing can lock.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from fluxkit.services import ratelimit
from fluxkit.settings import get_settings

DEVICE_COOKIE = "fluxkit.device"
DEVICE_COOKIE_DAYS = 365


@dataclass(frozen=True)
class Refusal:
    verdict: ratelimit.Verdict
    message: str


def _signature(account: str, nonce: str) -> str:
    key = get_settings().secret_key.encode()
    return hmac.new(key, f"device|{account}|{nonce}".encode(), hashlib.sha256).hexdigest()[:32]


def new_device_cookie(account: str) -> str:
    nonce = secrets.token_urlsafe(16)
    return f"{nonce}.{_signature(account, nonce)}"


def trusted_device(cookie: object, account: str) -> str | None:
    """The device's nonce when `cookie` was issued to this browser at a sign-in to `account`."""
    if not isinstance(cookie, str) or not account or len(cookie) > 200:
        return None
    nonce, _, signature = cookie.partition(".")
    if not nonce or not hmac.compare_digest(signature, _signature(account, nonce)):
        return None
    return nonce


def _wait_message(verdict: ratelimit.Verdict, hint: str) -> str:
    return f"Too many failed sign-ins. Try again in {ratelimit.human_wait(verdict.retry_after)}{hint}."


LINK_HINT = ", or have us email you a sign-in link"


def refusal(account: str, address: str, device: str | None) -> Refusal | None:
    """Why this attempt is refused before the password is even checked; None: go ahead."""
    if device is not None:
        verdict = ratelimit.peek(ratelimit.SIGN_IN_PER_DEVICE, "device", device)
        if verdict.allowed:
            return None  # a known browser: the account's and address's counts do not apply
        # A known browser that keeps failing is treated like any other from now on.
    checks = [
        (ratelimit.SIGN_IN_PER_ADDRESS, ("address", address)),
    ]
    if account:
        checks[:0] = [
            (ratelimit.SIGN_IN_PER_PAIR, ("pair", account, address)),
            (ratelimit.SIGN_IN_PER_ACCOUNT, ("account", account)),
        ]
    for item, key in checks:
        verdict = ratelimit.peek(item, "sign-in", *key)
        if not verdict.allowed:
            return Refusal(verdict, _wait_message(verdict, LINK_HINT if account else ""))
    return None


def failed(account: str, address: str, device: str | None) -> None:
    """Count one failed sign-in."""
    if device is not None and ratelimit.peek(ratelimit.SIGN_IN_PER_DEVICE, "device", device).allowed:
        ratelimit.hit(ratelimit.SIGN_IN_PER_DEVICE, "device", device)
        return
    ratelimit.hit(ratelimit.SIGN_IN_PER_ADDRESS, "sign-in", "address", address)
    if account:
        ratelimit.hit(ratelimit.SIGN_IN_PER_PAIR, "sign-in", "pair", account, address)
        ratelimit.hit(ratelimit.SIGN_IN_PER_ACCOUNT, "sign-in", "account", account)


def succeeded(account: str, address: str) -> None:
    """The owner got in from here: this address's failures on this account are forgotten."""
    ratelimit.clear(ratelimit.SIGN_IN_PER_PAIR, "sign-in", "pair", account, address)
