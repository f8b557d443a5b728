"""Table tests of licensing/core/links.py: the secret part of private links is masked."""
from __future__ import annotations

import pytest

from licensing.core.links import MASK, holds_private_link, mask_private_links

TOKEN = "Zx9_-aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789ab"


@pytest.mark.parametrize(("text", "masked", "count"), [
    (f"Set it here:\n\nhttps://desk.example/set-password/{TOKEN}\n",
     f"Set it here:\n\nhttps://desk.example/set-password/{MASK}\n", 1),
    (f"Follow it: http://127.0.0.1:5000/track/{TOKEN}",
     f"Follow it: http://127.0.0.1:5000/track/{MASK}", 1),
    (f"PDF: https://desk.example/track/{TOKEN}/documents/LIC-2026-00001.pdf",
     f"PDF: https://desk.example/track/{MASK}/documents/LIC-2026-00001.pdf", 1),
    (f"Pay: https://desk.example/pay/INV-2026-00001/{'c0ffee' * 8}?x=1",
     f"Pay: https://desk.example/pay/INV-2026-00001/{MASK}?x=1", 1),
    (f"/track/{TOKEN} and /pay/INV-2026-00002/{TOKEN}", f"/track/{MASK} and /pay/INV-2026-00002/{MASK}", 2),
    ("Verify: https://desk.example/verify/LIC-2026-00001", "Verify: https://desk.example/verify/LIC-2026-00001", 0),
    ("No link at all.", "No link at all.", 0),
])
def test_mask_private_links(text, masked, count):
    assert mask_private_links(text) == (masked, count)
    assert TOKEN not in mask_private_links(text)[0]


def test_masking_twice_changes_nothing_more():
    once, _ = mask_private_links(f"/track/{TOKEN}")
    assert mask_private_links(once) == (f"/track/{MASK}", 0)


def test_holds_private_link():
    assert holds_private_link(f"https://desk.example/set-password/{TOKEN}")
    assert not holds_private_link("https://desk.example/set-password/")  # the broken counterpart: no token
    assert not holds_private_link("https://desk.example/tracking/abc")
