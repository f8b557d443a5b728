"""The republication package, the pixel, usage, flags with the true-up path, and corrections, through
the app's pages and API with the real services (feed import, approval, payment)."""
from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path

from jsonschema import Draft202012Validator
from sqlalchemy import select

from tests.conftest import EXAMPLE_URL
from tests.delivery_helpers import (
    PHOTO_NOT,
    PHOTO_OK,
    active_license,
    add_usage,
    import_body,
    pay,
    token_of,
)
from tests.finance_helpers import approved
from tests.functional.conftest import parse

SCHEMA = Path(__file__).resolve().parents[2] / "validators" / "reference" / "ninjs" / "ninjs-schema_2.1.json"


def test_package_is_sanitised_filtered_and_credited(seeded, staff, tmp_path, quiet):
    made = active_license(seeded, tmp_path, staff[0])
    client = seeded.test_client()
    token = token_of(seeded, made.reference)
    track = parse(client.get(f"/track/{token}").data)
    assert track.by_id("package-link").attrs["href"] == f"/track/{token}/package"

    page = client.get(f"/track/{token}/package")
    assert page.status_code == 200
    html = client.get(f"/track/{token}/package.html").get_data(as_text=True)
    for payload in ("<script", "alert(", "onerror", "onclick", "javascript:", "<style", "<svg"):
        assert payload not in html.lower(), payload
    assert PHOTO_OK in html  # licensed: kept
    assert PHOTO_NOT not in html  # excluded: removed, a note in its place
    assert "[image not licensed]" in html
    assert html.count("Middle East Eye") >= 1 and "Originally published by" in html
    assert f"Republished under license {made.license_number}" in html
    assert f'<link rel="canonical" href="{EXAMPLE_URL}">' in html
    assert re.search(rf'<img src="http://[^"]+/p/{made.license_number}/[0-9a-f]{{32}}\.gif" width="1" height="1"', html)
    text = client.get(f"/track/{token}/package.txt").get_data(as_text=True)
    assert "First paragraph of the story." in text and "alert" not in text
    assert f"Republished under license {made.license_number}" in text


def test_ninjs_rendition_validates_and_a_broken_one_fails(seeded, staff, tmp_path, quiet):
    made = active_license(seeded, tmp_path, staff[0])
    token = token_of(seeded, made.reference)
    doc = seeded.test_client().get(f"/track/{token}/package.json").get_json()
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    assert list(validator.iter_errors(doc)) == []
    assert doc["rightsinfo"]["linkedrights"].endswith(f"/verify/{made.license_number}")
    assert [a["uri"] for a in doc["associations"]] == [PHOTO_OK]
    broken = dict(doc, pubstatus="published")  # not one of usable, withheld, canceled
    assert list(validator.iter_errors(broken)) != []


