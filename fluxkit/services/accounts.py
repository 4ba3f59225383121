"""Accounts: sign-up, sign-in, email verification, password reset and change.

Answers that could tell whether an email is registered are the same either way; the
emails each step produces are returned to the caller, which sends them after answering.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from urllib.parse import quote

from email_validator import EmailNotValidError, validate_email
from sqlmodel import Session, select, update

from fluxkit import routes
from fluxkit.clock import Clock, system_clock
from fluxkit.models import User, VerificationToken
from fluxkit.services import audit, email, live, notifications, passwords, sessions, sign_in_methods, tokens, topics
from fluxkit.services.audit import RequestMeta
from fluxkit.services.dto import Identity, UserInfo
from fluxkit.services.errors import InvalidCredentials, InvalidInput, InvalidToken
from fluxkit.settings import get_settings

VERIFY_EMAIL = "email-verification"
RESET_PASSWORD = "password-reset"
VERIFY_TTL = timedelta(hours=2)
RESET_TTL = timedelta(hours=1)
MAGIC_LINK = "magic-link"
MAGIC_LINK_TTL = timedelta(minutes=15)
MAGIC_LINK_PATH = "/api/auth/magic-link/verify"
NAME_MAX = 100

SIGN_IN_FAILED = "Invalid email or password, or the email is not verified yet."
SUSPENDED = "This account is suspended. Contact your administrator to have it reactivated."
USERS_TOPIC = topics.USERS
ACCOUNT_TOPIC = topics.ACCOUNT


# ---- input rules -------------------------------------------------------------------


def normalize_email(raw: object) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise InvalidInput("Enter your email address.", fields={"email": "Enter your email address."})
    try:
        checked = validate_email(raw.strip(), check_deliverability=False)
    except EmailNotValidError:
        message = "Enter a valid email address, like name@example.com."
        raise InvalidInput(message, fields={"email": message}) from None
    return checked.normalized.lower()


def clean_name(raw: object) -> str:
    name = raw.strip() if isinstance(raw, str) else ""
    if not name:
        raise InvalidInput("Enter your name.", fields={"name": "Enter your name."})
    if len(name) > NAME_MAX:
        message = f"Use at most {NAME_MAX} characters."
        raise InvalidInput(message, fields={"name": message})
    return name


def check_new_password(raw: object, field: str = "password") -> str:
    if problem := passwords.password_problem(raw):
        raise InvalidInput(problem, fields={field: problem})
    return raw  # type: ignore[return-value]


def safe_redirect(target: object, default: str = routes.DASHBOARD) -> str:
    """Only a relative path on this site; an absolute or protocol-relative URL is ignored."""
    if not isinstance(target, str) or not target.startswith("/"):
        return default
    if target.startswith("//") or "\\" in target or any(ord(c) < 32 for c in target):
        return default
    return target


# ---- lookups ---------------------------------------------------------------------------


def user_by_email(db: Session, email: str) -> User | None:
    return db.exec(select(User).where(User.email == email)).first()


def issue_token(db: Session, user: User, purpose: str, ttl: timedelta, clock: Clock) -> str:
    token = tokens.new_token()
    now = clock.now()
    db.add(
        VerificationToken(
            user_id=user.id,
            purpose=purpose,
            token_hash=tokens.hash_token(token),
            created_at=now,
            expires_at=now + ttl,
        )
    )
    return token


def consume_token(db: Session, token: object, purpose: str, clock: Clock) -> User:
    """Mark a token used in one conditional UPDATE: of two concurrent uses exactly one wins."""
    if not isinstance(token, str) or not token or len(token) > 200:
        raise InvalidToken("This link is invalid or has expired.")
    token_hash = tokens.hash_token(token)
    now = clock.now()
    result = db.exec(
        update(VerificationToken)
        .where(
            VerificationToken.token_hash == token_hash,
            VerificationToken.purpose == purpose,
            VerificationToken.used_at.is_(None),
            VerificationToken.expires_at > now,
        )
        .values(used_at=now)
    )
    if result.rowcount != 1:
        raise InvalidToken("This link is invalid, has expired or was already used.")
    user_id = db.exec(select(VerificationToken.user_id).where(VerificationToken.token_hash == token_hash)).one()
    return db.get(User, user_id)


# ---- emails ------------------------------------------------------------------------------


def _verification_email(user: User, token: str) -> EmailMessage:
    link = get_settings().url(f"{routes.VERIFY_EMAIL}?token={token}")
    return email.compose(
        user.email,
        "Verify your email for FluxKit",
        f"Hi {user.name},\n\nConfirm your email address to finish creating your FluxKit "
        f"account:\n\n{link}\n\nThe link works once, within 2 hours. If you did not sign "
        "up, ignore this email.\n",
    )


def _already_registered_email(user: User) -> EmailMessage:
    link = get_settings().url(routes.FORGOT_PASSWORD)
    return email.compose(
        user.email,
        "Someone tried to sign up with your email",
        f"Hi {user.name},\n\nSomeone tried to create a FluxKit account with this address, "
        "which already has one. If it was you, sign in instead, or reset your password:\n\n"
        f"{link}\n\nIf it was not you, you can ignore this email.\n",
    )


def _reset_email(user: User, token: str, path: str) -> EmailMessage:
    link = get_settings().url(f"{path}?token={token}")
    return email.compose(
        user.email,
        "Reset your FluxKit password",
        f"Hi {user.name},\n\nChoose a new password here:\n\n{link}\n\nThe link works once, "
        "within 1 hour. If you did not ask for it, ignore this email: your password stays "
        "as it is.\n",
    )


def _password_changed_email(user: User) -> EmailMessage:
    link = get_settings().url(routes.FORGOT_PASSWORD)
    return email.compose(
        user.email,
        "Your FluxKit password was changed",
        f"Hi {user.name},\n\nThe password of your FluxKit account was just changed and every "
        "other session was signed out. If this was not you, reset your password now:\n\n"
        f"{link}\n",
    )


# ---- flows --------------------------------------------------------------------------------


def sign_up(
    db: Session,
    *,
    name: object,
    email: object,
    password: object,
    meta: RequestMeta,
    clock: Clock = system_clock,
) -> list[EmailMessage]:
    """Create an unverified account and email its verification link.

    A registered email gets a notice instead; the caller's answer is the same.
    """
    problems: dict[str, str] = {}
    clean: dict[str, str] = {}
    for field, check, value in (
        ("name", clean_name, name),
        ("email", normalize_email, email),
        ("password", check_new_password, password),
    ):
        try:
            clean[field] = check(value)
        except InvalidInput as exc:
            problems.update(exc.fields)
    if problems:
        raise InvalidInput(next(iter(problems.values())), fields=problems)

    password_hash = passwords.hash_password(clean["password"])
    existing = user_by_email(db, clean["email"])
    if existing is not None:
        audit.record(db, "sign_up_existing", meta=meta, user_id=existing.id, email=existing.email, clock=clock)
        if existing.email_verified:
            return [_already_registered_email(existing)]
        token = issue_token(db, existing, VERIFY_EMAIL, VERIFY_TTL, clock)
        return [_verification_email(existing, token)]

    now = clock.now()
    user = User(
        email=clean["email"],
        name=clean["name"],
        password_hash=password_hash,
        created_at=now,
        updated_at=now,
    )
    db.add(user)
    db.flush()
    token = issue_token(db, user, VERIFY_EMAIL, VERIFY_TTL, clock)
    audit.record(db, "sign_up", meta=meta, user_id=user.id, email=user.email, clock=clock)
    announce_to_admins(db)
    return [_verification_email(user, token)]


def announce_to_admins(db: Session) -> None:
    """Every admin's users list changes (an account joined, verified, changed or went)."""
    for admin_id in db.exec(select(User.id).where(User.role == "admin")):
        live.touch(db, admin_id, USERS_TOPIC)


