"""The test suite's own layout: shared helpers live in tests/support, never in a test module.

A test module that imports another test module (or a conftest) runs that module's tests'
fixtures twice under two names and hides what is shared; tests/support is the one place.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.support.source import parse

TESTS = Path(__file__).resolve().parent


def _imported_modules(path: Path) -> list[str]:
    names = []
    for node in ast.walk(parse(path)):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
        elif isinstance(node, ast.ImportFrom) and node.level:
            names.append("." * node.level + (node.module or ""))
        elif isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
    return names


def test_tests_import_shared_code_only_from_tests_support():
    wrong = [
        f"{path.relative_to(TESTS.parent)} imports {name}"
        for path in sorted(TESTS.rglob("*.py"))
        for name in _imported_modules(path)
        if (name == "tests" or name.startswith(("tests.", "."))) and not name.startswith("tests.support")
    ]
    assert wrong == []


def test_one_user_factory():
    """Accounts for tests are made by tests.support.factories.make_user (the service's own tests aside)."""
    makers = [
        f"{path.relative_to(TESTS.parent)}:{node.lineno} {node.name}"
        for path in sorted(TESTS.rglob("*.py"))
        if path.relative_to(TESTS).as_posix() not in ("support/factories.py", "services/test_accounts.py")
        for node in ast.walk(parse(path))
        if isinstance(node, ast.FunctionDef)
        and "create_verified_user"
        in {getattr(call.func, "attr", "") for call in ast.walk(node) if isinstance(call, ast.Call)}
    ]
    assert makers == []
