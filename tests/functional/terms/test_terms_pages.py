"""The standard terms: a public page per version (every version kept), published by admins with a
preview, recorded on the request, named on the license; the seller's English on the pages."""
from __future__ import annotations

import pytest

from tests.documents_helpers import approve, document_of, license_of, pdf_text
from tests.functional.conftest import parse
from tests.staff_fixtures import add_user, signed_in, state, submit

SECTIONS = ("What you may do", "What each term allows", "What you may not do", "Credit and link",
            "No change of meaning", "Corrections and takedown", "Warranties and liability", "Termination",
            "Governing law and jurisdiction", "Entire agreement", "How you accept these terms")


def test_the_first_run_publishes_the_demo_terms_as_version_1(client, seeded):
    page = client.get("/terms")
    assert page.status_code == 200
    text = parse(page.data).text
    assert "Version 1, published" in text and "by Middle East Eye Ltd" in text
    for heading in SECTIONS:
        assert heading in text, heading
    assert "governed by the law of England and Wales" in text  # from the settings
    assert "The courts of England and Wales have exclusive jurisdiction" in text
    assert "{{" not in text
    assert "licence" in text and "a license " not in text  # en-GB: the noun is "licence"
    assert client.get("/terms/1").status_code == 200
    assert client.get("/terms/2").status_code == 404


def test_only_admins_publish(seeded):
    staff = signed_in(seeded, "staff@desk.test", "Sam Staff", ["staff"])
    assert staff.client.get("/admin/terms").status_code == 403
    anonymous = seeded.test_client().get("/admin/terms")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


def test_an_admin_previews_then_publishes_a_new_version_and_old_ones_stay(seeded):
    admin = signed_in(seeded, "admin@desk.test", "Ada Admin", ["admin"])
    form = parse(admin.client.get("/admin/terms").data)
    typed = form.find("textarea").text
    assert "{{ governing_law }}" in typed  # the demo text with its placeholders
    new_text = typed.replace("## 1. What you may do", "## 1. What you may do (revised)")
    preview = admin.client.post("/admin/terms", data={"text": new_text, "action": "preview"})
    assert preview.status_code == 200
    shown = parse(preview.data).find("section", cls="terms-preview").text
    assert "Preview of version 2" in shown and "What you may do (revised)" in shown
    assert "England and Wales" in shown  # placeholders filled in the preview
    assert seeded.test_client().get("/terms/2").status_code == 404  # a preview publishes nothing
    published = admin.client.post("/admin/terms", data={"text": new_text, "action": "publish"})
    assert published.status_code == 302 and published.headers["Location"].endswith("/terms/2")
    public = seeded.test_client()
    assert "What you may do (revised)" in parse(public.get("/terms").data).text
    old = parse(public.get("/terms/1").data).text
    assert "What you may do (revised)" not in old and "This is version 1" in old and "The current version is 2" in old


@pytest.mark.parametrize(("text", "message"), [
    ("Law: {{ law }}", "Unknown placeholder(s): law."),
    ("   ", "Write the text of the new version."),
])
def test_a_bad_text_is_refused_beside_the_field_and_kept(seeded, text, message):
    admin = signed_in(seeded, "admin@desk.test", "Ada Admin", ["admin"])
    response = admin.client.post("/admin/terms", data={"text": text, "action": "publish"})
    assert response.status_code == 422
    page = parse(response.data)
    assert page.find("p", cls="error").text == message
    assert page.find("textarea").text == text.strip() or text.isspace()
    assert seeded.test_client().get("/terms/2").status_code == 404


def test_typed_markup_is_shown_as_text(seeded):
    admin = signed_in(seeded, "admin@desk.test", "Ada Admin", ["admin"])
    admin.client.post("/admin/terms", data={"text": "# Terms\n\n<script>alert(1)</script> **bold**",
                                             "action": "publish"})
    body = seeded.test_client().get("/terms/2").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<strong>bold</strong>" in body


