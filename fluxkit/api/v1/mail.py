"""/api/v1/mail: internal mail over the same service as the Mail page.

Every id is the id of the caller's own copy of a message; anybody else's (or none) is a 404
and changes nothing. Writes commit through `session_scope()`, whose after-commit hook
updates every open tab of every participant, as a message sent from the page does.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from fluxkit.api.v1 import mail_schemas as ms
from fluxkit.api.v1.common import CallerDep, refusals, run_as
from fluxkit.api.v1.schemas import ID_MAX, TEXT, PageSize
from fluxkit.db import session_scope
from fluxkit.services import mailbox

MailId = Annotated[int, Path(ge=1, le=ID_MAX, description="The id of your copy of the message.")]
TAG = ["mail"]

router = APIRouter()


@router.get(
    "/mail",
    tags=TAG,
    summary="List a folder (one page, newest first)",
    response_model=ms.MailPage,
    responses=refusals(),
)
def list_mail(
    caller: CallerDep,
    folder: ms.Folder = "inbox",
    search: Annotated[
        str, Query(max_length=mailbox.SEARCH_MAX, pattern=TEXT, description="In subject, body and sender.")
    ] = "",
    page: Annotated[int, Query(ge=1, le=1_000_000, description="Past the last page answers the last page.")] = 1,
    page_size: Annotated[PageSize, Query()] = mailbox.PAGE_SIZE,
):
    return ms.MailPage.of(run_as(caller, mailbox.list_folder, folder, search, page, page_size))


@router.post(
    "/mail",
    tags=TAG,
    summary="Send a message (or save a draft)",
    description=(
        "Sends to accounts of this instance: each recipient gets their own copy in their Inbox "
        "and a `mail` notification, and your copy goes to Sent. An address without an account "
        "answers 422 naming it in `fields.to` / `fields.cc`, and nothing is sent. With "
        "`draft: true` the message is kept in Drafts unchecked."
    ),
    status_code=201,
    response_model=ms.Mail,
    responses=refusals(404),
)
def send_mail(caller: CallerDep, body: ms.MailCompose):
    service = mailbox.save_draft if body.draft else mailbox.send
    return ms.Mail.of(run_as(caller, service, body.model_dump(exclude={"draft"})))


@router.get("/mail/{mail_id}", tags=TAG, summary="Get a message", response_model=ms.Mail, responses=refusals(404))
def get_mail(caller: CallerDep, mail_id: MailId):
    return ms.Mail.of(run_as(caller, mailbox.get_mail, mail_id))


@router.get(
    "/mail/{mail_id}/thread",
    tags=TAG,
    summary="The conversation of a message (oldest first, your copies)",
    response_model=list[ms.Mail],
    responses=refusals(404),
)
def get_thread(caller: CallerDep, mail_id: MailId):
    return [ms.Mail.of(v) for v in run_as(caller, mailbox.thread, mail_id)]


@router.patch(
    "/mail/{mail_id}",
    tags=TAG,
    summary="Mark read or unread, star, or move a message",
    description="Only the fields sent change, and only in your copy. `folder`: inbox, archive or trash.",
    response_model=ms.Mail,
    responses=refusals(404),
)
def change_mail(caller: CallerDep, mail_id: MailId, body: ms.MailChange):
    changes = body.model_dump(exclude_unset=True)
    with session_scope() as db:
        view = mailbox.get_mail(db, caller.user_id, mail_id)
        if changes.get("folder") is not None:
            view = mailbox.move(db, caller.user_id, mail_id, changes["folder"])
        if changes.get("read") is not None:
            view = mailbox.set_read(db, caller.user_id, mail_id, changes["read"])
        if changes.get("starred") is not None:
            view = mailbox.set_starred(db, caller.user_id, mail_id, changes["starred"])
    return ms.Mail.of(view)


@router.post(
    "/mail/{mail_id}/restore",
    tags=TAG,
    summary="Restore a message from the Trash (to where it arrived)",
    response_model=ms.Mail,
    responses=refusals(404),
)
def restore_mail(caller: CallerDep, mail_id: MailId):
    return ms.Mail.of(run_as(caller, mailbox.restore, mail_id))


@router.delete(
    "/mail/{mail_id}",
    tags=TAG,
    summary="Delete your copy for good (the others keep theirs)",
    status_code=204,
    response_class=Response,
    responses=refusals(404),
)
def delete_mail(caller: CallerDep, mail_id: MailId) -> None:
    run_as(caller, mailbox.delete_forever, mail_id)


@router.put(
    "/mail/{mail_id}",
    tags=TAG,
    summary="Replace a draft's content",
    response_model=ms.Mail,
    responses=refusals(404),
)
def update_draft(caller: CallerDep, mail_id: MailId, body: ms.DraftUpdate):
    return ms.Mail.of(run_as(caller, mailbox.save_draft, body.model_dump(), draft_id=mail_id))


@router.post(
    "/mail/{mail_id}/send",
    tags=TAG,
    summary="Send a draft",
    description="A refused draft (e.g. an address without an account, 422) stays in Drafts unchanged.",
    response_model=ms.Mail,
    responses=refusals(404),
)
def send_draft(caller: CallerDep, mail_id: MailId):
    return ms.Mail.of(run_as(caller, mailbox.send_draft, mail_id))
