"""Field types every /api/v1 feature module builds its bodies from: text, ids, dates, errors.

Each feature module (tasks.py, chat.py, ...) defines its own request and response models at
its top, from these types and the service's own limits, so the spec cannot drift from the rules.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, Field
from pydantic_core import PydanticCustomError

# Text a person typed: no NUL (PostgreSQL cannot store it) and, where required, not blank.
TEXT = r"^[^\x00]*$"
NON_BLANK = r"^[^\x00]*[^\s\x00-\x1f\x7f][^\x00]*$"

# Path ids are database integers.
ID_MAX = 2**31 - 1


def _int_from_text(value: object) -> object:
    """Query strings are text; let "25" match the integer choices."""
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return value


PageSize = Annotated[Literal[10, 25, 50, 100], BeforeValidator(_int_from_text)]

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date_only(value: object) -> object:
    """Only "YYYY-MM-DD" (pydantic alone would also take numbers as timestamps)."""
    if value is None or (isinstance(value, str) and _ISO_DATE.fullmatch(value)):
        return value
    raise PydanticCustomError("date_format", "Use a date like 2026-12-31.")


IsoDate = Annotated[date, BeforeValidator(_iso_date_only)]


def _json_integer(value: object) -> object:
    """What JSON Schema calls an integer: a number without a fraction (7 or 7.0), never
    true/false or "7" (pydantic alone would take true as 1 and "7" as 7)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise PydanticCustomError("int_type", "Input should be a valid integer")
    return value


def json_int(ge: int, le: int, description: str | None = None):
    """An integer field in [ge, le] that takes only what JSON Schema calls an integer.

    The check runs before pydantic's own, and after the bounds in the Annotated list, so the
    spec still says minimum / maximum.
    """
    return Annotated[int, Field(ge=ge, le=le, description=description), BeforeValidator(_json_integer)]


ID = json_int(1, ID_MAX)


def as_utc(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


class Error(BaseModel):
    """Every refusal: a stable machine code, a sentence for people, per-field messages."""

    error: str = Field(examples=["invalid_input"])
    message: str
    fields: dict[str, str] = Field(default_factory=dict, description="Field name -> what is wrong with it.")
    retryAfter: int | None = Field(default=None, description="Seconds to wait (429 only).")
