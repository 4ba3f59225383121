"""The users admin: every account, and what an admin may do to one; the audit log to browse.

Every function takes the acting user's id and first checks, in the database, that they are
an admin who is not suspended; anyone else gets `NotFound`, exactly as for a page or an id
that does not exist (the API answers 404, the page shows "not found"). Every change is
written to the audit log with the admin as actor, in the same transaction.

Rules that keep the app administrable: an admin cannot suspend or delete themselves, and the
last active admin cannot give up the role (nor be suspended or deleted). The admin rows are
locked while that is checked (PostgreSQL), so two admins demoting each other at once cannot
both succeed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from email.message import EmailMessage

from sqlalchemy import and_, delete, func, or_, text
from sqlmodel import Session, col, select

from fluxkit import routes
from fluxkit.clock import Clock, system_clock
from fluxkit.models import AuditEvent, Subscription, User
from fluxkit.services import accounts, audit, billing, email, live, plans, query_params, sessions, two_factor
from fluxkit.services.audit import RequestMeta
from fluxkit.services.errors import Conflict, InvalidInput, NotFound
from fluxkit.services.paging import ListQuery, Page, page_count, paging_fields
from fluxkit.settings import get_settings

ROLES = ("user", "admin")
PAID = "paid"  # the plan filter for "any paid plan"
STATUSES = ("active", "unverified", "suspended")
SORTS = ("created", "name", "email", "role")
PAGE_SIZES = (10, 25, 50, 100)
AUDIT_PAGE_SIZE = 25
SEARCH_MAX = 100
PAGE_MAX = 1_000_000  # the highest page a URL may ask for
TOPIC = accounts.USERS_TOPIC
ACCOUNT_TOPIC = accounts.ACCOUNT_TOPIC

NOT_FOUND = "No such user."
LAST_ADMIN = "You are the only admin. Make someone else an admin first, so the app keeps one."
# Actions this module writes to the audit log (others come from sign-in, settings, ...).
ACTIONS = (
    "admin_role_changed",
    "admin_user_suspended",
    "admin_user_reactivated",
    "admin_verification_resent",
    "admin_user_invited",
    "admin_user_deleted",
)


class Refused(Conflict):
    """A rule of the users admin says no (last admin, own account, wrong confirmation)."""

    code = "refused"


# ---- what crosses into states and API answers ------------------------------------------------


@dataclass(frozen=True)
class UserRow:
    """An account as the admin sees it: never a password hash, token or key."""

    id: int
    name: str
    email: str
    role: str
    status: str  # active | unverified | suspended
    plan: str  # the plan in effect (plans.PLAN_IDS)
    plan_name: str
    created_at: str
    suspended_at: str  # "" unless suspended
    two_factor: bool = False  # signs in with a code from an authenticator app too

    @classmethod
    def of(cls, user: User, subscription: Subscription | None, two_factor_on: bool = False) -> UserRow:
        plan = billing.effective_plan(subscription)
        return cls(
            id=user.id,
            name=user.name,
            email=user.email,
            role=user.role if user.role in ROLES else "user",
            status=status_of(user),
            plan=plan.id,
            plan_name=plan.name,
            created_at=user.created_at.isoformat(),
            suspended_at=user.suspended_at.isoformat() if user.suspended_at else "",
            two_factor=two_factor_on,
        )


@dataclass(frozen=True)
class UserStats:
    total: int = 0
    active: int = 0
    paid: int = 0
    unverified: int = 0
    suspended: int = 0


@dataclass(frozen=True)
class UserQuery(ListQuery):
    role: str = ""
    status: str = ""
    plan: str = ""
    page_size: int = 25

    @classmethod
    def parse(cls, params: dict[str, object]) -> UserQuery:
        """From URL, state or API parameters; anything unknown falls back to the default."""
        return cls(
            search=_clean_search(params.get("search")),
            role=query_params.choice(params, "role", ROLES),
            status=query_params.choice(params, "status", STATUSES),
            plan=query_params.choice(params, "plan", (*plans.PLAN_IDS, PAID)),
            **paging_fields(params, sorts=SORTS, page_sizes=PAGE_SIZES, default_page_size=25, page_max=PAGE_MAX),
        )


@dataclass(frozen=True)
class AuditRow:
    id: int
    created_at: str
    action: str
    actor: str  # the admin's email, or the account's own email for its own doing
    target: str  # the account it is about ("" when unknown, e.g. a failed sign-in's typo)
    detail: str
    ip: str


@dataclass(frozen=True)
class AuditQuery:
    actor: str = ""
    target: str = ""
    action: str = ""
    date_from: str = ""  # YYYY-MM-DD, UTC, inclusive
    date_to: str = ""
    page: int = 1

    @classmethod
    def parse(cls, params: dict[str, object]) -> AuditQuery:
        def day(key: str) -> str:
            value = params.get(key)
            if isinstance(value, date):
                return value.isoformat()
            if isinstance(value, str):
                try:
                    return date.fromisoformat(value.strip()).isoformat() if len(value.strip()) == 10 else ""
                except ValueError:
                    return ""
            return ""

        action = params.get("action")
        return cls(
            actor=_clean_search(params.get("actor")),
            target=_clean_search(params.get("target")),
            action=action.strip()[:64] if isinstance(action, str) and "\x00" not in action else "",
            date_from=day("date_from"),
            date_to=day("date_to"),
            page=query_params.page_number(params, PAGE_MAX),
        )


@dataclass(frozen=True)
class AuditPage(Page[AuditRow]):
    actions: list[str]  # every action in the log, for the filter


@dataclass(frozen=True)
class Invitation:
    email: str
    messages: list[EmailMessage]


def _clean_search(value: object) -> str:
    return query_params.search_text(value, SEARCH_MAX)


def status_of(user: User) -> str:
    if user.suspended_at is not None:
        return "suspended"
    return "active" if user.email_verified else "unverified"


# ---- who may act ------------------------------------------------------------------------------


def is_admin(db: Session, user_id: int) -> bool:
    user = db.get(User, user_id)
    return user is not None and user.role == "admin" and user.suspended_at is None


def _admin(db: Session, actor_id: int) -> User:
    """The acting admin; anyone else is told the page does not exist."""
    if not isinstance(actor_id, int) or isinstance(actor_id, bool) or not is_admin(db, actor_id):
        raise NotFound("No such page.")
    return db.get(User, actor_id)


def require_admin(db: Session, actor_id: int) -> None:
    """Refuses (NotFound) anyone but an active admin: the API asks before reading a request."""
    _admin(db, actor_id)


def _target(db: Session, user_id: object, *, lock: bool = False) -> User:
    if not isinstance(user_id, int) or isinstance(user_id, bool):
        raise NotFound(NOT_FOUND)
    statement = select(User).where(User.id == user_id)
    if lock:
        statement = statement.with_for_update()
    user = db.exec(statement).first()
    if user is None:
        raise NotFound(NOT_FOUND)
    return user


def _active_admin_ids(db: Session) -> list[int]:
    """Locked (PostgreSQL: FOR UPDATE) so a concurrent demotion waits and then counts again."""
    return list(
        db.exec(select(User.id).where(User.role == "admin", col(User.suspended_at).is_(None)).with_for_update())
    )


def refuse_if_last_admin(db: Session, target: User) -> None:
    if target.role == "admin" and target.suspended_at is None and _active_admin_ids(db) == [target.id]:
        raise Refused(LAST_ADMIN)


def _announce(db: Session, target_id: int | None = None) -> None:
    """Every admin's list changes; the target's own tabs re-check who they are."""
    accounts.announce_to_admins(db)
    if target_id is not None:
        live.touch(db, target_id, ACCOUNT_TOPIC, TOPIC)


def _record(
    db: Session,
    action: str,
    actor: User,
    meta: RequestMeta,
    *,
    target: User | None = None,
    email: str = "",
    detail: str = "",
    clock: Clock,
) -> None:
    """An audit row about `target` (or an email without an account yet), done by `actor`."""
    db.add(
        AuditEvent(
            created_at=clock.now(),
            user_id=target.id if target is not None else None,
            action=action,
            email=(target.email if target is not None else email)[:254],
            ip=meta.ip[:64],
            user_agent=meta.user_agent[:512],
            detail=detail[:1000],
            actor_id=actor.id,
            actor_email=actor.email,
        )
    )


# ---- reading -------------------------------------------------------------------------------------


def _plan_condition(plan_id: str):
    entitled = and_(
        col(Subscription.status).in_(billing.ENTITLED),
        col(Subscription.plan).in_([p.id for p in plans.PAID_PLANS]),
    )
    if plan_id == plans.FREE:
        return or_(col(Subscription.id).is_(None), ~entitled)
    if plan_id == PAID:
        return entitled
    return and_(entitled, Subscription.plan == plan_id)


def _status_condition(status: str):
    if status == "suspended":
        return col(User.suspended_at).is_not(None)
    return and_(col(User.suspended_at).is_(None), User.email_verified == (status == "active"))


def _like(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def list_users(db: Session, actor_id: int, query: UserQuery) -> Page[UserRow]:
    _admin(db, actor_id)
    where = []
    if query.search:
        pattern = _like(query.search)
        where.append(
            or_(func.lower(User.name).like(pattern, escape="\\"), func.lower(User.email).like(pattern, escape="\\"))
        )
    if query.role:
        where.append(User.role == query.role)
    if query.status:
        where.append(_status_condition(query.status))
    if query.plan:
        where.append(_plan_condition(query.plan))
    joined = select(User, Subscription).outerjoin(Subscription, col(Subscription.user_id) == col(User.id))
    counted = select(func.count()).select_from(User)
    if query.plan:  # one subscription per account at most: without a plan filter the join adds no rows
        counted = counted.outerjoin(Subscription, col(Subscription.user_id) == col(User.id))
    total = db.exec(counted.where(*where)).one()
    pages = page_count(total, query.page_size)
    page = min(query.page, pages)
    column = {"created": User.created_at, "name": func.lower(User.name), "email": User.email, "role": User.role}[
        query.sort
    ]
    order = [
        column.desc() if query.descending else column.asc(),
        col(User.id).desc() if query.descending else col(User.id).asc(),
    ]
    found = db.exec(
        joined.where(*where).order_by(*order).offset((page - 1) * query.page_size).limit(query.page_size)
    ).all()
    with_two_factor = two_factor.enabled_user_ids(db, [u.id for u, _ in found])
    rows = [UserRow.of(u, s, u.id in with_two_factor) for u, s in found]
    return Page(rows=rows, total=total, page=page, page_size=query.page_size)


def stats(db: Session, actor_id: int) -> UserStats:
    _admin(db, actor_id)
    not_suspended = col(User.suspended_at).is_(None)
    count = lambda *where: db.exec(select(func.count()).select_from(User).where(*where)).one()  # noqa: E731
    paid = db.exec(
        select(func.count())
        .select_from(User)
        .join(Subscription, col(Subscription.user_id) == col(User.id))
        .where(_plan_condition(PAID))
    ).one()
    return UserStats(
        total=count(),
        active=count(not_suspended, User.email_verified == True),  # noqa: E712
        paid=paid,
        unverified=count(not_suspended, User.email_verified == False),  # noqa: E712
        suspended=count(col(User.suspended_at).is_not(None)),
    )


def get_user(db: Session, actor_id: int, user_id: object) -> UserRow:
    _admin(db, actor_id)
    user = _target(db, user_id)
    return _row(db, user)


def _row(db: Session, user: User) -> UserRow:
    return UserRow.of(user, billing.account_for_user(db, user.id), two_factor.is_enabled(db, user.id))


# ---- actions -------------------------------------------------------------------------------------


def set_role(
    db: Session, actor_id: int, user_id: object, role: object, meta: RequestMeta, clock: Clock = system_clock
) -> UserRow:
    actor = _admin(db, actor_id)
    if role not in ROLES:
        raise InvalidInput("Choose a role: user or admin.", fields={"role": "Choose user or admin."})
    target = _target(db, user_id, lock=True)
    if target.role == role:
        return _row(db, target)
    if role == "user":
        refuse_if_last_admin(db, target)
    before = target.role
    target.role = role
    target.updated_at = clock.now()
    db.add(target)
    _record(db, "admin_role_changed", actor, meta, target=target, detail=f"{before} -> {role}", clock=clock)
    _announce(db, target.id)
    return _row(db, target)


def suspend(db: Session, actor_id: int, user_id: object, meta: RequestMeta, clock: Clock = system_clock) -> UserRow:
    """No sign-in, sessions or API keys until reactivated; their open tabs go to sign-in at once."""
    actor = _admin(db, actor_id)
    target = _target(db, user_id, lock=True)
    if target.suspended_at is not None:
        return _row(db, target)
    refuse_if_last_admin(db, target)
    if target.id == actor.id:
        raise Refused("You cannot suspend your own account.")
    target.suspended_at = clock.now()
    target.updated_at = target.suspended_at
    db.add(target)
    ended = sessions.revoke_all(db, target.id)
    _record(db, "admin_user_suspended", actor, meta, target=target, detail=f"{ended} sessions ended", clock=clock)
    _announce(db, target.id)
    return _row(db, target)


def reactivate(db: Session, actor_id: int, user_id: object, meta: RequestMeta, clock: Clock = system_clock) -> UserRow:
    actor = _admin(db, actor_id)
    target = _target(db, user_id, lock=True)
    if target.suspended_at is None:
        return _row(db, target)
    target.suspended_at = None
    target.updated_at = clock.now()
    db.add(target)
    _record(db, "admin_user_reactivated", actor, meta, target=target, clock=clock)
    _announce(db, target.id)
    return _row(db, target)


def resend_verification(
    db: Session, actor_id: int, user_id: object, meta: RequestMeta, clock: Clock = system_clock
) -> list[EmailMessage]:
    """A fresh verification link (the sign-up email) for a user who has not verified yet."""
    actor = _admin(db, actor_id)
    target = _target(db, user_id)
    if target.email_verified:
        raise Refused(f"{target.email} is already verified.")
    if target.suspended_at is not None:
        raise Refused(f"{target.email} is suspended. Reactivate the account first.")
    messages = accounts.send_verification(db, target.email, meta, clock)
    _record(db, "admin_verification_resent", actor, meta, target=target, clock=clock)
    return messages


def _invitation_email(actor: User, address: str) -> EmailMessage:
    link = get_settings().url(routes.SIGN_UP)
    return email.compose(
        address,
        f"{actor.name} invited you to FluxKit",
        f"Hi,\n\n{actor.name} ({actor.email}) invited you to FluxKit. Create your account with "
        f"this email address ({address}) here:\n\n{link}\n\nIf you did not expect this, you can "
        "ignore this email.\n",
    )


def invite(db: Session, actor_id: int, email: object, meta: RequestMeta, clock: Clock = system_clock) -> Invitation:
    """Email a sign-up link. The invitation shows in the audit log until they sign up."""
    actor = _admin(db, actor_id)
    address = accounts.normalize_email(email)
    if accounts.user_by_email(db, address) is not None:
        message = f"{address} already has an account."
        raise InvalidInput(message, fields={"email": message})
    _record(db, "admin_user_invited", actor, meta, email=address, clock=clock)
    _announce(db)
    return Invitation(email=address, messages=[_invitation_email(actor, address)])


def delete_user(
    db: Session, actor_id: int, user_id: object, confirm: object, meta: RequestMeta, clock: Clock = system_clock
) -> str:
    """Delete an account for good; `confirm` must be its email, typed. Answers that email.

    The database removes what is theirs with it (ON DELETE CASCADE): sessions, email links,
    tasks (and their history), notifications, API keys, the subscription record, mail copies,
    chat memberships and calendar events. Messages they sent others and the audit log keep
    their rows, no longer linked to the account (SET NULL).
    """
    actor = _admin(db, actor_id)
    target = _target(db, user_id, lock=True)
    if not isinstance(confirm, str) or confirm.strip().lower() != target.email:
        message = f"Type {target.email} to confirm."
        raise InvalidInput(message, fields={"confirm": message})
    refuse_if_last_admin(db, target)
    if target.id == actor.id:
        raise Refused("You cannot delete your own account here.")
    plan = billing.current_plan(db, target.id)
    if plan.paid:
        raise Refused(
            f"{target.email} pays for {plan.name}. Cancel the subscription in the Stripe Dashboard first, "
            "so they are not charged again."
        )
    email, target_id = target.email, target.id
    _record(
        db, "admin_user_deleted", actor, meta, target=target, detail=f"user {target_id} ({target.name})", clock=clock
    )
    _announce(db, target_id)  # their open tabs (if any) find no session and go to sign-in
    db.flush()
    db.expunge(target)
    db.exec(delete(User).where(User.id == target_id))  # the database cascades (see above)
    return email


@dataclass(frozen=True)
class PendingInvite:
    email: str
    invited_at: str
    invited_by: str


def pending_invites(db: Session, actor_id: int, limit: int = 20) -> list[PendingInvite]:
    """Invited emails that have no account yet, newest invitation first."""
    _admin(db, actor_id)
    newest = (
        select(AuditEvent.email, func.max(AuditEvent.id).label("last_id"))
        .where(
            AuditEvent.action == "admin_user_invited", ~select(User.id).where(User.email == AuditEvent.email).exists()
        )
        .group_by(AuditEvent.email)
        .subquery()
    )
    found = db.exec(
        select(AuditEvent)
        .join(newest, col(AuditEvent.id) == newest.c.last_id)
        .order_by(col(AuditEvent.id).desc())
        .limit(limit)
    ).all()
    return [
        PendingInvite(email=e.email, invited_at=e.created_at.isoformat(), invited_by=e.actor_email or "") for e in found
    ]


# ---- the audit log ---------------------------------------------------------------------------------


def audit_log(db: Session, actor_id: int, query: AuditQuery) -> AuditPage:
    _admin(db, actor_id)
    where = []
    actor_text = func.lower(func.coalesce(func.nullif(AuditEvent.actor_email, ""), AuditEvent.email))
    if query.actor:
        where.append(actor_text.like(_like(query.actor), escape="\\"))
    if query.target:
        where.append(func.lower(AuditEvent.email).like(_like(query.target), escape="\\"))
    if query.action:
        where.append(AuditEvent.action == query.action)
    if query.date_from:
        where.append(AuditEvent.created_at >= datetime.combine(date.fromisoformat(query.date_from), time(), UTC))
    if query.date_to:
        end = datetime.combine(date.fromisoformat(query.date_to), time(), UTC) + timedelta(days=1)
        where.append(AuditEvent.created_at < end)
    total = db.exec(select(func.count()).select_from(AuditEvent).where(*where)).one()
    pages = page_count(total, AUDIT_PAGE_SIZE)
    page = min(query.page, pages)
    found = db.exec(
        select(AuditEvent, actor_text)
        .where(*where)
        .order_by(col(AuditEvent.created_at).desc(), col(AuditEvent.id).desc())
        .offset((page - 1) * AUDIT_PAGE_SIZE)
        .limit(AUDIT_PAGE_SIZE)
    ).all()
    rows = [
        AuditRow(
            id=event.id,
            created_at=event.created_at.isoformat(),
            action=event.action,
            actor=event.actor_email or event.email,
            target=event.email,
            detail=event.detail,
            ip=event.ip,
        )
        for event, _actor in found
    ]
    return AuditPage(rows=rows, total=total, page=page, page_size=AUDIT_PAGE_SIZE, actions=audit_actions(db))


# Each action the log holds, read as one index step per action (a loose index scan written
# out: neither SQLite nor PostgreSQL would skip through the index by itself for DISTINCT, and
# reading every entry grows with the log).
_ACTIONS_SQL = text(
    "WITH RECURSIVE found(action) AS ("
    " SELECT MIN(action) FROM audit_log"
    " UNION ALL"
    " SELECT (SELECT MIN(action) FROM audit_log WHERE action > found.action) FROM found"
    " WHERE found.action IS NOT NULL"
    ") SELECT action FROM found WHERE action IS NOT NULL"
)


def audit_actions(db: Session) -> list[str]:
    """The distinct actions in the audit log, sorted (the log's action filter)."""
    return sorted(db.exec(_ACTIONS_SQL).scalars().all())


# ---- the command line --------------------------------------------------------------------------------


def make_admin(db: Session, email: object, meta: RequestMeta, clock: Clock = system_clock) -> UserRow:
    """`fluxkit make-admin`: give an existing account the admin role (no admin needed)."""
    address = accounts.normalize_email(email)
    user = accounts.user_by_email(db, address)
    if user is None:
        raise InvalidInput(f"No account with the email {address}.", fields={"email": "No such account."})
    if user.role != "admin":
        user.role = "admin"
        user.updated_at = clock.now()
        db.add(user)
        audit.record(
            db,
            "admin_role_changed",
            meta=meta,
            user_id=user.id,
            email=user.email,
            detail="user -> admin (command line)",
            clock=clock,
        )
        _announce(db, user.id)
    return _row(db, user)
