"""The package's layers (issue #15 §8): the core imports no persistence or shell, the shells share
the application layer instead of importing each other, and no import circle exists, neither between
modules nor between packages. Read from the source (every ``import``, lazy ones included)."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import chiiki

SRC = Path(chiiki.__file__).parent
CORE = ("reference", "data", "firms", "industry", "io", "plans")
SHELLS = ("web", "api", "cli", "http", "server")


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports() -> dict[str, set[str]]:
    """Module → the chiiki modules it imports (``from a import b`` counts as ``a.b`` when that is a
    module, else ``a``)."""
    modules = {_module_name(p): p for p in SRC.rglob("*.py")}
    graph: dict[str, set[str]] = defaultdict(set)
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [
                    f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in modules else node.module
                    for a in node.names
                ]
            for target in targets:
                if target.startswith("chiiki.") and target != name:
                    graph[name].add(target)
        graph.setdefault(name, set())
    return graph


def _package(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in list(graph):
        if v not in index:
            visit(v)
    return out


def test_core_imports_no_store_services_or_shell():
    bad = sorted(
        f"{m} → {t}"
        for m, targets in _imports().items()
        if _package(m) in CORE
        for t in targets
        if _package(t) in ("store", "services", *SHELLS)
    )
    assert bad == []


def test_api_and_web_do_not_import_each_other():
    bad = sorted(
        f"{m} → {t}"
        for m, targets in _imports().items()
        for t in targets
        if {_package(m), _package(t)} == {"api", "web"}
    )
    assert bad == []


def test_services_import_no_shell():
    bad = sorted(
        f"{m} → {t}"
        for m, targets in _imports().items()
        if _package(m) in ("services", "store")
        for t in targets
        if _package(t) in SHELLS
    )
    assert bad == []


def test_no_import_cycle_between_modules():
    assert _cycles(_imports()) == []


def test_no_import_cycle_between_packages():
    packages: dict[str, set[str]] = defaultdict(set)
    for m, targets in _imports().items():
        packages[_package(m)] |= {_package(t) for t in targets if _package(t) != _package(m)}
    assert _cycles(packages) == []
