"""How long a sign-in must wait, from failures counted per client address and per (account, address).

The old rule counted failures per account from anywhere and then locked the account: anyone could
keep an admin out with ten wrong passwords every fifteen minutes. Here failures from one address
only ever slow that address: guessing one account from an address slows that pair with growing
delays, guessing many accounts from an address slows the address, and the owner signing in from
another address is never made to wait. Nothing locks. The owner is e-mailed once a burst of
failures on their account crosses ALERT_AFTER. Pure: plain numbers in, seconds out."""
from __future__ import annotations

FREE_TRIES = 3  # failures of one (account, address) before each further try waits
PAIR_MAX_DELAY = 300  # seconds: the delay doubles from 1 s up to this
ADDRESS_FREE_TRIES = 10  # failures from one address, whatever the accounts, before it waits
ADDRESS_MAX_DELAY = 900
ALERT_AFTER = 5  # failures on one account (from any address) in a burst before the owner is told


def _doubling(failures: int, free: int, ceiling: int) -> int:
    if failures < free:
        return 0
    return min(2 ** min(failures - free, 30), ceiling)


def pair_delay(failures: int) -> int:
    """Seconds between tries after `failures` failures of one account from one address."""
    return _doubling(failures, FREE_TRIES, PAIR_MAX_DELAY)


def address_delay(failures: int) -> int:
    """Seconds between tries after `failures` failures from one address on any accounts."""
    return _doubling(failures, ADDRESS_FREE_TRIES, ADDRESS_MAX_DELAY)


def wait_seconds(pair_failures: int, address_failures: int, seconds_since_last_failure: float) -> int:
    """How long this address must still wait before trying this account (0: it may try now)."""
    delay = max(pair_delay(pair_failures), address_delay(address_failures))
    left = delay - seconds_since_last_failure
    return max(0, int(left) + (1 if left > int(left) else 0))


def should_alert_owner(account_failures: int, alerted_in_this_burst: bool) -> bool:
    """Whether this failure is the one that makes the app e-mail the account's owner."""
    return account_failures >= ALERT_AFTER and not alerted_in_this_burst
