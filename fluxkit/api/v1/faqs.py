"""/api/v1/faqs: read and search the FAQs; admins create, change, reorder and delete them.

Any signed-in caller (session cookie or API key) reads. The changes are for admins only:
for anyone else they answer 404, as if the FAQ did not exist, and change nothing (the
service checks the role in the database). A change reaches every open FAQs page live.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from fluxkit.api.v1.common import CallerDep, admin_route, refusals, run_as
from fluxkit.api.v1.fields import ID_MAX, NON_BLANK, TEXT, as_utc, json_int
from fluxkit.db import session_scope
from fluxkit.services import faqs

FaqCategory = Literal["accounts", "security", "billing", "data", "tasks", "collaboration"]
assert FaqCategory.__args__ == faqs.CATEGORIES

FaqId = Annotated[int, Path(ge=1, le=ID_MAX, description="The FAQ's id.")]
# At least 5 characters once the spaces around it are trimmed (as the service counts them):
# the characters Python's str.strip() removes, written out so every regex engine agrees.
_SPACE = "\t\n\x0b\x0c\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_EDGE = "[^" + _SPACE + "\\x00-\\x1f\\x7f]"
QUESTION_PATTERN = (
    "^[" + _SPACE + "]*" + _EDGE + "[^\\x00]{" + str(faqs.QUESTION_MIN - 2) + ",}" + _EDGE + "[" + _SPACE + "]*$"
)
Question = Annotated[
    str,
    Field(
        min_length=faqs.QUESTION_MIN,
        max_length=faqs.QUESTION_MAX,
        pattern=QUESTION_PATTERN,
        examples=["How do I export my tasks?"],
    ),
]
Answer = Annotated[str, Field(min_length=1, max_length=faqs.ANSWER_MAX, pattern=NON_BLANK, description="Markdown.")]
Position = json_int(1, 1_000_000, "1 is first in its category; past the end means last.")
TAG = ["faqs"]


def _answers(*statuses: int) -> dict:
    return refusals(*statuses, described={404: "Not an admin (every change is a 404 then), or no such FAQ."})


class Faq(BaseModel):
    id: int
    category: FaqCategory
    question: str
    answer: str = Field(description="Markdown.")
    position: int = Field(description="Its place in its category, 1 for the first.")
    updated_at: datetime

    @classmethod
    def of(cls, row: faqs.FaqRow) -> Faq:
        return cls(
            id=row.id,
            category=row.category,
            question=row.question,
            answer=row.answer,
            position=row.position,
            updated_at=as_utc(datetime.fromisoformat(row.updated_at)),
        )


class FaqCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    category: FaqCategory
    question: Question
    answer: Answer
    position: Position | None = Field(default=None, description="Omitted: last in its category.")


class FaqUpdate(BaseModel):
    """Only the fields sent change. A new category without `position` puts it last there."""

    model_config = ConfigDict(extra="forbid")

    category: FaqCategory | None = None
    question: Question | None = None
    answer: Answer | None = None
    position: Position | None = None


router = APIRouter()
# The changes: admins only, checked before the request is read (anyone else: 404).
admin_router = APIRouter(route_class=admin_route(faqs.require_admin))


@router.get(
    "/faqs",
    tags=TAG,
    summary="The FAQs, in display order, optionally searched",
    response_model=list[Faq],
    responses=_answers(),
)
def list_faqs(
    caller: CallerDep,
    q: Annotated[
        str, Query(max_length=faqs.SEARCH_MAX, pattern=TEXT, description="In question and answer, any case.")
    ] = "",
):
    with session_scope() as db:
        rows = faqs.search(db, q)
    return [Faq.of(row) for row in rows]


@admin_router.post(
    "/faqs", tags=TAG, summary="Add a FAQ (admins)", status_code=201, response_model=Faq, responses=_answers(404)
)
def create_faq(caller: CallerDep, body: FaqCreate):
    return Faq.of(run_as(caller, faqs.create_faq, body.model_dump()))


@admin_router.patch(
    "/faqs/{faq_id}", tags=TAG, summary="Change or move a FAQ (admins)", response_model=Faq, responses=_answers(404)
)
def update_faq(caller: CallerDep, faq_id: FaqId, body: FaqUpdate):
    data = {key: value for key, value in body.model_dump(exclude_unset=True).items() if value is not None}
    return Faq.of(run_as(caller, faqs.update_faq, faq_id, data))


@admin_router.delete(
    "/faqs/{faq_id}",
    tags=TAG,
    summary="Delete a FAQ (admins)",
    status_code=204,
    response_class=Response,
    responses=_answers(404),
)
def delete_faq(caller: CallerDep, faq_id: FaqId) -> None:
    run_as(caller, faqs.delete_faq, faq_id)
