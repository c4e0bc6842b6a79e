"""The package's floors: each subpackage imports only from its own floor or those below it, no import cycle
exists (imports inside functions included), no `sim` import hides inside a function, and no module is long."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "sim"
# Lowest first. A module may import from its own floor and the floors below it, never above.
FLOORS = ["errors", "paths", "model", "extensions", "config", "engines", "analysis", "experiment", "outputs",
          "cli", "viz", "tools", "entry"]
FLOOR = {name: level for level, name in enumerate(FLOORS)}
FLOOR.update({"model": 2, "extensions": 2, "viz": 10, "tools": 10, "calibration": 9})
LONGEST = 400  # lines


def _module_name(path):
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules():
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py")) if "conf" not in p.relative_to(PACKAGE).parts}


def _imports(path, modules, nested=False):
    """The `sim` modules a file imports (at any depth, or only inside functions with `nested`)."""
    tree = ast.parse(path.read_text())
    found = set()
    scopes = [tree]
    if nested:
        scopes = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    for scope in scopes:
        for node in ast.walk(scope):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            else:
                continue
            found.update(n for n in names if n in modules)
    return found


def _floor(module):
    parts = module.split(".")
    if len(parts) == 1:  # sim itself: defines only __version__
        return FLOOR["errors"]
    if parts[1] in FLOOR:
        return FLOOR[parts[1]]
    return FLOOR["entry"]  # sim/__main__.py and the python -m sim.<command> entry points


def test_no_import_cycle():
    modules = _modules()
    graph = {m: _imports(p, modules) - {m} for m, p in modules.items()}
    seen, stack, cycles = {}, [], []

    def visit(m):
        seen[m] = "open"
        stack.append(m)
        for n in sorted(graph[m]):
            if seen.get(n) == "open":
                cycles.append(stack[stack.index(n):] + [n])
            elif n not in seen:
                visit(n)
        stack.pop()
        seen[m] = "done"

    for m in sorted(graph):
        if m not in seen:
            visit(m)
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c) for c in cycles)


def test_no_floor_imports_from_a_floor_above():
    modules = _modules()
    upward = [f"{m} imports {n}" for m, p in modules.items() for n in sorted(_imports(p, modules))
              if _floor(n) > _floor(m) and n != "sim"]
    assert not upward, "\n".join(upward)


def test_no_sim_import_inside_a_function():
    modules = _modules()
    hidden = [f"{m}: {sorted(found)}" for m, p in modules.items() if (found := _imports(p, modules, nested=True))]
    assert not hidden, "\n".join(hidden)


@pytest.mark.parametrize("module", sorted(_modules()))
def test_no_module_is_longer_than_400_lines(module):
    assert len(_modules()[module].read_text().splitlines()) <= LONGEST
