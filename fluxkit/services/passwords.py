"""Password policy and hashing (argon2id via libpass, at least OWASP's parameters)."""

from __future__ import annotations

import functools
import os
import threading
import unicodedata
from dataclasses import dataclass

from passlib.context import CryptContext

MIN_LENGTH = 8
MAX_LENGTH = 128


@dataclass(frozen=True)
class HashCost:
    """argon2id's work factors: memory in KiB, iterations, lanes."""

    memory_kib: int
    iterations: int
    lanes: int


# OWASP: argon2id, m=19 MiB, t=2, p=1 is the floor; we go a little above it.
PRODUCTION_COST = HashCost(memory_kib=19 * 1024, iterations=3, lanes=1)


@functools.cache
def _context_for(cost: HashCost) -> CryptContext:
    # pbkdf2_sha256 is accepted for imported accounts and rehashed at their next sign-in.
    return CryptContext(
        schemes=["argon2", "pbkdf2_sha256"],
        deprecated=["pbkdf2_sha256"],
        argon2__type="ID",
        argon2__memory_cost=cost.memory_kib,
        argon2__time_cost=cost.iterations,
        argon2__parallelism=cost.lanes,
    )


_cost = PRODUCTION_COST
_context = _context_for(_cost)


def hash_cost() -> HashCost:
    return _cost


def use_hash_cost(cost: HashCost) -> HashCost:
    """Hash (and re-hash on sign-in) at `cost` from now on in this process; returns the previous cost.

    Only test suites call this, to make fixture accounts cheap: the app never does, so every
    server process hashes at PRODUCTION_COST.
    """
    global _cost, _context
    previous, _cost, _context = _cost, cost, _context_for(cost)
    return previous


# argon2 releases the GIL, so hashes in FastAPI's thread pool run truly in parallel: a burst of
# sign-ins would take every core from the event loop that serves everyone's websocket events.
# At most all cores but one hash at a time in this process (at least one).
_hash_slots = threading.BoundedSemaphore(max(1, (os.cpu_count() or 1) - 1))


def _normal(password: str) -> str:
    """NFKC, so the same password typed on two keyboards (composed or not) matches."""
    return unicodedata.normalize("NFKC", password)


def hash_password(password: str) -> str:
    with _hash_slots:
        return _context.hash(_normal(password))


def verify_password(password: str, password_hash: str) -> tuple[bool, str | None]:
    """(matches, new hash if the stored one uses older scheme or parameters)."""
    try:
        with _hash_slots:
            return _context.verify_and_update(_normal(password), password_hash)
    except (ValueError, TypeError):
        return False, None


@functools.cache
def _dummy_hash(cost: HashCost) -> str:
    return _context_for(cost).hash("not a real password, only burns the same time")


def burn_hash_time(password: str) -> None:
    """Verify against a dummy hash so an unknown email costs as much as a known one."""
    dummy = _dummy_hash(_cost)
    with _hash_slots:
        _context.verify(password, dummy)


@functools.cache
def _common_passwords() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(p.lower() for p in FREQUENCY_LISTS["passwords"])


def password_problem(password: object) -> str | None:
    """Why this password is refused, or None. Length only; no composition rules."""
    if not isinstance(password, str) or not password:
        return "Enter a password."
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    if password.lower() in _common_passwords():
        return "This password is too common. Choose one that is harder to guess."
    return None
