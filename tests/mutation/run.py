"""`make mutation`: mutation scores of the pure rules, per module, and the survivors to test.

    python -m tests.mutation.run [--module PART ...] [--skip-functions] [--skip-tables] [--jobs 2]

Functions (mutmut, functions.py) and module-level tables (tables.py) are scored apart. A mutant
listed in equivalent.toml is not a survivor and is left out of the score. Exit 1 when a module is
below its floor, when an allow-list entry matches no surviving mutant (it is stale: remove it),
or when a rules module has no tests named in targets.py.
"""
from __future__ import annotations

import argparse
import re
import sys
import time
import tomllib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from tests.mutation import functions, tables
from tests.mutation.targets import TARGETS, unlisted

FLOORS = {"functions": 98.0, "tables": 95.0}
ALLOW_LIST = Path(__file__).with_name("equivalent.toml")


@dataclass
class Score:
    module: str
    total: int = 0
    killed: int = 0
    equivalent: int = 0
    survivors: list[str] = field(default_factory=list)

    @property
    def percent(self) -> float:
        counted = self.total - self.equivalent
        return 100.0 * self.killed / counted if counted else 100.0


def _allowed(kind: str) -> dict[tuple, str]:
    """(module, mutant) -> why. A function's mutant is "function: the changed line" (its number in
    mutmut changes when the function does); a table's is its description. An entry with `matches`
    instead of `mutant` is a regular expression for several mutants of one kind, with one reason."""
    return {(e["where"], e["mutant"] if "mutant" in e else ("matches", e["matches"])): e["why"]
            for e in tomllib.loads(ALLOW_LIST.read_text()).get(kind, [])}


def _equivalent(allowed: dict[tuple, str], module: str, mutant: str) -> tuple | None:
    """The allow-list entry that covers this surviving mutant, if any."""
    for where, what in allowed:
        if where == module and (what == mutant if isinstance(what, str) else re.fullmatch(what[1], mutant)):
            return where, what
    return None


def score_functions(modules: list[str], jobs: int, used: set) -> list[Score]:
    allowed = _allowed("function")
    runnable = [m for m in modules if TARGETS[m]]
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        results = dict(zip(runnable, pool.map(lambda m: functions.run(m, TARGETS[m]), runnable), strict=True))
    scores = []
    for module in modules:
        score = Score(module)
        for mutant in results.get(module, []):
            score.total += 1
            entry = None if mutant.killed else _equivalent(allowed, module, f"{mutant.function}: {mutant.change[1]}")
            if mutant.killed:
                score.killed += 1
            elif entry:
                score.equivalent += 1
                used.add(("function", entry))
            else:
                before, after = mutant.change
                score.survivors.append(f"{mutant.function} [{mutant.status}] {mutant.name}\n"
                                       f"        - {before}\n        + {after}")
        scores.append(score)
    return scores


def score_tables(modules: list[str], jobs: int, used: set) -> list[Score]:
    allowed = _allowed("table")
    found = {m: tables.mutants(m) for m in modules}
    tested = [m for m in modules if found[m]]
    tables.warm_up(sorted({t for m in tested for t in TARGETS[m]}))
    started = {}
    limits = {}
    for module in tested:  # the clean run: it must pass, and it sets the time limit
        started[module] = time.monotonic()
        [(_, state)] = tables.run([(tables.clean(module), TARGETS[module], 120.0)], 1)
        limits[module] = max(10.0, 10 * (time.monotonic() - started[module]))
        if state != "survived":
            raise RuntimeError(f"the unit tests of {module} fail without any mutation ({state})")
    outcome = tables.run([(mutant, TARGETS[m], limits[m]) for m in tested for mutant in found[m]], jobs)
    scores = {m: Score(m) for m in modules}
    for mutant, state in outcome:
        score = scores[mutant.module]
        score.total += 1
        if state in ("killed", "timeout"):
            score.killed += 1
        elif entry := _equivalent(allowed, mutant.module, mutant.key):
            score.equivalent += 1
            used.add(("table", entry))
        else:
            score.survivors.append(f"{mutant.key} [{state}]")
    return [scores[m] for m in modules]


def report(kind: str, scores: list[Score]) -> bool:
    """Print the table of scores and the survivors; True when every module meets the floor."""
    floor = FLOORS[kind]
    print(f"\n== {kind}: killed / mutants (equivalent ones left out); floor {floor:g}% per module")
    print(f"{'module':44} {'killed':>7} {'total':>6} {'equiv':>6} {'score':>7}")
    ok = True
    for s in scores:
        if not s.total:
            print(f"{s.module:44} {'-':>7} {0:>6} {'':>6} {'(none)':>7}")
            continue
        below = s.percent < floor
        ok = ok and not below
        flag = "  BELOW FLOOR" if below else ""
        print(f"{s.module:44} {s.killed:>7} {s.total:>6} {s.equivalent or '':>6} {s.percent:>6.1f}%{flag}")
    total = sum(s.total - s.equivalent for s in scores)
    killed = sum(s.killed for s in scores)
    if total:
        print(f"{'all':44} {killed:>7} {sum(s.total for s in scores):>6} "
              f"{sum(s.equivalent for s in scores) or '':>6} {100.0 * killed / total:>6.1f}%")
    for s in scores:
        if s.survivors:
            print(f"\n  survivors in {s.module} ({kind}):")
            for line in s.survivors:
                print(f"    {line}")
    return ok


def stale(used: set, kinds: list[str], modules: list[str]) -> list[str]:
    found = []
    for kind in kinds:
        for key, reason in _allowed(kind).items():
            if key[0] in modules and (kind, key) not in used:
                found.append(f"{kind} {key}: {reason}")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--module", action="append", default=[], help="only modules whose path contains this")
    parser.add_argument("--skip-functions", action="store_true")
    parser.add_argument("--skip-tables", action="store_true")
    parser.add_argument("--jobs", type=int, default=2, help="mutants run at once (this machine has 2 cores)")
    args = parser.parse_args(argv)
    started = time.monotonic()
    missing = unlisted()
    if missing:
        print("Rules modules with no tests named in tests/mutation/targets.py:", *missing, sep="\n  ")
        return 1
    modules = [m for m in TARGETS if not args.module or any(part in m for part in args.module)]
    used: set = set()
    ok = True
    kinds = []
    if not args.skip_functions:
        kinds.append("function")
        ok = report("functions", score_functions(modules, args.jobs, used)) and ok
    if not args.skip_tables:
        kinds.append("table")
        ok = report("tables", score_tables(modules, args.jobs, used)) and ok
    old = stale(used, kinds, modules)
    if old:
        print("\nAllow-list entries that match no surviving mutant (remove them from equivalent.toml):")
        print(*old, sep="\n  ")
    print(f"\nmutation testing took {time.monotonic() - started:.0f} s")
    return 0 if ok and not old else 1


if __name__ == "__main__":
    sys.exit(main())
