"""Passkeys: WebAuthn credentials a signed-in user registers, and signing in with one.

The ceremonies follow the WebAuthn spec through py_webauthn (`webauthn`): the server makes
a random challenge, the browser's authenticator signs it together with the page's origin and
the relying party's id, and the server checks all of that against what it expects.

- The relying party is the app's configured address (FLUXKIT_BASE_URL): its host name is the
  RP id, and the trusted origins on that host (or below it) are the origins accepted.
- A challenge is stored server-side (as a keyed hash) for one ceremony: it works once, for
  `CHALLENGE_TTL`, and a registration challenge only for the user it was made for. It is
  found again through the clientDataJSON the authenticator signed.
- User verification (a PIN, fingerprint or face) is required both times: a passkey is a whole
  sign-in on its own (it does not ask for a second factor).
- The signature counter must go up on every use when the authenticator keeps one; a count
  that does not is refused (a cloned authenticator or a replayed assertion).

The user handle in a passkey is an HMAC of the user's id under the app's secret: stable for
one account, and no email or name inside it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from urllib.parse import urlsplit

from sqlalchemy import delete, func, update
from sqlmodel import Session, col, select
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url, options_to_json_dict, parse_client_data_json
from webauthn.helpers.structs import (
    AttestationConveyancePreference,
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from fluxkit import routes
from fluxkit.clock import Clock, system_clock
from fluxkit.models import Passkey, PasskeyChallenge, User
from fluxkit.services import audit, email, live, notifications, sessions, sign_in_methods, tokens, topics
from fluxkit.services.audit import RequestMeta
from fluxkit.services.dto import Identity
from fluxkit.services.errors import Conflict, InvalidCredentials, InvalidInput, NotFound
from fluxkit.services.profile import describe_device
from fluxkit.settings import Settings, get_settings

RP_NAME = "FluxKit"
CHALLENGE_TTL = timedelta(minutes=5)
CEREMONY_TIMEOUT_MS = 120_000  # what the browser is told; the challenge itself lives longer
NAME_MAX = 100
MAX_PASSKEYS = 25  # per user: every device and password manager, not a storage sink
REGISTER = "register"
AUTHENTICATE = "authenticate"
TOPIC = topics.PASSKEYS

SIGN_IN_FAILED = "That passkey could not sign you in. Try again, or sign in with your password."
UNKNOWN_PASSKEY = (
    "This passkey is not registered with FluxKit (it may have been removed). Sign in with your password instead."
)
SUSPENDED = "This account is suspended. Contact your administrator to have it reactivated."
REGISTER_FAILED = "Your device's passkey could not be verified. Try again."
CHALLENGE_GONE = "This passkey request has expired or was already used. Try again."
LAST_WAY_IN = (
    "This is your last way to sign in. Add another passkey or set a password "
    "(“Forgot your password?” on the sign-in page) before removing it."
)
GONE = "No such passkey."


class LastSignInMethod(Conflict):
    code = "last_sign_in_method"


class TooManyPasskeys(Conflict):
    code = "too_many_passkeys"


class AlreadyRegistered(Conflict):
    code = "passkey_already_registered"


# ---- the relying party --------------------------------------------------------------------


@dataclass(frozen=True)
class RelyingParty:
    id: str
    name: str
    origins: tuple[str, ...]


def _on_host(hostname: str | None, rp_id: str) -> bool:
    return bool(hostname) and (hostname == rp_id or hostname.endswith("." + rp_id))


def relying_party(settings: Settings | None = None) -> RelyingParty:
    """The RP id is FLUXKIT_BASE_URL's host name; the origins, the trusted origins on it."""
    settings = settings or get_settings()
    rp_id = (urlsplit(settings.base_url).hostname or "localhost").lower()
    origins = tuple(o for o in settings.trusted_origins if _on_host(urlsplit(o).hostname, rp_id))
    return RelyingParty(id=rp_id, name=RP_NAME, origins=origins or (settings.base_origin,))


def user_handle(user_id: int) -> bytes:
    """The opaque id a passkey stores for its account (32 bytes, no personal data)."""
    key = get_settings().secret_key.encode()
    return hmac.new(key, f"fluxkit-passkey-user:{user_id}".encode(), hashlib.sha256).digest()


