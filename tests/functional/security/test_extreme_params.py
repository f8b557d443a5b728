"""Issue 13, item 6 (low): unhandled 500s on out-of-range numbers and dates, one of them public
(`/articles/99999999999999999999`), the others behind a sign-in (`page=9...9`, an id of 9...9,
`amount_min=9x30`, `from=0001-01-01&to=9999-12-31` on the CSVs and reports, `from=9999-12` on the
revenue pages).

Expected: every numeric and date parameter is range-checked at the edge (licensing/core/bounds.py),
giving 404 or 400 with a message, never 500. This walk requests EVERY route of the URL map, with
every method, as anonymous and as a user of each role (and a user with all of them): each path
parameter in turn replaced by extreme values (with real values elsewhere), then the real path with
each set of extreme query parameters. Any 5xx fails it (except the pay pages' 503, "payment
unavailable": no Stripe in these tests). Forms get the extreme values as their fields too."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from werkzeug.routing import IntegerConverter

from tests.functional.core.test_access_matrix import _url, world  # noqa: F401 - the fixture is used below
from tests.staff_fixtures import add_user, bearer, login

NINES_20 = "9" * 20  # above every 64-bit integer
NINES_30 = "9" * 30
INT_VALUES = [int(NINES_20), 2**31, 2**63, 0]
TEXT_VALUES = [NINES_30, "x" * 2000, "-1", "1e309", "0001-01-01", "REQ-" + "Z" * 300]
QUERY_NAMES = ("page", "id", "amount_min", "amount_max", "from", "to", "month", "q",
               # the other numbers and dates of the list pages and the API
               "due_from", "due_to", "issued_from", "issued_to", "paid_from", "paid_to", "audience", "limit",
               "article", "number", "v")
QUERY_SETS = {
    "nines": {name: NINES_30 for name in QUERY_NAMES},
    "huge-negative": {name: "-" + NINES_30 for name in QUERY_NAMES},
    "widest-days": {"from": "0001-01-01", "to": "9999-12-31", "due_from": "0001-01-01", "due_to": "9999-12-31",
                    "issued_from": "0001-01-01", "issued_to": "9999-12-31", "paid_from": "0001-01-01",
                    "paid_to": "9999-12-31", "month": "0001-01"},
    "last-month": {"from": "9999-12", "to": "9999-12", "month": "9999-12", "page": "2147483648"},
    "first-month": {"from": "0000-01", "to": "0001-01", "month": "0000-00"},
    "not-numbers": {"page": "1e309", "id": "NaN", "amount_min": "inf", "amount_max": "1e309", "audience": "-0",
                    "limit": "٣", "from": "2026-02-30", "to": "2026-13-01"},
}
ROLES = {"anonymous": None, "staff": ["staff"], "finance": ["finance"], "admin": ["admin"],
         "everything": ["staff", "finance", "admin"]}


def _path_variants(app, rule, world) -> list[str]:  # noqa: ANN001, F811
    """The rule's URL with each of its parameters in turn replaced by each extreme value."""
    real = _url(app, rule, world)
    urls = []
    for arg in sorted(rule.arguments):
        values = INT_VALUES if isinstance(rule._converters.get(arg), IntegerConverter) else TEXT_VALUES
        for value in values:
            url = _swap(app, rule, world, arg, value)
            if url != real:
                urls.append(url)
    return urls


def _swap(app, rule, world, arg: str, value) -> str:  # noqa: ANN001, F811
    """The rule's text with real values, `arg` replaced by `value` even where the converter would
    refuse to build it (a negative int, twenty nines)."""
    real = urlsplit(_url(app, rule, world)).path
    method = "GET" if "GET" in rule.methods else sorted(rule.methods)[0]
    _endpoint, values = app.url_map.bind("desk.test").match(real, method=method)
    def fill(match: re.Match) -> str:
        name = match.group(1).split(":")[-1]
        return str(value) if name == arg else str(values[name])

    return re.sub(r"<([^>]+)>", fill, rule.rule)


def _client_as(app, role: str, world):  # noqa: ANN001, ANN202, F811
    client = app.test_client()
    headers = {}
    roles = ROLES[role]
    if roles is not None:
        uid = world["users"][role] if role in world["users"] else add_user(app, "all@desk.test", "Al All", roles)
        login(client, uid)
        if role in world["tokens"]:
            headers = bearer(world["tokens"][role])
        else:
            from tests.staff_fixtures import api_token

            headers = bearer(api_token(app, uid))
    return client, headers, (roles is not None and (lambda: login(client, uid)))


def _walk(app, world, role: str) -> list[str]:  # noqa: ANN001, F811
    client, headers, relogin = _client_as(app, role, world)
    problems = []
    rules = sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint == "auth.logout", r.endpoint))
    for rule in rules:
        if rule.endpoint == "static":
            continue
        real = _url(app, rule, world)
        sep = "&" if "?" in real else "?"
        attempts = [(url, None) for url in _path_variants(app, rule, world)]
        attempts += [(real + sep + "&".join(f"{k}={v}" for k, v in query.items()), name)
                     for name, query in QUERY_SETS.items()]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for url, query_name in attempts:
                if relogin:
                    relogin()  # sign-out, deactivation... may have ended the session
                form = QUERY_SETS[query_name] if (method == "POST" and query_name) else None
                try:
                    response = client.open(url, method=method, headers=headers, data=form)
                    status = response.status_code
                except Exception as exc:  # noqa: BLE001 - an exception that escaped is a 500 too
                    problems.append(f"{method} {url[:160]} as {role}: raised {type(exc).__name__}: {exc}"[:400])
                    continue
                if status >= 500 and not (status == 503 and rule.endpoint.startswith("pay.")):
                    problems.append(f"{method} {url[:160]} as {role}: {status}")
    return problems


@pytest.mark.parametrize("role", list(ROLES))
def test_no_extreme_value_gives_a_server_error(world, seeded, role):  # noqa: F811
    problems = _walk(seeded, world, role)
    assert not problems, f"{len(problems)} server error(s):\n" + "\n".join(problems[:80])


@pytest.mark.parametrize("db_kind", [pytest.param("postgresql", marks=pytest.mark.postgres)])
@pytest.mark.parametrize("role", ["anonymous", "everything"])
def test_no_extreme_value_gives_a_server_error_on_postgresql(world, seeded, role, db_kind):  # noqa: F811
    """PostgreSQL refuses an integer out of range where SQLite's driver overflows: both must be 404/400."""
    problems = _walk(seeded, world, role)
    assert not problems, f"{len(problems)} server error(s):\n" + "\n".join(problems[:80])


def test_the_reported_cases_answer_404_or_400(world, seeded):  # noqa: F811
    """The report's own examples, with the answer each must get."""
    anonymous = seeded.test_client()
    assert anonymous.get(f"/articles/{NINES_20}").status_code == 404
    client, _headers, _relogin = _client_as(seeded, "everything", world)
    assert client.get(f"/staff/outbox/{NINES_20}").status_code == 404
    assert client.get(f"/staff/outbox?page={NINES_30}").status_code in (400, 404)
    assert client.get(f"/finance/invoices?amount_min={NINES_30}").status_code == 400
    assert client.get("/finance/payments.csv?from=0001-01-01&to=9999-12-31").status_code == 400
    assert client.get("/staff/events.csv?from=0001-01-01&to=9999-12-31").status_code == 400
    assert client.get("/finance/reports/revenue/by-medium?from=9999-12").status_code == 400
    assert client.get("/finance/reports/revenue?from=9999-12&to=9999-12").status_code == 400
