"""What staff do about usage flags beyond the first quote: accept a domain for one license, and a
true-up's life after it is sent (one open at a time, void with its invoice, paid raising the covered
audience), with the licensee's documents and pay link on the tracking page."""
from __future__ import annotations

import re
from datetime import date, timedelta

from sqlalchemy import select

from tests.delivery_helpers import active_license, add_usage, pay, token_of
from tests.functional.conftest import parse


def start_of_term() -> date:
    return date.today() + timedelta(days=7)  # the default request starts in a week


def flags_on(desk, number: str) -> str:  # noqa: ANN001
    listed = parse(desk.get(f"/staff/licenses/{number}/usage").data).find(id="usage-flags")
    return listed.text if listed is not None else ""


def outbox(app) -> dict:  # noqa: ANN001
    from licensing.core.db import new_session
    from licensing.core.models import OutboxMessage

    with app.app_context(), new_session() as s:
        return {m.tag: m for m in s.scalars(select(OutboxMessage)) if m.tag}


def accept_quote(app, desk, number: str) -> str:  # noqa: ANN001
    """Staff send the true-up, the licensee accepts it: the true-up invoice's number."""
    assert desk.post(f"/staff/licenses/{number}/usage/true-up").status_code == 302
    [mail] = [m for tag, m in outbox(app).items() if tag.startswith("true-up:")][-1:]
    accept_path = "/" + re.search(r"http\S+/true-up/\S+", mail.body_text).group(0).split("/", 3)[3]
    answer = app.test_client().post(accept_path)
    return re.search(r"/pay/(INV-[0-9-]+)/", answer.headers["Location"]).group(1)


def over_audience(app, number: str) -> None:  # noqa: ANN001
    add_usage(app, number, [(start_of_term() + timedelta(days=n), "leeds-post.example", 8_000) for n in range(20)])


def test_a_domain_staff_accept_no_longer_raises_the_flag(seeded, staff, tmp_path, quiet):
    made = active_license(seeded, tmp_path, staff[0])
    add_usage(seeded, made.license_number, [(start_of_term(), "copycat.example", 50),
                                            (start_of_term(), "second-site.example", 40),
                                            (start_of_term(), "ampproject.org", 900)])  # an AMP cache: the licensee's
    _uid, desk = staff
    flags = flags_on(desk, made.license_number)
    assert "copycat.example" in flags and "second-site.example" in flags and "ampproject.org" not in flags

    refused = desk.post(f"/staff/licenses/{made.license_number}/usage/accept-domain",
                        data={"domain": "elsewhere.example"}, follow_redirects=True)
    assert "Not accepted: elsewhere.example is not among the flagged domains of this licence." in \
        refused.get_data(as_text=True)

    accepted = desk.post(f"/staff/licenses/{made.license_number}/usage/accept-domain",
                         data={"domain": "second-site.example"}, follow_redirects=True)
    page = parse(accepted.data)
    assert "second-site.example is accepted for this licence" in page.text
    assert "second-site.example" not in page.by_id("usage-flags").text
    assert "copycat.example" in page.by_id("usage-flags").text
    assert page.by_id("accepted-domains").text.startswith("second-site.example, accepted")

    desk.post(f"/staff/licenses/{made.license_number}/usage/accept-domain", data={"domain": "copycat.example"})
    assert flags_on(desk, made.license_number) == ""  # no flag left


def test_accepting_a_domain_is_for_staff(seeded, staff, tmp_path, quiet):
    from tests.finance_helpers import finance_client

    made = active_license(seeded, tmp_path, staff[0])
    add_usage(seeded, made.license_number, [(start_of_term(), "copycat.example", 50)])
    answer = finance_client(seeded).post(f"/staff/licenses/{made.license_number}/usage/accept-domain",
                                         data={"domain": "copycat.example"})
    assert answer.status_code == 403
    assert "copycat.example" in flags_on(staff[1], made.license_number)


def test_one_true_up_open_at_a_time_and_a_void_invoice_voids_it(seeded, staff, tmp_path, quiet):
    from invoices.finance import services as finance
    from licensing.core.db import get_session

    made = active_license(seeded, tmp_path, staff[0])
    over_audience(seeded, made.license_number)
    _uid, desk = staff
    invoice_number = accept_quote(seeded, desk, made.license_number)

    again = desk.post(f"/staff/licenses/{made.license_number}/usage/true-up", follow_redirects=True)
    assert re.search(r"Not sent: A true-up quote sent on \d{2} \w+ \d{4} is still unpaid; a new one can be sent "
                     r"once it is paid or void\.", again.get_data(as_text=True))

    token = token_of(seeded, made.reference)
    licensee = seeded.test_client()
    track = parse(licensee.get(f"/track/{token}").data)
    [pay_link] = [a for a in track.find_all("a") if a.text == f"Pay invoice {invoice_number}"]
    assert f"/pay/{invoice_number}/" in pay_link.attrs["href"]
    download = licensee.get(f"/track/{token}/documents/{invoice_number}.pdf")
    assert download.status_code in (200, 202)  # the true-up's invoice is the licensee's document too

    with seeded.test_request_context("/"):
        finance.void(get_session(), invoice_number, "fay@desk.test", "Measured by a test page")
    mails = outbox(seeded)
    [voided] = [m for tag, m in mails.items() if tag.startswith("true-up-void:")]
    assert voided.subject == f"True-up invoice {invoice_number} is cancelled"
    assert re.search(r"Credit note CN-\d{4}-\d{5} records the cancellation \(£\d[\d,]*\.\d{2}\)", voided.body_text)
    assert f"Licence {made.license_number} stays as it was." in voided.body_text

    track = parse(licensee.get(f"/track/{token}").data)
    assert "Void" in track.find(cls="true-up").text
    assert not [a for a in track.find_all("a") if a.text == f"Pay invoice {invoice_number}"]
    with seeded.app_context():
        from licensing.core.db import new_session
        from licensing.licenses.models import License

        with new_session() as s:
            assert s.scalars(select(License.status).where(License.number == made.license_number)).one() == "active"

    sent = desk.post(f"/staff/licenses/{made.license_number}/usage/true-up", follow_redirects=True)
    assert "True-up quote sent to the licensee" in sent.get_data(as_text=True)  # a new one, once the old is void


def test_a_paid_true_up_covers_the_extra_audience(seeded, staff, tmp_path, quiet):
    made = active_license(seeded, tmp_path, staff[0])
    over_audience(seeded, made.license_number)
    _uid, desk = staff
    assert "beyond the licensed audience" in flags_on(desk, made.license_number)
    pay(seeded, accept_quote(seeded, desk, made.license_number))

    page = parse(desk.get(f"/staff/licenses/{made.license_number}/usage").data)
    assert page.by_id("licensed-audience").text == "160,000 a month (raised from 25,000 by a paid true-up)"
    assert "beyond the licensed audience" not in flags_on(desk, made.license_number)
    again = desk.post(f"/staff/licenses/{made.license_number}/usage/true-up", follow_redirects=True)
    assert "Not sent: The measured use is within the licensed audience" in again.get_data(as_text=True)