# ---- rows as the owner sees them ----------------------------------------------------------


@dataclass(frozen=True)
class PasskeyRow:
    """A passkey as its owner may see it: no key material."""

    id: int
    name: str
    credential_id: str
    device_type: str
    backed_up: bool
    transports: tuple[str, ...]
    aaguid: str
    sign_count: int
    created_at: datetime
    last_used_at: datetime | None

    @classmethod
    def of(cls, row: Passkey) -> PasskeyRow:
        return cls(
            id=row.id,
            name=row.name,
            credential_id=row.credential_id,
            device_type=row.device_type,
            backed_up=row.backed_up,
            transports=tuple(t for t in row.transports.split(",") if t),
            aaguid=row.aaguid,
            sign_count=row.sign_count,
            created_at=row.created_at,
            last_used_at=row.last_used_at,
        )


def clean_name(raw: object) -> str:
    name = " ".join(raw.split()) if isinstance(raw, str) else ""
    if not name or "\x00" in name:
        message = "Name the passkey, e.g. after the device or password manager that keeps it."
        raise InvalidInput(message, fields={"name": message})
    if len(name) > NAME_MAX:
        message = f"Use at most {NAME_MAX} characters."
        raise InvalidInput(message, fields={"name": message})
    return name


def list_passkeys(db: Session, user_id: int) -> list[PasskeyRow]:
    rows = db.exec(
        select(Passkey)
        .where(Passkey.user_id == user_id)
        .order_by(col(Passkey.created_at).desc(), col(Passkey.id).desc())
    ).all()
    return [PasskeyRow.of(r) for r in rows]


def _count(db: Session, user_id: int) -> int:
    return db.exec(select(func.count()).select_from(Passkey).where(Passkey.user_id == user_id)).one()


def remaining_sign_in_methods(db: Session, user_id: int) -> int:
    """How many ways the user has to sign in (a usable password, linked accounts, passkeys)."""
    return sign_in_methods.count(db, user_id)


# ---- challenges ---------------------------------------------------------------------------


def _challenge_hash(challenge: bytes) -> str:
    return tokens.hash_token(bytes_to_base64url(challenge))


def _new_challenge(db: Session, purpose: str, user_id: int | None, clock: Clock) -> bytes:
    now = clock.now()
    # Unused challenges of earlier ceremonies go when they expire (cheap: indexed).
    db.exec(delete(PasskeyChallenge).where(PasskeyChallenge.expires_at <= now))
    challenge = secrets.token_bytes(32)
    db.add(
        PasskeyChallenge(
            challenge_hash=_challenge_hash(challenge),
            purpose=purpose,
            user_id=user_id,
            created_at=now,
            expires_at=now + CHALLENGE_TTL,
        )
    )
    db.flush()
    return challenge


def _client_challenge(response: dict) -> bytes:
    """The challenge the authenticator signed, read from the response's clientDataJSON."""
    inner = response.get("response")
    data = inner.get("clientDataJSON") if isinstance(inner, dict) else None
    if not isinstance(data, str) or len(data) > 4096:
        raise InvalidInput("This is not a passkey response.", fields={"response": "Not a passkey response."})
    try:
        return parse_client_data_json(base64url_to_bytes(data)).challenge
    except Exception:
        raise InvalidInput("This is not a passkey response.", fields={"response": "Not a passkey response."}) from None


def _take_challenge(db: Session, challenge: bytes, purpose: str, user_id: int | None, clock: Clock) -> bool:
    """Use up a stored challenge in one conditional DELETE: of two uses exactly one wins."""
    query = delete(PasskeyChallenge).where(
        PasskeyChallenge.challenge_hash == _challenge_hash(challenge),
        PasskeyChallenge.purpose == purpose,
        PasskeyChallenge.expires_at > clock.now(),
    )
    if user_id is not None:
        query = query.where(PasskeyChallenge.user_id == user_id)
    return db.exec(query).rowcount == 1


def _response_dict(response: object) -> dict:
    if not isinstance(response, dict):
        raise InvalidInput("This is not a passkey response.", fields={"response": "Not a passkey response."})
    return response


