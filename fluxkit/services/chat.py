"""Chat: direct and group conversations between the accounts of this instance.

Every function takes the acting user's id and looks a conversation up only among the ones
that user is (still) a member of: anyone else's conversation is `NotFound`, whatever the id.
Each change touches the "chat" topic of every member whose view changed, so their open tabs
refresh after commit (messages, unread counts, receipts, typing).

Presence: a user is online while they have an open tab of the app. Each signed-in tab
reports every `HEARTBEAT_SECONDS` (and on every chat action) into `chat_presence`; a user
counts as online for `ONLINE_SECONDS` after the last report. Typing: `typing_at` of the
member row; it shows for `TYPING_SECONDS` and then lapses by itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, or_, update
from sqlmodel import Session, col, select

from fluxkit.clock import Clock, system_clock
from fluxkit.models import ChatMessage, ChatPresence, Conversation, ConversationMember, User
from fluxkit.services import live, topics
from fluxkit.services.errors import InvalidInput, NotFound

TOPIC = topics.CHAT
KINDS = ("direct", "group")
BODY_MAX = 4000
TITLE_MAX = 100
GROUP_MAX = 50  # people in one group, the creator included
PAGE_SIZE = 30
PAGE_MAX = 100
LIST_MAX = 200  # conversations listed (pinned first, then the most recent)
SEARCH_MAX = 10
TYPING_SECONDS = 5
HEARTBEAT_SECONDS = 30
ONLINE_SECONDS = 75
NOT_FOUND = "No such conversation."

# http(s) links only; trailing punctuation stays text ("see https://x.org." links x.org).
_URL = re.compile(r"https?://[^\s<>\"'`]+", re.IGNORECASE)
_TRAILING = ".,;:!?)]}'\""
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


# ---- rows that leave the service ---------------------------------------------------------------


@dataclass(frozen=True)
class TextPart:
    """A run of a message: plain text, or a link (`url` set, always http or https)."""

    text: str
    url: str = ""


@dataclass(frozen=True)
class MessageRow:
    id: int
    conversation_id: int
    sender_id: int  # 0 for a deleted account
    sender_name: str
    mine: bool
    kind: str
    body: str
    parts: list[TextPart]
    created_at: str


@dataclass(frozen=True)
class MemberRow:
    user_id: int
    name: str
    email: str
    online: bool
    last_seen_message_id: int


@dataclass(frozen=True)
class ConversationRow:
    id: int
    kind: str
    title: str  # what to show: the group's title, or the other person's / members' names
    custom_title: str  # the group's own title ("" when it shows the names)
    subtitle: str  # the other person's email, or "3 members"
    member_count: int
    online: bool  # direct: the other person; group: anyone else
    unread: int
    pinned: bool
    muted: bool
    last_message: str
    last_message_at: str


@dataclass(frozen=True)
class MessagePage:
    items: list[MessageRow]  # oldest first
    has_more: bool  # older messages exist before items[0]

    @property
    def next_before(self) -> int | None:
        return self.items[0].id if self.has_more and self.items else None


@dataclass(frozen=True)
class ConversationDetail:
    conversation: ConversationRow
    members: list[MemberRow]  # the current members, me included
    typing: list[str]  # names of others typing now
    seen_by: list[str]  # others who have seen my newest message


@dataclass(frozen=True)
class UserHit:
    id: int
    name: str
    email: str
    online: bool


# ---- text ---------------------------------------------------------------------------------------


def split_links(body: str) -> list[TextPart]:
    """The message as text runs and http(s) links, for rendering without any HTML."""
    parts: list[TextPart] = []
    pos = 0
    for match in _URL.finditer(body):
        url = match.group(0).rstrip(_TRAILING)
        if len(url) <= len("https://"):
            continue
        start, end = match.start(), match.start() + len(url)
        if start > pos:
            parts.append(TextPart(body[pos:start]))
        parts.append(TextPart(url, url))
        pos = end
    if pos < len(body):
        parts.append(TextPart(body[pos:]))
    return parts


def clean_body(body: object) -> str:
    if not isinstance(body, str):
        raise InvalidInput("Write a message.", fields={"body": "Write a message."})
    text = _CONTROL.sub("", body.replace("\r\n", "\n").replace("\r", "\n")).strip()
    if not text:
        raise InvalidInput("Write a message.", fields={"body": "Write a message."})
    if len(text) > BODY_MAX:
        message = (
            f"A message can be at most {BODY_MAX:,} characters; this one has {len(text):,}. Shorten it or "
            "split it in two."
        )
        raise InvalidInput(message, fields={"body": message})
    return text


def clean_title(title: object) -> str:
    if not isinstance(title, str):
        raise InvalidInput("The name must be text.", fields={"title": "The name must be text."})
    text = " ".join(_CONTROL.sub("", title).split())
    if len(text) > TITLE_MAX:
        message = f"Use at most {TITLE_MAX} characters for the name."
        raise InvalidInput(message, fields={"title": message})
    return text


def _preview(message: ChatMessage | None) -> str:
    if message is None:
        return ""
    text = " ".join(message.body.split())
    return text if len(text) <= 120 else text[:119] + "…"


# ---- lookups ------------------------------------------------------------------------------------


def _valid_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**31


def _membership(db: Session, user_id: int, conversation_id: object) -> tuple[Conversation, ConversationMember]:
    """The conversation and my membership row, or NotFound (not a member, left, no such id)."""
    if not _valid_id(conversation_id):
        raise NotFound(NOT_FOUND)
    found = db.exec(
        select(Conversation, ConversationMember)
        .join(ConversationMember, col(ConversationMember.conversation_id) == col(Conversation.id))
        .where(
            Conversation.id == conversation_id,
            ConversationMember.user_id == user_id,
            col(ConversationMember.left_at).is_(None),
        )
    ).first()
    if found is None:
        raise NotFound(NOT_FOUND)
    return found


def _members(db: Session, conversation_id: int) -> list[tuple[ConversationMember, User]]:
    return list(
        db.exec(
            select(ConversationMember, User)
            .join(User, col(User.id) == col(ConversationMember.user_id))
            .where(ConversationMember.conversation_id == conversation_id, col(ConversationMember.left_at).is_(None))
            .order_by(col(User.name), col(User.id))
        ).all()
    )


def _online_ids(db: Session, user_ids: list[int], clock: Clock) -> set[int]:
    if not user_ids:
        return set()
    since = clock.now() - timedelta(seconds=ONLINE_SECONDS)
    return set(
        db.exec(
            select(ChatPresence.user_id).where(
                col(ChatPresence.user_id).in_(user_ids), ChatPresence.last_active_at >= since
            )
        ).all()
    )


def _touch_members(db: Session, conversation_id: int, *, except_user: int | None = None) -> None:
    ids = db.exec(
        select(ConversationMember.user_id).where(
            ConversationMember.conversation_id == conversation_id, col(ConversationMember.left_at).is_(None)
        )
    ).all()
    for user_id in ids:
        if user_id != except_user:
            live.touch(db, user_id, TOPIC)


def _unread_counts(db: Session, user_id: int, conversation_ids: list[int] | None = None) -> dict[int, int]:
    """conversation id -> messages from others after my last seen one (for my conversations)."""
    query = (
        select(ConversationMember.conversation_id, func.count(col(ChatMessage.id)))
        .join(ChatMessage, col(ChatMessage.conversation_id) == col(ConversationMember.conversation_id))
        .where(
            ConversationMember.user_id == user_id,
            col(ConversationMember.left_at).is_(None),
            col(ChatMessage.id) > col(ConversationMember.last_seen_message_id),
            ChatMessage.kind == "text",
            or_(col(ChatMessage.sender_id).is_(None), col(ChatMessage.sender_id) != user_id),
        )
        .group_by(col(ConversationMember.conversation_id))
    )
    if conversation_ids is not None:
        query = query.where(col(ConversationMember.conversation_id).in_(conversation_ids))
    return dict(db.exec(query).all())


def _rows(
    db: Session, user_id: int, pairs: list[tuple[Conversation, ConversationMember]], clock: Clock
) -> list[ConversationRow]:
    if not pairs:
        return []
    ids = [conversation.id for conversation, _ in pairs]
    members: dict[int, list[User]] = {cid: [] for cid in ids}
    for conversation_id, user in db.exec(
        select(ConversationMember.conversation_id, User)
        .join(User, col(User.id) == col(ConversationMember.user_id))
        .where(col(ConversationMember.conversation_id).in_(ids), col(ConversationMember.left_at).is_(None))
        .order_by(col(User.name), col(User.id))
    ).all():
        members[conversation_id].append(user)
    # The newest message of each, one index step apiece (a GROUP BY would read every message).
    newest_of = (
        select(func.max(col(ChatMessage.id)))
        .where(col(ChatMessage.conversation_id) == col(Conversation.id))
        .correlate(Conversation)
        .scalar_subquery()
    )
    newest_ids = [
        found for found in db.exec(select(newest_of).where(col(Conversation.id).in_(ids))).all() if found is not None
    ]
    newest = (
        {m.conversation_id: m for m in db.exec(select(ChatMessage).where(col(ChatMessage.id).in_(newest_ids))).all()}
        if newest_ids
        else {}
    )
    unread = _unread_counts(db, user_id, ids)
    others_ids = sorted({u.id for users in members.values() for u in users if u.id != user_id})
    online = _online_ids(db, others_ids, clock)
    rows = []
    for conversation, member in pairs:
        people = members[conversation.id]
        others = [u for u in people if u.id != user_id]
        if conversation.kind == "direct":
            other = others[0] if others else None
            title = other.name if other else "Deleted account"
            subtitle = other.email if other else ""
        else:
            title = conversation.title or (", ".join(u.name for u in others) if others else "Only you")
            subtitle = f"{len(people)} member{'s' if len(people) != 1 else ''}"
        last = newest.get(conversation.id)
        rows.append(
            ConversationRow(
                id=conversation.id,
                kind=conversation.kind,
                title=title,
                custom_title=conversation.title if conversation.kind == "group" else "",
                subtitle=subtitle,
                member_count=len(people),
                online=any(u.id in online for u in others),
                unread=unread.get(conversation.id, 0),
                pinned=member.pinned,
                muted=member.muted,
                last_message=_preview(last),
                last_message_at=conversation.last_message_at.isoformat(),
            )
        )
    return rows


def _message_rows(db: Session, user_id: int, messages: list[ChatMessage]) -> list[MessageRow]:
    sender_ids = {m.sender_id for m in messages if m.sender_id}
    names = dict(db.exec(select(User.id, User.name).where(col(User.id).in_(sender_ids))).all()) if sender_ids else {}
    return [
        MessageRow(
            id=m.id,
            conversation_id=m.conversation_id,
            sender_id=m.sender_id or 0,
            sender_name=names.get(m.sender_id, "Deleted account") if m.sender_id else "Deleted account",
            mine=m.sender_id == user_id,
            kind=m.kind,
            body=m.body,
            parts=split_links(m.body) if m.kind == "text" else [TextPart(m.body)],
            created_at=m.created_at.isoformat(),
        )
        for m in messages
    ]


# ---- reading ------------------------------------------------------------------------------------


def list_conversations(db: Session, user_id: int, clock: Clock = system_clock) -> list[ConversationRow]:
    """My conversations: pinned first, then the most recently active."""
    pairs = db.exec(
        select(Conversation, ConversationMember)
        .join(ConversationMember, col(ConversationMember.conversation_id) == col(Conversation.id))
        .where(ConversationMember.user_id == user_id, col(ConversationMember.left_at).is_(None))
        .order_by(
            col(ConversationMember.pinned).desc(), col(Conversation.last_message_at).desc(), col(Conversation.id).desc()
        )
        .limit(LIST_MAX)
    ).all()
    return _rows(db, user_id, list(pairs), clock)


def get_conversation(
    db: Session, user_id: int, conversation_id: object, clock: Clock = system_clock
) -> ConversationRow:
    pair = _membership(db, user_id, conversation_id)
    return _rows(db, user_id, [pair], clock)[0]


def detail(db: Session, user_id: int, conversation_id: object, clock: Clock = system_clock) -> ConversationDetail:
    """One conversation as its open view shows it: members, who is typing, who saw my last."""
    conversation, member = _membership(db, user_id, conversation_id)
    row = _rows(db, user_id, [(conversation, member)], clock)[0]
    people = _members(db, conversation.id)
    online = _online_ids(db, [u.id for _, u in people], clock)
    typing_since = clock.now() - timedelta(seconds=TYPING_SECONDS)
    # My newest message: the conversation's index read from its newest end down to it (a MAX
    # with these conditions read every message of the conversation).
    my_last = db.exec(
        select(ChatMessage.id)
        .where(
            ChatMessage.conversation_id == conversation.id, ChatMessage.sender_id == user_id, ChatMessage.kind == "text"
        )
        .order_by(col(ChatMessage.id).desc())
        .limit(1)
    ).first()
    return ConversationDetail(
        conversation=row,
        members=[MemberRow(u.id, u.name, u.email, u.id in online, m.last_seen_message_id) for m, u in people],
        typing=[
            u.name
            for m, u in people
            if u.id != user_id and m.typing_at is not None and _aware(m.typing_at) >= typing_since
        ],
        seen_by=[u.name for m, u in people if u.id != user_id and my_last and m.last_seen_message_id >= my_last],
    )


def _aware(value: datetime) -> datetime:
    # SQLite hands datetimes back naive (they were stored as UTC).
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def messages(
    db: Session, user_id: int, conversation_id: object, before: int | None = None, limit: int = PAGE_SIZE
) -> MessagePage:
    """A page of messages older than `before` (a message id), newest page first; oldest first inside."""
    conversation, _ = _membership(db, user_id, conversation_id)
    limit = max(1, min(limit if isinstance(limit, int) else PAGE_SIZE, PAGE_MAX))
    query = select(ChatMessage).where(ChatMessage.conversation_id == conversation.id)
    if before is not None:
        if not isinstance(before, int) or isinstance(before, bool):
            raise InvalidInput("`before` must be a message id.", fields={"before": "Must be a message id."})
        query = query.where(col(ChatMessage.id) < before)
    found = list(db.exec(query.order_by(col(ChatMessage.id).desc()).limit(limit + 1)).all())
    has_more = len(found) > limit
    found = list(reversed(found[:limit]))
    return MessagePage(items=_message_rows(db, user_id, found), has_more=has_more)


def messages_after(
    db: Session, user_id: int, conversation_id: object, after: int, limit: int = PAGE_MAX
) -> list[MessageRow] | None:
    """Messages newer than `after`, oldest first; None when more than `limit` arrived."""
    conversation, _ = _membership(db, user_id, conversation_id)
    found = list(
        db.exec(
            select(ChatMessage)
            .where(ChatMessage.conversation_id == conversation.id, col(ChatMessage.id) > after)
            .order_by(col(ChatMessage.id))
            .limit(limit + 1)
        ).all()
    )
    if len(found) > limit:
        return None
    return _message_rows(db, user_id, found)


def unread_total(db: Session, user_id: int) -> int:
    """Unread messages in all my conversations that are not muted (the sidebar badge)."""
    muted = set(
        db.exec(
            select(ConversationMember.conversation_id).where(
                ConversationMember.user_id == user_id,
                col(ConversationMember.left_at).is_(None),
                col(ConversationMember.muted).is_(True),
            )
        ).all()
    )
    return sum(count for cid, count in _unread_counts(db, user_id).items() if cid not in muted)


def search_users(
    db: Session, user_id: int, query: object, clock: Clock = system_clock, limit: int = SEARCH_MAX
) -> list[UserHit]:
    """People of this instance (not me) whose name or email contains `query`."""
    text = query.strip()[:100] if isinstance(query, str) else ""
    text = text.replace("\x00", "")
    statement = select(User).where(User.id != user_id, *_reachable())
    if text:
        pattern = "%" + text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        statement = statement.where(
            or_(
                func.lower(col(User.name)).like(pattern, escape="\\"),
                func.lower(col(User.email)).like(pattern, escape="\\"),
            )
        )
    users = db.exec(statement.order_by(col(User.name), col(User.id)).limit(limit)).all()
    online = _online_ids(db, [u.id for u in users], clock)
    return [UserHit(u.id, u.name, u.email, u.id in online) for u in users]


# ---- writing ------------------------------------------------------------------------------------


def _reachable() -> list:
    """People one can start a conversation with: verified, not suspended."""
    return [col(User.email_verified).is_(True), col(User.suspended_at).is_(None)]


def _other_users(db: Session, user_id: int, user_ids: object) -> list[int]:
    if not isinstance(user_ids, (list, tuple)) or not all(_valid_id(u) for u in user_ids):
        raise InvalidInput("Pick the people to talk to.", fields={"user_ids": "Pick the people to talk to."})
    wanted = sorted({u for u in user_ids if u != user_id})
    if not wanted:
        raise InvalidInput("Pick at least one other person.", fields={"user_ids": "Pick at least one other person."})
    found = set(db.exec(select(User.id).where(col(User.id).in_(wanted), *_reachable())).all())
    if found != set(wanted):
        raise InvalidInput(
            "Some of these people were not found.", fields={"user_ids": "Some of these people were not found."}
        )
    return wanted


def start_direct(
    db: Session, user_id: int, other_id: object, clock: Clock = system_clock
) -> tuple[ConversationRow, bool]:
    """The direct conversation with `other_id`: the existing one, or a new one. (row, created)"""
    [other] = _other_users(db, user_id, [other_id])
    key = f"{min(user_id, other)}:{max(user_id, other)}"
    existing = db.exec(select(Conversation).where(Conversation.direct_key == key)).first()
    created = existing is None
    if existing is None:
        existing = Conversation(
            kind="direct", direct_key=key, created_by=user_id, created_at=clock.now(), last_message_at=clock.now()
        )
        db.add(existing)
        db.flush()
        for member_id in (user_id, other):
            db.add(ConversationMember(conversation_id=existing.id, user_id=member_id, joined_at=clock.now()))
        db.flush()
        live.touch(db, user_id, TOPIC)
    return get_conversation(db, user_id, existing.id, clock), created


def create_group(
    db: Session, user_id: int, user_ids: object, title: object = "", clock: Clock = system_clock
) -> ConversationRow:
    others = _other_users(db, user_id, user_ids)
    if len(others) + 1 > GROUP_MAX:
        message = f"A group can have at most {GROUP_MAX} people."
        raise InvalidInput(message, fields={"user_ids": message})
    name = clean_title(title)
    conversation = Conversation(
        kind="group", title=name, created_by=user_id, created_at=clock.now(), last_message_at=clock.now()
    )
    db.add(conversation)
    db.flush()
    for member_id in (user_id, *others):
        db.add(ConversationMember(conversation_id=conversation.id, user_id=member_id, joined_at=clock.now()))
    db.flush()
    _event(db, conversation, user_id, "created the group", clock)
    _touch_members(db, conversation.id)
    return get_conversation(db, user_id, conversation.id, clock)


def start(
    db: Session, user_id: int, kind: object, user_ids: object, title: object = "", clock: Clock = system_clock
) -> tuple[ConversationRow, bool]:
    """One door for both kinds (the API's create): (row, created)."""
    if kind == "direct":
        if not isinstance(user_ids, (list, tuple)) or len(user_ids) != 1:
            raise InvalidInput(
                "A direct conversation is with exactly one person.", fields={"user_ids": "Pick exactly one person."}
            )
        return start_direct(db, user_id, user_ids[0], clock)
    if kind == "group":
        return create_group(db, user_id, user_ids, title, clock), True
    raise InvalidInput("Choose direct or group.", fields={"kind": "Choose direct or group."})


def _event(db: Session, conversation: Conversation, user_id: int, what: str, clock: Clock) -> ChatMessage:
    name = db.exec(select(User.name).where(User.id == user_id)).one()
    row = ChatMessage(
        conversation_id=conversation.id, sender_id=user_id, kind="event", body=f"{name} {what}", created_at=clock.now()
    )
    db.add(row)
    db.flush()
    return row


def send(db: Session, user_id: int, conversation_id: object, body: object, clock: Clock = system_clock) -> MessageRow:
    text = clean_body(body)
    conversation, member = _membership(db, user_id, conversation_id)
    now = clock.now()
    row = ChatMessage(conversation_id=conversation.id, sender_id=user_id, body=text, created_at=now)
    db.add(row)
    conversation.last_message_at = now
    db.add(conversation)
    db.flush()
    # My own message is seen by me, and I stopped typing.
    member.last_seen_message_id = row.id
    member.typing_at = None
    db.add(member)
    heartbeat(db, user_id, clock)
    _touch_members(db, conversation.id)
    return _message_rows(db, user_id, [row])[0]


def mark_seen(db: Session, user_id: int, conversation_id: object) -> bool:
    """Everything in the conversation is seen by me; the others' receipts update. Changed?"""
    conversation, member = _membership(db, user_id, conversation_id)
    newest = (
        db.exec(select(func.max(col(ChatMessage.id))).where(ChatMessage.conversation_id == conversation.id)).one() or 0
    )
    if newest <= member.last_seen_message_id:
        return False
    # Only ever forwards (two tabs racing must not move it back).
    db.exec(
        update(ConversationMember)
        .where(col(ConversationMember.id) == member.id, col(ConversationMember.last_seen_message_id) < newest)
        .values(last_seen_message_id=newest)
    )
    db.refresh(member)
    _touch_members(db, conversation.id)
    return True


def typing(db: Session, user_id: int, conversation_id: object, clock: Clock = system_clock) -> None:
    """I am typing: the others see it for TYPING_SECONDS (written at most every 2 seconds)."""
    conversation, member = _membership(db, user_id, conversation_id)
    now = clock.now()
    if member.typing_at is not None and now - _aware(member.typing_at) < timedelta(seconds=2):
        return
    member.typing_at = now
    db.add(member)
    heartbeat(db, user_id, clock)
    _touch_members(db, conversation.id, except_user=user_id)


def rename(
    db: Session, user_id: int, conversation_id: object, title: object, clock: Clock = system_clock
) -> ConversationRow:
    conversation, _ = _membership(db, user_id, conversation_id)
    if conversation.kind != "group":
        message = "Only a group can be renamed."
        raise InvalidInput(message, fields={"title": message})
    name = clean_title(title)
    if name != conversation.title:
        conversation.title = name
        db.add(conversation)
        _event(
            db, conversation, user_id, f"renamed the group to “{name}”" if name else "removed the group's name", clock
        )
        _touch_members(db, conversation.id)
    return get_conversation(db, user_id, conversation.id, clock)


def leave(db: Session, user_id: int, conversation_id: object, clock: Clock = system_clock) -> None:
    conversation, member = _membership(db, user_id, conversation_id)
    if conversation.kind != "group":
        raise InvalidInput("You can only leave a group.", fields={"conversation_id": "You can only leave a group."})
    _touch_members(db, conversation.id)  # me included: my list loses it
    member.left_at = clock.now()
    member.typing_at = None
    member.pinned = False
    db.add(member)
    _event(db, conversation, user_id, "left the group", clock)


def set_flags(
    db: Session,
    user_id: int,
    conversation_id: object,
    *,
    pinned: object = None,
    muted: object = None,
    clock: Clock = system_clock,
) -> ConversationRow:
    """Pin or mute for me alone (None leaves a flag as it is)."""
    _, member = _membership(db, user_id, conversation_id)
    for name, value in (("pinned", pinned), ("muted", muted)):
        if value is None:
            continue
        if not isinstance(value, bool):
            raise InvalidInput("Must be true or false.", fields={name: "Must be true or false."})
        setattr(member, name, value)
    db.add(member)
    db.flush()
    live.touch(db, user_id, TOPIC)
    return get_conversation(db, user_id, conversation_id, clock)


def heartbeat(db: Session, user_id: int, clock: Clock = system_clock) -> None:
    """This user has an open tab now (an upsert; rewritten at most every 15 seconds)."""
    now = clock.now()
    table = ChatPresence.__table__
    if db.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(table).values(user_id=user_id, last_active_at=now)
    db.execute(
        statement.on_conflict_do_update(
            index_elements=["user_id"],
            set_={"last_active_at": statement.excluded.last_active_at},
            where=table.c.last_active_at < now - timedelta(seconds=15),
        )
    )


def is_online(db: Session, user_id: int, clock: Clock = system_clock) -> bool:
    return user_id in _online_ids(db, [user_id], clock)
