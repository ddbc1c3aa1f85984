"""The house rules that hold the code base together, checked on the code itself.

- No import circles: between modules (function-level imports included, as grimp reads them), and
  between a service's capability packages (``notes`` may use ``places``, not both ways).
- Every module imports on its own, in a fresh interpreter (no import-order dependence).
- Services read alike: every module of a service has a name from the table in CONTRIBUTING.md
  ("Where each kind of code lives"), and ``__init__.py`` files hold no logic.
- Logic packages (no file of the table in them) touch neither the database nor HTTP.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[1]
LIBS = ["events", "kit"]
SERVICES = sorted(p.name for p in (ROOT / "services").iterdir() if (p / "pyproject.toml").exists())
PACKAGES = [f"porchlight.{name}" for name in [*LIBS, *SERVICES]]


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph(*PACKAGES, cache_dir=None)


def strongly_connected(nodes: Iterable[str], edges: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm (iterative): the components with more than one node, i.e. the circles."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []
    counter = 0
    for root in sorted(nodes):
        if root in index:
            continue
        work = [(root, iter(sorted(edges.get(root, ()))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
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
                        circles.append(sorted(component))
    return circles


def _edges(graph: grimp.ImportGraph, name_of: dict[str, str]) -> dict[str, set[str]]:
    edges: dict[str, set[str]] = defaultdict(set)
    for module, node in name_of.items():
        for imported in graph.find_modules_directly_imported_by(module):
            target = name_of.get(imported)
            if target is not None and target != node:
                edges[node].add(target)
    return edges


def test_the_strongly_connected_check_finds_a_circle() -> None:
    # The check below must be able to fail: a -> b -> c -> a is one circle, d hangs off it.
    assert strongly_connected("abcd", {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_circle_between_modules(graph: grimp.ImportGraph) -> None:
    modules = {m: m for m in graph.modules}
    circles = strongly_connected(modules, _edges(graph, modules))
    assert not circles, "import circles:\n" + "\n".join(" <-> ".join(c) for c in circles)


def capability_of(module: str) -> str:
    """``porchlight.intake.notes.routes`` -> ``porchlight.intake.notes``; top-level modules stand alone."""
    return ".".join(module.split(".")[:3])


@pytest.mark.parametrize("service", SERVICES)
def test_no_circle_between_capability_packages(graph: grimp.ImportGraph, service: str) -> None:
    own = {m: capability_of(m) for m in graph.modules if m.startswith(f"porchlight.{service}.")}
    circles = strongly_connected(set(own.values()), _edges(graph, own))
    assert not circles, f"{service}: capability packages that import each other:\n" + "\n".join(
        " <-> ".join(c) for c in circles
    )


def test_every_module_imports_on_its_own(graph: grimp.ImportGraph) -> None:
    """Each module in a fresh interpreter: an import that works only after another module was
    imported first (a hidden order, often a circle) fails here. One interpreter per module would
    take minutes, so a parent that has imported the third-party libraries (never a porchlight
    module) forks a child per module. Which libraries: a first child imports every module and
    names the top-level packages that came with them (top level only, so a module that uses
    ``scipy.stats`` without importing it still fails in its child)."""
    modules = sorted(m for m in graph.modules if not m.rpartition(".")[2].startswith("_") or m.endswith("__main__"))
    modules = [m for m in modules if not m.endswith("__main__")]
    code = (
        "import os, sys, importlib\n"
        "r, w = os.pipe()\n"
        "if os.fork() == 0:\n"
        "    for name in sys.argv[1:]:\n"
        "        try: importlib.import_module(name)\n"
        "        except BaseException: pass\n"
        "    os.write(w, ' '.join({m.split('.')[0] for m in sys.modules}).encode())\n"
        "    os._exit(0)\n"
        "os.close(w)\n"
        "with os.fdopen(r) as f: libs = sorted(set(f.read().split()) - {'porchlight', '__main__', '__mp_main__'})\n"
        "os.wait()\n"
        "for lib in libs:\n"
        "    try: importlib.import_module(lib)\n"
        "    except BaseException: pass\n"
        # Out of the collector's sight: a child's collections would otherwise walk (and so copy,
        # page by page) the parent's whole heap of libraries.
        "import gc; gc.freeze()\n"
        "assert not [m for m in sys.modules if m.startswith('porchlight.')], 'the parent imported porchlight'\n"
        "failed, running = [], {}\n"
        "def reap():\n"
        "    pid, status = os.wait()\n"
        "    if status != 0: failed.append(running[pid])\n"
        "    del running[pid]\n"
        # One child per core at a time: each imports its module alone, and they run side by side.
        "for name in sys.argv[1:]:\n"
        "    if len(running) >= (os.cpu_count() or 1): reap()\n"
        "    pid = os.fork()\n"
        "    if pid == 0:\n"
        "        try:\n"
        "            importlib.import_module(name)\n"
        "        except BaseException as exc:\n"
        "            print(f'{name}: {type(exc).__name__}: {exc}', flush=True)\n"
        "            os._exit(1)\n"
        "        os._exit(0)\n"
        "    running[pid] = name\n"
        "while running: reap()\n"
        "print('FAILED', *failed)\n"
        "sys.exit(1 if failed else 0)\n"
    )
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    done = subprocess.run(
        [sys.executable, "-c", code, *modules], capture_output=True, text=True, timeout=600, env=env, check=False
    )
    assert done.returncode == 0, done.stdout[-5000:] + done.stderr[-3000:]
    assert len(modules) > 150, f"only {len(modules)} modules were found"


# --- services read alike ------------------------------------------------------------------


def vocabulary() -> tuple[set[str], set[str]]:
    """The file names of CONTRIBUTING.md's table: (service top level, capability packages)."""
    text = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    section = text.split("## Where each kind of code lives", 1)[1].split("\n## ", 1)[0]
    top: set[str] = set()
    capability: set[str] = set()
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 3 or not cells[0].startswith("`"):
            continue
        name = cells[0].strip("`")
        (top if cells[1] == "service" else capability).add(name)
    return top, capability


