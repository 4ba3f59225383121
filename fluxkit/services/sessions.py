"""Sessions: created at sign-in, resolved on every request and event, revoked at once."""

from __future__ import annotations

from datetime import timedelta
from http.cookies import SimpleCookie

from sqlmodel import Session, col, delete, select

from fluxkit.clock import Clock, system_clock
from fluxkit.models import User, UserSession
from fluxkit.services import tokens
from fluxkit.services.audit import RequestMeta
from fluxkit.services.dto import Identity, SessionInfo, UserInfo
from fluxkit.settings import Settings, get_settings

SESSION_LIFETIME = timedelta(days=7)
# Sliding refresh: a session used after this much time gets a fresh 7-day expiry.
REFRESH_AFTER = timedelta(days=1)


def token_from_cookie_header(cookie_header: str | None, settings: Settings | None = None) -> str | None:
    """The session token in a Cookie header (HTTP request or websocket handshake), if any."""
    if not cookie_header:
        return None
    name = (settings or get_settings()).session_cookie_name
    jar = SimpleCookie()
    try:
        jar.load(cookie_header)
    except Exception:
        return None
    morsel = jar.get(name)
    return morsel.value if morsel else None


def create_session(db: Session, user: User, meta: RequestMeta, clock: Clock = system_clock) -> tuple[str, UserSession]:
    """A new random token for every sign-in; only its keyed hash is stored."""
    token = tokens.new_token()
    now = clock.now()
    row = UserSession(
        user_id=user.id,
        token_hash=tokens.hash_token(token),
        created_at=now,
        refreshed_at=now,
        expires_at=now + SESSION_LIFETIME,
        ip=meta.ip[:64],
        user_agent=meta.user_agent[:512],
    )
    db.add(row)
    db.flush()
    return token, row


def resolve(db: Session, token: str | None, clock: Clock = system_clock) -> Identity | None:
    """The identity behind a session token, or None if it is unknown, expired or revoked.

    Slides the expiry forward when the session was last refreshed over a day ago.
    """
    if not token or len(token) > 200:
        return None
    now = clock.now()
    row = db.exec(
        select(UserSession, User)
        .join(User, col(User.id) == col(UserSession.user_id))
        .where(UserSession.token_hash == tokens.hash_token(token))
    ).first()
    if row is None:
        return None
    session, user = row
    if user.suspended_at is not None:
        return None  # suspending revokes every session; this also covers one made in between
    if session.expires_at <= now:
        db.delete(session)
        return None
    refreshed = False
    if now - session.refreshed_at >= REFRESH_AFTER:
        session.refreshed_at = now
        session.expires_at = now + SESSION_LIFETIME
        db.add(session)
        refreshed = True
    return Identity(user=UserInfo.of(user), session=SessionInfo.of(session), refreshed=refreshed)


def list_sessions(db: Session, user_id: int, clock: Clock = system_clock) -> list[SessionInfo]:
    query = (
        select(UserSession)
        .where(UserSession.user_id == user_id, UserSession.expires_at > clock.now())
        .order_by(col(UserSession.refreshed_at).desc())
    )
    return [SessionInfo.of(s) for s in db.exec(query)]


def revoke(db: Session, user_id: int, session_id: int) -> bool:
    """Revoke one of the user's own sessions. False if it is not theirs (or gone)."""
    result = db.exec(delete(UserSession).where(UserSession.id == session_id, UserSession.user_id == user_id))
    return result.rowcount > 0


def revoke_all(db: Session, user_id: int, *, keep_session_id: int | None = None) -> int:
    query = delete(UserSession).where(UserSession.user_id == user_id)
    if keep_session_id is not None:
        query = query.where(UserSession.id != keep_session_id)
    return db.exec(query).rowcount


def purge_expired(db: Session, clock: Clock = system_clock) -> int:
    return db.exec(delete(UserSession).where(UserSession.expires_at <= clock.now())).rowcount


def recently_refreshed(
    identity: Identity, clock: Clock = system_clock, within: timedelta = timedelta(minutes=1)
) -> bool:
    """True just after a sliding refresh: the browser's cookie still has the old max-age."""
    refreshed_at = identity.session.expires_at - SESSION_LIFETIME
    return clock.now() - refreshed_at < within
