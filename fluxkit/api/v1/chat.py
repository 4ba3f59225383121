"""/api/v1/chat: conversations and messages over the same service as the Chat page.

A conversation the caller is not (or no longer) a member of is a 404 from every route and
changes nothing. Writes commit through `session_scope()`, whose after-commit hook updates the
open tabs of every member, as a message sent from the page does.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from fluxkit.api.v1 import chat_schemas as cs
from fluxkit.api.v1.common import CallerDep, refusals, run_as
from fluxkit.api.v1.schemas import ID_MAX, TEXT
from fluxkit.db import session_scope
from fluxkit.services import chat

ConversationId = Annotated[int, Path(ge=1, le=ID_MAX, description="The conversation's id.")]
TAG = ["chat"]

router = APIRouter(prefix="/chat")


@router.get(
    "/conversations",
    tags=TAG,
    summary="Your conversations (pinned first, then the most recent)",
    response_model=list[cs.Conversation],
    responses=refusals(),
)
def list_conversations(caller: CallerDep):
    return [cs.Conversation.of(r) for r in run_as(caller, chat.list_conversations)]


@router.post(
    "/conversations",
    tags=TAG,
    summary="Start a conversation",
    description=(
        "`direct` with one person answers the conversation you already have with them (200) or "
        "a new one (201); `group` always makes a new group (201). Unknown people answer 422."
    ),
    status_code=201,
    response_model=cs.Conversation,
    responses={200: {"model": cs.Conversation, "description": "The existing direct conversation."}, **refusals()},
)
def create_conversation(caller: CallerDep, body: cs.ConversationCreate, response: Response):
    row, created = run_as(caller, chat.start, body.kind, body.user_ids, body.title)
    if not created:
        response.status_code = 200
    return cs.Conversation.of(row)


@router.get(
    "/unread",
    tags=TAG,
    summary="Unread messages in all (the sidebar badge)",
    response_model=cs.Unread,
    responses=refusals(),
)
def unread(caller: CallerDep):
    return cs.Unread(unread=run_as(caller, chat.unread_total))


@router.get(
    "/users",
    tags=TAG,
    summary="Find people of this instance to talk to",
    response_model=list[cs.Person],
    responses=refusals(),
)
def search_users(
    caller: CallerDep,
    search: Annotated[
        str, Query(max_length=100, pattern=TEXT, description="In name and email; empty lists the first few.")
    ] = "",
):
    return [
        cs.Person(id=h.id, name=h.name, email=h.email, online=h.online)
        for h in run_as(caller, chat.search_users, search)
    ]


@router.get(
    "/conversations/{conversation_id}",
    tags=TAG,
    summary="A conversation: members, who is typing, who saw your newest message",
    response_model=cs.ConversationDetail,
    responses=refusals(404),
)
def get_conversation(caller: CallerDep, conversation_id: ConversationId):
    return cs.ConversationDetail.of_detail(run_as(caller, chat.detail, conversation_id))


@router.patch(
    "/conversations/{conversation_id}",
    tags=TAG,
    summary="Rename a group, pin or mute",
    response_model=cs.Conversation,
    responses=refusals(404),
)
def update_conversation(caller: CallerDep, conversation_id: ConversationId, body: cs.ConversationUpdate):
    sent = body.model_dump(exclude_unset=True)
    with session_scope() as db:
        if "title" in sent:
            chat.rename(db, caller.user_id, conversation_id, sent["title"])
        row = chat.set_flags(db, caller.user_id, conversation_id, pinned=sent.get("pinned"), muted=sent.get("muted"))
    return cs.Conversation.of(row)


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
    response_model=cs.MessagePage,
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
    return cs.MessagePage.of(run_as(caller, chat.messages, conversation_id, before=before, limit=limit))


@router.post(
    "/conversations/{conversation_id}/messages",
    tags=TAG,
    summary="Send a message",
    status_code=201,
    response_model=cs.Message,
    responses=refusals(404),
)
def send_message(caller: CallerDep, conversation_id: ConversationId, body: cs.MessageCreate):
    return cs.Message.of(run_as(caller, chat.send, conversation_id, body.body))


@router.post(
    "/conversations/{conversation_id}/seen",
    tags=TAG,
    summary="Mark everything in it seen (the others see the receipt)",
    response_model=cs.Conversation,
    responses=refusals(404),
)
def mark_seen(caller: CallerDep, conversation_id: ConversationId):
    with session_scope() as db:
        chat.mark_seen(db, caller.user_id, conversation_id)
        row = chat.get_conversation(db, caller.user_id, conversation_id)
    return cs.Conversation.of(row)
