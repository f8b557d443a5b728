"""`make mutation`: mutation scores of the pure rules, per module, and the survivors to test.

    python -m tests.mutation.run [--module PART ...] [--skip-functions] [--skip-tables] [--jobs 2]

Functions (mutmut, functions.py) and module-level tables (tables.py, run by forked.py) are scored apart,
both run by one pool of `--jobs` lanes, the longest work first, each lane one mutant at a time. A mutant
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

from tests.mutation import forked, functions, tables
from tests.mutation.targets import ROOT, TARGETS, unlisted

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


# Rough costs, in seconds on one core, to start the longest work first (so that the two lanes end
# together): a module's functions by its size, a table mutant at a fifth of a second.
SECONDS_PER_BYTE, SECONDS_PER_TABLE_MUTANT = 0.007, 0.2


def _table_batches(modules: list[str], lanes: int) -> list[tuple[list[str], int]]:
    """The modules with tables, in `lanes` * 2 batches of about equal work (each batch warms up once),
    each with its number of mutants."""
    counts = {m: len(tables.mutants(m)) for m in modules if TARGETS[m]}
    batches: list[list[str]] = [[] for _ in range(lanes * 2)]
    loads = [0] * len(batches)
    for module in sorted((m for m in counts if counts[m]), key=counts.get, reverse=True):
        lightest = loads.index(min(loads))
        batches[lightest].append(module)
        loads[lightest] += counts[module]
    return [(batch, load) for batch, load in zip(batches, loads, strict=True) if batch]


def run_all(modules: list[str], jobs: int, with_functions: bool, with_tables: bool) -> tuple[dict, list]:
    """mutmut on each module's functions and the table mutants, `jobs` at a time, longest first:
    ({module: [functions.Mutant]}, [(module, table mutant, state)])."""
    work = []
    if with_functions:
        work += [(len((ROOT / m).read_bytes()) * SECONDS_PER_BYTE, "functions", m) for m in modules if TARGETS[m]]
    if with_tables:
        work += [(count * SECONDS_PER_TABLE_MUTANT, "tables", batch) for batch, count in _table_batches(modules, jobs)]

    def do(item: tuple) -> tuple:
        _, kind, what = item
        return kind, what, (functions.run(what, TARGETS[what]) if kind == "functions" else forked.in_child(what))

    found: dict[str, list] = {}
    table_states: list = []
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        for kind, what, result in pool.map(do, sorted(work, key=lambda item: item[0], reverse=True)):
            if kind == "functions":
                found[what] = result
            else:
                table_states += result
    return found, table_states


def score_functions(modules: list[str], found: dict, used: set) -> list[Score]:
    allowed = _allowed("function")
    scores = []
    for module in modules:
        score = Score(module)
        for mutant in found.get(module, []):
            score.total += 1
            entry = None if mutant.killed else _equivalent(allowed, module, mutant.key)
            if mutant.killed:
                score.killed += 1
            elif entry:
                score.equivalent += 1
                used.add(("function", entry))
            else:
                before, after = mutant.change
                score.survivors.append(f"{mutant.key}\n        [{mutant.status}] {mutant.name}\n"
                                       f"        - {before}\n        + {after}")
        scores.append(score)
    return scores


def score_tables(modules: list[str], states: list, used: set) -> list[Score]:
    allowed = _allowed("table")
    scores = {m: Score(m) for m in modules}
    for module, key, state in states:
        score = scores[module]
        score.total += 1
        if state in ("killed", "timeout"):
            score.killed += 1
        elif entry := _equivalent(allowed, module, key):
            score.equivalent += 1
            used.add(("table", entry))
        else:
            score.survivors.append(f"{key} [{state}]")
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
    found, table_states = run_all(modules, args.jobs, not args.skip_functions, not args.skip_tables)
    used: set = set()
    ok = True
    kinds = []
    if not args.skip_functions:
        kinds.append("function")
        ok = report("functions", score_functions(modules, found, used)) and ok
    if not args.skip_tables:
        kinds.append("table")
        ok = report("tables", score_tables(modules, table_states, used)) and ok
    old = stale(used, kinds, modules)
    if old:
        print("\nAllow-list entries that match no surviving mutant (remove them from equivalent.toml):")
        print(*old, sep="\n  ")
    print(f"\nmutation testing took {time.monotonic() - started:.0f} s")
    return 0 if ok and not old else 1


if __name__ == "__main__":
    sys.exit(main())
