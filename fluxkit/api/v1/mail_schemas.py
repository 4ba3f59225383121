"""Bodies of /api/v1/mail: what the OpenAPI spec promises. The service checks everything again."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from fluxkit.api.v1.schemas import ID, TEXT, _utc
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
            at=_utc(datetime.fromisoformat(view.at)),
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
            at=_utc(datetime.fromisoformat(row.at)),
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
