"""The delivery tests' shared steps: a feed with a body to import, an active license made through the
real services (import, approval, bank transfer), its tracking token, and usage rows put in place."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from tests.conftest import EXAMPLE_URL
from tests.finance_helpers import approved

PHOTO_OK = "https://www.middleeasteye.net/sites/default/files/ok-photo.jpg"
PHOTO_NOT = "https://www.middleeasteye.net/sites/default/files/agency-photo.jpg"
XSS_BODY = f"""
<p>First paragraph of the story.<script>alert('x')</script></p>
<p onclick="steal()">Second <a href="javascript:alert(1)">link</a> <img src="x" onerror="alert(2)"></p>
<style>body{{display:none}}</style><svg><script>alert(3)</script></svg>
<iframe src="javascript:alert(4)"></iframe>
<figure><img src="{PHOTO_OK}" alt="Our photo"><figcaption>Our photo</figcaption></figure>
<figure><img src="{PHOTO_NOT}" alt="Agency photo"><figcaption>Agency photo</figcaption></figure>
<p>Closing paragraph.</p>
"""


def feed(body: str, title: str = "US, Turkey to work closely to deal IS 'lasting defeat': US defence secretary") -> bytes:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:sd="https://syndication-desk.org/ns/1.0"><channel>
<item><title>{title}</title><link>{EXAMPLE_URL}</link><description>Washington is alarmed</description>
<dc:creator>MEE and agencies</dc:creator>
<content:encoded><![CDATA[{body}]]></content:encoded>
<media:content url="{PHOTO_OK}" medium="image" sd:licensable="true">
  <media:credit>Photograph: MEE</media:credit></media:content>
<media:content url="{PHOTO_NOT}" medium="image" sd:licensable="false">
  <media:credit>Photograph: AFP</media:credit></media:content>
</item></channel></rss>""".encode()


def import_body(app, tmp_path, body: str) -> int:  # noqa: ANN001
    from licensing.catalog.services import import_feed
    from licensing.core.db import new_session

    path = tmp_path / f"feed-{abs(hash(body))}.xml"
    path.write_bytes(feed(body))
    with app.test_request_context("/"), new_session() as s:
        return import_feed(s, str(path)).corrected


def pay(app, invoice_number: str) -> None:  # noqa: ANN001
    from invoices.finance.services import mark_paid
    from licensing.core.db import new_session

    with app.test_request_context("/"), new_session() as s:
        mark_paid(s, invoice_number, "test", "BANK-1", date.today().isoformat())


def active_license(app, tmp_path, staff_id: int, body: str = XSS_BODY):  # noqa: ANN001, ANN201
    import_body(app, tmp_path, body)
    made = approved(app, staff_id, media_wanted=True)
    pay(app, made.invoice_number)
    return made


def token_of(app, reference: str) -> str:  # noqa: ANN001
    from licensing.core.db import new_session
    from licensing.intake.models import RepublishRequest
    from licensing.intake.services import derive_tracking_token

    with app.app_context(), new_session() as s:
        req = s.scalars(select(RepublishRequest).where(RepublishRequest.reference == reference)).one()
        return derive_tracking_token(req.reference, req.tracking_nonce)


def add_usage(app, number: str, rows: list[tuple[date, str, int]]) -> None:  # noqa: ANN001
    from licensing.core.db import new_session
    from licensing.delivery.models import UsageDaily
    from licensing.licenses.models import License

    with app.app_context(), new_session() as s:
        lic = s.scalars(select(License).where(License.number == number)).one()
        s.add_all(UsageDaily(license_id=lic.id, day=day, referrer_domain=domain, views=views, bot_views=0)
                  for day, domain, views in rows)
        s.commit()
