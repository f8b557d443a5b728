"""Fixtures of the fuzz tests: a seeded app with a staff user, a personal API token, a few requests
in different states, and PDF rendering switched off (the fuzzers approve requests; rendering the
documents would only slow them down and is tested elsewhere).

Each fuzz test gets its own database (the `app` fixture of tests/conftest.py is per test); the
Hypothesis examples of one test share it, which is what a real server sees too."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import pytest
from flask import request_finished

from tests.staff_fixtures import add_user, api_token, insert_requests, submit


@dataclass
class World:
    app: object
    staff_token: str
    staff_id: int
    references: list[str]  # requests the staff can decide on (submitted, in review, needs info)
    tracking: dict[str, str]  # reference -> tracking token


SENT: Counter[str] = Counter()  # requests the app answered, by test


@pytest.fixture
def world(seeded, monkeypatch, request) -> World:
    import licensing.core.documents

    def count(_app, **_extra) -> None:  # noqa: ANN001
        SENT[request.node.nodeid] += 1

    request_finished.connect(count, seeded, weak=False)
    request.addfinalizer(lambda: request_finished.disconnect(count, seeded))

    monkeypatch.setattr(licensing.core.documents, "render_job", lambda *_a, **_k: None)
    staff_id = add_user(seeded, "fuzz.staff@desk.test", "Fuzz Staff", ["staff"])
    token = api_token(seeded, staff_id, "fuzzing")
    made = [submit(seeded) for _ in range(3)]
    made.append(submit(seeded, territory="worldwide", medium="print", audience=1))
    made += insert_requests(seeded, [{"status": status} for status in ["submitted"] * 10 + ["in_review", "needs_info"]])
    return World(app=seeded, staff_token=token, staff_id=staff_id, references=[m.reference for m in made],
                 tracking={m.reference: m.token for m in made})


@pytest.fixture
def fuzz_client(world):
    return world.app.test_client()


def pytest_terminal_summary(terminalreporter) -> None:  # noqa: ANN001
    if SENT:
        terminalreporter.write_sep("-", f"fuzzing: {sum(SENT.values()):,} requests answered without a server error")
        for nodeid, count in sorted(SENT.items()):
            terminalreporter.write_line(f"{count:>7,}  {nodeid}")
