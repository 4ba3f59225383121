"""A software WebAuthn authenticator: real P-256 keys, real CBOR and real signatures.

What a phone or a security key does for navigator.credentials.create() and .get(), so the
passkey tests run the whole protocol (nothing of py_webauthn is mocked): it answers the
server's options with the JSON a browser sends (base64url fields, `PublicKeyCredential.toJSON()`).
Knobs let a test be a different site (origin, RP id), an authenticator that does not verify
the user, or one whose signature counter does not move (a clone).
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import struct
from dataclasses import dataclass, field

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

ORIGIN = "http://localhost:3000"  # the test settings' FLUXKIT_BASE_URL
RP_ID = "localhost"

UP, UV, BE, BS, AT = 0x01, 0x04, 0x08, 0x10, 0x40
AAGUID = bytes.fromhex("f1d0f1d0f1d0f1d0f1d0f1d0f1d0f1d0")


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Credential:
    id: bytes
    key: ec.EllipticCurvePrivateKey
    rp_id: str
    user_handle: bytes
    sign_count: int = 0


def _cose_public_key(key: ec.EllipticCurvePrivateKey) -> bytes:
    numbers = key.public_key().public_numbers()
    return cbor2.dumps(
        {1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")},
        canonical=True,
    )


@dataclass
class SoftAuthenticator:
    """Keeps its credentials like a platform authenticator (discoverable, one per RP and user)."""

    origin: str = ORIGIN
    counting: bool = True  # False: a counter that stays at 0 (like most synced passkeys)
    credentials: list[Credential] = field(default_factory=list)

    def _client_data(self, kind: str, challenge: str, origin: str | None) -> bytes:
        return json.dumps(
            {"type": kind, "challenge": challenge, "origin": origin or self.origin, "crossOrigin": False}
        ).encode()

    def create(
        self,
        options: dict,
        *,
        origin: str | None = None,
        rp_id: str | None = None,
        user_verified: bool = True,
        transports: tuple[str, ...] = ("internal",),
    ) -> dict:
        """navigator.credentials.create({publicKey: options}), as `credential.toJSON()`."""
        rp = rp_id or options["rp"]["id"]
        excluded = {d["id"] for d in options.get("excludeCredentials", [])}
        if any(b64url(c.id) in excluded for c in self.credentials):
            raise RuntimeError("InvalidStateError: this authenticator already holds a passkey for the account")
        key = ec.generate_private_key(ec.SECP256R1())
        credential = Credential(
            id=secrets.token_bytes(32),
            key=key,
            rp_id=rp,
            user_handle=unb64url(options["user"]["id"]),
        )
        self.credentials.append(credential)
        flags = UP | AT | (UV if user_verified else 0)
        attested = AAGUID + struct.pack(">H", len(credential.id)) + credential.id + _cose_public_key(key)
        auth_data = hashlib.sha256(rp.encode()).digest() + bytes([flags]) + struct.pack(">I", 0) + attested
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        client_data = self._client_data("webauthn.create", options["challenge"], origin)
        return {
            "id": b64url(credential.id),
            "rawId": b64url(credential.id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64url(client_data),
                "attestationObject": b64url(attestation),
                "transports": list(transports),
            },
            "clientExtensionResults": {},
            "authenticatorAttachment": "platform",
        }

    def get(
        self,
        options: dict,
        *,
        credential: Credential | None = None,
        origin: str | None = None,
        rp_id: str | None = None,
        user_verified: bool = True,
    ) -> dict:
        """navigator.credentials.get({publicKey: options}) with a discoverable credential."""
        rp = rp_id or options.get("rpId") or RP_ID
        if credential is None:
            credential = next(c for c in reversed(self.credentials) if c.rp_id == (options.get("rpId") or rp))
        if self.counting:
            credential.sign_count += 1
        flags = UP | (UV if user_verified else 0)
        auth_data = hashlib.sha256(rp.encode()).digest() + bytes([flags]) + struct.pack(">I", credential.sign_count)
        client_data = self._client_data("webauthn.get", options["challenge"], origin)
        signature = credential.key.sign(auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256()))
        return {
            "id": b64url(credential.id),
            "rawId": b64url(credential.id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64url(client_data),
                "authenticatorData": b64url(auth_data),
                "signature": b64url(signature),
                "userHandle": b64url(credential.user_handle),
            },
            "clientExtensionResults": {},
            "authenticatorAttachment": "platform",
        }