# ---- registration (signed in) ---------------------------------------------------------------


def _transports(raw: object) -> list[AuthenticatorTransport]:
    known = {t.value: t for t in AuthenticatorTransport}
    return [known[t] for t in (raw.split(",") if isinstance(raw, str) else []) if t in known]


def registration_options(db: Session, user_id: int, clock: Clock = system_clock) -> dict:
    """Options for navigator.credentials.create(): a discoverable credential, user verified."""
    user = db.get(User, user_id)
    if user is None:
        raise NotFound("No such account.")
    existing = db.exec(select(Passkey.credential_id, Passkey.transports).where(Passkey.user_id == user_id)).all()
    if len(existing) >= MAX_PASSKEYS:
        raise TooManyPasskeys(f"You have {MAX_PASSKEYS} passkeys, the most allowed. Remove one you no longer use.")
    rp = relying_party()
    options = generate_registration_options(
        rp_id=rp.id,
        rp_name=rp.name,
        user_name=user.email,
        user_id=user_handle(user.id),
        user_display_name=user.name,
        challenge=_new_challenge(db, REGISTER, user.id, clock),
        timeout=CEREMONY_TIMEOUT_MS,
        attestation=AttestationConveyancePreference.NONE,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            require_resident_key=True,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
        # The same authenticator twice for one account: the browser says it is already there.
        exclude_credentials=[
            PublicKeyCredentialDescriptor(id=base64url_to_bytes(cred_id), transports=_transports(transports) or None)
            for cred_id, transports in existing
        ],
    )
    return options_to_json_dict(options)


def _added_email(user: User, name: str, meta: RequestMeta) -> EmailMessage:
    link = get_settings().url(routes.SETTINGS + "/account")
    return email.compose(
        user.email,
        "A new passkey was added to your FluxKit account",
        f"Hi {user.name},\n\nA new passkey, “{name}”, was added to your FluxKit account "
        f"({describe_device(meta.user_agent)}, {meta.ip or 'unknown address'}). It can sign in to your "
        "account without your password.\n\nIf this was not you, remove it now and change your password:\n\n"
        f"{link}\n",
    )


def _renamed_email(user: User, old: str, new: str) -> EmailMessage:
    link = get_settings().url(routes.SETTINGS + "/account")
    return email.compose(
        user.email,
        "A passkey on your FluxKit account was renamed",
        f"Hi {user.name},\n\nThe passkey “{old}” on your FluxKit account is now called “{new}”. If this "
        f"was not you, check your passkeys and change your password:\n\n{link}\n",
    )


def _removed_email(user: User, name: str) -> EmailMessage:
    link = get_settings().url(routes.SETTINGS + "/account")
    return email.compose(
        user.email,
        "A passkey was removed from your FluxKit account",
        f"Hi {user.name},\n\nThe passkey “{name}” was removed from your FluxKit account and can no longer "
        f"sign in. If this was not you, change your password and check your passkeys:\n\n{link}\n",
    )


