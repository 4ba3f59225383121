"""/api/v1/mail: internal mail over the same service as the Mail page.

Every id is the id of the caller's own copy of a message; anybody else's (or none) is a 404
and changes nothing. Writes commit through `session_scope()`, whose after-commit hook
updates every open tab of every participant, as a message sent from the page does.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field, StrictBool

from fluxkit.api.v1.common import CallerDep, refusals, run_as
from fluxkit.api.v1.fields import ID, ID_MAX, TEXT, PageSize, as_utc
from fluxkit.db import session_scope
from fluxkit.services import mailbox

Folder = Literal["inbox", "sent", "drafts", "archive", "trash"]
MoveTarget = Literal["inbox", "archive", "trash"]
assert Folder.__args__ == mailbox.FOLDERS
assert MoveTarget.__args__ == mailbox.MOVE_TARGETS

Address = Annotated[str, Field(max_length=254, pattern=TEXT, examples=["bob@example.com"])]
Subject = Annotated[str, Field(max_length=mailbox.SUBJECT_MAX, pattern=TEXT, examples=["Launch plan"])]
Body = Annotated[
    str, Field(max_length=mailbox.BODY_MAX, pattern=TEXT, description="Markdown (shown with raw HTML as text).")
]


class MailCompose(BaseModel):
    """A message to send now, or (with `draft: true`) to keep in Drafts."""

    model_config = ConfigDict(extra="forbid")

    to: list[Address] = Field(
        default_factory=list, max_length=mailbox.RECIPIENTS_MAX, description="Emails of accounts on this instance."
    )
    cc: list[Address] = Field(default_factory=list, max_length=mailbox.RECIPIENTS_MAX)
    subject: Subject = ""
    body: Body = ""
    reply_to: ID | None = Field(
        default=None, description="The id of a message of yours this answers (joins its conversation)."
    )
    draft: StrictBool = Field(
        default=False, description="Keep it in Drafts instead of sending (addresses are checked only when sent)."
    )


class DraftUpdate(BaseModel):
    """A draft's new content (every field replaces the old one)."""

    model_config = ConfigDict(extra="forbid")

    to: list[Address] = Field(default_factory=list, max_length=mailbox.RECIPIENTS_MAX)
    cc: list[Address] = Field(default_factory=list, max_length=mailbox.RECIPIENTS_MAX)
    subject: Subject = ""
    body: Body = ""


class MailChange(BaseModel):
    """Only the fields sent change."""

    model_config = ConfigDict(extra="forbid")

    read: StrictBool = Field(default=None)
    starred: StrictBool = Field(default=None)
    folder: MoveTarget = Field(default=None, description="`inbox` brings mail you sent back to Sent.")


class Person(BaseModel):
    name: str
    email: str


class Mail(BaseModel):
    """Your copy of a message: its folder, read and starred state are yours alone."""

    id: int = Field(description="The id of your copy (other participants have their own).")
    thread_id: int = Field(description="The conversation it belongs to.")
    folder: Folder
    sender: Person = Field(alias="from")
    to: list[str]
    cc: list[str]
    subject: str
    body: str
    at: datetime = Field(description="When it was sent (or last saved, for a draft).")
    read: bool
    starred: bool
    draft: bool

    model_config = ConfigDict(populate_by_name=True)

    @classmethod
    def of(cls, view: mailbox.MailView) -> Mail:
        return cls(
            id=view.id,
            thread_id=view.thread_id,
            folder=view.folder,
            sender=Person(name=view.sender_name, email=view.sender_email),
            to=view.to_addresses,
            cc=view.cc_addresses,
            subject=view.subject,
            body=view.body,
            at=as_utc(datetime.fromisoformat(view.at)),
            read=view.read,
            starred=view.starred,
            draft=view.draft,
        )


class MailSummary(BaseModel):
    id: int
    thread_id: int
    folder: Folder
    sender: Person = Field(alias="from")
    recipients: list[str] = Field(description="To and Cc.")
    subject: str
    snippet: str = Field(description="The start of the body.")
    at: datetime
    read: bool
    starred: bool
    draft: bool

    model_config = ConfigDict(populate_by_name=True)

    @classmethod
    def of(cls, row: mailbox.MailRow) -> MailSummary:
        return cls(
            id=row.id,
            thread_id=row.thread_id,
            folder=row.folder,
            sender=Person(name=row.sender_name, email=row.sender_email),
            recipients=[a.strip() for a in row.recipients.split(",") if a.strip()],
            subject=row.subject,
            snippet=row.snippet,
            at=as_utc(datetime.fromisoformat(row.at)),
            read=row.read,
            starred=row.starred,
            draft=row.draft,
        )


