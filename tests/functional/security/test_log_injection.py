"""Issue 13, item 7 (low): in text logs (the default), a request path with %0a wrote a fake
access-log line.

Expected: control characters (C0, DEL, C1), the Unicode line and paragraph separators and the bidi
controls are escaped in every log format (licensing/core/text.py escape_for_log), in the access
line and in any other record, so one record is one line and reads as what was sent."""
from __future__ import annotations

import io
import json
import logging

import pytest

FORGED = "2026-01-01 00:00:00,000 INFO syndication.access: GET /admin/users 200"
NASTY = "/no-such\r\x1b[2K\u2028\x85\u202eevil"


@pytest.fixture
def logs(database_url, monkeypatch, request):  # noqa: ANN001
    """The app with its own logging configured (text or JSON), writing into a string."""
    from app import create_app

    json_logs = request.param == "json"
    if json_logs:
        monkeypatch.setenv("LOG_FORMAT", "json")
    else:
        monkeypatch.delenv("LOG_FORMAT", raising=False)
    root = logging.getLogger()
    saved = root.handlers[:], getattr(root, "_syndication_configured", False), root.level
    stream = io.StringIO()
    root.handlers[:] = []
    root._syndication_configured = False  # type: ignore[attr-defined]
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "x", "SERVER_NAME": "desk.test"})
    root.handlers[0].setStream(stream)
    try:
        yield app, stream, json_logs
    finally:
        app.extensions["database"].dispose()
        root.handlers[:], root._syndication_configured, level = saved  # type: ignore[attr-defined]
        root.setLevel(level)


def _records_and_lines(stream: io.StringIO) -> list[str]:
    # str.splitlines() breaks at every line boundary a log reader might honour (\r, \x85, \u2028...)
    return stream.getvalue().splitlines()


@pytest.mark.parametrize("logs", ["text", "json"], indirect=True)
def test_a_newline_in_the_path_writes_no_forged_line(logs):
    app, stream, json_logs = logs
    response = app.test_client().get("/no-such%0a" + FORGED.replace(" ", "%20"))
    assert response.status_code == 404
    lines = _records_and_lines(stream)
    assert not any(line.startswith(FORGED[:24]) for line in lines), lines
    access = [line for line in lines if "syndication.access" in line]
    assert len(access) == 1 and "\\n" in access[0], lines


@pytest.mark.parametrize("logs", ["text", "json"], indirect=True)
def test_every_control_character_is_escaped_in_the_access_line(logs):
    app, stream, json_logs = logs
    app.test_client().get(NASTY.replace("\r", "%0d").replace("\x1b", "%1b").replace("\u2028", "%e2%80%a8")
                          .replace("\x85", "%c2%85").replace("\u202e", "%e2%80%ae"))
    raw = stream.getvalue()
    for char in ("\r", "\x1b", "\u2028", "\x85", "\u202e"):
        assert char not in raw, f"{char!r} reached the log unescaped"
    lines = _records_and_lines(stream)
    assert len([line for line in lines if "syndication.access" in line]) == 1, lines
    if json_logs:
        assert all(json.loads(line) for line in lines)


@pytest.mark.parametrize("logs", ["text", "json"], indirect=True)
def test_any_record_with_typed_text_stays_on_one_line(logs):
    """Not only the access line: e.g. a refused webhook's reason, a mail subject, a CLI argument."""
    _app, stream, _json_logs = logs
    logging.getLogger("syndication.test").warning("a value someone typed: %s", f"x\n{FORGED}\u2028more")
    lines = _records_and_lines(stream)
    assert len(lines) == 1, lines
    assert "\\n" in lines[0] and "\\u2028" in lines[0]


@pytest.mark.parametrize("logs", ["text"], indirect=True)
def test_an_ordinary_line_is_unchanged(logs):
    """The counterpart: nothing to escape, nothing escaped (accents and Arabic letters included)."""
    _app, stream, _json_logs = logs
    logging.getLogger("syndication.test").warning("Zoë مؤسسة /track/***/documents/LIC-2026-00001.pdf")
    assert stream.getvalue().rstrip("\n").endswith("syndication.test: Zoë مؤسسة /track/***/documents/LIC-2026-00001.pdf")
