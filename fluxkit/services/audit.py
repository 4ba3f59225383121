"""The audit log: who did what to an account, from where."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from fluxkit.clock import Clock, system_clock
from fluxkit.models import AuditEvent


@dataclass(frozen=True)
class RequestMeta:
    """Where a request came from, as the API or a state resolved it."""

    ip: str = ""
    user_agent: str = ""


def record(
    db: Session,
    action: str,
    *,
    meta: RequestMeta,
    user_id: int | None = None,
    email: str = "",
    detail: str = "",
    clock: Clock = system_clock,
) -> None:
    db.add(
        AuditEvent(
            created_at=clock.now(),
            user_id=user_id,
            action=action,
            email=email[:254],
            ip=meta.ip[:64],
            user_agent=meta.user_agent[:512],
            detail=detail[:1000],
        )
    )


def events_for(db: Session, user_id: int, limit: int = 50) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.user_id == user_id).order_by(col(AuditEvent.id).desc()).limit(limit)
    return list(db.exec(query))
