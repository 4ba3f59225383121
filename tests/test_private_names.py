"""A leading underscore means "only this module uses it": no module of fluxkit/ reaches into another's.

A name shared between modules is public (no underscore); Reflex internals are read in
fluxkit/state/reflex_adapter.py only.
"""

from __future__ import annotations

import ast
from pathlib import Path

import fluxkit
from tests.support.source import parse

ROOT = Path(fluxkit.__file__).parent
ADAPTER = ROOT / "state" / "reflex_adapter.py"


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _crossings(path: Path) -> list[str]:
    tree = parse(path)
    where = path.relative_to(ROOT.parent)
    found, modules = [], set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module != "__future__":
            for alias in node.names:
                if _private(alias.name):
                    found.append(f"{where}:{node.lineno} imports {node.module}.{alias.name}")
                modules.add(alias.asname or alias.name)  # a module, or a class/function of one
        elif isinstance(node, ast.Import):
            modules.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _private(node.attr):
            if isinstance(node.value, ast.Name) and node.value.id in modules:
                found.append(f"{where}:{node.lineno} reads {node.value.id}.{node.attr}")
            elif path != ADAPTER and node.attr in {"_token_manager", "_state", "_event_namespace"}:
                found.append(f"{where}:{node.lineno} reads Reflex's {node.attr} outside the adapter")
    return found


def test_no_module_imports_or_reads_another_modules_private_names():
    crossings = [c for path in sorted(ROOT.rglob("*.py")) for c in _crossings(path)]
    assert crossings == []