def verify_registration(
    db: Session,
    identity: Identity,
    response: object,
    *,
    name: object = None,
    meta: RequestMeta,
    clock: Clock = system_clock,
) -> tuple[PasskeyRow, list[EmailMessage]]:
    """Check what navigator.credentials.create() answered and keep the new passkey.

    Raises InvalidCredentials (or a Conflict) after consuming the challenge; the caller
    commits that, so a challenge never works twice."""
    user_id = identity.user.id
    credential = _response_dict(response)
    clean = clean_name(name) if isinstance(name, str) and name.strip() else ""
    challenge = _client_challenge(credential)
    if not _take_challenge(db, challenge, REGISTER, user_id, clock):
        audit.record(
            db,
            "passkey_add_failed",
            meta=meta,
            user_id=user_id,
            email=identity.user.email,
            detail="challenge unknown, used or expired",
            clock=clock,
        )
        raise InvalidCredentials(CHALLENGE_GONE)
    rp = relying_party()
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=rp.id,
            expected_origin=list(rp.origins),
            require_user_verification=True,
        )
    except Exception as exc:  # py_webauthn raises several kinds for a bad response
        audit.record(
            db,
            "passkey_add_failed",
            meta=meta,
            user_id=user_id,
            email=identity.user.email,
            detail=str(exc)[:300],
            clock=clock,
        )
        raise InvalidCredentials(REGISTER_FAILED) from None
    credential_id = bytes_to_base64url(verified.credential_id)
    if db.exec(select(Passkey.id).where(Passkey.credential_id == credential_id)).first() is not None:
        raise AlreadyRegistered("This passkey is already registered.")
    if _count(db, user_id) >= MAX_PASSKEYS:
        raise TooManyPasskeys(f"You have {MAX_PASSKEYS} passkeys, the most allowed. Remove one you no longer use.")
    inner = credential.get("response") if isinstance(credential.get("response"), dict) else {}
    transports = inner.get("transports") if isinstance(inner.get("transports"), list) else []
    known = {t.value for t in AuthenticatorTransport}
    row = Passkey(
        user_id=user_id,
        name=clean or f"Passkey on {describe_device(meta.user_agent)}"[:NAME_MAX],
        credential_id=credential_id,
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        aaguid=str(verified.aaguid)[:36],
        device_type=getattr(verified.credential_device_type, "value", str(verified.credential_device_type))[:32],
        backed_up=bool(verified.credential_backed_up),
        transports=",".join(t for t in transports if isinstance(t, str) and t in known)[:200],
        created_at=clock.now(),
    )
    db.add(row)
    db.flush()
    user = db.get(User, user_id)
    audit.record(
        db, "passkey_added", meta=meta, user_id=user_id, email=user.email, detail=f"{row.id} {row.name}", clock=clock
    )
    live.touch(db, user_id, TOPIC)
    return PasskeyRow.of(row), [_added_email(user, row.name, meta)]


# ---- sign-in (signed out) -------------------------------------------------------------------


def authentication_options(db: Session, clock: Clock = system_clock) -> dict:
    """Options for navigator.credentials.get(): any passkey of this site (empty allowCredentials),
    so the browser offers the ones it has, user verified."""
    rp = relying_party()
    options = generate_authentication_options(
        rp_id=rp.id,
        challenge=_new_challenge(db, AUTHENTICATE, None, clock),
        timeout=CEREMONY_TIMEOUT_MS,
        allow_credentials=[],
        user_verification=UserVerificationRequirement.REQUIRED,
    )
    return options_to_json_dict(options)


def _sign_in_failed(db: Session, meta: RequestMeta, detail: str, clock: Clock, user: User | None = None) -> None:
    audit.record(
        db,
        "sign_in_failed",
        meta=meta,
        user_id=user.id if user else None,
        email=user.email if user else "",
        detail=f"passkey: {detail}"[:1000],
        clock=clock,
    )


