"""Issue 13, item 3 (medium): ten wrong passwords for an e-mail address, from any address, locked
the account for 15 minutes everywhere, the right password included: anyone could keep an admin
out with ten requests every quarter of an hour.

Expected: sign-ins are throttled per client address and per (account, address), with growing
delays (the numbers: licensing/core/throttle.py); failures from other addresses never make the
owner wait at their own address; nothing locks; the owner is e-mailed (once) after repeated
failures on their account. The client address is the request's REMOTE_ADDR here."""
from __future__ import annotations

import re

import pytest

from tests.staff_fixtures import PASSWORD, add_user, mails

ATTACKER = "203.0.113.66"
OWNER = "198.51.100.7"
ADMIN = "boss@desk.test"


@pytest.fixture
def boss(seeded) -> int:
    return add_user(seeded, ADMIN, "Bo Boss", ["staff", "finance", "admin"])


def _sign_in(app, address: str, email: str, password: str):  # noqa: ANN001, ANN202
    client = app.test_client()
    return client.post("/login", data={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def test_the_owner_signs_in_from_their_address_whatever_an_attacker_did(seeded, boss):
    statuses = [_sign_in(seeded, ATTACKER, ADMIN, f"guess {i}").status_code for i in range(12)]
    assert set(statuses) <= {401, 429} and statuses[:3] == [401, 401, 401]
    owner = _sign_in(seeded, OWNER, ADMIN, PASSWORD)
    assert owner.status_code == 302, f"the owner was refused with {owner.status_code} after {statuses}"


def test_the_owner_signs_in_after_a_slow_attack_from_many_addresses(seeded, boss):
    """Ten failures from ten addresses (what locked the account before): the owner is let in."""
    for i in range(10):
        assert _sign_in(seeded, f"203.0.113.{i + 1}", ADMIN, "wrong").status_code == 401
    assert _sign_in(seeded, OWNER, ADMIN, PASSWORD).status_code == 302


def test_the_guessing_address_is_slowed_for_that_account(seeded, boss):
    statuses = [_sign_in(seeded, ATTACKER, ADMIN, f"guess {i}").status_code for i in range(5)]
    assert statuses[:3] == [401, 401, 401] and statuses[3:] == [429, 429]
    refused = _sign_in(seeded, ATTACKER, ADMIN, PASSWORD)  # even the right password must wait there
    assert refused.status_code == 429
    assert re.search(r"[Tt]ry again in \d+ second", refused.get_data(as_text=True))


def test_one_address_guessing_many_accounts_is_slowed(seeded, boss):
    statuses = [_sign_in(seeded, ATTACKER, f"guess{i}@desk.test", "wrong").status_code for i in range(14)]
    assert 429 in statuses, statuses
    assert statuses.index(429) >= 10  # a few honest typos are never slowed
    assert _sign_in(seeded, OWNER, ADMIN, PASSWORD).status_code == 302


def test_the_owner_is_emailed_once_after_repeated_failures(seeded, boss):
    for i in range(6):
        _sign_in(seeded, f"203.0.113.{i + 1}", ADMIN, f"hunter{i}")
    for i in range(6):  # more of the same burst: still one e-mail
        _sign_in(seeded, f"203.0.113.{i + 100}", ADMIN, f"hunter{i}")
    alerts = [m for m in mails(seeded, to=ADMIN) if re.search(r"sign-?in", m.subject, re.I)]
    assert len(alerts) == 1, [m.subject for m in mails(seeded)]
    assert "hunter" not in alerts[0].body_text  # never the passwords tried
    assert not mails(seeded, to="nobody@desk.test")


def test_failures_for_an_unknown_address_send_no_mail(seeded, boss):
    for i in range(8):
        _sign_in(seeded, f"203.0.113.{i + 1}", "nobody@desk.test", "wrong")
    assert mails(seeded) == []


def test_a_success_is_not_slowed_by_the_owners_own_typos_below_the_free_tries(seeded, boss):
    assert _sign_in(seeded, OWNER, ADMIN, "typo").status_code == 401
    assert _sign_in(seeded, OWNER, ADMIN, "typo again").status_code == 401
    assert _sign_in(seeded, OWNER, ADMIN, PASSWORD).status_code == 302
