"""Internal mail between the accounts of this instance: folders, drafts, threads, sending.

Every function takes the acting user's id and only ever finds that user's own mailbox
copies: a message id of somebody else's mail is "not found", exactly like one that does
not exist. (Not `services/email.py`: that one delivers email over SMTP.)

Sending writes the message once and one `MailCopy` per participant (the sender's in Sent,
each recipient's in their Inbox), notifies each recipient and announces the `mail` topic
to everybody whose mailbox changed, all in the caller's transaction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import delete, func, or_, update
from sqlalchemy import text as sa_text
from sqlmodel import Session, col, select

from fluxkit import routes
from fluxkit.clock import Clock, system_clock
from fluxkit.models import MailCopy, MailMessage, MailTally, User
from fluxkit.models.mail_search import MAIL_SEARCH_TABLE, MIN_SEARCH_CHARS
from fluxkit.services import live, notifications, query_params, topics
from fluxkit.services.accounts import normalize_email
from fluxkit.services.errors import InvalidInput, NotFound
from fluxkit.services.paging import Page, page_count

TOPIC = topics.MAIL
ROUTE = routes.MAIL
FOLDERS = ("inbox", "sent", "drafts", "archive", "trash")
# Where a user may move a copy themselves (Sent and Drafts are where mail arrives).
MOVE_TARGETS = ("inbox", "archive", "trash")
PAGE_SIZE = 25
PAGE_SIZES = (10, 25, 50, 100)
SUBJECT_MAX = 200
BODY_MAX = 50_000
RECIPIENTS_MAX = 50
ADDRESSES_MAX = 5_000  # the raw To/Cc text of a draft
SEARCH_MAX = 100
SNIPPET = 140
THREAD_MAX = 100  # messages shown in one conversation (the newest)
NOT_FOUND = "That message was not found. It may have been deleted."
_NUL = "Remove the NUL character (\\0): it cannot be stored."
_LINE_MARKS = re.compile(r"^\s{0,3}(?:>\s?)*(?:#{1,6}\s+|[-*+]\s+)?")
_MARKS = re.compile(r"\*\*|__|`+|~~")


# ---- what crosses into states and API answers --------------------------------------------


@dataclass(frozen=True)
class MailRow:
    """One line of a folder listing (no body, a short snippet)."""

    id: int  # the copy's id: the only id the UI and API use
    thread_id: int
    folder: str
    sender_name: str
    sender_email: str
    recipients: str  # "a@x, b@y": To and Cc as addressed
    subject: str
    snippet: str
    at: str
    read: bool
    starred: bool
    draft: bool


@dataclass(frozen=True)
class MailView:
    """One message with its body, as its participant sees it."""

    id: int
    thread_id: int
    folder: str
    origin: str
    sender_name: str
    sender_email: str
    to_addresses: list[str]
    cc_addresses: list[str]
    subject: str
    body: str
    at: str
    read: bool
    starred: bool
    draft: bool


@dataclass(frozen=True)
class FolderCount:
    folder: str
    total: int
    unread: int


@dataclass(frozen=True)
class MailPage(Page[MailRow]):
    counts: list[FolderCount]


@dataclass(frozen=True)
class Recipient:
    name: str
    email: str


@dataclass(frozen=True)
class ComposeDefaults:
    """What a reply, reply-all or forward starts with."""

    to: str
    cc: str
    subject: str
    body: str
    reply_to: int  # the copy id answered (0 for a forward: it starts a new conversation)


def _split(addresses: str) -> list[str]:
    return [a.strip() for a in addresses.replace(";", ",").split(",") if a.strip()]


def _snippet(body: str) -> str:
    """The start of the text, without markdown's marks (quotes, headings, emphasis, code)."""
    plain = _MARKS.sub("", "\n".join(_LINE_MARKS.sub("", line) for line in body.splitlines()))
    text = " ".join(plain.split())
    return text if len(text) <= SNIPPET else text[: SNIPPET - 1] + "…"