def authenticate(
    db: Session,
    *,
    email: object,
    password: object,
    meta: RequestMeta,
    clock: Clock = system_clock,
) -> User:
    """The first factor: the account behind valid, verified credentials; one error for every failure."""
    password_text = password if isinstance(password, str) else ""
    try:
        address = normalize_email(email)
    except InvalidInput:
        address = ""
    user = user_by_email(db, address) if address else None
    if user is None or not password_text or len(password_text) > passwords.MAX_LENGTH:
        passwords.burn_hash_time(password_text[: passwords.MAX_LENGTH])
        audit.record(db, "sign_in_failed", meta=meta, email=address or str(email)[:254], clock=clock)
        raise InvalidCredentials(SIGN_IN_FAILED)
    if sign_in_methods.has_usable_password(user):
        ok, new_hash = passwords.verify_password(password_text, user.password_hash)
    else:
        # An account made through a provider has no password: as slow a refusal as a wrong one,
        # so timing does not tell that the account signs in another way.
        passwords.burn_hash_time(password_text)
        ok, new_hash = False, None
    if ok and user.suspended_at is not None:
        # Only with the right password: the message tells nobody else that the account exists.
        audit.record(db, "sign_in_failed", meta=meta, user_id=user.id, email=address, detail="suspended", clock=clock)
        raise InvalidCredentials(SUSPENDED)
    if not ok or not user.email_verified:
        reason = "wrong password" if not ok else "email not verified"
        audit.record(db, "sign_in_failed", meta=meta, user_id=user.id, email=address, detail=reason, clock=clock)
        raise InvalidCredentials(SIGN_IN_FAILED)
    if new_hash:
        user.password_hash = new_hash
        db.add(user)
    return user


