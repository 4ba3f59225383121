"""/api/v1/chat: conversations and messages over the same service as the Chat page.

A conversation the caller is not (or no longer) a member of is a 404 from every route and
changes nothing. Writes commit through `session_scope()`, whose after-commit hook updates the
open tabs of every member, as a message sent from the page does.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field, StrictBool

from fluxkit.api.v1.common import CallerDep, refusals, run_as
from fluxkit.api.v1.fields import ID_MAX, NON_BLANK, TEXT, as_utc, json_int
from fluxkit.db import session_scope
from fluxkit.services import chat

Kind = Literal["direct", "group"]
assert Kind.__args__ == chat.KINDS

UserId = json_int(1, ID_MAX)
Title = Annotated[
    str, Field(max_length=chat.TITLE_MAX, pattern=TEXT, description="A group's name; empty shows the members' names.")
]


def _at(value: str) -> datetime:
    return as_utc(datetime.fromisoformat(value))


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


ConversationId = Annotated[int, Path(ge=1, le=ID_MAX, description="The conversation's id.")]
TAG = ["chat"]

router = APIRouter(prefix="/chat")


@router.get(
    "/conversations",
    tags=TAG,
    summary="Your conversations (pinned first, then the most recent)",
    response_model=list[Conversation],
    responses=refusals(),
)
def list_conversations(caller: CallerDep):
    return [Conversation.of(r) for r in run_as(caller, chat.list_conversations)]


@router.post(
    "/conversations",
    tags=TAG,
    summary="Start a conversation",
    description=(
        "`direct` with one person answers the conversation you already have with them (200) or "
        "a new one (201); `group` always makes a new group (201). Unknown people answer 422."
    ),
    status_code=201,
    response_model=Conversation,
    responses={200: {"model": Conversation, "description": "The existing direct conversation."}, **refusals()},
)
def create_conversation(caller: CallerDep, body: ConversationCreate, response: Response):
    row, created = run_as(caller, chat.start, body.kind, body.user_ids, body.title)
    if not created:
        response.status_code = 200
    return Conversation.of(row)


@router.get(
    "/unread",
    tags=TAG,
    summary="Unread messages in all (the sidebar badge)",
    response_model=Unread,
    responses=refusals(),
)
def unread(caller: CallerDep):
    return Unread(unread=run_as(caller, chat.unread_total))


@router.get(
    "/users",
    tags=TAG,
    summary="Find people of this instance to talk to",
    response_model=list[Person],
    responses=refusals(),
)
def search_users(
    caller: CallerDep,
    search: Annotated[
        str, Query(max_length=100, pattern=TEXT, description="In name and email; empty lists the first few.")
    ] = "",
):
    return [
        Person(id=h.id, name=h.name, email=h.email, online=h.online) for h in run_as(caller, chat.search_users, search)
    ]


@router.get(
    "/conversations/{conversation_id}",
    tags=TAG,
    summary="A conversation: members, who is typing, who saw your newest message",
    response_model=ConversationDetail,
    responses=refusals(404),
)
def get_conversation(caller: CallerDep, conversation_id: ConversationId):
    return ConversationDetail.of_detail(run_as(caller, chat.detail, conversation_id))


@router.patch(
    "/conversations/{conversation_id}",
    tags=TAG,
    summary="Rename a group, pin or mute",
    response_model=Conversation,
    responses=refusals(404),
)
def update_conversation(caller: CallerDep, conversation_id: ConversationId, body: ConversationUpdate):
    sent = body.model_dump(exclude_unset=True)
    with session_scope() as db:
        if "title" in sent:
            chat.rename(db, caller.user_id, conversation_id, sent["title"])
        row = chat.set_flags(db, caller.user_id, conversation_id, pinned=sent.get("pinned"), muted=sent.get("muted"))
    return Conversation.of(row)


@router.post(
    "/conversations/{conversation_id}/leave",
    tags=TAG,
    summary="Leave a group (its history is no longer yours to read)",
    status_code=204,
    response_class=Response,
    responses=refusals(404),
)
def leave(caller: CallerDep, conversation_id: ConversationId) -> None:
    run_as(caller, chat.leave, conversation_id)


@router.get(
    "/conversations/{conversation_id}/messages",
    tags=TAG,
    summary="Messages, newest page first (keyset: pass `next_before` as `before`)",
    response_model=MessagePage,
    responses=refusals(404),
)
def list_messages(
    caller: CallerDep,
    conversation_id: ConversationId,
    before: Annotated[
        int | None, Query(ge=1, le=ID_MAX, description="Only messages older than this message id.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=chat.PAGE_MAX)] = chat.PAGE_SIZE,
):
    return MessagePage.of(run_as(caller, chat.messages, conversation_id, before=before, limit=limit))


@router.post(
    "/conversations/{conversation_id}/messages",
    tags=TAG,
    summary="Send a message",
    status_code=201,
    response_model=Message,
    responses=refusals(404),
)
def send_message(caller: CallerDep, conversation_id: ConversationId, body: MessageCreate):
    return Message.of(run_as(caller, chat.send, conversation_id, body.body))


@router.post(
    "/conversations/{conversation_id}/seen",
    tags=TAG,
    summary="Mark everything in it seen (the others see the receipt)",
    response_model=Conversation,
    responses=refusals(404),
)
def mark_seen(caller: CallerDep, conversation_id: ConversationId):
    with session_scope() as db:
        chat.mark_seen(db, caller.user_id, conversation_id)
        row = chat.get_conversation(db, caller.user_id, conversation_id)
    return Conversation.of(row)
