"""Issue 13, item 8 (low): right-to-left override characters (U+202E and the other bidi
controls) were kept in organisation and contact names, and displayed deceptively on the verify
page, the license, the JSON-LD and the queue.

Expected: bidi controls (U+202A-202E, U+2066-2069, U+200E, U+200F, U+061C) are stripped on input,
from every free-text field of the form and the APIs and from staff-typed names; and user text is
isolated where it is shown (inside <bdi>, or an element with dir="auto"), so that a name, even one
stored before the fix, cannot reorder the text around it. Real right-to-left text is kept."""
from __future__ import annotations

import json

import pytest

from tests.functional.conftest import parse, valid_form
from tests.staff_fixtures import add_user, bearer, insert_requests, login, mails, request_data, state

BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
ARABIC = "مؤسسة الأخبار"
TEXT_FIELDS = ("organisation", "contact_name", "publication", "notes", "billing_address")


def _has_bidi(text: str) -> bool:
    return any(ch in BIDI for ch in text)


def test_the_api_strips_bidi_controls_from_every_text_field(seeded, client):
    typed = {name: f"Acme\u202e{name}\u2066 {ARABIC}\u2069\u200f" for name in TEXT_FIELDS}
    response = client.post("/api/v1/requests", json=request_data(**typed))
    assert response.status_code == 201, response.get_json()
    stored = state(seeded, response.get_json()["reference"])
    for name in TEXT_FIELDS:
        assert getattr(stored, name) == f"Acme{name} {ARABIC}", name
    [receipt] = mails(seeded)
    assert not _has_bidi(receipt.body_text)


def test_the_form_strips_bidi_controls(seeded, client):
    response = client.post("/republish", data={**valid_form(organisation="Leeds \u202eTSOP gnineve",
                                                            contact_name="\u061cJo\u200e Bloggs"),
                                               "action": "submit", "confirmed_amount": "67500"})
    assert response.status_code in (302, 303), response.status_code
    [receipt] = mails(seeded)
    reference = next(word for word in receipt.body_text.split() if word.startswith("REQ-"))
    stored = state(seeded, reference)
    assert (stored.organisation, stored.contact_name) == ("Leeds TSOP gnineve", "Jo Bloggs")


def test_a_name_of_bidi_controls_only_is_refused_as_empty(seeded, client):
    response = client.post("/api/v1/requests", json=request_data(organisation="\u202e\u2066\u2069"))
    assert response.status_code == 422
    assert "organisation" in response.get_json()["errors"]


def test_staff_typed_names_are_stripped_too(seeded):
    from sqlalchemy import select

    from licensing.core.db import new_session
    from licensing.core.models import User
    from licensing.review.models import RejectionReason

    admin = seeded.test_client()
    login(admin, add_user(seeded, "boss@desk.test", "Bo Boss", ["staff", "admin"]))
    assert admin.post("/admin/users", data={"email": "nia@desk-news.example", "name": "Nia \u202eweN",
                                            "roles": ["staff"]}).status_code == 302
    assert admin.post("/staff/reasons", data={"title": "Out of \u202escope", "body": "Sorry \u2067x\u2069."}
                      ).status_code == 302
    with seeded.app_context(), new_session() as s:
        assert s.scalars(select(User.name).where(User.email == "nia@desk-news.example")).one() == "Nia weN"
        reason = s.scalars(select(RejectionReason)).one()
        assert (reason.title, reason.body) == ("Out of scope", "Sorry x.")


def _isolated(html: bytes, text: str) -> list[str]:
    """Where `text` is shown without isolation: the innermost element holding it is neither <bdi>
    nor dir="auto" (nor inside one)."""
    doc = parse(html)
    problems = []
    for node in doc.iter():
        if any(isinstance(c, str) and text in c for c in node.children):
            holder, ok = node, False
            while holder is not None and holder.tag not in ("dd", "td", "p", "li", "h1", "h2", "div", "main"):
                if holder.tag == "bdi" or holder.attrs.get("dir") == "auto":
                    ok = True
                    break
                holder = holder.parent
            ok = ok or (holder is not None and (holder.tag == "bdi" or holder.attrs.get("dir") == "auto"))
            if not ok:
                problems.append(f"<{node.tag}> holds {text!r} without <bdi> or dir=auto")
    return problems


@pytest.fixture
def shown(seeded, monkeypatch):
    """A request stored BEFORE the fix (the override in the database), approved: every page shows it."""
    from tests.documents_helpers import approve, license_of, no_rendering

    no_rendering(monkeypatch)
    staff = add_user(seeded, "sam@desk.test", "Sam Staff", ["staff"])
    [made] = insert_requests(seeded, [{"organisation": f"{ARABIC} \u202eLTD", "contact_name": "Jo \u202eBloggs"}])
    approve(seeded, made.reference, staff)
    return staff, made, license_of(seeded, made.reference)


def test_names_are_isolated_on_every_page_that_shows_them(seeded, shown):
    staff, made, lic = shown
    client = seeded.test_client()
    login(client, staff)
    problems = []
    for path in ("/staff/requests?status=all", f"/staff/requests/{made.reference}", f"/verify/{lic.number}",
                 f"/track/{made.token}"):
        page = client.get(path)
        assert page.status_code == 200, path
        assert ARABIC in page.get_data(as_text=True), path  # the counterpart: the name is on the page
        problems += [f"{path}: {p}" for p in _isolated(page.data, ARABIC)]
    assert not problems, "\n".join(problems)


def test_the_json_ld_carries_no_bidi_control(seeded, shown):
    _staff, _made, lic = shown
    response = seeded.test_client().get(f"/licenses/{lic.number}.jsonld")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert ARABIC in json.dumps(json.loads(body), ensure_ascii=False)
    assert not _has_bidi(json.dumps(json.loads(body), ensure_ascii=False))


def test_the_staff_api_carries_no_bidi_control(seeded, shown):
    from tests.staff_fixtures import api_token

    staff, _made, _lic = shown
    response = seeded.test_client().get("/api/v1/staff/requests?status=all", headers=bearer(api_token(seeded, staff)))
    assert response.status_code == 200
    text = json.dumps(response.get_json(), ensure_ascii=False)
    assert ARABIC in text and not _has_bidi(text)
