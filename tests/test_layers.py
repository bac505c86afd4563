"""The import graph of src/jmap: no cycles, and each layer imports only the layers below it.

Every import counts: at the top of a module, inside a function (lazy) and under TYPE_CHECKING.
The layer order is written once, here; docs/architecture.md describes it.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"

#: Lowest first. "base" is every module directly in jmap/ (diagnostics, records, resources, fsutil,
#: digests, icons, images); "api" is jmap/api.py and the facade jmap/__init__.py.
ORDER = ("base", "loading", "model", "validation", "review", "layout", "render", "export", "project", "api", "cli")

#: The modules directly in jmap/, each with its layer. A new module goes into its stage's package
#: (the lane registry is jmap/model/lanes.py); one left at the top fails the test below until listed here.
TOP_LEVEL = {
    "diagnostics": "base", "records": "base", "resources": "base", "fsutil": "base", "digests": "base",
    "icons": "base", "images": "base", "api": "api", "__init__": "api", "__main__": "cli",
}

#: Imports that go upwards (issue 11, item 3, broke the last ones). The test fails when one appears,
#: so this list stays empty.
KNOWN_UPWARDS: set[tuple[str, str]] = set()


def layer(module: str) -> str:
    parts = module.split(".")
    if module in ("jmap", "jmap.api"):
        return "api"
    if parts[1] == "__main__":
        return "cli"
    return parts[1] if (SRC / "jmap" / parts[1]).is_dir() else "base"


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(SRC).with_suffix("").parts).removesuffix(".__init__")


def imports(path: Path) -> set[str]:
    """The jmap modules `path` imports anywhere in its text."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "jmap"}
        elif isinstance(node, ast.ImportFrom):
            assert not node.level, f"{path}: relative import"
            if (node.module or "").split(".")[0] != "jmap":
                continue
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                as_path = SRC / full.replace(".", "/")
                if as_path.with_suffix(".py").is_file() or as_path.is_dir():
                    found.add(full)
                elif full != "jmap.__version__":  # the version string lives in the facade, below everything
                    found.add(node.module or "")
    return found


def graph() -> dict[str, set[str]]:
    return {module_name(p): imports(p) for p in sorted((SRC / "jmap").rglob("*.py"))}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in edges.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def upwards(edges: dict[str, set[str]]) -> set[tuple[str, str]]:
    return {(m, d) for m, deps in edges.items() for d in deps if ORDER.index(layer(d)) > ORDER.index(layer(m))}


def test_every_package_has_a_layer() -> None:
    packages = {p.name for p in (SRC / "jmap").iterdir() if p.is_dir() and (p / "__init__.py").is_file()}
    assert packages <= set(ORDER), packages - set(ORDER)


def test_every_top_level_module_is_listed() -> None:
    modules = {p.stem for p in (SRC / "jmap").glob("*.py")}
    assert modules == set(TOP_LEVEL), modules ^ set(TOP_LEVEL)
    for name, expected in TOP_LEVEL.items():
        assert layer("jmap" if name == "__init__" else f"jmap.{name}") == expected, name


def test_no_layer_imports_a_higher_one() -> None:
    assert upwards(graph()) == KNOWN_UPWARDS


def test_no_cycles_beyond_the_known_upward_imports() -> None:
    edges = graph()
    for module, dep in KNOWN_UPWARDS:
        edges[module] = edges[module] - {dep}
    assert cycles(edges) == []


def test_the_checks_catch_a_cycle_and_an_upward_import() -> None:
    edges = {"jmap.loading.load": {"jmap.cli.cli"}, "jmap.cli.cli": {"jmap.loading.load"}}
    assert cycles(edges) == [["jmap.cli.cli", "jmap.loading.load"]]
    assert upwards(edges) == {("jmap.loading.load", "jmap.cli.cli")}
