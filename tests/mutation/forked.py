"""Table mutants run in forked children: each child imports the module with one table changed (an
import hook serves the compiled mutant under the module's own name and file) and runs the module's
unit tests with pytest; a failure kills.

The parent imports pytest and everything the tests import once (a collect-only run), so a child starts
warm. A child forgets only the mutated module and the modules that import it, directly or not (they
hold its old tables): the rest stays loaded, with its caches (the country list, the ODRL shapes).

    python -m tests.mutation.forked [--workers N] MODULE...   # prints (module, mutant, state) as JSON
"""
from __future__ import annotations

import argparse
import ast
import importlib.abc
import importlib.util
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.mutation import tables
from tests.mutation.targets import ROOT, TARGETS, dotted

_PROJECT = ("licensing", "invoices", "tests")
# pytest in a child: the module's tests only, stopping at the first failure, without the suite's
# conftest (the app and its databases, which unit tests do not use), without the built-in plugins unit
# tests do not need, and with plain asserts: rewriting them took half of each child's time.
SPARE_PLUGINS = ("-p", "no:cacheprovider", *(arg for name in (
    "doctest", "junitxml", "pastebin", "legacypath", "stepwise", "logging", "faulthandler", "warnings",
    "setuponly", "setupplan", "debugging", "unraisableexception", "threadexception") for arg in ("-p", f"no:{name}")))
PYTEST_ARGS = ("-x", "-q", "--confcutdir", "tests/unit", "-W", "ignore", "--assert=plain", *SPARE_PLUGINS)
KILLED = {1: "killed", 2: "killed", 3: "killed", -signal.SIGKILL: "timeout"}  # 2: the module no longer imports


class _Serve(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Serves the mutated code under the module's own name, file and package path."""

    def __init__(self, mutant: tables.TableMutant) -> None:
        self.name, self.path, self.code = dotted(mutant.module), ROOT / mutant.module, mutant.code

    def find_spec(self, fullname, path, target=None):
        if fullname != self.name:
            return None
        package = [str(self.path.parent)] if self.path.name == "__init__.py" else None
        return importlib.util.spec_from_file_location(fullname, self.path, loader=self,
                                                      submodule_search_locations=package)

    def create_module(self, spec):
        return None

    def exec_module(self, module) -> None:
        exec(self.code, module.__dict__)  # noqa: S102 - the module's own code, with one table changed


def _ours(name: str) -> bool:
    return name.startswith(_PROJECT) and not name.startswith("tests.mutation")


def _imports(name: str, path: str) -> set[str]:
    """The modules a module's source imports (a name after `from m import` may be a submodule)."""
    package = name if path.endswith("__init__.py") else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(Path(path).read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            module = ".".join(part for part in (base, node.module or "") if part)
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def import_graph() -> dict[str, set[str]]:
    """Each loaded module of ours -> the modules it imports."""
    return {name: _imports(name, module.__file__) for name, module in list(sys.modules.items())
            if _ours(name) and getattr(module, "__file__", None)}


def dependents(target: str, graph: dict[str, set[str]]) -> set[str]:
    """`target` and every module of the graph that imports it, directly or through others."""
    stale, grew = {target}, True
    while grew:
        more = {name for name, imported in graph.items() if imported & stale} - stale
        stale |= more
        grew = bool(more)
    return stale


def warm_up(tests: list[str]) -> None:
    """Import pytest and everything the tests import, once, in this process (each fork inherits them)."""
    import pytest

    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"  # unit tests use no third-party plugin
    with open(os.devnull, "w") as null:
        saved = os.dup(1), os.dup(2)
        os.dup2(null.fileno(), 1)
        os.dup2(null.fileno(), 2)
        try:
            pytest.main(["--collect-only", *PYTEST_ARGS, *tests])
        finally:
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)


def _child(mutant: tables.TableMutant, tests: tuple[str, ...], stale: set[str]) -> None:
    import pytest

    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.dup2(null, 2)
        os.chdir(ROOT)
        for name in stale:  # forgotten, also by its package (`from package import module` reads that first)
            module = sys.modules.pop(name, None)
            parent, _, attribute = name.rpartition(".")
            if module is not None and getattr(sys.modules.get(parent), attribute, None) is module:
                delattr(sys.modules[parent], attribute)
        sys.meta_path.insert(0, _Serve(mutant))
        code = int(pytest.main([*PYTEST_ARGS, *tests]))
    except BaseException:  # noqa: BLE001 - whatever broke, the child must exit, never return
        code = 3
    os._exit(code)


def run(jobs: list[tuple[tables.TableMutant, tuple[str, ...], float]], workers: int
        ) -> list[tuple[tables.TableMutant, str]]:
    """Run each (mutant, tests, time limit) in a forked child, `workers` at a time. Status: "killed" (a
    test failed, or the module no longer imported), "survived", "timeout" or "error" (pytest found no
    tests or was misused: exit 4 or 5)."""
    graph = import_graph()
    stale = {module: dependents(dotted(module), graph) for module in {mutant.module for mutant, _, _ in jobs}}
    pending = list(reversed(jobs))
    running: dict[int, tuple[tables.TableMutant, float]] = {}
    results: list[tuple[tables.TableMutant, str]] = []
    while pending or running:
        while pending and len(running) < workers:
            mutant, tests, limit = pending.pop()
            pid = os.fork()
            if pid == 0:
                _child(mutant, tests, stale[mutant.module])
            running[pid] = (mutant, time.monotonic() + limit)
        pid, status = os.waitpid(-1, os.WNOHANG)
        if pid == 0:
            now = time.monotonic()
            for late, (_, deadline) in list(running.items()):
                if now > deadline:
                    os.kill(late, signal.SIGKILL)
            time.sleep(0.005)
            continue
        mutant, _ = running.pop(pid)
        code = os.waitstatus_to_exitcode(status)
        results.append((mutant, "survived" if code == 0 else KILLED.get(code, "error")))
    return results


def run_modules(modules: list[str], workers: int = 1) -> list[tuple[str, str, str]]:
    """(module, mutant, state) of every table mutant of `modules`, each against the module's tests;
    raises if a module's tests fail without any mutation (which also sets its time limit)."""
    found = {module: tables.mutants(module) for module in modules}
    tested = [module for module in modules if found[module]]
    warm_up(sorted({arg for module in tested for arg in TARGETS[module] if arg.startswith("tests/")}))
    limits = {}
    for module in tested:
        started = time.monotonic()
        [(_, state)] = run([(tables.clean(module), TARGETS[module], 120.0)], 1)
        if state != "survived":
            raise RuntimeError(f"the unit tests of {module} fail without any mutation ({state})")
        limits[module] = max(10.0, 10 * (time.monotonic() - started))
    outcome = run([(mutant, TARGETS[module], limits[module]) for module in tested for mutant in found[module]],
                  workers)
    return [(mutant.module, mutant.key, state) for mutant, state in outcome]


def in_child(modules: list[str]) -> list[tuple[str, str, str]]:
    """run_modules in a process of its own (this one may have threads, which do not mix with fork)."""
    done = subprocess.run([sys.executable, "-m", "tests.mutation.forked", *modules], cwd=ROOT, capture_output=True,
                          text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"the table mutants of {', '.join(modules)} could not run:\n{done.stderr}")
    return [tuple(item) for item in json.loads(done.stdout)]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("modules", nargs="+")
    args = parser.parse_args(argv)
    json.dump(run_modules(args.modules, args.workers), sys.stdout)


if __name__ == "__main__":
    main()