def verify_authentication(
    db: Session, response: object, *, meta: RequestMeta, clock: Clock = system_clock
) -> tuple[str, Identity]:
    """A new session for a valid assertion by a registered passkey (no second factor asked).

    Raises InvalidCredentials after consuming the challenge and writing the audit row; the
    caller commits both."""
    credential = _response_dict(response)
    challenge = _client_challenge(credential)
    if not _take_challenge(db, challenge, AUTHENTICATE, None, clock):
        _sign_in_failed(db, meta, "challenge unknown, used or expired", clock)
        raise InvalidCredentials(CHALLENGE_GONE)
    credential_id = credential.get("id")
    passkey = (
        db.exec(select(Passkey).where(Passkey.credential_id == credential_id)).first()
        if isinstance(credential_id, str) and 0 < len(credential_id) <= 1400
        else None
    )
    if passkey is None:
        _sign_in_failed(db, meta, "unknown credential", clock)
        raise InvalidCredentials(UNKNOWN_PASSKEY)
    user = db.get(User, passkey.user_id)
    rp = relying_party()
    try:
        inner = credential.get("response")
        handle = inner.get("userHandle") if isinstance(inner, dict) else None
        if handle is not None and (not isinstance(handle, str) or base64url_to_bytes(handle) != user_handle(user.id)):
            raise ValueError("user handle is not this passkey's account")
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=rp.id,
            expected_origin=list(rp.origins),
            credential_public_key=passkey.public_key,
            credential_current_sign_count=passkey.sign_count,
            require_user_verification=True,
        )
    except Exception as exc:  # py_webauthn raises several kinds for a bad response
        _sign_in_failed(db, meta, str(exc)[:300], clock, user)
        raise InvalidCredentials(SIGN_IN_FAILED) from None
    if user.suspended_at is not None:
        _sign_in_failed(db, meta, "suspended", clock, user)
        raise InvalidCredentials(SUSPENDED)
    # The counter moves forward in one conditional UPDATE: two assertions with the same count
    # (a clone, or a replay racing the original) cannot both get in.
    now = clock.now()
    new_count = verified.new_sign_count
    counted = Passkey.sign_count < new_count if new_count > 0 else Passkey.sign_count == 0
    moved = db.exec(
        update(Passkey)
        .where(Passkey.id == passkey.id, counted)
        .values(
            sign_count=new_count,
            last_used_at=now,
            backed_up=bool(verified.credential_backed_up),
            device_type=getattr(verified.credential_device_type, "value", str(verified.credential_device_type))[:32],
        )
    )
    if moved.rowcount != 1:
        _sign_in_failed(db, meta, "sign count did not go up", clock, user)
        raise InvalidCredentials(SIGN_IN_FAILED)
    if not user.email_verified:
        # Only a signed-in user (so a verified address) could have added it; keep it that way.
        _sign_in_failed(db, meta, "email not verified", clock, user)
        raise InvalidCredentials(SIGN_IN_FAILED)
    token, _session = sessions.create_session(db, user, meta, clock)
    audit.record(
        db, "sign_in", meta=meta, user_id=user.id, email=user.email, detail=f"passkey {passkey.name}", clock=clock
    )
    notifications.welcome(db, user.id, user.name, clock)
    live.touch(db, user.id, TOPIC)  # "last used" in the user's open settings tabs
    identity = sessions.resolve(db, token, clock)
    assert identity is not None
    return token, identity


# ---- rename and remove ------------------------------------------------------------------------


def _own(db: Session, user_id: int, passkey_id: object) -> Passkey:
    if not isinstance(passkey_id, int) or isinstance(passkey_id, bool) or not 0 < passkey_id < 2**31:
        raise NotFound(GONE)  # ids are positive 32-bit integers: anything else names no row
    row = db.get(Passkey, passkey_id)
    if row is None or row.user_id != user_id:
        raise NotFound(GONE)  # someone else's passkey is not found either
    return row


def rename_passkey(
    db: Session,
    user_id: int,
    passkey_id: object,
    name: object,
    *,
    meta: RequestMeta,
    clock: Clock = system_clock,
) -> tuple[PasskeyRow, list[EmailMessage]]:
    row = _own(db, user_id, passkey_id)
    clean = clean_name(name)
    if clean == row.name:
        return PasskeyRow.of(row), []
    old = row.name
    row.name = clean
    db.add(row)
    db.flush()
    user = db.get(User, user_id)
    audit.record(
        db,
        "passkey_renamed",
        meta=meta,
        user_id=user_id,
        email=user.email,
        detail=f"{row.id} {old} -> {clean}"[:1000],
        clock=clock,
    )
    live.touch(db, user_id, TOPIC)
    return PasskeyRow.of(row), [_renamed_email(user, old, clean)]


def delete_passkey(
    db: Session, user_id: int, passkey_id: object, *, meta: RequestMeta, clock: Clock = system_clock
) -> list[EmailMessage]:
    """Remove one of the user's passkeys; refused when it is their last way to sign in."""
    row = _own(db, user_id, passkey_id)
    # Locks the user's row on PostgreSQL, so two removals at once cannot both pass the count.
    db.exec(select(User.id).where(User.id == user_id).with_for_update()).first()
    if remaining_sign_in_methods(db, user_id) <= 1:
        raise LastSignInMethod(LAST_WAY_IN)
    user = db.get(User, user_id)
    audit.record(
        db, "passkey_removed", meta=meta, user_id=user_id, email=user.email, detail=f"{row.id} {row.name}", clock=clock
    )
    name = row.name
    db.delete(row)
    db.flush()
    live.touch(db, user_id, TOPIC)
    return [_removed_email(user, name)]