def test_vocabulary_table_is_read() -> None:
    top, capability = vocabulary()
    assert {"spec.py", "db.py", "settings.py"} <= top
    assert {"models.py", "schemas.py", "repository.py", "service.py", "routes.py", "handlers.py"} <= capability


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


def _logic_problems(path: Path, package: Path) -> list[str]:
    problems = []
    for p in sorted(path.rglob("*.py")):
        touched = _imports(p) & {"sqlalchemy", "asyncpg", "fastapi", "starlette"}
        if touched:
            problems.append(f"{p.relative_to(package)}: a logic package must not import {', '.join(sorted(touched))}")
    return problems


def service_layout_problems(package: Path) -> list[str]:
    """What in one service's package breaks the table (empty when it reads like the others).

    A capability package holds only files named in the table; a package with none of them is a
    logic package (redaction, the model, file parsing, charts): any names, but no SQL and no
    HTTP. A capability package may hold logic packages of its own."""
    top, capability = vocabulary()
    problems: list[str] = []
    for path in sorted(package.iterdir()):
        if path.name in ("__pycache__", "migrations"):
            continue
        if path.is_file() and path.suffix == ".py" and path.name != "__init__.py" and path.name not in top:
            problems.append(f"{path.name}: not a service-level file of the table")
        elif path.is_dir() and (path / "__init__.py").exists():
            direct = {p.name for p in path.glob("*.py") if p.name != "__init__.py"}
            if not direct & capability:
                problems += _logic_problems(path, package)
                continue
            problems += [f"{path.name}/{n}: not a name of the table" for n in sorted(direct - capability)]
            for sub in sorted(path.iterdir()):
                if sub.is_dir() and (sub / "__init__.py").exists():
                    if {p.name for p in sub.glob("*.py")} & capability:
                        problems.append(f"{sub.relative_to(package)}/: capability packages do not nest")
                    problems += _logic_problems(sub, package)
    return problems


def test_layout_check_can_fail(tmp_path: Path) -> None:
    pkg = tmp_path / "svc"
    (pkg / "notes").mkdir(parents=True)
    for name in ("__init__.py", "spec.py", "tables.py"):
        (pkg / name).write_text("")
    for name in ("__init__.py", "routes.py", "queries.py"):
        (pkg / "notes" / name).write_text("")
    (pkg / "logic").mkdir()
    (pkg / "logic" / "__init__.py").write_text("")
    (pkg / "logic" / "rules.py").write_text("import sqlalchemy\n")
    assert service_layout_problems(pkg) == [
        "logic/rules.py: a logic package must not import sqlalchemy",
        "notes/queries.py: not a name of the table",
        "tables.py: not a service-level file of the table",
    ]


@pytest.mark.parametrize("service", SERVICES)
def test_service_reads_like_the_others(service: str) -> None:
    package = ROOT / "services" / service / "src" / "porchlight" / service
    problems = service_layout_problems(package)
    assert not problems, f"{service}:\n" + "\n".join(problems)


_LOGIC = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Assign, ast.AnnAssign, ast.If, ast.For, ast.With)


@pytest.mark.parametrize("service", SERVICES)
def test_init_files_hold_no_logic(service: str) -> None:
    package = ROOT / "services" / service / "src" / "porchlight" / service
    offenders = []
    for init in sorted(package.rglob("__init__.py")):
        tree = ast.parse(init.read_text(encoding="utf-8"))
        for node in tree.body:
            is_all = isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "__all__" for t in node.targets)
            if isinstance(node, _LOGIC) and not is_all:
                offenders.append(f"{init.relative_to(package)}:{node.lineno}")
    assert not offenders, "logic in __init__.py (move it to a module named for it): " + ", ".join(offenders)


def test_no_class_named_with_a_trailing_underscore() -> None:
    pattern = re.compile(r"^class \w+_\b", re.MULTILINE)
    found = [
        str(p.relative_to(ROOT))
        for p in (ROOT / "services").rglob("*.py")
        if pattern.search(p.read_text(encoding="utf-8"))
    ]
    assert not found, f"a class name ending in '_' (name it for what it is): {found}"


def environment_readers(root: Path) -> list[str]:
    """Modules other than settings modules that read or write the process environment."""
    found = []
    for path in sorted(root.rglob("*.py")):
        if path.name == "settings.py" or "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            is_os = isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "os"
            if is_os and node.attr in ("environ", "getenv", "putenv"):  # type: ignore[attr-defined]
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_only_settings_modules_read_the_environment() -> None:
    found = [f for d in ("libs", "services") for f in environment_readers(ROOT / d)]
    assert not found, "os.environ outside a settings.py (read it in the settings class): " + ", ".join(found)