def start_session(
    db: Session, user: User, meta: RequestMeta, *, detail: str = "", clock: Clock = system_clock
) -> tuple[str, Identity]:
    """A new session for a user who passed every step of sign-in (audited, welcomed)."""
    token, _session = sessions.create_session(db, user, meta, clock)
    audit.record(db, "sign_in", meta=meta, user_id=user.id, email=user.email, detail=detail, clock=clock)
    notifications.welcome(db, user.id, user.name, clock)
    identity = sessions.resolve(db, token, clock)
    assert identity is not None
    return token, identity


def sign_in(
    db: Session,
    *,
    email: object,
    password: object,
    meta: RequestMeta,
    clock: Clock = system_clock,
) -> tuple[str, Identity]:
    """A new session token for valid, verified credentials, without asking for a second factor
    (the API asks services/two_factor.py first: see fluxkit/api/two_factor.py)."""
    user = authenticate(db, email=email, password=password, meta=meta, clock=clock)
    return start_session(db, user, meta, clock=clock)


def _magic_link_email(user: User, token: str, callback: str) -> EmailMessage:
    link = get_settings().url(f"{MAGIC_LINK_PATH}?token={token}&callbackURL={quote(callback, safe='/')}")
    return email.compose(
        user.email,
        "Your FluxKit sign-in link",
        f"Hi {user.name},\n\nSign in to FluxKit with this link (no password needed):\n\n{link}\n\n"
        "The link works once, within 15 minutes. If you did not ask for it, ignore this email: "
        "nobody can use it without access to your inbox.\n",
    )


def request_magic_link(
    db: Session, email: object, *, callback: object = None, meta: RequestMeta, clock: Clock = system_clock
) -> list[EmailMessage]:
    """Email a one-time sign-in link if the account exists and may sign in (same answer either way).

    The way in for an owner whose account is being guessed at: no number of wrong passwords
    locks it, since it takes their inbox."""
    try:
        address = normalize_email(email)
    except InvalidInput:
        return []
    user = user_by_email(db, address)
    if user is None or user.suspended_at is not None:
        return []
    token = issue_token(db, user, MAGIC_LINK, MAGIC_LINK_TTL, clock)
    audit.record(db, "magic_link_sent", meta=meta, user_id=user.id, email=user.email, clock=clock)
    return [_magic_link_email(user, token, safe_redirect(callback))]


