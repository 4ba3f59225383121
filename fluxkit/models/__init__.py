"""SQLModel tables. Importing this package registers every table on SQLModel.metadata."""

from fluxkit.models.accounts import AuditEvent, User, UserSession, VerificationToken

__all__ = ["AuditEvent", "User", "UserSession", "VerificationToken"]
