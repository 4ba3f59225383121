"""FAQs: questions and answers everyone signed in reads, and admins keep up to date."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

from fluxkit.clock import system_clock


def _now() -> datetime:
    return system_clock.now()


class Faq(SQLModel, table=True):
    __tablename__ = "faq"
    # The page reads a category's FAQs in their stored order.
    __table_args__ = (Index("ix_faq_category_position", "category", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    category: str = Field(max_length=20)
    question: str = Field(max_length=300)
    answer: str = Field(sa_column=Column(Text, nullable=False))  # markdown, up to 10,000 characters
    # Order within the category, 1 for the first.
    position: int = Field(default=1)
    created_at: datetime = Field(default_factory=_now)
    updated_at: datetime = Field(default_factory=_now)
