"""The delivery rules stay pure: importing them loads no web framework, ORM or Redis client (checked in
a fresh interpreter, since this test process has Flask loaded by the shared conftest)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
FORBIDDEN = ("flask", "sqlalchemy", "werkzeug", "wtforms", "flask_wtf", "redis")
PROBE = """
import sys
sys.path.insert(0, {root!r})
import {modules}
print(",".join(sorted(m for m in {forbidden!r} if m in sys.modules)))
"""


def _loaded(modules: str) -> str:
    code = PROBE.format(root=str(ROOT), modules=modules, forbidden=FORBIDDEN)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()


def test_rules_import_no_framework():
    modules = ", ".join([f"licensing.delivery.rules.{name}" for name in ("package", "ninjs", "pixel", "flags", "diff")]
                        + [f"licensing.catalog.rules.{name}" for name in ("sanitise", "markup")])
    assert _loaded(modules) == ""


def test_the_probe_sees_a_framework_when_one_is_imported():
    """The broken counterpart: the counters module does load redis, and the probe says so."""
    assert _loaded("redis, licensing.delivery.counters") == "redis"
