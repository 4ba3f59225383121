"""The layers and acyclic imports, checked from the source (ast) rather than by memory.

Every import inside fluxkit counts, at module level or inside a function: a function-level
import that closes a cycle only hides it until the function runs.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.support.source import parse

ROOT = Path(__file__).resolve().parent.parent / "fluxkit"

# layer -> what it must never import
FORBIDDEN = {
    "fluxkit.services": (
        "reflex",
        "reflex_base",
        "fastapi",
        "starlette",
        "fluxkit.state",
        "fluxkit.api",
        "fluxkit.pages",
        "fluxkit.components",
    ),
    "fluxkit.models": (
        "reflex",
        "reflex_base",
        "fastapi",
        "starlette",
        "fluxkit.state",
        "fluxkit.api",
        "fluxkit.pages",
        "fluxkit.components",
        "fluxkit.services",
    ),
    "fluxkit.state": ("fluxkit.api",),
}


def modules(root: Path) -> dict[str, Path]:
    """Dotted name -> file, for every module under `root` (a package directory)."""
    found = {}
    for path in root.rglob("*.py"):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def imports(name: str, path: Path, mods: dict[str, Path]) -> list[tuple[str, int]]:
    """What `name` imports, at any depth, with the line: for `from p import x`, the module p.x
    when that is one of `mods`, else p."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = []
    for node in ast.walk(parse(path)):
        if isinstance(node, ast.Import):
            out += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, *([node.module] if node.module else [])])
            for alias in node.names:
                meant = f"{base}.{alias.name}"
                out.append((meant if meant in mods else base, node.lineno))
    return out


def graph(root: Path) -> dict[str, dict[str, int]]:
    """module -> {module of the package it imports: first line}.

    Importing a module first runs its parent packages' __init__, so those count too, except
    the importer's own ancestors (already running when it is imported).
    """
    mods = modules(root)
    edges: dict[str, dict[str, int]] = {name: {} for name in mods}
    for name, path in mods.items():
        for target, line in imports(name, path, mods):
            if target in mods and target != name:
                edges[name].setdefault(target, line)
            chain = target.split(".")
            for depth in range(1, len(chain)):
                parent = ".".join(chain[:depth])
                if parent in mods and not name.startswith(parent + "."):
                    edges[name].setdefault(parent, line)
    return edges


def cycles(edges: dict[str, dict[str, int]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in edges.get(node, {}):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def layer_violations(root: Path, forbidden: dict[str, tuple[str, ...]]) -> list[str]:
    """One line per forbidden import statement: where, and what it imports."""
    out: dict[tuple[str, int], str] = {}
    mods = modules(root)
    for name, path in sorted(mods.items()):
        for layer, banned in forbidden.items():
            if name != layer and not name.startswith(layer + "."):
                continue
            for target, line in imports(name, path, mods):
                for ban in banned:
                    if target == ban or target.startswith(ban + "."):
                        out.setdefault((str(path.relative_to(root.parent)), line), target)
    return [f"{where}:{line} imports {target}" for (where, line), target in sorted(out.items())]


def test_services_models_and_state_import_only_what_their_layer_may():
    assert layer_violations(ROOT, FORBIDDEN) == []


def test_no_import_cycle_inside_fluxkit_even_through_function_level_imports():
    edges = graph(ROOT)
    described = [" -> ".join(c) for c in cycles(edges)]
    assert described == []


# ---- the checks themselves fail when they should ------------------------------------------


def _package(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "fluxkit"
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_a_cycle_is_found_at_module_level_and_through_a_function_level_import(tmp_path):
    root = _package(
        tmp_path,
        {
            "__init__.py": "",
            "a.py": "from fluxkit import b\n",
            "b.py": "def f():\n    from fluxkit.c import g\n",
            "c.py": "import fluxkit.a\n",
            "d.py": "from fluxkit import a\n",
        },
    )
    assert cycles(graph(root)) == [["fluxkit.a", "fluxkit.b", "fluxkit.c"]]


def test_a_cycle_through_a_package_init_is_found_and_a_plain_package_is_not(tmp_path):
    root = _package(
        tmp_path,
        {
            "__init__.py": "",
            "tasks/__init__.py": "from fluxkit.tasks.rules import create\nfrom fluxkit.tasks.listing import page\n",
            "tasks/rules.py": "def create(): ...\n",
            "tasks/listing.py": "from fluxkit.tasks.rules import create\n\ndef page(): ...\n",
        },
    )
    assert cycles(graph(root)) == []
    (root / "tasks" / "listing.py").write_text("from fluxkit import tasks\n\ndef page(): ...\n")
    assert cycles(graph(root)) == [["fluxkit.tasks", "fluxkit.tasks.listing"]]


def test_a_service_importing_reflex_or_a_state_importing_the_api_is_reported(tmp_path):
    root = _package(
        tmp_path,
        {
            "__init__.py": "",
            "services/__init__.py": "",
            "services/ok.py": "import sqlmodel\n",
            "services/bad.py": "def f():\n    import reflex as rx\n",
            "state/__init__.py": "",
            "state/page.py": "from fluxkit.api.deps import request_meta\n",
            "api/__init__.py": "",
            "api/deps.py": "",
        },
    )
    assert layer_violations(root, FORBIDDEN) == [
        "fluxkit/services/bad.py:2 imports reflex",
        "fluxkit/state/page.py:1 imports fluxkit.api.deps",
    ]