def _row(copy: MailCopy, message: MailMessage) -> MailRow:
    return MailRow(
        id=copy.id,
        thread_id=copy.thread_id,
        folder=copy.folder,
        sender_name=message.sender_name,
        sender_email=message.sender_email,
        recipients=", ".join(_split(message.to_addresses) + _split(message.cc_addresses)),
        subject=message.subject,
        snippet=_snippet(message.body),
        at=copy.at.isoformat(),
        read=copy.read,
        starred=copy.starred,
        draft=message.sent_at is None,
    )


def _view(copy: MailCopy, message: MailMessage) -> MailView:
    return MailView(
        id=copy.id,
        thread_id=copy.thread_id,
        folder=copy.folder,
        origin=copy.origin,
        sender_name=message.sender_name,
        sender_email=message.sender_email,
        to_addresses=_split(message.to_addresses),
        cc_addresses=_split(message.cc_addresses),
        subject=message.subject,
        body=message.body,
        at=copy.at.isoformat(),
        read=copy.read,
        starred=copy.starred,
        draft=message.sent_at is None,
    )


# ---- input rules -----------------------------------------------------------------------------


def clean_folder(value: object) -> str:
    if value not in FOLDERS:
        message = f"Choose one of: {', '.join(FOLDERS)}."
        raise InvalidInput(message, fields={"folder": message})
    return value  # type: ignore[return-value]


def _text(data: dict[str, object], key: str, limit: int, problems: dict[str, str]) -> str:
    value = data.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        problems[key] = "This must be text."
        return ""
    if len(value) > limit:
        problems[key] = f"Use at most {limit:,} characters."
    elif "\x00" in value:
        problems[key] = _NUL
    return value


def _addresses(value: object) -> str:
    """To/Cc as given: a list of addresses or one comma-separated text."""
    if value is None:
        return ""
    if isinstance(value, str):
        return ", ".join(_split(value))
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return ", ".join(a for v in value for a in _split(v))
    return "\x00"  # refused below as not an address list


def _draft_fields(data: dict[str, object]) -> dict[str, str]:
    """Draft fields are kept as typed (checked only when sent), within size limits."""
    problems: dict[str, str] = {}
    fields = {
        "to_addresses": _addresses(data.get("to")),
        "cc_addresses": _addresses(data.get("cc")),
    }
    for key, field in (("to_addresses", "to"), ("cc_addresses", "cc")):
        if fields[key] == "\x00":
            problems[field] = "Give the addresses as text or a list of texts."
        elif len(fields[key]) > ADDRESSES_MAX:
            problems[field] = f"Use at most {ADDRESSES_MAX:,} characters."
        elif "\x00" in fields[key]:
            problems[field] = _NUL
    fields["subject"] = _text(data, "subject", SUBJECT_MAX, problems).strip()
    fields["body"] = _text(data, "body", BODY_MAX, problems)
    if problems:
        raise InvalidInput(next(iter(problems.values())), fields=problems)
    return fields


def _resolve_recipients(db: Session, to_addresses: str, cc_addresses: str) -> tuple[list[str], list[str], list[User]]:
    """Normalised To and Cc, and the accounts they reach; InvalidInput names what is wrong."""
    problems: dict[str, str] = {}
    normalised: dict[str, list[str]] = {"to": [], "cc": []}
    for field, raw in (("to", to_addresses), ("cc", cc_addresses)):
        unknown: list[str] = []
        for address in _split(raw):
            try:
                email = normalize_email(address)
            except InvalidInput:
                problems.setdefault(field, f"“{address[:80]}” is not an email address.")
                continue
            if email not in normalised[field]:
                normalised[field].append(email)
        found = (
            {u.email: u for u in db.exec(select(User).where(col(User.email).in_(normalised[field]))).all()}
            if normalised[field]
            else {}
        )
        unknown = [e for e in normalised[field] if e not in found]
        if unknown and field not in problems:
            who = ", ".join(unknown[:3]) + (f" and {len(unknown) - 3} more" if len(unknown) > 3 else "")
            problems[field] = f"No account on this FluxKit uses {who}."
    if not normalised["to"] and "to" not in problems:
        problems["to"] = "Add at least one recipient."
    if len(normalised["to"]) + len(normalised["cc"]) > RECIPIENTS_MAX and "to" not in problems:
        problems["to"] = f"Send to at most {RECIPIENTS_MAX} people at once."
    if problems:
        raise InvalidInput(next(iter(problems.values())), fields=problems)
    emails = list(dict.fromkeys(normalised["to"] + normalised["cc"]))
    users = {u.email: u for u in db.exec(select(User).where(col(User.email).in_(emails))).all()}
    return normalised["to"], normalised["cc"], [users[e] for e in emails]


