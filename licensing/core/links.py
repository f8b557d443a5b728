"""Private links in e-mail text, masked for anyone but the recipient.

A set-password link makes its first user the account's owner; a tracking link lets its holder
withdraw a request; a payment link shows an invoice and takes its payment. The outbox keeps every
message the app sends, so whoever reads the outbox must see where such a link pointed, never the
secret part of it. Pure: standard library only."""
from __future__ import annotations

import re

MASK = "[private link hidden]"
# The secret is one path segment: the token of /set-password/<token> and /track/<token>, the
# second segment of /pay/<invoice number>/<token>. What follows it (/documents/..., ?query) is kept.
_PRIVATE = re.compile(r"(/set-password/|/track/|/pay/[^/\s?#<>\"']+/)(?!" + re.escape(MASK) + r")([^/\s?#<>\"']+)")
NOTE = "This message holds a private link; only its recipient may see it."


def mask_private_links(text: str) -> tuple[str, int]:
    """The text with the secret part of every private link replaced by MASK, and how many there were."""
    found = 0

    def hide(match: re.Match) -> str:
        nonlocal found
        found += 1
        return match.group(1) + MASK

    return _PRIVATE.sub(hide, text), found


def holds_private_link(text: str) -> bool:
    return mask_private_links(text)[1] > 0
