"""No import circles inside core/: the modules read top to bottom. Every import counts, at the
top of a module, inside a function or under `if TYPE_CHECKING:` (those hide a circle at import
time, not from a reader)."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported_modules(module: str, path: Path, known: set[str]) -> set[str]:
    """The modules of `known` that `module` imports (a `from package import name` counts as
    importing package.name when that is a module, else the package itself)."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import):
                found.update(alias.name for alias in child.names if alias.name in known)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    parents = package.split(".")[: len(package.split(".")) - child.level + 1]
                    base = ".".join(parents + ([child.module] if child.module else []))
                for alias in child.names:
                    if f"{base}.{alias.name}" in known:
                        found.add(f"{base}.{alias.name}")
                    elif base in known:
                        found.add(base)
            visit(child)

    visit(ast.parse(path.read_text(), filename=str(path)))
    found.discard(module)
    return found


def import_graph(root: Path, package: str = "core") -> dict[str, set[str]]:
    """module -> the modules of the same package it imports."""
    files = {_module_name(root, path): path for path in (root / package).rglob("*.py")}
    return {module: _imported_modules(module, path, set(files)) for module, path in files.items()}


def import_circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of two or more modules (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    lowest: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = lowest[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, targets = work[-1]
            target = next(targets, None)
            if target is not None:
                if target not in index:
                    index[target] = lowest[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted(graph[target]))))
                elif target in on_stack:
                    lowest[node] = min(lowest[node], index[target])
                continue
            work.pop()
            if work:
                lowest[work[-1][0]] = min(lowest[work[-1][0]], lowest[node])
            if lowest[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    circles.append(sorted(group))
    return circles


def _describe(graph: dict[str, set[str]], circle: list[str]) -> str:
    members = set(circle)
    arrows = [f"{a} -> {b}" for a in circle for b in sorted(graph[a] & members)]
    return f"{len(circle)} modules: " + "; ".join(arrows)


def test_core_has_no_import_circles():
    graph = import_graph(REPO)
    assert len(graph) > 50, "core/ was not found"
    circles = import_circles(graph)
    assert circles == [], "import circles in core/ (move the shared part one layer down):\n" + (
        "\n".join(_describe(graph, circle) for circle in circles)
    )


def test_the_checker_sees_circles_through_local_and_type_checking_imports(tmp_path):
    package = tmp_path / "core"
    (package / "data").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "data" / "__init__.py").write_text("")
    (package / "config.py").write_text("from core.data import market\n")
    (package / "data" / "market.py").write_text("def load():\n    from ..config import X\n")
    (package / "data" / "snapshot.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from core import config\n"
    )
    (package / "errors.py").write_text("from core.data import snapshot\n")
    graph = import_graph(tmp_path)
    assert graph["core.config"] == {"core.data.market"}
    assert graph["core.data.snapshot"] == {"core.config"}
    assert import_circles(graph) == [["core.config", "core.data.market"]]
    (package / "config.py").write_text("from core import errors\n")  # config -> errors -> snapshot
    assert import_circles(import_graph(tmp_path)) == [
        ["core.config", "core.data.snapshot", "core.errors"]
    ]