# ---- one copy ----------------------------------------------------------------------------------


def _owned(db: Session, user_id: int, copy_id: object) -> tuple[MailCopy, MailMessage]:
    if not isinstance(copy_id, int) or isinstance(copy_id, bool):
        raise NotFound(NOT_FOUND)
    copy = db.get(MailCopy, copy_id)
    if copy is None or copy.user_id != user_id:
        raise NotFound(NOT_FOUND)
    message = db.get(MailMessage, copy.message_id)
    if message is None:
        raise NotFound(NOT_FOUND)
    return copy, message


def _owned_draft(db: Session, user_id: int, copy_id: object) -> tuple[MailCopy, MailMessage]:
    copy, message = _owned(db, user_id, copy_id)
    if message.sent_at is not None:
        raise NotFound("That draft was not found. It may have been sent or deleted.")
    return copy, message


def get_mail(db: Session, user_id: int, copy_id: object) -> MailView:
    copy, message = _owned(db, user_id, copy_id)
    return _view(copy, message)


def open_mail(db: Session, user_id: int, copy_id: object) -> list[MailView]:
    """The conversation of one of my messages, oldest first, marking it read for me."""
    copy, _message = _owned(db, user_id, copy_id)
    changed = db.exec(
        update(MailCopy)
        .where(MailCopy.user_id == user_id, MailCopy.thread_id == copy.thread_id, col(MailCopy.read).is_(False))
        .values(read=True)
    ).rowcount
    if changed:
        db.expire_all()
        live.touch(db, user_id, TOPIC)
    return thread(db, user_id, copy_id)


def thread(db: Session, user_id: int, copy_id: object) -> list[MailView]:
    """My copies of the messages in this one's conversation, oldest first (no drafts).

    A message I sent to myself is shown once (the copy in my Inbox)."""
    copy, _message = _owned(db, user_id, copy_id)
    rows = db.exec(
        select(MailCopy, MailMessage)
        .join(MailMessage, col(MailMessage.id) == col(MailCopy.message_id))
        .where(
            MailCopy.user_id == user_id,
            MailCopy.thread_id == copy.thread_id,
            or_(col(MailMessage.sent_at).is_not(None), MailCopy.id == copy.id),
        )
        .order_by(col(MailCopy.at).desc(), col(MailCopy.id).desc())
        .limit(THREAD_MAX * 2)
    ).all()
    chosen: dict[int, tuple[MailCopy, MailMessage]] = {}
    for c, m in reversed(rows):  # oldest first
        current = chosen.get(m.id)
        if current is None or c.id == copy.id or (current[0].id != copy.id and c.origin == "inbox"):
            chosen[m.id] = (c, m)
    return [_view(c, m) for c, m in chosen.values()][-THREAD_MAX:]


def _set_flag(db: Session, user_id: int, copy_id: object, flag: str, value: object) -> MailView:
    copy, message = _owned(db, user_id, copy_id)
    if getattr(copy, flag) != bool(value):
        setattr(copy, flag, bool(value))
        db.add(copy)
        live.touch(db, user_id, TOPIC)
    return _view(copy, message)


def set_read(db: Session, user_id: int, copy_id: object, read: bool) -> MailView:
    return _set_flag(db, user_id, copy_id, "read", read)


def set_starred(db: Session, user_id: int, copy_id: object, starred: bool) -> MailView:
    return _set_flag(db, user_id, copy_id, "starred", starred)


