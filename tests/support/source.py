"""Parsing the project's own source in tests that check it (layers, names, suite layout)."""

from __future__ import annotations

import ast
import gc
from pathlib import Path


def parse(path: Path, source: str | None = None) -> ast.Module:
    """`ast.parse` with the garbage collector paused.

    On Python 3.11.7, a finalizer that the collector runs while CPython builds the tree (a fuzzing
    library's generator restoring the recursion limit, left over from the suite's property tests)
    makes it raise "SystemError: AST constructor recursion depth mismatch"."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return ast.parse(path.read_text() if source is None else source, str(path))
    finally:
        if enabled:
            gc.enable()
