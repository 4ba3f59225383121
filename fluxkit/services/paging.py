"""One page of a list, and the query fields every paged list shares.

`Page[T]` is what a list service returns (tasks, users, mail, notifications, the audit log);
a list with more to say (the mailbox's folder counts) subclasses it. `ListQuery` holds the
search, sort, order and paging of a list view; a feature's query (TaskQuery, UserQuery)
adds its filters as string fields and gets the URL form (`as_params`) from here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Generic, TypeVar

from fluxkit.services import query_params

T = TypeVar("T")

_SHARED = ("search", "sort", "descending", "page", "page_size")


@dataclass(frozen=True)
class Page(Generic[T]):
    rows: list[T]
    total: int  # rows matching the query, on every page
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return page_count(self.total, self.page_size)


def page_count(total: int, page_size: int) -> int:
    """How many pages `total` rows fill (at least 1: an empty list is one empty page)."""
    return max(1, math.ceil(total / page_size))


@dataclass(frozen=True)
class ListQuery:
    search: str = ""
    sort: str = "created"
    descending: bool = True
    page: int = 1
    page_size: int = 10

    def as_params(self) -> dict[str, str]:
        """The non-default parts, for a bookmarkable URL: search, the filters, sort, order, paging."""
        defaults = {f.name: f.default for f in fields(self)}
        out = {"search": self.search}
        out.update({f.name: getattr(self, f.name) for f in fields(self) if f.name not in _SHARED})
        out["sort"] = "" if self.sort == defaults["sort"] else self.sort
        out["order"] = "" if self.descending else "asc"
        out["page"] = "" if self.page == 1 else str(self.page)
        out["page_size"] = "" if self.page_size == defaults["page_size"] else str(self.page_size)
        return {k: v for k, v in out.items() if v}


def paging_fields(
    params: Mapping[str, object],
    *,
    sorts: tuple[str, ...],
    page_sizes: tuple[int, ...],
    default_page_size: int,
    page_max: int | None = None,
) -> dict[str, object]:
    """The shared fields of a ListQuery from URL, state or API parameters (never raises)."""
    return {
        "sort": query_params.choice(params, "sort", sorts, "created"),
        "descending": query_params.descending(params),
        "page": query_params.page_number(params, page_max),
        "page_size": query_params.page_size(params, page_sizes, default_page_size),
    }
