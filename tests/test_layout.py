"""The layout stays as the README draws it: commands side by side, no import cycle,
and no test module importing another.

Imports are read from the source (module level and inside functions alike; only
``if TYPE_CHECKING:`` blocks are left out of promoplan's graph, since they never run).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

TESTS = Path(__file__).resolve().parent
SRC = TESTS.parent / "src"
PACKAGE = SRC / "promoplan"
MODULES = {
    ".".join(
        p.relative_to(SRC).with_suffix("").parts[:-1]
        if p.name == "__init__.py"
        else p.relative_to(SRC).with_suffix("").parts
    )
    for p in PACKAGE.rglob("*.py")
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST, module: str, is_package: bool) -> Iterator[str]:
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and _is_type_checking(node):
            continue
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".")
                anchor = anchor if is_package else anchor[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            # ``from package import submodule`` imports the submodule (its package is
            # its parent, initialised first by construction); other names, the module.
            names = [f"{base}.{alias.name}" for alias in node.names]
            submodules = [name for name in names if name in MODULES]
            yield from submodules
            if len(submodules) < len(names):
                yield base
        yield from _imports(node, module, is_package)


def import_graph() -> dict[str, set[str]]:
    """promoplan module -> the promoplan modules it imports."""
    modules = {_module_name(path): path for path in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found = _imports(tree, name, path.name == "__init__.py")
        graph[name] = {target for target in found if target in modules and target != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
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
    return found


def test_no_import_cycle() -> None:
    assert cycles(import_graph()) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]


def test_no_command_imports_another() -> None:
    graph = import_graph()
    commands = {name for name in graph if name.startswith("promoplan.commands.")}
    assert commands >= {
        f"promoplan.commands.{name}"
        for name in ("validate", "check", "report", "diff", "schema", "init")
    }
    crossing = {(name, target) for name in commands for target in graph[name] & commands}
    assert crossing == set()


def test_only_the_cli_imports_commands() -> None:
    graph = import_graph()
    importers = {
        name
        for name, targets in graph.items()
        if any(t.startswith("promoplan.commands") for t in targets)
        and not name.startswith("promoplan.commands")
    }
    assert importers <= {"promoplan.cli"}


MAX_LINES = 450  # what one person holds in their head; past it, split along a real seam


def test_no_module_is_longer_than_one_person_can_hold() -> None:
    """Every module under src/promoplan is at most 450 lines long."""
    long = {
        str(path.relative_to(SRC)): lines
        for path in sorted(PACKAGE.rglob("*.py"))
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def _test_module_name(path: Path) -> str:
    """The name a file under tests/ is imported by (tests/ is on ``sys.path``, as for
    ``from builders import ...``): tests/warehouse/test_sql.py is ``warehouse.test_sql``."""
    return ".".join(path.relative_to(TESTS).with_suffix("").parts)


def imported_names(tree: ast.AST, module: str) -> set[str]:
    """Every module name an import anywhere in ``tree`` may load, relative ones resolved
    from ``module`` (a plain module, not a package). ``from a import b`` gives ``a`` and
    ``a.b``: b may be a submodule."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".")[: -node.level]
                base = ".".join([*anchor, base] if base else anchor)
            names.add(base)
            names.update(f"{base}.{alias.name}" if base else alias.name for alias in node.names)
    return names


def test_no_test_module_imports_another() -> None:
    """What tests share lives in a module named for what it holds (builders.py,
    clirunner.py, warehouse/pgserver.py), never in a test_ module: a test file is pytest's
    to collect, and one importing another ties its tests to that file's helpers."""
    modules = {_test_module_name(path): path for path in sorted(TESTS.rglob("test_*.py"))}
    assert {"test_layout", "warehouse.test_postgres", "hardening.test_process"} <= set(modules)
    crossing = {
        (name, target)
        for name, path in modules.items()
        for target in imported_names(ast.parse(path.read_text(encoding="utf-8")), name)
        if target in modules and target != name
    }
    assert sorted(crossing) == []


def test_the_test_import_finder_sees_each_form() -> None:
    source = (
        "import test_a\n"
        "from warehouse.test_b import x\n"
        "from warehouse import test_c, pgserver\n"
        "def f() -> None:\n"
        "    from . import test_d\n"
        "    from .test_e import y\n"
    )
    names = imported_names(ast.parse(source), "warehouse.test_f")
    assert names >= {
        "test_a",
        "warehouse.test_b",
        "warehouse.test_c",
        "warehouse.pgserver",
        "warehouse.test_d",
        "warehouse.test_e",
    }
    assert "test_f" not in names
