"""Errors services raise; the API and states turn them into answers a user can read.

A feature's error subclasses one of the semantic bases below (`NotOwner(Forbidden)`), so
each front door maps the base once: `fluxkit/api/errors.py` gives every base its HTTP
status. `code` is the stable string clients see in the `error` field of an answer.
"""

from __future__ import annotations


class ServiceError(Exception):
    """A refusal of the request as sent (HTTP 400 unless a base below says otherwise)."""

    code = "error"

    def __init__(self, message: str, *, fields: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class InvalidInput(ServiceError):
    """Something the user typed is not valid; `fields` names each bad field."""

    code = "invalid_input"


class InvalidCredentials(ServiceError):
    code = "invalid_credentials"


class InvalidToken(ServiceError):
    code = "invalid_token"


class NotAuthenticated(ServiceError):
    code = "unauthorized"


class NotFound(ServiceError):
    """No such thing for this user (another user's ids are not found either)."""

    code = "not_found"


class Forbidden(ServiceError):
    """The user is known, and their role or relation to the thing does not allow this."""

    code = "forbidden"


class Conflict(ServiceError):
    """A rule refuses the request as a whole in the current state (no one field is wrong)."""

    code = "conflict"


class LimitReached(ServiceError):
    """The plan's limit: upgrading would allow it."""

    code = "limit_reached"


class Unavailable(ServiceError):
    """A provider we depend on is missing or down; trying later may work."""

    code = "unavailable"
