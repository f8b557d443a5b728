"""Table tests of licensing/core/throttle.py: growing delays per (account, address) and per
address, never a lock, and one alert to the owner per burst."""
from __future__ import annotations

import pytest

from licensing.core.throttle import address_delay, pair_delay, should_alert_owner, wait_seconds


@pytest.mark.parametrize(("failures", "seconds"), [
    (0, 0), (2, 0), (3, 1), (4, 2), (5, 4), (8, 32), (11, 256), (12, 300), (1000, 300), (10**9, 300)])
def test_pair_delay_grows_and_is_capped(failures, seconds):
    assert pair_delay(failures) == seconds


@pytest.mark.parametrize(("failures", "seconds"), [(0, 0), (9, 0), (10, 1), (14, 16), (20, 900), (10**6, 900)])
def test_address_delay(failures, seconds):
    assert address_delay(failures) == seconds


@pytest.mark.parametrize(("pair", "address", "since", "wait"), [
    (0, 0, 0.0, 0),  # the owner from an address with no failures: never waits
    (0, 9, 0.0, 0),
    (3, 0, 0.0, 1),
    (5, 0, 1.5, 3),
    (5, 0, 4.0, 0),
    (12, 0, 10.0, 290),
    (0, 14, 0.0, 16),
])
def test_wait_seconds(pair, address, since, wait):
    assert wait_seconds(pair, address, since) == wait


def test_no_number_of_failures_locks_for_more_than_the_cap():
    assert max(wait_seconds(n, n, 0.0) for n in range(0, 500)) == 900
    assert wait_seconds(10, 0, 0.0) == 128  # the broken counterpart: ten failures do slow that pair


@pytest.mark.parametrize(("failures", "alerted", "alert"), [
    (4, False, False), (5, False, True), (6, True, False), (50, False, True)])
def test_should_alert_owner(failures, alerted, alert):
    assert should_alert_owner(failures, alerted) is alert
