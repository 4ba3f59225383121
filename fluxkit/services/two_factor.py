"""Two-factor sign-in with TOTP (RFC 6238, through pyotp), backup codes and trusted devices.

Setting it up: `begin_enable` (needs the password) makes a secret and ten backup codes and
shows them once; it counts only after `confirm` accepted a first code from the app.

Signing in: every way in (password, emailed link, social sign-in) passes its first factor,
then asks `needs_second_step`. When it is needed, `start_challenge` stores a short-lived
challenge (never a session) and hands back its token for an HttpOnly cookie; the session is
created by `complete_with_totp` / `complete_with_backup_code` only. The API's one gate for
every sign-in path is `fluxkit.api.two_factor.finish_sign_in` / `redirect_after_first_factor`.

Rules:
- a code is accepted for the current 30-second step and one step either side (a phone clock a
  little off); each step is spent once accepted (`last_step`), so a seen code cannot be replayed;
- a backup code works once;
- a challenge allows `CHALLENGE_FAILURES` wrong codes and lives `CHALLENGE_TTL`; wrong codes are
  also counted per account (`ratelimit.TWO_FACTOR_PER_ACCOUNT`), so fresh challenges do not
  reset the count;
- a trusted device skips the second step for `TRUSTED_DAYS`; turning two-factor off, or
  "forget trusted devices", revokes every one.

The TOTP secret is stored encrypted (AES-GCM, key derived from FLUXKIT_SECRET_KEY) and never
shown again after setup; backup codes and tokens are stored as keyed hashes only.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage

import pyotp
import segno
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlmodel import Session, col, delete, func, select, update

from fluxkit import routes
from fluxkit.clock import Clock, system_clock
from fluxkit.models import BackupCode, TrustedDevice, TwoFactor, TwoFactorChallenge, User
from fluxkit.services import accounts, audit, email, live, passwords, ratelimit, tokens, topics
from fluxkit.services.audit import RequestMeta
from fluxkit.services.dto import Identity
from fluxkit.services.errors import Conflict, InvalidInput, InvalidToken, ServiceError
from fluxkit.settings import get_settings

ISSUER = "FluxKit"
INTERVAL = 30  # seconds per TOTP step
DIGITS = 6
WINDOW = 1  # steps accepted either side of the current one
BACKUP_CODES = 10
CHALLENGE_TTL = timedelta(minutes=10)
CHALLENGE_FAILURES = 5
TRUSTED_DAYS = 30
TRUSTED_TTL = timedelta(days=TRUSTED_DAYS)
CHALLENGE_COOKIE = "fluxkit.two_factor"
TRUSTED_COOKIE = "fluxkit.trusted"
ACCOUNT_TOPIC = topics.ACCOUNT

WRONG_PASSWORD = "Your password is not right."
WRONG_CODE = "That code is not right. Enter the 6-digit code your app shows now."
WRONG_BACKUP_CODE = "That backup code is not right, or it was already used."
CHALLENGE_GONE = "This sign-in has expired. Sign in again."
TOO_MANY_FOR_CHALLENGE = "Too many wrong codes. Sign in again."
_BACKUP_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i


class SecondStepLimited(ServiceError):
    """Too many wrong codes for this account lately (HTTP 429 with Retry-After)."""

    code = "rate_limited"

    def __init__(self, verdict: ratelimit.Verdict):
        super().__init__(
            f"Too many wrong codes. Try again in {ratelimit.human_wait(verdict.retry_after)}.",
        )
        self.verdict = verdict


# ---- what crosses into states and API answers ------------------------------------------------


@dataclass(frozen=True)
class Status:
    enabled: bool  # confirmed: sign-in asks for a code
    pending: bool  # set up, waiting for the first code
    backup_codes_left: int
    trusted_devices: int


@dataclass(frozen=True)
class Setup:
    """Shown once, right after `begin_enable`: never readable again."""

    totp_uri: str
    secret: str
    qr_svg_data_uri: str
    backup_codes: list[str]


@dataclass(frozen=True)
class Challenge:
    token: str  # for the HttpOnly challenge cookie; only its hash is stored
    expires_in: int  # seconds


@dataclass(frozen=True)
class SignedIn:
    token: str  # the new session's token
    identity: Identity
    callback: str
    trusted_token: str | None  # for the trusted-device cookie, when asked for


# ---- secrets -----------------------------------------------------------------------------------


def _key() -> bytes:
    return hmac.new(get_settings().secret_key.encode(), b"fluxkit two-factor secret", hashlib.sha256).digest()


def _encrypt(secret: str, user_id: int) -> str:
    nonce = secrets.token_bytes(12)
    sealed = AESGCM(_key()).encrypt(nonce, secret.encode(), f"user:{user_id}".encode())
    return "v1:" + base64.urlsafe_b64encode(nonce + sealed).decode()


def _decrypt(stored: str, user_id: int) -> str | None:
    if not stored.startswith("v1:"):
        return None
    try:
        raw = base64.urlsafe_b64decode(stored[3:].encode())
        return AESGCM(_key()).decrypt(raw[:12], raw[12:], f"user:{user_id}".encode()).decode()
    except (InvalidTag, ValueError):
        return None  # FLUXKIT_SECRET_KEY changed: the secret cannot be read


def _backup_hash(user_id: int, code: str) -> str:
    return tokens.hash_token(f"backup|{user_id}|{code}")


def _normal_backup(code: object) -> str:
    if not isinstance(code, str):
        return ""
    return "".join(ch for ch in code.lower() if ch.isalnum())[:40]


def _new_backup_codes(db: Session, user_id: int, clock: Clock) -> list[str]:
    db.exec(delete(BackupCode).where(BackupCode.user_id == user_id))
    codes = []
    now = clock.now()
    for _ in range(BACKUP_CODES):
        raw = "".join(secrets.choice(_BACKUP_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
        db.add(BackupCode(user_id=user_id, code_hash=_backup_hash(user_id, raw), created_at=now))
    db.flush()
    return codes


def _check_password(db: Session, user: User, password: object, action: str, meta: RequestMeta, clock: Clock) -> None:
    text = password if isinstance(password, str) else ""
    ok = False
    if text and len(text) <= passwords.MAX_LENGTH:
        ok, _ = passwords.verify_password(text, user.password_hash)
    else:
        passwords.burn_hash_time(text[: passwords.MAX_LENGTH])
    if not ok:
        audit.record(
            db, f"{action}_failed", meta=meta, user_id=user.id, email=user.email, detail="wrong password", clock=clock
        )
        raise InvalidInput(WRONG_PASSWORD, fields={"password": WRONG_PASSWORD})


def _qr_data_uri(uri: str) -> str:
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2, dark="#111", light="#fff")


def _step(clock: Clock) -> int:
    return int(clock.now().timestamp()) // INTERVAL


def _accept_code(db: Session, row: TwoFactor, code: object, clock: Clock) -> bool:
    """True when `code` is right for a step near now that was not spent yet; spends it.

    One conditional UPDATE: of two requests with the same code, exactly one wins."""
    if not isinstance(code, str):
        return False
    digits = "".join(ch for ch in code if not ch.isspace())
    if len(digits) != DIGITS or not digits.isdigit():
        return False
    secret = _decrypt(row.secret_encrypted, row.user_id)
    if secret is None:
        return False
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=INTERVAL)
    now_step = _step(clock)
    for step in range(now_step - WINDOW, now_step + WINDOW + 1):
        if row.last_step is not None and step <= row.last_step:
            continue
        if hmac.compare_digest(totp.generate_otp(step), digits):
            spent = db.exec(
                update(TwoFactor)
                .where(
                    TwoFactor.user_id == row.user_id,
                    (col(TwoFactor.last_step).is_(None)) | (col(TwoFactor.last_step) < step),
                )
                .values(last_step=step)
            )
            if spent.rowcount == 1:
                row.last_step = step
                return True
            return False
    return False


# ---- emails ------------------------------------------------------------------------------------


def _security_email(user: User, subject: str, what: str) -> EmailMessage:
    link = get_settings().url(routes.SETTINGS + "/account")
    return email.compose(
        user.email,
        subject,
        f"Hi {user.name},\n\n{what}\n\nIf this was not you, change your password and check your "
        f"two-factor settings now:\n\n{link}\n",
    )


# ---- reading ---------------------------------------------------------------------------------------


def _row(db: Session, user_id: int) -> TwoFactor | None:
    return db.get(TwoFactor, user_id)


def is_enabled(db: Session, user_id: int) -> bool:
    row = _row(db, user_id)
    return row is not None and row.enabled_at is not None


def enabled_user_ids(db: Session, user_ids: list[int]) -> set[int]:
    """Which of `user_ids` have two-factor on (the users admin's column)."""
    if not user_ids:
        return set()
    query = select(TwoFactor.user_id).where(col(TwoFactor.user_id).in_(user_ids), col(TwoFactor.enabled_at).isnot(None))
    return set(db.exec(query).all())


def status(db: Session, user_id: int, clock: Clock = system_clock) -> Status:
    row = _row(db, user_id)
    left = db.exec(
        select(func.count()).select_from(BackupCode).where(BackupCode.user_id == user_id, BackupCode.used_at.is_(None))
    ).one()
    devices = db.exec(
        select(func.count())
        .select_from(TrustedDevice)
        .where(TrustedDevice.user_id == user_id, TrustedDevice.expires_at > clock.now())
    ).one()
    return Status(
        enabled=row is not None and row.enabled_at is not None,
        pending=row is not None and row.enabled_at is None,
        backup_codes_left=left if row is not None else 0,
        trusted_devices=devices if row is not None and row.enabled_at is not None else 0,
    )


# ---- setting it up, and turning it off ------------------------------------------------------------


def begin_enable(
    db: Session, identity: Identity, password: object, meta: RequestMeta, clock: Clock = system_clock
) -> Setup:
    """A new secret and backup codes, shown once; two-factor counts after `confirm`."""
    user = db.get(User, identity.user.id)
    _check_password(db, user, password, "two_factor_enable", meta, clock)
    row = _row(db, user.id)
    if row is not None and row.enabled_at is not None:
        raise Conflict("Two-factor sign-in is already on. Turn it off first to set it up with another app.")
    secret = pyotp.random_base32()
    if row is None:
        row = TwoFactor(user_id=user.id, secret_encrypted=_encrypt(secret, user.id), created_at=clock.now())
    else:
        row.secret_encrypted, row.created_at, row.last_step = _encrypt(secret, user.id), clock.now(), None
    db.add(row)
    codes = _new_backup_codes(db, user.id, clock)
    audit.record(db, "two_factor_setup_started", meta=meta, user_id=user.id, email=user.email, clock=clock)
    uri = pyotp.TOTP(secret, digits=DIGITS, interval=INTERVAL).provisioning_uri(name=user.email, issuer_name=ISSUER)
    return Setup(totp_uri=uri, secret=secret, qr_svg_data_uri=_qr_data_uri(uri), backup_codes=codes)


def confirm(
    db: Session, identity: Identity, code: object, meta: RequestMeta, clock: Clock = system_clock
) -> list[EmailMessage]:
    """The first code from the app turns two-factor on. Emails the user."""
    user = db.get(User, identity.user.id)
    row = _row(db, user.id)
    if row is None:
        raise Conflict("Set up two-factor sign-in first.")
    if row.enabled_at is not None:
        raise Conflict("Two-factor sign-in is already on.")
    if not _accept_code(db, row, code, clock):
        audit.record(db, "two_factor_confirm_failed", meta=meta, user_id=user.id, email=user.email, clock=clock)
        raise InvalidInput(WRONG_CODE, fields={"code": WRONG_CODE})
    row.enabled_at = clock.now()
    db.add(row)
    audit.record(db, "two_factor_enabled", meta=meta, user_id=user.id, email=user.email, clock=clock)
    live.touch(db, user.id, ACCOUNT_TOPIC)
    return [
        _security_email(
            user,
            "Two-factor sign-in turned on",
            "Two-factor sign-in was turned on for your FluxKit account: signing in now also asks for a code "
            "from your authenticator app (or one of your backup codes).",
        )
    ]


def check_code(db: Session, identity: Identity, code: object, clock: Clock = system_clock) -> bool:
    """A signed-in user's code, checked (and spent) without changing anything else."""
    row = _row(db, identity.user.id)
    return row is not None and row.enabled_at is not None and _accept_code(db, row, code, clock)


def disable(
    db: Session, identity: Identity, password: object, meta: RequestMeta, clock: Clock = system_clock
) -> list[EmailMessage]:
    """Needs the password; removes the secret, the backup codes and every trusted device."""
    user = db.get(User, identity.user.id)
    _check_password(db, user, password, "two_factor_disable", meta, clock)
    row = _row(db, user.id)
    if row is None:
        raise Conflict("Two-factor sign-in is not on.")
    was_on = row.enabled_at is not None
    db.delete(row)
    db.exec(delete(BackupCode).where(BackupCode.user_id == user.id))
    db.exec(delete(TrustedDevice).where(TrustedDevice.user_id == user.id))
    db.exec(delete(TwoFactorChallenge).where(TwoFactorChallenge.user_id == user.id))
    audit.record(
        db,
        "two_factor_disabled" if was_on else "two_factor_setup_cancelled",
        meta=meta,
        user_id=user.id,
        email=user.email,
        clock=clock,
    )
    live.touch(db, user.id, ACCOUNT_TOPIC)
    if not was_on:
        return []
    return [
        _security_email(
            user,
            "Two-factor sign-in turned off",
            "Two-factor sign-in was turned off for your FluxKit account: signing in asks only for your "
            "password again, and every trusted device was forgotten.",
        )
    ]


def regenerate_backup_codes(
    db: Session, identity: Identity, password: object, meta: RequestMeta, clock: Clock = system_clock
) -> tuple[list[str], list[EmailMessage]]:
    """Ten new backup codes (the old ones stop working); needs the password."""
    user = db.get(User, identity.user.id)
    _check_password(db, user, password, "backup_codes_generate", meta, clock)
    row = _row(db, user.id)
    if row is None or row.enabled_at is None:
        raise Conflict("Turn on two-factor sign-in first.")
    codes = _new_backup_codes(db, user.id, clock)
    audit.record(db, "backup_codes_generated", meta=meta, user_id=user.id, email=user.email, clock=clock)
    live.touch(db, user.id, ACCOUNT_TOPIC)
    message = _security_email(
        user,
        "New backup codes for FluxKit",
        "New two-factor backup codes were made for your FluxKit account; the old ones no longer work.",
    )
    return codes, [message]


def forget_trusted_devices(db: Session, identity: Identity, meta: RequestMeta, clock: Clock = system_clock) -> int:
    ended = db.exec(delete(TrustedDevice).where(TrustedDevice.user_id == identity.user.id)).rowcount
    audit.record(
        db,
        "trusted_devices_forgotten",
        meta=meta,
        user_id=identity.user.id,
        email=identity.user.email,
        detail=f"{ended} devices",
        clock=clock,
    )
    live.touch(db, identity.user.id, ACCOUNT_TOPIC)
    return ended


# ---- the second step of sign-in ---------------------------------------------------------------------


def _trusted(db: Session, user_id: int, cookie: object, clock: Clock) -> bool:
    if not isinstance(cookie, str) or not cookie or len(cookie) > 200:
        return False
    found = db.exec(
        select(TrustedDevice.id).where(
            TrustedDevice.token_hash == tokens.hash_token(cookie),
            TrustedDevice.user_id == user_id,
            TrustedDevice.expires_at > clock.now(),
        )
    ).first()
    return found is not None


def needs_second_step(db: Session, user: User, trusted_cookie: object, clock: Clock = system_clock) -> bool:
    """Whether `user`, who just passed a first factor, must also enter a code.

    False when two-factor is off (or only set up, not confirmed), or this browser's trusted-device
    cookie (`TRUSTED_COOKIE`) is one of theirs and not expired."""
    return is_enabled(db, user.id) and not _trusted(db, user.id, trusted_cookie, clock)


def start_challenge(
    db: Session,
    user: User,
    *,
    method: str,
    callback: str,
    meta: RequestMeta,
    clock: Clock = system_clock,
) -> Challenge:
    """A pending second step for `user` (who passed `method`: "password", "magic link", "google"...).

    Opens no session: the token goes in an HttpOnly cookie (`CHALLENGE_COOKIE`) and is redeemed
    by `complete_with_totp` or `complete_with_backup_code` within `CHALLENGE_TTL`."""
    token = tokens.new_token()
    now = clock.now()
    db.exec(delete(TwoFactorChallenge).where(TwoFactorChallenge.expires_at <= now))
    db.add(
        TwoFactorChallenge(
            user_id=user.id,
            token_hash=tokens.hash_token(token),
            method=method[:32],
            callback=accounts.safe_redirect(callback)[:500],
            created_at=now,
            expires_at=now + CHALLENGE_TTL,
        )
    )
    audit.record(
        db, "two_factor_challenge", meta=meta, user_id=user.id, email=user.email, detail=method[:100], clock=clock
    )
    return Challenge(token=token, expires_in=int(CHALLENGE_TTL.total_seconds()))


def _challenge(db: Session, token: object, clock: Clock) -> tuple[TwoFactorChallenge, User]:
    if not isinstance(token, str) or not token or len(token) > 200:
        raise InvalidToken(CHALLENGE_GONE)
    challenge = db.exec(
        select(TwoFactorChallenge).where(TwoFactorChallenge.token_hash == tokens.hash_token(token))
    ).first()
    if challenge is None or challenge.used_at is not None or challenge.expires_at <= clock.now():
        raise InvalidToken(CHALLENGE_GONE)
    if challenge.failures >= CHALLENGE_FAILURES:
        raise InvalidToken(TOO_MANY_FOR_CHALLENGE)
    user = db.get(User, challenge.user_id)
    if user is None or user.suspended_at is not None or not is_enabled(db, user.id):
        raise InvalidToken(CHALLENGE_GONE)
    return challenge, user


def _account_key(user_id: int) -> tuple[str, ...]:
    return ("two-factor", "account", str(user_id))


def _refuse_if_limited(user_id: int) -> None:
    verdict = ratelimit.peek(ratelimit.TWO_FACTOR_PER_ACCOUNT, *_account_key(user_id))
    if not verdict.allowed:
        raise SecondStepLimited(verdict)


def pending_user_email(db: Session, token: object, clock: Clock = system_clock) -> str | None:
    """The address a pending challenge is for (shown on the second-step page), or None."""
    try:
        return _challenge(db, token, clock)[1].email
    except InvalidToken:
        return None


@dataclass(frozen=True)
class Failure:
    """A wrong code: the caller commits its count and audit row, then answers `error`."""

    error: ServiceError


def _failed(db: Session, challenge: TwoFactorChallenge, user: User, how: str, meta: RequestMeta, clock: Clock) -> None:
    challenge.failures += 1
    db.add(challenge)
    ratelimit.hit(ratelimit.TWO_FACTOR_PER_ACCOUNT, *_account_key(user.id))
    audit.record(db, "two_factor_failed", meta=meta, user_id=user.id, email=user.email, detail=how, clock=clock)


def _finish(
    db: Session,
    challenge: TwoFactorChallenge,
    user: User,
    *,
    how: str,
    trust_device: bool,
    meta: RequestMeta,
    clock: Clock,
) -> SignedIn:
    now = clock.now()
    used = db.exec(
        update(TwoFactorChallenge)
        .where(TwoFactorChallenge.id == challenge.id, TwoFactorChallenge.used_at.is_(None))
        .values(used_at=now)
    )
    if used.rowcount != 1:
        raise InvalidToken(CHALLENGE_GONE)  # the same challenge finished in another request
    trusted = None
    if trust_device:
        trusted = tokens.new_token()
        db.add(
            TrustedDevice(
                user_id=user.id,
                token_hash=tokens.hash_token(trusted),
                created_at=now,
                expires_at=now + TRUSTED_TTL,
                user_agent=meta.user_agent[:512],
            )
        )
        audit.record(db, "trusted_device_added", meta=meta, user_id=user.id, email=user.email, clock=clock)
    token, identity = accounts.start_session(
        db, user, meta, detail=f"{challenge.method}, then {how}"[:1000], clock=clock
    )
    return SignedIn(token=token, identity=identity, callback=challenge.callback, trusted_token=trusted)


def complete_with_totp(
    db: Session,
    challenge_token: object,
    code: object,
    *,
    trust_device: bool,
    meta: RequestMeta,
    clock: Clock = system_clock,
) -> SignedIn | Failure:
    """The session, when the code from the app is right (and unspent); else a `Failure`.

    Raises InvalidToken for a gone challenge and SecondStepLimited when over the limits."""
    challenge, user = _challenge(db, challenge_token, clock)
    _refuse_if_limited(user.id)
    row = _row(db, user.id)
    if row is None or not _accept_code(db, row, code, clock):
        _failed(db, challenge, user, "authenticator code", meta, clock)
        return Failure(InvalidInput(WRONG_CODE, fields={"code": WRONG_CODE}))
    return _finish(db, challenge, user, how="authenticator code", trust_device=trust_device, meta=meta, clock=clock)


def complete_with_backup_code(
    db: Session,
    challenge_token: object,
    code: object,
    *,
    trust_device: bool,
    meta: RequestMeta,
    clock: Clock = system_clock,
) -> SignedIn | Failure:
    """The session, when `code` is one of the user's unused backup codes (spent now)."""
    challenge, user = _challenge(db, challenge_token, clock)
    _refuse_if_limited(user.id)
    normal = _normal_backup(code)
    spent = 0
    if normal:
        spent = db.exec(
            update(BackupCode)
            .where(
                BackupCode.user_id == user.id,
                BackupCode.code_hash == _backup_hash(user.id, normal),
                BackupCode.used_at.is_(None),
            )
            .values(used_at=clock.now())
        ).rowcount
    if spent != 1:
        _failed(db, challenge, user, "backup code", meta, clock)
        return Failure(InvalidInput(WRONG_BACKUP_CODE, fields={"code": WRONG_BACKUP_CODE}))
    return _finish(db, challenge, user, how="backup code", trust_device=trust_device, meta=meta, clock=clock)


def purge_expired(db: Session, clock: Clock = system_clock) -> int:
    now = clock.now()
    gone = db.exec(delete(TwoFactorChallenge).where(TwoFactorChallenge.expires_at <= now)).rowcount
    return gone + db.exec(delete(TrustedDevice).where(TrustedDevice.expires_at <= now)).rowcount