def move(db: Session, user_id: int, copy_id: object, folder: object) -> MailView:
    """To Archive, Trash, or back to the Inbox (which for mail I sent means back to Sent)."""
    if folder not in MOVE_TARGETS:
        message = f"Move to one of: {', '.join(MOVE_TARGETS)}."
        raise InvalidInput(message, fields={"folder": message})
    copy, message = _owned(db, user_id, copy_id)
    target = copy.origin if folder == "inbox" else folder
    if copy.origin == "drafts" and folder == "archive":
        raise InvalidInput(
            "A draft cannot be archived: send it or delete it.", fields={"folder": "A draft cannot be archived."}
        )
    if copy.folder != target:
        copy.folder = target
        db.add(copy)
        live.touch(db, user_id, TOPIC)
    return _view(copy, message)


def restore(db: Session, user_id: int, copy_id: object) -> MailView:
    """Out of Trash, back to where it arrived (Inbox, Sent or Drafts)."""
    copy, message = _owned(db, user_id, copy_id)
    if copy.folder != "trash":
        raise InvalidInput("Only mail in the Trash can be restored.", fields={"folder": "Not in the Trash."})
    copy.folder = copy.origin
    db.add(copy)
    live.touch(db, user_id, TOPIC)
    return _view(copy, message)


def _drop_orphan(db: Session, message_id: int) -> None:
    remaining = db.exec(select(func.count()).where(MailCopy.message_id == message_id)).one()
    if not remaining:
        db.exec(delete(MailMessage).where(MailMessage.id == message_id))


def delete_forever(db: Session, user_id: int, copy_id: object) -> None:
    """Remove my copy for good. Everybody else keeps theirs."""
    copy, message = _owned(db, user_id, copy_id)
    db.delete(copy)
    db.flush()
    _drop_orphan(db, message.id)
    live.touch(db, user_id, TOPIC)


def empty_trash(db: Session, user_id: int) -> int:
    doomed = db.exec(select(MailCopy).where(MailCopy.user_id == user_id, MailCopy.folder == "trash")).all()
    for copy in doomed:
        db.delete(copy)
    db.flush()
    for message_id in {c.message_id for c in doomed}:
        _drop_orphan(db, message_id)
    if doomed:
        live.touch(db, user_id, TOPIC)
    return len(doomed)


# ---- listing -------------------------------------------------------------------------------------


def folder_counts(db: Session, user_id: int) -> list[FolderCount]:
    """Each folder's total and unread, as the database keeps them (models/read_tally.py):
    one row per folder, not a count of every copy."""
    found = {
        folder: (total, unread)
        for folder, total, unread in db.exec(
            select(MailTally.folder, MailTally.total, MailTally.unread).where(MailTally.user_id == user_id)
        ).all()
    }
    return [FolderCount(folder=f, total=found.get(f, (0, 0))[0], unread=found.get(f, (0, 0))[1]) for f in FOLDERS]


def unread_in_inbox(db: Session, user_id: int) -> int:
    found = db.exec(select(MailTally.unread).where(MailTally.user_id == user_id, MailTally.folder == "inbox")).first()
    return found or 0


def _matching(text: str, dialect: str):
    """Messages whose subject, body, sender name or address contains `text`, ignoring case.

    On SQLite a word of three or more characters is looked up in the trigram index
    (models/mail_search.py) instead of reading every copy; PostgreSQL's trigram indexes serve
    the ILIKE itself.
    """
    if dialect == "sqlite" and len(text) >= MIN_SEARCH_CHARS:
        phrase = '"' + text.replace('"', '""') + '"'
        found = sa_text(f"SELECT rowid FROM {MAIL_SEARCH_TABLE} WHERE {MAIL_SEARCH_TABLE} MATCH :phrase")
        return col(MailCopy.message_id).in_(found.bindparams(phrase=phrase))
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    # The matching messages as a set of their own, so PostgreSQL can answer it from its trigram
    # indexes (one bitmap per column) before it looks at anybody's copies.
    found = select(MailMessage.id).where(
        or_(
            col(MailMessage.subject).ilike(pattern, escape="\\"),
            col(MailMessage.body).ilike(pattern, escape="\\"),
            col(MailMessage.sender_name).ilike(pattern, escape="\\"),
            col(MailMessage.sender_email).ilike(pattern, escape="\\"),
        )
    )
    return col(MailCopy.message_id).in_(found)


