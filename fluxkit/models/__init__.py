"""SQLModel tables. Importing this package registers every table on SQLModel.metadata."""

from fluxkit.models import task_search  # noqa: F401 - search and title indexes (DDL)
from fluxkit.models.accounts import AuditEvent, User, UserSession, VerificationToken
from fluxkit.models.api_keys import ApiKey
from fluxkit.models.billing import BillingEvent, Subscription
from fluxkit.models.calendar import CalendarEvent, CalendarFeed, EventAttendee
from fluxkit.models.chat import ChatMessage, ChatPresence, Conversation, ConversationMember
from fluxkit.models.dashboard import DashboardChoice
from fluxkit.models.faqs import Faq
from fluxkit.models.imports import ImportFile
from fluxkit.models.mail import MailCopy, MailMessage
from fluxkit.models.notifications import Notification
from fluxkit.models.organizations import ActiveOrganization, Organization, OrgInvitation, OrgMember
from fluxkit.models.passkeys import Passkey, PasskeyChallenge
from fluxkit.models.read_tally import MailTally, NotificationTally
from fluxkit.models.social_accounts import OAuthFlow, SocialAccount
from fluxkit.models.task_tally import TaskTally
from fluxkit.models.tasks import Task, TaskEvent
from fluxkit.models.two_factor import BackupCode, TrustedDevice, TwoFactor, TwoFactorChallenge

__all__ = [
    "ApiKey",
    "BackupCode",
    "AuditEvent",
    "BillingEvent",
    "ChatMessage",
    "ChatPresence",
    "Conversation",
    "ConversationMember",
    "DashboardChoice",
    "Faq",
    "ImportFile",
    "CalendarEvent",
    "CalendarFeed",
    "EventAttendee",
    "MailCopy",
    "MailMessage",
    "MailTally",
    "Notification",
    "NotificationTally",
    "OAuthFlow",
    "ActiveOrganization",
    "OrgInvitation",
    "OrgMember",
    "Organization",
    "SocialAccount",
    "Passkey",
    "PasskeyChallenge",
    "Subscription",
    "Task",
    "TaskEvent",
    "TaskTally",
    "TrustedDevice",
    "TwoFactor",
    "TwoFactorChallenge",
    "User",
    "UserSession",
    "VerificationToken",
]
