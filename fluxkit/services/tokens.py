"""Random tokens and their keyed hashes: the database never holds a usable token."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from fluxkit.settings import get_settings

TOKEN_BYTES = 32  # 256 bits


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    key = get_settings().secret_key.encode()
    return hmac.new(key, token.encode(), hashlib.sha256).hexdigest()