class FolderCount(BaseModel):
    folder: Folder
    total: int = Field(ge=0)
    unread: int = Field(ge=0)


class MailPage(BaseModel):
    items: list[MailSummary]
    total: int = Field(ge=0)
    page: int = Field(ge=1)
    page_size: int = Field(ge=1)
    pages: int = Field(ge=1)
    folders: list[FolderCount] = Field(description="Every folder's total and unread count.")

    @classmethod
    def of(cls, page: mailbox.MailPage) -> MailPage:
        return cls(
            items=[MailSummary.of(r) for r in page.rows],
            total=page.total,
            page=page.page,
            page_size=page.page_size,
            pages=page.pages,
            folders=[FolderCount(folder=c.folder, total=c.total, unread=c.unread) for c in page.counts],
        )


MailId = Annotated[int, Path(ge=1, le=ID_MAX, description="The id of your copy of the message.")]
TAG = ["mail"]

router = APIRouter()


@router.get(
    "/mail",
    tags=TAG,
    summary="List a folder (one page, newest first)",
    response_model=MailPage,
    responses=refusals(),
)
def list_mail(
    caller: CallerDep,
    folder: Folder = "inbox",
    search: Annotated[
        str, Query(max_length=mailbox.SEARCH_MAX, pattern=TEXT, description="In subject, body and sender.")
    ] = "",
    page: Annotated[int, Query(ge=1, le=1_000_000, description="Past the last page answers the last page.")] = 1,
    page_size: Annotated[PageSize, Query()] = mailbox.PAGE_SIZE,
):
    return MailPage.of(run_as(caller, mailbox.list_folder, folder, search, page, page_size))


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
    response_model=Mail,
    responses=refusals(404),
)
def send_mail(caller: CallerDep, body: MailCompose):
    service = mailbox.save_draft if body.draft else mailbox.send
    return Mail.of(run_as(caller, service, body.model_dump(exclude={"draft"})))


@router.get("/mail/{mail_id}", tags=TAG, summary="Get a message", response_model=Mail, responses=refusals(404))
def get_mail(caller: CallerDep, mail_id: MailId):
    return Mail.of(run_as(caller, mailbox.get_mail, mail_id))


@router.get(
    "/mail/{mail_id}/thread",
    tags=TAG,
    summary="The conversation of a message (oldest first, your copies)",
    response_model=list[Mail],
    responses=refusals(404),
)
def get_thread(caller: CallerDep, mail_id: MailId):
    return [Mail.of(v) for v in run_as(caller, mailbox.thread, mail_id)]


@router.patch(
    "/mail/{mail_id}",
    tags=TAG,
    summary="Mark read or unread, star, or move a message",
    description="Only the fields sent change, and only in your copy. `folder`: inbox, archive or trash.",
    response_model=Mail,
    responses=refusals(404),
)
def change_mail(caller: CallerDep, mail_id: MailId, body: MailChange):
    changes = body.model_dump(exclude_unset=True)
    with session_scope() as db:
        view = mailbox.get_mail(db, caller.user_id, mail_id)
        if changes.get("folder") is not None:
            view = mailbox.move(db, caller.user_id, mail_id, changes["folder"])
        if changes.get("read") is not None:
            view = mailbox.set_read(db, caller.user_id, mail_id, changes["read"])
        if changes.get("starred") is not None:
            view = mailbox.set_starred(db, caller.user_id, mail_id, changes["starred"])
    return Mail.of(view)


@router.post(
    "/mail/{mail_id}/restore",
    tags=TAG,
    summary="Restore a message from the Trash (to where it arrived)",
    response_model=Mail,
    responses=refusals(404),
)
def restore_mail(caller: CallerDep, mail_id: MailId):
    return Mail.of(run_as(caller, mailbox.restore, mail_id))


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
    response_model=Mail,
    responses=refusals(404),
)
def update_draft(caller: CallerDep, mail_id: MailId, body: DraftUpdate):
    return Mail.of(run_as(caller, mailbox.save_draft, body.model_dump(), draft_id=mail_id))


@router.post(
    "/mail/{mail_id}/send",
    tags=TAG,
    summary="Send a draft",
    description="A refused draft (e.g. an address without an account, 422) stays in Drafts unchanged.",
    response_model=Mail,
    responses=refusals(404),
)
def send_draft(caller: CallerDep, mail_id: MailId):
    return Mail.of(run_as(caller, mailbox.send_draft, mail_id))
