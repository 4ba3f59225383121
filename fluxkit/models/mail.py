"""Internal mail: one row per message, and one mailbox copy per participant.

A message is written once; each participant (the sender, every To and Cc recipient) gets
their own `MailCopy` with their own folder, read and starred state. Deleting a copy never
touches anybody else's; the message goes when its last copy does. A draft is a message
without `sent_at` whose only copy sits in its author's Drafts.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

from fluxkit.clock import system_clock


def _now() -> datetime:
    return system_clock.now()


class MailMessage(SQLModel, table=True):
    __tablename__ = "mail_message"

    id: int | None = Field(default=None, primary_key=True)
    # The conversation: the id of its first message (a new message starts its own thread).
    thread_id: int | None = Field(default=None, index=True)
    in_reply_to: int | None = Field(default=None, foreign_key="mail_message.id", ondelete="SET NULL")
    sender_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL", index=True)
    # Kept as sent: the message still reads right after the sender renames or leaves.
    sender_name: str = Field(max_length=100)
    sender_email: str = Field(max_length=254)
    # Comma-separated addresses (as typed while a draft, normalised once sent).
    to_addresses: str = Field(default="", sa_column=Column(Text, nullable=False))
    cc_addresses: str = Field(default="", sa_column=Column(Text, nullable=False))
    subject: str = Field(default="", max_length=200)
    body: str = Field(default="", sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=_now)
    updated_at: datetime = Field(default_factory=_now)
    sent_at: datetime | None = Field(default=None)


class MailCopy(SQLModel, table=True):
    """One participant's copy of a message: where it is for them, and how they left it."""

    __tablename__ = "mail_copy"
    __table_args__ = (
        # The folder listing (newest first) and the per-folder counts.
        Index("ix_mail_copy_owner_folder", "user_id", "folder", "at"),
        Index("ix_mail_copy_owner_thread", "user_id", "thread_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", ondelete="CASCADE")
    message_id: int = Field(foreign_key="mail_message.id", ondelete="CASCADE", index=True)
    thread_id: int = Field()
    folder: str = Field(max_length=10)  # inbox, sent, drafts, archive, trash
    # Where the copy arrived (inbox, sent or drafts): where "restore" and "move to inbox" lead.
    origin: str = Field(max_length=10)
    read: bool = Field(default=False)
    starred: bool = Field(default=False)
    # When the message arrived in this mailbox (sent, or last saved for a draft): the order.
    at: datetime = Field(default_factory=_now)