def test_package_gone_after_revocation(seeded, staff, tmp_path, quiet):
    from licensing.core.db import new_session
    from licensing.licenses.models import License

    made = active_license(seeded, tmp_path, staff[0])
    token = token_of(seeded, made.reference)
    with seeded.app_context(), new_session() as s:
        lic = s.scalars(select(License).where(License.number == made.license_number)).one()
        lic.status = "revoked"
        s.commit()
    client = seeded.test_client()
    page = client.get(f"/track/{token}/package")
    assert page.status_code == 410
    assert "revoked" in parse(page.data).by_id("package-gone").text
    assert client.get(f"/track/{token}/package.json").status_code == 410
    body = client.get(f"/api/v1/requests/{made.reference}", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert body["package"]["available"] is False and "revoked" in body["package"]["reason"]


def pixel_of(page_html: str) -> str:
    return re.search(r'<img src="https?://[^/"]+(/p/[^"]+\.gif)"', page_html).group(1)


def test_pixel_counts_views_apart_from_bots_and_refuses_another_license(seeded, staff, tmp_path, quiet):
    first = active_license(seeded, tmp_path, staff[0])
    second = approved(seeded, staff[0], email="other@paper.example")
    pay(seeded, second.invoice_number)
    client = seeded.test_client()
    token = token_of(seeded, first.reference)
    path = pixel_of(client.get(f"/track/{token}/package.html").get_data(as_text=True))
    browser = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0",
               "Referer": "https://www.leeds-post.example/world/story?reader=jo"}
    for _ in range(3):
        hit = client.get(path, headers=browser)
        assert hit.status_code == 200 and hit.mimetype == "image/gif" and len(hit.data) == 43
        assert "no-store" in hit.headers["Cache-Control"] and "Set-Cookie" not in hit.headers
    client.get(path, headers={"User-Agent": "Googlebot/2.1 (+http://www.google.com/bot.html)"})
    # The first license's token on the second license's number: refused, and nothing counted.
    forged = path.replace(first.license_number, second.license_number)
    assert client.get(forged, headers=browser).status_code == 404
    seeded.extensions["usage_fold_remaining"]()

    from licensing.core.db import new_session
    from licensing.delivery.models import UsageDaily
    from licensing.licenses.models import License

    with seeded.app_context(), new_session() as s:
        rows = s.execute(select(License.number, UsageDaily.referrer_domain, UsageDaily.views, UsageDaily.bot_views)
                         .join(License, License.id == UsageDaily.license_id)).all()
    assert sorted(rows) == [(first.license_number, "", 0, 1), (first.license_number, "leeds-post.example", 3, 0)]

    usage = parse(client.get(f"/track/{token}/usage").data)
    assert usage.by_id("total-views").text == "3"
    assert usage.by_id("bot-views").text == "1"
    assert usage.find("svg") is not None
    assert "leeds-post.example" in usage.by_id("views-by-domain").text
    api = client.get(f"/api/v1/requests/{first.reference}", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert api["usage"]["views"] == 3 and api["usage"]["bot_views"] == 1
    assert api["package"]["available"] is True and api["package"]["ninjs"].endswith("/package.json")


def test_flags_true_up_accepted_and_paid_shows_on_the_license(seeded, staff, tmp_path, quiet):
    from licensing.core.db import new_session
    from licensing.core.models import OutboxMessage

    made = active_license(seeded, tmp_path, staff[0])
    start = date.today() + timedelta(days=7)  # the default request starts in a week
    add_usage(seeded, made.license_number, [(start + timedelta(days=n), "leeds-post.example", 8_000) for n in range(20)]
              + [(start, "copycat.example", 50)])
    _uid, desk = staff
    page = parse(desk.get(f"/staff/licenses/{made.license_number}/usage").data)
    flags = page.by_id("usage-flags").text
    assert "beyond the licensed audience" in flags and "copycat.example" in flags

    assert desk.post(f"/staff/licenses/{made.license_number}/usage/reminder",
                     data={"flag": "other_domain"}).status_code == 302
    assert desk.post(f"/staff/licenses/{made.license_number}/usage/true-up").status_code == 302
    with seeded.app_context(), new_session() as s:
        mails = {m.tag.split(":")[0]: m for m in s.scalars(select(OutboxMessage)) if m.tag}
    assert "copycat.example" in mails["usage-reminder"].body_text
    quote_mail = mails["true-up"].body_text
    assert "160,050 views" in quote_mail  # 20 days x 8,000 + 50 (next audience tier), licensed 25,000
    accept_url = re.search(r"http\S+/true-up/(\S+)", quote_mail).group(0)
    accept_path = "/" + accept_url.split("/", 3)[3]

    licensee = seeded.test_client()
    assert "Accept and pay" in licensee.get(accept_path).get_data(as_text=True)
    answer = licensee.post(accept_path)
    assert answer.status_code == 302 and "/pay/INV-" in answer.headers["Location"]
    invoice_number = re.search(r"/pay/(INV-[0-9-]+)/", answer.headers["Location"]).group(1)
    assert licensee.post(accept_path).headers["Location"] == answer.headers["Location"]  # once only
    pay(seeded, invoice_number)

    token = token_of(seeded, made.reference)
    track = parse(licensee.get(f"/track/{token}").data)
    true_up = track.find(cls="true-up")
    assert true_up is not None and "Paid" in true_up.text and invoice_number in true_up.text
    from licensing.core.db import new_session as fresh
    from licensing.licenses.models import License

    with seeded.app_context(), fresh() as s:
        assert s.scalars(select(License.status).where(License.number == made.license_number)).one() == "active"


def test_correction_on_import_and_cms_push_reaches_active_licensees(seeded, staff, tmp_path, quiet):
    from licensing.core.db import new_session
    from licensing.core.models import OutboxMessage
    from licensing.core.tokens import create_token

    made = active_license(seeded, tmp_path, staff[0], body="<p>The minister said 40 people.</p><p>Second.</p>")
    assert import_body(seeded, tmp_path, "<p>The minister said 40 people.</p><p>Second.</p>") == 0  # same body
    assert import_body(seeded, tmp_path, "<p>The minister said 14 people.</p><p>Second.</p>") == 1
    with seeded.app_context(), new_session() as s:
        sent = [m for m in s.scalars(select(OutboxMessage)) if m.tag.startswith("correction:")]
    assert [m.to_address for m in sent] == ["jo@leeds-post.example"]
    assert "[-40-] {+14+}" in sent[0].body_text and "/package.html" in sent[0].body_text
    assert "The minister said 14 people." in sent[0].body_text
    assert made.license_number in sent[0].subject

    with seeded.app_context(), new_session() as s:
        from licensing.core.models import User

        _row, token = create_token(s, s.get(User, staff[0]), "cms")
        s.commit()
    api = seeded.test_client()
    bad = api.put("/api/v1/staff/articles", json={"canonical_url": EXAMPLE_URL, "title": "T"},
                  headers={"Authorization": f"Bearer {token}"})
    assert bad.status_code == 422 and bad.get_json()["field"] == "body_html"
    pushed = api.put("/api/v1/staff/articles", headers={"Authorization": f"Bearer {token}"}, json={
        "canonical_url": EXAMPLE_URL, "title": "US, Turkey to work closely", "byline": "MEE and agencies",
        "body_html": "<p>The minister said 15 people.</p><p>Second.</p><script>x()</script>"})
    assert pushed.status_code == 200 and pushed.get_json()["corrected"] is True
    assert api.put("/api/v1/staff/articles", json={}).status_code == 401
    with seeded.app_context(), new_session() as s:
        sent = [m for m in s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)) if m.tag.startswith("correction:")]
    assert len(sent) == 2 and "[-14-] {+15+}" in sent[1].body_text and "x()" not in sent[1].body_text
