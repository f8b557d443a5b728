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

from tests.mutation.targets import ROOT

WORK = ROOT / "mutants"
# Unit tests use no third-party pytest plugin: not loading them all saves a tenth of a second a mutant.
ENV = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
KILLED = {"killed", "timeout", "segfault", "caught by type check"}  # a timeout: the mutant looped

# The links a work directory holds: what the unit tests import, and pytest's settings.
LINKS = ("licensing", "invoices", "pytest.ini", "tests/__init__.py", "tests/unit", "tests/validators",
         "tests/oracles.py")

# Run inside the work directory once mutmut is done: each mutant's status, and the diff of those
# that were not killed (mutmut's own reading of its results, printed as JSON).
_COLLECT = """
import json, sys
from mutmut.mutation.data import SourceFileMutationData
from mutmut.mutation.diff_apply import get_diff_for_mutant
from mutmut.stats import status_by_exit_code
path, killed = sys.argv[1], set(sys.argv[2:])
data = SourceFileMutationData(path=path)
data.load()
out = []
for name, code in data.exit_code_by_key.items():
    status = status_by_exit_code[code]
    out.append({"name": name, "status": status,
                "diff": "" if status in killed else get_diff_for_mutant(name, path=path)})
print(json.dumps(out))
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
        "pytest_add_cli_args": ["-p", "no:cacheprovider"],
        "also_copy": ["pytest.ini"],
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
    collected = subprocess.run([sys.executable, "-c", _COLLECT, module, *sorted(KILLED)], cwd=work,
                               capture_output=True, text=True, check=True)
    return [Mutant(module, m["name"], m["status"], m["diff"]) for m in json.loads(collected.stdout)]