def test_the_form_links_the_version_the_request_records_and_the_license_keeps_it(client, seeded):
    form = parse(client.get("/republish").data)
    link = form.by_id("terms-link")
    assert link.attrs["href"] == "/terms/1" and "(version 1)" in form.find("label", for_="terms_accepted").text
    meanings = form.by_id("term-meanings").text
    assert "One-off use : One publication" in meanings and "made within 30 days of the start date" in meanings
    assert "30 days : The article may be displayed or re-run for 30 days from the start, then removed." in meanings
    made = submit(seeded)
    assert state(seeded, made.reference).terms_version == 1
    admin = signed_in(seeded, "admin@desk.test", "Ada Admin", ["admin"])
    admin.client.post("/admin/terms", data={"text": "# Terms, version {{ version }}", "action": "publish"})
    approve(seeded, made.reference, add_user(seeded, "rev@desk.test", "Rae", ["staff"]))
    lic = license_of(seeded, made.reference)
    assert lic.terms_version == 1  # accepted before version 2: keeps 1
    assert "standard terms version 1" in pdf_text(document_of(seeded, lic.number).pdf)
    track = parse(client.get(f"/track/{made.token}").data)
    assert track.by_id("terms-accepted").find("a").attrs["href"] == "/terms/1"
    later = submit(seeded)
    assert state(seeded, later.reference).terms_version == 2


class TestAmericanEnglish:
    @pytest.fixture
    def app_config(self) -> dict:
        return {"SELLER_ENGLISH": "en-US"}

    def test_the_terms_and_the_license_say_license(self, client, seeded):
        text = parse(client.get("/terms").data).text
        assert "licence" not in text.lower() and "every republishing license we issue" in text
        made = submit(seeded)
        approve(seeded, made.reference, add_user(seeded, "rev@desk.test", "Rae", ["staff"]))
        pdf = pdf_text(document_of(seeded, license_of(seeded, made.reference).number).pdf)
        assert "License number" in pdf and "licence" not in pdf.lower()


def pages_and_mail_of_a_license(app, client) -> tuple[str, str, str, str]:  # noqa: ANN001
    """The verify page, the tracking page, the approval e-mail (subject and body) and the API's
    timeline of one approved request, as the licensee gets them."""
    from sqlalchemy import select

    from licensing.core.db import new_session
    from licensing.core.models import OutboxMessage

    made = submit(app)
    approve(app, made.reference, add_user(app, "rev@desk.test", "Rae", ["staff"]))
    number = license_of(app, made.reference).number
    with app.app_context(), new_session() as s:
        approved = [m for m in s.scalars(select(OutboxMessage)) if "approved" in m.subject][-1]
        mail = approved.subject + "\n" + approved.body_text
    token = made.token
    api = client.get(f"/api/v1/requests/{made.reference}", headers={"Authorization": f"Bearer {token}"}).get_json()
    return (parse(client.get(f"/verify/{number}").data).text, parse(client.get(f"/track/{token}").data).text,
            mail, " ".join(event["message"] for event in api["timeline"]))


def test_a_british_seller_says_licence_on_pages_and_in_e_mails(client, seeded):
    verify, track, mail, _timeline = pages_and_mail_of_a_license(seeded, client)
    assert "This licence is genuine" in verify and "Verify a licence" in verify
    assert "Your licence LIC-" in track
    assert "Download your licence agreement" in mail
    assert "licensed" in track  # the verb and its forms keep their s


class TestAmericanEnglishEverywhere:
    """The broken counterpart of the test above: the same pages and e-mail for an American seller
    say "license", without a single "licence" left (pages, e-mails and the API's timeline)."""

    @pytest.fixture
    def app_config(self) -> dict:
        return {"SELLER_ENGLISH": "en-US"}

    def test_pages_e_mails_and_the_api_say_license(self, client, seeded):
        verify, track, mail, timeline = pages_and_mail_of_a_license(seeded, client)
        assert "This license is genuine" in verify and "Verify a license" in verify
        assert "Your license LIC-" in track
        assert "Download your license agreement" in mail
        for text in (verify, track, mail, timeline):
            assert "licence" not in text.lower()
