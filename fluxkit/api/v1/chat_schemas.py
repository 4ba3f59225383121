"""Bodies of /api/v1/chat: what the OpenAPI spec promises. The service checks everything again."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from fluxkit.api.v1.schemas import ID_MAX, NON_BLANK, TEXT, _utc, json_int
from fluxkit.services import chat

Kind = Literal["direct", "group"]
assert Kind.__args__ == chat.KINDS

UserId = json_int(1, ID_MAX)
Title = Annotated[
    str, Field(max_length=chat.TITLE_MAX, pattern=TEXT, description="A group's name; empty shows the members' names.")
]


def _at(value: str) -> datetime:
    return _utc(datetime.fromisoformat(value))


class ConversationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Kind = Field(
        description="`direct`: exactly one other person (the existing conversation is reused). `group`: one or more."
    )
    user_ids: list[UserId] = Field(
        min_length=1, max_length=chat.GROUP_MAX, description="The other people (ids from `GET /chat/users`)."
    )
    title: Title = ""


class ConversationUpdate(BaseModel):
    """Only the fields sent change. `title` is for groups; `pinned` and `muted` are yours alone."""

    model_config = ConfigDict(extra="forbid")

    # Optional but not nullable: `None` here only means "not sent".
    title: Title = Field(default=None)
    pinned: StrictBool = Field(default=None, description="Listed first.")
    muted: StrictBool = Field(default=None, description="Its messages no longer count in the unread badge.")


class MessageCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: str = Field(
        min_length=1,
        max_length=chat.BODY_MAX,
        pattern=NON_BLANK,
        description="Plain text; http(s) links are shown as links.",
    )


class Conversation(BaseModel):
    id: int
    kind: Kind
    title: str = Field(description="The group's name, or the other person's / the members' names.")
    member_count: int = Field(ge=0)
    online: bool = Field(description="Someone else in it has an open tab now.")
    unread: int = Field(ge=0, description="Messages from others you have not seen.")
    pinned: bool
    muted: bool
    last_message: str = Field(description="A preview of the newest message ('' for none).")
    last_message_at: datetime

    @classmethod
    def of(cls, row: chat.ConversationRow) -> Conversation:
        return cls(
            id=row.id,
            kind=row.kind,
            title=row.title,
            member_count=row.member_count,
            online=row.online,
            unread=row.unread,
            pinned=row.pinned,
            muted=row.muted,
            last_message=row.last_message,
            last_message_at=_at(row.last_message_at),
        )


class Member(BaseModel):
    user_id: int
    name: str
    email: str
    online: bool
    last_seen_message_id: int = Field(ge=0, description="The newest message they have seen (0: none).")


class ConversationDetail(Conversation):
    members: list[Member]
    typing: list[str] = Field(description="Names of the others typing right now.")
    seen_by: list[str] = Field(description="The others who have seen your newest message.")

    @classmethod
    def of_detail(cls, found: chat.ConversationDetail) -> ConversationDetail:
        return cls(
            **dict(Conversation.of(found.conversation)),
            members=[
                Member(
                    user_id=m.user_id,
                    name=m.name,
                    email=m.email,
                    online=m.online,
                    last_seen_message_id=m.last_seen_message_id,
                )
                for m in found.members
            ],
            typing=found.typing,
            seen_by=found.seen_by,
        )


class Message(BaseModel):
    id: int
    conversation_id: int
    sender_id: int | None = Field(description="null for a deleted account.")
    sender_name: str
    kind: Literal["text", "event"] = Field(description="`event`: a line like 'Ada renamed the group'.")
    body: str
    created_at: datetime

    @classmethod
    def of(cls, row: chat.MessageRow) -> Message:
        return cls(
            id=row.id,
            conversation_id=row.conversation_id,
            sender_id=row.sender_id or None,
            sender_name=row.sender_name,
            kind=row.kind,
            body=row.body,
            created_at=_at(row.created_at),
        )


class MessagePage(BaseModel):
    items: list[Message] = Field(description="Oldest first.")
    next_before: int | None = Field(description="Pass as `before` for the page of older messages; null at the start.")

    @classmethod
    def of(cls, page: chat.MessagePage) -> MessagePage:
        return cls(items=[Message.of(m) for m in page.items], next_before=page.next_before)


class Person(BaseModel):
    id: int
    name: str
    email: str
    online: bool


class Unread(BaseModel):
    unread: int = Field(ge=0, description="Unread messages in all your conversations that are not muted.")
