"""Issue 13, item 5 (low): links in e-mails followed the request's Host header. A request sent
with `Host: evil.example` e-mailed `http://evil.example/track/...` to whatever address was typed.

Expected: absolute links only ever come from PUBLIC_BASE_URL (e-mails, API answers, pages), and a
request for a host that is not trusted gets 400 (Flask's TRUSTED_HOSTS). The trusted hosts are the
setting TRUSTED_HOSTS (comma-separated), by default the host of PUBLIC_BASE_URL."""
from __future__ import annotations

import re

import pytest

from tests.functional.conftest import valid_form
from tests.staff_fixtures import add_user, mails, request_data

PUBLIC = "https://desk.example"


@pytest.fixture
def app_config(monkeypatch) -> dict:
    monkeypatch.setenv("TRUSTED_HOSTS", "desk.example,internal.desk")
    return {"PUBLIC_BASE_URL": PUBLIC, "SERVER_NAME": None}


def _links(text: str) -> list[str]:
    return re.findall(r"https?://[^\s\"'<>]+", text)


@pytest.mark.parametrize("path", ["/", "/republish", "/login", "/api/v1/articles", "/healthz", "/no-such-page"])
def test_a_request_for_an_untrusted_host_is_400(seeded, path):
    response = seeded.test_client().get(path, base_url="http://evil.example")
    assert response.status_code == 400, (path, response.status_code)
    assert seeded.test_client().get(path, base_url=PUBLIC).status_code != 400  # the counterpart


def test_the_form_posted_to_an_untrusted_host_sends_no_mail(seeded):
    response = seeded.test_client().post("/republish", base_url="http://evil.example",
                                         data={**valid_form(), "action": "submit", "confirmed_amount": "67500"})
    assert response.status_code == 400
    assert mails(seeded) == []


def test_a_trusted_host_that_is_not_the_public_one_still_gets_public_links(seeded):
    client = seeded.test_client()
    response = client.post("/republish", base_url="http://internal.desk",
                           data={**valid_form(), "action": "submit", "confirmed_amount": "67500"})
    assert response.status_code in (302, 303), response.status_code
    [receipt] = mails(seeded)
    # the article's own address (on the publisher's site) is not a link to this app
    links = [link for link in _links(receipt.body_text) if "middleeasteye.net" not in link]
    assert links and all(link.startswith(PUBLIC + "/") for link in links), links

    api = client.post("/api/v1/requests", json=request_data(), base_url="http://internal.desk")
    assert api.status_code == 201
    assert api.get_json()["tracking_url"].startswith(PUBLIC + "/track/")


def test_the_invitation_link_comes_from_the_public_base_url(seeded):
    client = seeded.test_client()
    boss = add_user(seeded, "boss@desk.test", "Bo Boss", ["admin"])
    with client.session_transaction(base_url="http://internal.desk") as sess:  # signed in on that host
        sess["_user_id"], sess["_fresh"] = str(boss), True
    response = client.post("/admin/users", base_url="http://internal.desk",
                           data={"email": "nia@desk-news.example", "name": "Nia New", "roles": ["staff"]})
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/users")
    [invitation] = mails(seeded, to="nia@desk-news.example")
    assert [link.startswith(PUBLIC + "/set-password/") for link in _links(invitation.body_text)] == [True]


class TestDefaultTrustedHosts:
    @pytest.fixture
    def app_config(self, monkeypatch) -> dict:
        monkeypatch.delenv("TRUSTED_HOSTS", raising=False)
        return {"PUBLIC_BASE_URL": PUBLIC, "SERVER_NAME": None}

    def test_only_the_public_host_is_trusted_by_default(self, seeded):
        client = seeded.test_client()
        assert client.get("/", base_url="http://evil.example").status_code == 400
        assert client.get("/", base_url="http://internal.desk").status_code == 400
        assert client.get("/", base_url=PUBLIC).status_code == 200