def list_folder(
    db: Session,
    user_id: int,
    folder: object = "inbox",
    search: object = "",
    page: object = 1,
    page_size: object = PAGE_SIZE,
) -> MailPage:
    """One page of a folder, newest first; `search` matches subject, body and sender."""
    folder = clean_folder(folder)
    size = page_size if page_size in PAGE_SIZES else PAGE_SIZE
    page = page if isinstance(page, int) and not isinstance(page, bool) else 1
    statement = (
        select(MailCopy, MailMessage)
        .join(MailMessage, col(MailMessage.id) == col(MailCopy.message_id))
        .where(MailCopy.user_id == user_id, MailCopy.folder == folder)
    )
    text = query_params.search_text(search, SEARCH_MAX)
    if text:
        statement = statement.where(_matching(text, db.get_bind().dialect.name))
    counts = folder_counts(db, user_id)
    if text:
        total = db.exec(select(func.count()).select_from(statement.subquery())).one()
    else:  # the whole folder: its kept count
        total = next(c.total for c in counts if c.folder == folder)
    pages = page_count(total, size)
    page = min(max(1, page), pages)
    rows = db.exec(
        statement.order_by(col(MailCopy.at).desc(), col(MailCopy.id).desc()).offset((page - 1) * size).limit(size)
    ).all()
    return MailPage(rows=[_row(c, m) for c, m in rows], total=total, page=page, page_size=size, counts=counts)


def suggest_recipients(db: Session, user_id: int, text: object, limit: int = 6) -> list[Recipient]:
    """People on this instance whose email or name starts with `text` (for autocomplete)."""
    if not isinstance(text, str):
        return []
    text = text.replace("\x00", "").strip().lower()[:SEARCH_MAX]
    if len(text) < 1:
        return []
    pattern = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    users = db.exec(
        select(User)
        .where(
            col(User.email_verified).is_(True),
            or_(
                col(User.email).ilike(pattern, escape="\\"),
                col(User.name).ilike(pattern, escape="\\"),
                col(User.name).ilike("% " + pattern, escape="\\"),
            ),
        )
        .order_by(User.email)
        .limit(limit)
    ).all()
    return [Recipient(name=u.name, email=u.email) for u in users]


# ---- drafts and sending ------------------------------------------------------------------------


def _sender(db: Session, user_id: int) -> User:
    user = db.get(User, user_id)
    if user is None:
        raise NotFound("No such account.")
    return user


def _thread_of_reply(db: Session, user_id: int, reply_to: object) -> tuple[int | None, int | None]:
    """(thread id, message id) of the copy answered; NotFound unless it is mine and sent."""
    if reply_to in (None, 0):
        return None, None
    copy, message = _owned(db, user_id, reply_to)
    if message.sent_at is None:
        raise NotFound(NOT_FOUND)
    return copy.thread_id, message.id


def save_draft(
    db: Session, user_id: int, data: dict[str, object], draft_id: object = None, clock: Clock = system_clock
) -> MailView:
    """Create a draft (no `draft_id`) or update mine. Addresses are checked only on sending.

    `data` may carry `reply_to` (the copy id of a message of mine it answers) when created."""
    fields = _draft_fields(data)
    now = clock.now()
    if draft_id is None:
        thread_id, parent_id = _thread_of_reply(db, user_id, data.get("reply_to"))
        user = _sender(db, user_id)
        message = MailMessage(
            sender_id=user_id,
            sender_name=user.name,
            sender_email=user.email,
            in_reply_to=parent_id,
            thread_id=thread_id,
            created_at=now,
            updated_at=now,
            **fields,
        )
        db.add(message)
        db.flush()
        if message.thread_id is None:
            message.thread_id = message.id
            db.add(message)
        copy = MailCopy(
            user_id=user_id,
            message_id=message.id,
            thread_id=message.thread_id,
            folder="drafts",
            origin="drafts",
            read=True,
            at=now,
        )
        db.add(copy)
        db.flush()
    else:
        copy, message = _owned_draft(db, user_id, draft_id)
        for key, value in fields.items():
            setattr(message, key, value)
        message.updated_at = now
        copy.at = now
        db.add(message)
        db.add(copy)
    live.touch(db, user_id, TOPIC)
    return _view(copy, message)


