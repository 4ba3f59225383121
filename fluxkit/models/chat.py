"""Chat: conversations between accounts of this instance, their members and messages."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from fluxkit.clock import system_clock


def _now() -> datetime:
    return system_clock.now()


class Conversation(SQLModel, table=True):
    __tablename__ = "chat_conversation"
    __table_args__ = (UniqueConstraint("direct_key", name="uq_chat_conversation_direct_key"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=10)  # "direct" or "group"
    title: str = Field(default="", max_length=100)  # groups only; "" shows the members' names
    # "<smaller user id>:<larger user id>" for a direct conversation, so there is only one.
    direct_key: str | None = Field(default=None, max_length=40)
    created_by: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=_now)
    # The newest message's time (or the creation): the list's order.
    last_message_at: datetime = Field(default_factory=_now)


class ConversationMember(SQLModel, table=True):
    """One person in one conversation, with their own read position and settings."""

    __tablename__ = "chat_member"
    __table_args__ = (
        UniqueConstraint("conversation_id", "user_id", name="uq_chat_member"),
        Index("ix_chat_member_user", "user_id", "left_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="chat_conversation.id", ondelete="CASCADE")
    user_id: int = Field(foreign_key="user.id", ondelete="CASCADE")
    joined_at: datetime = Field(default_factory=_now)
    left_at: datetime | None = Field(default=None)  # set when they left the group
    # The newest message they have seen ("seen" receipts, unread counts).
    last_seen_message_id: int = Field(default=0)
    pinned: bool = Field(default=False)
    muted: bool = Field(default=False)
    # When they last typed in the box; "typing…" shows for a few seconds after it.
    typing_at: datetime | None = Field(default=None)


class ChatMessage(SQLModel, table=True):
    __tablename__ = "chat_message"
    __table_args__ = (Index("ix_chat_message_conversation", "conversation_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="chat_conversation.id", ondelete="CASCADE")
    sender_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    kind: str = Field(default="text", max_length=10)  # "text", or "event" (renamed, left, ...)
    body: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=_now)


class ChatPresence(SQLModel, table=True):
    """When a user last had an open tab of the app (online = recently)."""

    __tablename__ = "chat_presence"

    user_id: int = Field(foreign_key="user.id", primary_key=True, ondelete="CASCADE")
    last_active_at: datetime = Field(default_factory=_now)
