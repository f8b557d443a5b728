"""What a real SMTP server (aiosmtpd) receives after a full refund: the credit-note e-mail and the
revocation e-mail, each RFC 5322 complete (From, To, Date, a Message-ID on the seller's domain, a
plain-text part), checked by header_problems; and the same check flags a message without a Date.
Also the optional VIES lookup, against a local stand-in of the service (tests never need the network)."""
from __future__ import annotations

import http.server
import json
import threading
from email import message_from_bytes, policy

import pytest
from sqlalchemy import select

from licensing.core.mail import header_problems
from tests.finance_helpers import finance_client, invoice
from tests.functional.billing.test_einvoicing import _pay, _refund
from tests.functional.conftest import api_body
from tests.staff_fixtures import PUBLISHER_EMAIL, add_user
from tests.stripe_fixtures import free_port


class TestRefundMailOverSmtp:
    @pytest.fixture
    def app_config(self, smtp_server) -> dict:
        controller, _inbox = smtp_server
        return {"MAIL_URL": f"smtp://{controller.hostname}:{controller.port}",
                "PUBLIC_BASE_URL": "https://licensing.middleeasteye.example"}

    def test_the_credit_note_and_revocation_e_mails_arrive_complete(self, seeded, smtp_server):
        _controller, inbox = smtp_server
        staff = add_user(seeded, "sam@desk.test", "Sam Staff", ["staff"])
        finance = finance_client(seeded)
        from tests.finance_helpers import approved

        lic = approved(seeded, staff, country="DE", vat_id="DE136695976")
        _pay(finance, lic.invoice_number)
        assert _refund(finance, lic.invoice_number).status_code == 302
        note, = invoice(seeded, lic.invoice_number).credit_notes

        received = {message_from_bytes(e.content, policy=policy.default)["Subject"]: e for e in inbox.envelopes
                    if PUBLISHER_EMAIL in e.rcpt_tos}
        credit = received[f"Refund on invoice {lic.invoice_number}: credit note {note.number}"]
        revoked = received[f"Licence {lic.license_number} is revoked after a full refund"]
        for envelope in (credit, revoked):
            assert header_problems(envelope.content, "licensing.middleeasteye.example") == []
            parsed = message_from_bytes(envelope.content, policy=policy.default)
            assert parsed["From"] == "Syndication Desk <licensing@syndication-desk.org>"
            assert parsed["Message-ID"].endswith("@licensing.middleeasteye.example>")
            assert parsed.get_content_type() == "text/plain"
        text = message_from_bytes(credit.content, policy=policy.default).get_body(("plain",)).get_content()
        assert "/documents/" + note.number + ".pdf" in text
        assert "licence " + lic.license_number + " is revoked" in text
        gone = message_from_bytes(revoked.content, policy=policy.default).get_body(("plain",)).get_content()
        assert f"Licence {lic.license_number} is revoked: invoice {lic.invoice_number} was refunded in full" in gone
        ids = [message_from_bytes(e.content, policy=policy.default)["Message-ID"] for e in inbox.envelopes]
        assert len(set(ids)) == len(ids)  # each message its own id

        # the broken counterpart: the same message without its Date (and one on another domain)
        no_date = credit.content.replace(b"\r\nDate: ", b"\r\nX-Was-Date: ", 1)
        assert no_date != credit.content
        assert header_problems(no_date, "licensing.middleeasteye.example") == [
            "no Date header (exactly one is required)"]
        assert header_problems(credit.content, "other.example") == [
            "Message-ID is on licensing.middleeasteye.example, not the seller's domain other.example"]
        no_id = credit.content.replace(b"\r\nMessage-ID: ", b"\r\nX-Was: ", 1)
        assert header_problems(no_id) == ["no Message-ID header of the form <id@domain>"]


# ------------------------------------------------------------------------------------------------ VIES

class _Vies(http.server.BaseHTTPRequestHandler):
    asked: list[dict] = []
    answer: bytes = b'{"valid": true}'

    def do_POST(self):  # noqa: N802, ANN201
        type(self).asked.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(type(self).answer)

    def log_message(self, *_args):  # noqa: ANN002, ANN201
        pass


@pytest.fixture
def vies():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Vies)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Vies.asked.clear()
    yield f"http://127.0.0.1:{server.server_address[1]}/check-vat-number"
    server.shutdown()
    server.server_close()


def _stored(app):  # noqa: ANN001, ANN202
    from licensing.core.db import new_session
    from licensing.intake.models import RepublishRequest

    with app.app_context(), new_session() as s:
        return s.scalars(select(RepublishRequest)).one()


class TestViesOn:
    @pytest.fixture
    def app_config(self, vies) -> dict:
        return {"VIES_CHECK": True, "VIES_URL": vies}

    @pytest.mark.parametrize(("answer", "result"), [(b'{"valid": true}', "valid"), (b'{"valid": false}', "invalid"),
                                                    (b"not json", "unavailable")])
    def test_the_answer_and_its_date_are_stored_on_the_request(self, seeded, client, answer, result, monkeypatch):
        monkeypatch.setattr(_Vies, "answer", answer)
        response = client.post("/api/v1/requests", json=api_body(country="DE", vat_id="DE 136695976"))
        assert response.status_code == 201
        assert _Vies.asked == [{"countryCode": "DE", "vatNumber": "136695976"}]
        stored = _stored(seeded)
        assert (stored.vies_result, stored.vies_checked_at is not None) == (result, True)

    def test_a_service_that_does_not_answer_leaves_the_request_standing(self, seeded, client):
        seeded.config["SETTINGS"].vies_url = f"http://127.0.0.1:{free_port()}/nothing-listens"
        response = client.post("/api/v1/requests", json=api_body(country="FR", vat_id="FR40303265045"))
        assert response.status_code == 201
        assert _stored(seeded).vies_result == "unavailable"


def test_with_vies_off_nothing_is_asked(seeded, client, vies):
    response = client.post("/api/v1/requests", json=api_body(country="DE", vat_id="DE136695976"))
    assert response.status_code == 201
    assert _Vies.asked == []
    stored = _stored(seeded)
    assert (stored.vies_result, stored.vies_checked_at) == ("", None)


# ------------------------------------------------------------------------------------ seller settings

@pytest.mark.parametrize(("setting", "value", "message"), [
    ("SELLER_IBAN", "GB33BUKB20201555555556", "SELLER_IBAN: GB33BUKB20201555555556 is not a valid IBAN: its check "
                                              "digits do not match. Check it for a typing error."),
    ("SELLER_BIC", "BUKB", "SELLER_BIC: BUKB is not in the form of a BIC"),
    ("SELLER_PAYMENT_MEANS", "cheque", "SELLER_PAYMENT_MEANS is transfer, card or both, got 'cheque'"),
])
def test_a_mistyped_seller_account_stops_the_app_at_start(database_url, setting, value, message):
    from app import create_app

    with pytest.raises(ValueError, match="^" + message.replace("(", r"\(").replace(")", r"\)")):
        create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "x", setting: value})


def test_a_card_only_seller_needs_no_iban(database_url):
    from app import create_app

    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "x",
                      "SELLER_PAYMENT_MEANS": "card", "SELLER_IBAN": ""})
    app.extensions["database"].dispose()
