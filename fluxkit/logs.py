"""FluxKit's own logs: one line per record, JSON in production, each tagged with a request id.

Reflex logs through its `reflex` logger (JSON too with `REFLEX_LOG_JSON=true` / `--json`);
FluxKit's records go through the `fluxkit` logger configured here. The format is
`FLUXKIT_LOG_FORMAT` (`json` or `text`); unset, it is JSON under `reflex run --env prod`
and text otherwise. The request id of the HTTP request being served (see
`fluxkit.api.request_log`) is added to every record logged while serving it.
"""

from __future__ import annotations

import contextvars
import datetime
import json
import logging
import os
import sys

ROOT_LOGGER = "fluxkit"

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("fluxkit_request_id", default="")

# Attributes every LogRecord has; anything else was passed in `extra=` and is logged too.
_STANDARD = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}


def log_format() -> str:
    chosen = os.environ.get("FLUXKIT_LOG_FORMAT", "").strip().lower()
    if chosen in ("json", "text"):
        return chosen
    prod = os.environ.get("REFLEX_ENV_MODE", "").lower() == "prod"
    return "json" if prod or os.environ.get("REFLEX_LOG_JSON", "").lower() == "true" else "text"


def _extras(record: logging.LogRecord) -> dict[str, object]:
    return {k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")}


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, object] = {
            "timestamp": datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "pid": record.process,
        }
        payload.update(_extras(record))
        if not payload.get("request_id"):
            payload.pop("request_id", None)
        if record.exc_info and record.exc_info[0] is not None:
            payload["exception"] = self.formatException(record.exc_info)
        return json.dumps(payload, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        extras = _extras(record)
        rid = extras.pop("request_id", "")
        detail = " ".join(f"{k}={v}" for k, v in extras.items())
        return " ".join(part for part in (line, detail, f"[{rid}]" if rid else "") if part)


class EscapingStreamHandler(logging.StreamHandler):
    """Writes what the stream's encoding cannot hold escaped (an unpaired surrogate sent by a
    client becomes `\\ud800`), instead of failing with UnicodeEncodeError and losing the line."""

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        encoding = getattr(self.stream, "encoding", None) or "utf-8"
        try:
            line.encode(encoding)
        except UnicodeEncodeError:
            line = line.encode(encoding, "backslashreplace").decode(encoding)
        except LookupError:
            pass
        return line


def configure(stream=None) -> logging.Handler:
    """Attach (once) the handler of the `fluxkit` logger; returns it.

    Without a stream it writes to stderr; stderr and stdout are set to escape what they cannot
    encode, so Reflex's and the server's own lines survive an unpaired surrogate too.
    """
    logger = logging.getLogger(ROOT_LOGGER)
    for handler in logger.handlers:
        if getattr(handler, "_fluxkit", False):
            logger.removeHandler(handler)
    if stream is None:
        for std in (sys.stderr, sys.stdout):  # Reflex and the server print to both
            try:
                std.reconfigure(errors="backslashreplace")
            except (AttributeError, ValueError, OSError):  # not a text file, closed or detached
                pass
    handler = EscapingStreamHandler(stream or sys.stderr)
    handler._fluxkit = True  # type: ignore[attr-defined]
    handler.setFormatter(JsonFormatter() if log_format() == "json" else TextFormatter())
    handler.addFilter(RequestIdFilter())
    logger.addHandler(handler)
    logger.setLevel(os.environ.get("FLUXKIT_LOG_LEVEL", "INFO").upper())
    logger.propagate = False
    return handler
