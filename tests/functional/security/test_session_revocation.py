"""Issue 13, item 4 (low): a session cookie captured before sign-out still worked afterwards, for
up to 31 days (the cookie was the whole session).

Expected: sessions can be revoked on the server (a per-user session version in the signed cookie,
checked on each request). Signing out, a password change, deactivation and a role change end every
older session of that user (replaying the old cookie lands on the sign-in page); other users'
sessions are untouched. Sessions also end when idle: the setting SESSION_IDLE_HOURS, default 12."""
from __future__ import annotations

import time
from urllib.parse import urlsplit

import pytest

from tests.staff_fixtures import PASSWORD, add_user, login

SAM = "sam@desk.test"


@pytest.fixture
def people(seeded) -> dict[str, int]:
    return {"sam": add_user(seeded, SAM, "Sam Staff", ["staff"]),
            "boss": add_user(seeded, "boss@desk.test", "Bo Boss", ["staff", "finance", "admin"])}


def _signed_in_cookie(app, email: str = SAM) -> tuple[object, str]:  # noqa: ANN001
    """Sign in through the form; the client and its session cookie (what an attacker would copy)."""
    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    assert client.get("/staff/requests").status_code == 200
    return client, client.get_cookie("session", domain="desk.test").value


def _replay(app, cookie: str) -> int:  # noqa: ANN001
    """GET a staff page with a copied cookie: 200 if the session still works; 302 to /login if not."""
    thief = app.test_client()
    thief.set_cookie("session", cookie, domain="desk.test")
    response = thief.get("/staff/requests")
    if response.status_code == 302:
        assert urlsplit(response.headers["Location"]).path == "/login"
    return response.status_code


def test_the_replay_works_while_signed_in(seeded, people):
    """The counterpart of the tests below: a copied cookie is a session until it is ended."""
    _client, cookie = _signed_in_cookie(seeded)
    assert _replay(seeded, cookie) == 200


def test_signing_out_ends_the_session_for_a_copied_cookie(seeded, people):
    client, cookie = _signed_in_cookie(seeded)
    assert client.post("/logout").status_code == 302
    assert _replay(seeded, cookie) == 302


def test_a_password_change_ends_every_older_session(seeded, people):
    from datetime import timedelta

    from licensing.core.db import new_session, utcnow
    from licensing.core.models import PasswordToken
    from licensing.intake.services import hash_token

    _client, cookie = _signed_in_cookie(seeded)
    with seeded.app_context(), new_session() as s:
        s.add(PasswordToken(user_id=people["sam"], token_hash=hash_token("reset-token-for-sam"),
                            created_at=utcnow(), expires_at=utcnow() + timedelta(hours=1)))
        s.commit()
    other = seeded.test_client()
    changed = other.post("/set-password/reset-token-for-sam",
                         data={"password": "a brand new password", "confirm": "a brand new password"})
    assert changed.status_code == 302
    assert _replay(seeded, cookie) == 302
    assert other.get("/staff/requests").status_code == 200  # the session that changed it goes on


def _admin_sets(app, boss_id: int, user_id: int, roles: list[str], active: bool) -> None:  # noqa: ANN001
    admin = app.test_client()
    login(admin, boss_id)
    data = {"roles": roles} | ({"active": "y"} if active else {})
    assert admin.post(f"/admin/users/{user_id}", data=data).status_code == 302


def test_deactivation_ends_the_session_even_after_reactivation(seeded, people):
    _client, cookie = _signed_in_cookie(seeded)
    _admin_sets(seeded, people["boss"], people["sam"], ["staff"], active=False)
    assert _replay(seeded, cookie) == 302
    _admin_sets(seeded, people["boss"], people["sam"], ["staff"], active=True)
    assert _replay(seeded, cookie) == 302


def test_a_role_change_ends_the_session(seeded, people):
    _client, cookie = _signed_in_cookie(seeded)
    boss_client, boss_cookie = _signed_in_cookie(seeded, "boss@desk.test")
    _admin_sets(seeded, people["boss"], people["sam"], ["staff", "finance"], active=True)
    assert _replay(seeded, cookie) == 302
    assert _replay(seeded, boss_cookie) == 200  # another user's session is not touched
    _fresh, _new_cookie = _signed_in_cookie(seeded)  # signing in again works


def test_the_idle_timeout_setting_defaults_to_12_hours(tmp_path, monkeypatch):
    from licensing.core.settings import Settings

    monkeypatch.delenv("SESSION_IDLE_HOURS", raising=False)
    assert Settings.from_env(instance=tmp_path).session_idle_hours == 12
    monkeypatch.setenv("SESSION_IDLE_HOURS", "0.5")
    assert Settings.from_env(instance=tmp_path).session_idle_hours == 0.5


class TestIdleTimeout:
    @pytest.fixture
    def app_config(self) -> dict:
        return {"SESSION_IDLE_HOURS": 2 / 3600}  # two seconds

    def test_an_idle_session_ends_and_an_active_one_goes_on(self, seeded, people):
        client, cookie = _signed_in_cookie(seeded)
        for _ in range(3):  # activity keeps it alive past the idle time
            time.sleep(1)
            assert client.get("/staff/requests").status_code == 200
        time.sleep(3)
        assert client.get("/staff/requests").status_code == 302
        assert _replay(seeded, cookie) == 302
