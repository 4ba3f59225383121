"""Cleaning list-page parameters (from a URL, a state or the API) into safe values.

Each helper never raises: a missing, unknown or malformed value gives the default, so a
hand-edited URL or an odd API call shows the plain list instead of an error. The query
classes (TaskQuery, UserQuery, AuditQuery) build their fields from these.
"""

from __future__ import annotations

from collections.abc import Mapping


def choice(params: Mapping[str, object], key: str, allowed: tuple[str, ...], default: str = "") -> str:
    """`params[key]` when it is one of `allowed` (exactly, a string), else `default`."""
    value = params.get(key)
    return value if isinstance(value, str) and value in allowed else default


def integer(params: Mapping[str, object], key: str, default: int) -> int:
    """`params[key]` as a whole number ("3" or 3); `default` when missing or not one ("x", "2.5", None)."""
    try:
        return int(str(params.get(key, default)))
    except ValueError:
        return default


def search_text(value: object, max_len: int, *, keep_nul: bool = False) -> str:
    """A search box's text: NUL characters dropped (unless `keep_nul`), stripped, at most `max_len`
    characters; "" for anything that is not a string."""
    if not isinstance(value, str):
        return ""
    if not keep_nul:
        value = value.replace("\x00", "")
    return value.strip()[:max_len]


def page_number(params: Mapping[str, object], maximum: int | None = None, key: str = "page") -> int:
    """The page asked for, at least 1 (and at most `maximum` when given); 1 when it does not parse."""
    page = integer(params, key, 1)
    if maximum is not None:
        page = min(page, maximum)
    return max(1, page)


def page_size(params: Mapping[str, object], allowed: tuple[int, ...], default: int, key: str = "page_size") -> int:
    """The rows per page asked for when it is one of `allowed`, else `default`."""
    size = integer(params, key, default)
    return size if size in allowed else default


def descending(params: Mapping[str, object], key: str = "order") -> bool:
    """True unless the order asked for is exactly "asc" (newest/largest first is the default)."""
    return params.get(key, "desc") != "asc"