def user_for_link(db: Session, token: object, meta: RequestMeta, clock: Clock = system_clock) -> User:
    """The first factor of a sign-in link: its account (the link also proves the address)."""
    user = consume_token(db, token, MAGIC_LINK, clock)
    if user.suspended_at is not None:
        audit.record(
            db, "sign_in_failed", meta=meta, user_id=user.id, email=user.email, detail="suspended", clock=clock
        )
        raise InvalidCredentials(SUSPENDED)
    if not user.email_verified:
        user.email_verified = True
        user.updated_at = clock.now()
        db.add(user)
        audit.record(db, "email_verified", meta=meta, user_id=user.id, email=user.email, clock=clock)
        announce_to_admins(db)
    return user


def sign_in_with_link(
    db: Session, token: object, meta: RequestMeta, clock: Clock = system_clock
) -> tuple[str, Identity]:
    """A new session for a valid, unused sign-in link (no second factor asked: see `sign_in`)."""
    user = user_for_link(db, token, meta, clock)
    return start_session(db, user, meta, detail="magic link", clock=clock)


def sign_out(db: Session, token: str | None, meta: RequestMeta, clock: Clock = system_clock) -> None:
    identity = sessions.resolve(db, token, clock)
    if identity is None:
        return
    sessions.revoke(db, identity.user.id, identity.session.id)
    audit.record(db, "sign_out", meta=meta, user_id=identity.user.id, email=identity.user.email, clock=clock)


def verify_email(db: Session, token: object, meta: RequestMeta, clock: Clock = system_clock) -> UserInfo:
    user = consume_token(db, token, VERIFY_EMAIL, clock)
    if not user.email_verified:
        user.email_verified = True
        user.updated_at = clock.now()
        db.add(user)
        audit.record(db, "email_verified", meta=meta, user_id=user.id, email=user.email, clock=clock)
        # Admins' users lists show it verified, and the user's own open tabs follow.
        announce_to_admins(db)
        live.touch(db, user.id, ACCOUNT_TOPIC)
    return UserInfo.of(user)


def send_verification(db: Session, email: object, meta: RequestMeta, clock: Clock = system_clock) -> list[EmailMessage]:
    """A fresh verification link, only if the account exists and is not verified yet."""
    try:
        address = normalize_email(email)
    except InvalidInput:
        return []
    user = user_by_email(db, address)
    if user is None or user.email_verified:
        return []
    token = issue_token(db, user, VERIFY_EMAIL, VERIFY_TTL, clock)
    audit.record(db, "verification_sent", meta=meta, user_id=user.id, email=user.email, clock=clock)
    return [_verification_email(user, token)]


def request_password_reset(
    db: Session,
    email: object,
    *,
    reset_path: object = None,
    meta: RequestMeta,
    clock: Clock = system_clock,
) -> list[EmailMessage]:
    """Email a reset link if the account exists. The link is always on FLUXKIT_BASE_URL."""
    address = normalize_email(email)
    user = user_by_email(db, address)
    if user is None:
        return []
    path = safe_redirect(reset_path, default=routes.RESET_PASSWORD).split("?")[0].split("#")[0]
    token = issue_token(db, user, RESET_PASSWORD, RESET_TTL, clock)
    audit.record(db, "password_reset_requested", meta=meta, user_id=user.id, email=user.email, clock=clock)
    return [_reset_email(user, token, path)]


