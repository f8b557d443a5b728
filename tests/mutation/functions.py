"""mutmut over one module's functions, against that module's unit tests only.

mutmut 3 reads its settings from the pyproject.toml of the directory it runs in and copies the code
into ./mutants, so each module gets a work directory of its own, mutants/<module>/, holding links
to the packages, to the unit tests and to pytest.ini, and a pyproject.toml naming the one module to
mutate and its tests. The suite's conftest (the app and its databases) is left out on purpose: unit
tests need neither, and leaving it out makes each test run take milliseconds.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from mutmut.stats import status_by_exit_code

from tests.mutation.forked import SPARE_PLUGINS
from tests.mutation.targets import ROOT

WORK = ROOT / "mutants"
# Unit tests use no third-party pytest plugin: not loading them all saves a tenth of a second a mutant.
ENV = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
KILLED = {"killed", "timeout", "segfault", "caught by type check"}  # a timeout: the mutant looped

# The links a work directory holds: what the unit tests import, and pytest's settings.
LINKS = ("licensing", "invoices", "pytest.ini", "tests/__init__.py", "tests/unit", "tests/validators",
         "tests/oracles.py")

# Run inside the work directory (mutmut reads its settings from there): the diff of each mutant named.
_DIFFS = """
import json, sys
from mutmut.mutation.diff_apply import get_diff_for_mutant
print(json.dumps({name: get_diff_for_mutant(name, path=sys.argv[1]) for name in sys.argv[2:]}))
"""


@dataclass(frozen=True)
class Mutant:
    module: str
    name: str  # e.g. "licensing.core.money.x_to_minor__mutmut_12"
    status: str
    diff: str

    @property
    def function(self) -> str:
        """The mutated function ('to_minor', or 'Class.method' for a method)."""
        mangled = self.name.rpartition(".")[2].partition("__mutmut_")[0]
        return mangled.removeprefix("x").removeprefix("_").replace("ǁ", ".").strip(".")

    @property
    def change(self) -> tuple[str, str]:
        """The changed lines (before, after), each stripped and joined: the mutant's identity in the
        allow-list, which survives renumbering when other code in the function changes."""
        lines = [ln for ln in self.diff.splitlines() if not ln.startswith(("---", "+++", "@@"))]
        before = " / ".join(ln[1:].strip() for ln in lines if ln.startswith("-"))
        after = " / ".join(ln[1:].strip() for ln in lines if ln.startswith("+"))
        return before, after

    @property
    def key(self) -> str:
        """Its name in equivalent.toml: "function: the changed line", or "function: drops the line" when
        the mutant only takes something out."""
        before, after = self.change
        return f"{self.function}: {after}" if after.strip(" /,()") else f"{self.function}: drops {before}"

    @property
    def killed(self) -> bool:
        return self.status in KILLED


def slug(module: str) -> str:
    return module.removesuffix(".py").replace("/", "-")


def _prepare(module: str, tests: tuple[str, ...]) -> Path:
    work = WORK / slug(module)
    shutil.rmtree(work, ignore_errors=True)
    (work / "tests").mkdir(parents=True)
    for link in LINKS:
        (work / link).symlink_to(ROOT / link)
    settings = {
        "source_paths": ["licensing", "invoices"],
        "only_mutate": [module],
        "pytest_add_cli_args_test_selection": list(tests),
        "pytest_add_cli_args": list(SPARE_PLUGINS),
        "also_copy": ["pytest.ini"],
        # A mutant that loops (a counter that never moves) is stopped after (its tests' time + 1 s) x 3 x 2
        # of CPU: mutmut's default (x 15) waited half a minute for one, and these tests take well under a second.
        "timeout_multiplier": 3.0,
    }
    lines = ["[tool.mutmut]"] + [f"{key} = {json.dumps(value)}" for key, value in settings.items()]
    (work / "pyproject.toml").write_text("\n".join(lines) + "\n")
    return work


def run(module: str, tests: tuple[str, ...], children: int = 1) -> list[Mutant]:
    """Every mutant of `module`'s functions, each run against `tests`; raises if mutmut fails."""
    work = _prepare(module, tests)
    mutmut = Path(sys.executable).with_name("mutmut")
    with open(work / "mutmut.log", "w") as log:
        done = subprocess.run([str(mutmut), "run", "--max-children", str(children)], cwd=work, env=ENV,
                              stdout=log, stderr=subprocess.STDOUT, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"mutmut failed on {module} (exit {done.returncode}); see {work / 'mutmut.log'}")
    meta = json.loads((work / "mutants" / f"{module}.meta").read_text())
    statuses = {name: status_by_exit_code[code] for name, code in meta["exit_code_by_key"].items()}
    left = sorted(name for name, status in statuses.items() if status not in KILLED)
    diffs = json.loads(subprocess.run([sys.executable, "-c", _DIFFS, module, *left], cwd=work, capture_output=True,
                                      text=True, check=True).stdout) if left else {}
    return [Mutant(module, name, status, diffs.get(name, "")) for name, status in statuses.items()]
