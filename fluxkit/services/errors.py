"""Errors services raise; the API and states turn them into answers a user can read."""

from __future__ import annotations


class ServiceError(Exception):
    code = "error"

    def __init__(self, message: str, *, fields: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class InvalidInput(ServiceError):
    code = "invalid_input"


class InvalidCredentials(ServiceError):
    code = "invalid_credentials"


class InvalidToken(ServiceError):
    code = "invalid_token"


class NotAuthenticated(ServiceError):
    code = "unauthorized"


class NotFound(ServiceError):
    code = "not_found"