def reset_password(
    db: Session,
    *,
    token: object,
    new_password: object,
    meta: RequestMeta,
    clock: Clock = system_clock,
) -> list[EmailMessage]:
    """Set a new password from a reset link; every session of the user ends. No sign-in."""
    password = check_new_password(new_password, field="newPassword")
    user = consume_token(db, token, RESET_PASSWORD, clock)
    now = clock.now()
    user.password_hash = passwords.hash_password(password)
    user.updated_at = now
    # Following the reset link proves the user reads that inbox.
    user.email_verified = True
    db.add(user)
    db.exec(
        update(VerificationToken)
        .where(
            VerificationToken.user_id == user.id,
            VerificationToken.purpose == RESET_PASSWORD,
            VerificationToken.used_at.is_(None),
        )
        .values(used_at=now)
    )
    ended = sessions.revoke_all(db, user.id)
    audit.record(
        db,
        "password_reset",
        meta=meta,
        user_id=user.id,
        email=user.email,
        detail=f"{ended} sessions ended",
        clock=clock,
    )
    return [_password_changed_email(user)]


def change_password(
    db: Session,
    identity: Identity,
    *,
    current_password: object,
    new_password: object,
    meta: RequestMeta,
    clock: Clock = system_clock,
) -> list[EmailMessage]:
    """Needs the current password; ends every other session of the user."""
    user = db.get(User, identity.user.id)
    current = current_password if isinstance(current_password, str) else ""
    ok, _ = passwords.verify_password(current, user.password_hash) if current else (False, None)
    if not ok:
        message = "Your current password is not right."
        audit.record(db, "password_change_failed", meta=meta, user_id=user.id, email=user.email, clock=clock)
        raise InvalidInput(message, fields={"currentPassword": message})
    password = check_new_password(new_password, field="newPassword")
    if password == current:
        message = "Choose a password different from the current one."
        raise InvalidInput(message, fields={"newPassword": message})
    user.password_hash = passwords.hash_password(password)
    user.updated_at = clock.now()
    db.add(user)
    ended = sessions.revoke_all(db, user.id, keep_session_id=identity.session.id)
    audit.record(
        db,
        "password_changed",
        meta=meta,
        user_id=user.id,
        email=user.email,
        detail=f"{ended} other sessions ended",
        clock=clock,
    )
    return [_password_changed_email(user)]


def revoke_session(
    db: Session, identity: Identity, session_id: object, meta: RequestMeta, clock: Clock = system_clock
) -> bool:
    if not isinstance(session_id, int) or isinstance(session_id, bool):
        raise InvalidInput("Choose a session.", fields={"id": "Choose a session."})
    revoked = sessions.revoke(db, identity.user.id, session_id)
    if revoked:
        audit.record(
            db,
            "session_revoked",
            meta=meta,
            user_id=identity.user.id,
            email=identity.user.email,
            detail=f"session {session_id}",
            clock=clock,
        )
    return revoked


def revoke_other_sessions(db: Session, identity: Identity, meta: RequestMeta, clock: Clock = system_clock) -> int:
    ended = sessions.revoke_all(db, identity.user.id, keep_session_id=identity.session.id)
    audit.record(
        db,
        "sessions_revoked",
        meta=meta,
        user_id=identity.user.id,
        email=identity.user.email,
        detail=f"{ended} other sessions ended",
        clock=clock,
    )
    return ended


@dataclass(frozen=True)
class NewUser:
    email: str
    name: str
    password: str
    admin: bool = False


def create_verified_user(db: Session, new: NewUser, meta: RequestMeta, clock: Clock = system_clock) -> UserInfo:
    """For the command line and seeding: an account that can sign in at once."""
    email = normalize_email(new.email)
    name = clean_name(new.name)
    password = check_new_password(new.password)
    if user_by_email(db, email) is not None:
        raise InvalidInput(
            "An account with this email already exists.", fields={"email": "An account with this email already exists."}
        )
    now = clock.now()
    user = User(
        email=email,
        name=name,
        password_hash=passwords.hash_password(password),
        email_verified=True,
        role="admin" if new.admin else "user",
        created_at=now,
        updated_at=now,
    )
    db.add(user)
    db.flush()
    audit.record(db, "user_created", meta=meta, user_id=user.id, email=email, detail="command line", clock=clock)
    return UserInfo.of(user)
