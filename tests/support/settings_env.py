"""Run a block with some environment variables changed; settings are re-read around it."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

from fluxkit.settings import Settings, get_settings


@contextlib.contextmanager
def settings_env(**values: str | None) -> Iterator[Settings]:
    """`settings_env(SMTP_URL="smtp://...")`; None removes a variable for the block."""
    old = {name: os.environ.get(name) for name in values}
    try:
        for name, value in values.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        get_settings.cache_clear()
        yield get_settings()
    finally:
        for name, value in old.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        get_settings.cache_clear()