def send_draft(db: Session, user_id: int, draft_id: object, clock: Clock = system_clock) -> MailView:
    """Send one of my drafts. Refused (InvalidInput naming To or Cc) with the draft unchanged."""
    copy, message = _owned_draft(db, user_id, draft_id)
    if not message.subject.strip() and not message.body.strip():
        raise InvalidInput(
            "Write a subject or a message first.", fields={"subject": "Write a subject or a message first."}
        )
    to, cc, recipients = _resolve_recipients(db, message.to_addresses, message.cc_addresses)
    now = clock.now()
    message.to_addresses = ", ".join(to)
    message.cc_addresses = ", ".join(cc)
    message.sent_at = now
    message.updated_at = now
    db.add(message)
    copy.folder = copy.origin = "sent"
    copy.read = True
    copy.at = now
    db.add(copy)
    live.touch(db, user_id, TOPIC)
    sender = message.sender_name or message.sender_email
    for user in recipients:
        inbox = MailCopy(
            user_id=user.id,
            message_id=message.id,
            thread_id=copy.thread_id,
            folder="inbox",
            origin="inbox",
            read=False,
            at=now,
        )
        db.add(inbox)
        db.flush()
        live.touch(db, user.id, TOPIC)
        if user.id != user_id:
            notifications.notify(
                db,
                user.id,
                "mail",
                f"New mail from {sender}"[:200],
                message.subject or _snippet(message.body) or "(no subject)",
                link=f"{ROUTE}?open={inbox.id}",
                at=now,
            )
    return _view(copy, message)


def send(db: Session, user_id: int, data: dict[str, object], clock: Clock = system_clock) -> MailView:
    """Compose and send in one go (the API). Refused input leaves nothing behind."""
    draft = save_draft(db, user_id, data, clock=clock)
    return send_draft(db, user_id, draft.id, clock)


# ---- reply, reply all, forward -------------------------------------------------------------------


def _prefixed(prefix: str, subject: str) -> str:
    stripped = subject.strip()
    if stripped.lower().startswith(prefix.lower()):
        return stripped[:SUBJECT_MAX]
    return f"{prefix} {stripped}".strip()[:SUBJECT_MAX]


def _quoted(message: MailMessage, heading: str) -> str:
    quoted = "\n".join(f"> {line}" if line else ">" for line in message.body.splitlines())
    return f"\n\n{heading}\n{quoted}"[: BODY_MAX - 100]


def compose_defaults(db: Session, user_id: int, copy_id: object, mode: object) -> ComposeDefaults:
    """Start a reply ("reply"), reply to all ("reply_all") or forward ("forward") of my copy."""
    if mode not in ("reply", "reply_all", "forward"):
        raise InvalidInput(
            "Choose reply, reply_all or forward.", fields={"mode": "Choose reply, reply_all or forward."}
        )
    copy, message = _owned(db, user_id, copy_id)
    if message.sent_at is None:
        raise NotFound(NOT_FOUND)
    me = _sender(db, user_id)
    when = message.sent_at.strftime("%Y-%m-%d %H:%M UTC")
    if mode == "forward":
        heading = (
            f"---------- Forwarded message ----------\n"
            f"From: {message.sender_name} <{message.sender_email}>  \nDate: {when}  \n"
            f"Subject: {message.subject}  \nTo: {message.to_addresses}\n"
        )
        body = f"\n\n{heading}\n{message.body}"[:BODY_MAX]
        return ComposeDefaults(to="", cc="", subject=_prefixed("Fwd:", message.subject), body=body, reply_to=0)
    if copy.origin == "sent":
        to = _split(message.to_addresses)  # answering my own message: write to its recipients again
    else:
        to = [message.sender_email]
    cc: list[str] = []
    if mode == "reply_all":
        everyone = [message.sender_email, *_split(message.to_addresses), *_split(message.cc_addresses)]
        cc = [e for e in dict.fromkeys(everyone) if e not in to and e != me.email]
    body = _quoted(message, f"On {when}, {message.sender_name} <{message.sender_email}> wrote:")
    return ComposeDefaults(
        to=", ".join(to), cc=", ".join(cc), subject=_prefixed("Re:", message.subject), body=body, reply_to=copy.id
    )
