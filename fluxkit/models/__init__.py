"""SQLModel tables. Importing this package registers every table on SQLModel.metadata."""

from fluxkit.models.accounts import AuditEvent, User, UserSession, VerificationToken
from fluxkit.models.tasks import ApiKey, Notification, Task, TaskEvent

__all__ = [
    "ApiKey",
    "AuditEvent",
    "Notification",
    "Task",
    "TaskEvent",
    "User",
    "UserSession",
    "VerificationToken",
]
