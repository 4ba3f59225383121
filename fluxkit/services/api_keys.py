"""Personal API keys: created and revoked by their owner, shown once, stored as a keyed hash.

A key is `fk_` + 256 random bits. The database keeps the first characters for display
(`prefix`) and an HMAC of the whole key under the app's secret (`key_hash`), so a copy of
the database holds no usable key. `authenticate` turns a presented key back into its owner.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime, timedelta

from limits import RateLimitItem, parse
from sqlalchemy import func
from sqlmodel import Session, col, select

from fluxkit.clock import Clock, system_clock
from fluxkit.models import ApiKey, User
from fluxkit.services import audit, live, tokens, topics
from fluxkit.services.audit import RequestMeta
from fluxkit.services.dto import UserInfo
from fluxkit.services.errors import Conflict, Forbidden, InvalidInput, NotFound
from fluxkit.settings import get_settings

KEY_PREFIX = "fk_"
DISPLAY_CHARS = 11  # "fk_" and 8 characters of the random part
NAME_MAX = 100
MAX_KEYS = 25  # per user: enough for every integration, not a storage sink
# last_used_at is written at most this often, so busy keys do not write on every request.
TOUCH_EVERY = timedelta(minutes=1)
# The REST API's budget per key (Bearer) or per user (session cookie): FLUXKIT_API_RATE_LIMIT,
# 600 a minute unless set (10 a second: an integration syncing in bursts, not a flood).


def api_rate() -> RateLimitItem:
    return _parsed(get_settings().api_rate_limit)


@functools.cache
def _parsed(text: str) -> RateLimitItem:
    return parse(text)


TOPIC = topics.API_KEYS


class TooManyKeys(Conflict):
    code = "too_many_keys"


class SessionRequired(Forbidden):
    """Creating a key needs the signed-in browser, so a leaked key cannot mint successors."""

    code = "session_required"


@dataclass(frozen=True)
class ApiKeyRow:
    """What the owner may see of a key: never the key itself nor its hash."""

    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None

    @classmethod
    def of(cls, row: ApiKey) -> ApiKeyRow:
        return cls(
            id=row.id,
            name=row.name,
            prefix=row.prefix,
            created_at=row.created_at,
            last_used_at=row.last_used_at,
        )


@dataclass(frozen=True)
class NewApiKey:
    """A just-created key: `key` is the only time the plaintext exists outside the caller."""

    row: ApiKeyRow
    key: str


@dataclass(frozen=True)
class KeyIdentity:
    """Who is calling with a key: the owner and which of their keys it was."""

    user: UserInfo
    key_id: int


def clean_name(raw: object) -> str:
    name = raw.strip() if isinstance(raw, str) else ""
    if not name or "\x00" in name:
        raise InvalidInput("Name the key, e.g. after the app that uses it.", fields={"name": "Enter a name."})
    if len(name) > NAME_MAX:
        message = f"Use at most {NAME_MAX} characters."
        raise InvalidInput(message, fields={"name": message})
    return name


def create_key(
    db: Session,
    user_id: int,
    name: object,
    *,
    meta: RequestMeta | None = None,
    clock: Clock = system_clock,
) -> NewApiKey:
    clean = clean_name(name)
    count = db.exec(select(func.count()).select_from(ApiKey).where(ApiKey.user_id == user_id)).one()
    if count >= MAX_KEYS:
        raise TooManyKeys(f"You have {MAX_KEYS} keys, the most allowed. Revoke one you no longer use.")
    key = KEY_PREFIX + tokens.new_token()
    row = ApiKey(
        user_id=user_id,
        name=clean,
        prefix=key[:DISPLAY_CHARS],
        key_hash=tokens.hash_token(key),
        created_at=clock.now(),
    )
    db.add(row)
    db.flush()
    audit.record(
        db, "api_key_created", meta=meta or RequestMeta(), user_id=user_id, detail=f"{row.prefix} {clean}", clock=clock
    )
    live.touch(db, user_id, TOPIC)
    return NewApiKey(row=ApiKeyRow.of(row), key=key)


def list_keys(db: Session, user_id: int) -> list[ApiKeyRow]:
    rows = db.exec(
        select(ApiKey).where(ApiKey.user_id == user_id).order_by(col(ApiKey.created_at).desc(), col(ApiKey.id).desc())
    ).all()
    return [ApiKeyRow.of(r) for r in rows]


def revoke_key(
    db: Session, user_id: int, key_id: object, *, meta: RequestMeta | None = None, clock: Clock = system_clock
) -> None:
    """Delete one of the user's own keys; it stops working at once. NotFound for anyone else's."""
    if not isinstance(key_id, int) or isinstance(key_id, bool):
        raise NotFound("No such API key.")
    row = db.get(ApiKey, key_id)
    if row is None or row.user_id != user_id:
        raise NotFound("No such API key.")
    audit.record(
        db,
        "api_key_revoked",
        meta=meta or RequestMeta(),
        user_id=user_id,
        detail=f"{row.prefix} {row.name}",
        clock=clock,
    )
    db.delete(row)
    live.touch(db, user_id, TOPIC)


def authenticate(db: Session, presented: object, clock: Clock = system_clock) -> KeyIdentity | None:
    """The owner of a presented key, or None. Marks the key used (at most once a minute)."""
    if not isinstance(presented, str) or not presented.startswith(KEY_PREFIX) or len(presented) > 200:
        return None
    found = db.exec(
        select(ApiKey, User)
        .join(User, col(User.id) == col(ApiKey.user_id))
        .where(ApiKey.key_hash == tokens.hash_token(presented))
    ).first()
    if found is None or found[1].suspended_at is not None:
        return None  # a suspended user's keys stop working with their sessions
    key, user = found
    now = clock.now()
    if key.last_used_at is None or now - key.last_used_at >= TOUCH_EVERY:
        key.last_used_at = now
        db.add(key)
    return KeyIdentity(user=UserInfo.of(user), key_id=key.id)
