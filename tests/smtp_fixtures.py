"""A real SMTP server (aiosmtpd) on a free loopback port, for the tests that check what a mail server
receives: `smtp_server` yields the controller and the inbox of envelopes it accepted."""
from __future__ import annotations

import pytest
from aiosmtpd.controller import Controller

from tests.stripe_fixtures import free_port


class Inbox:
    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ANN201, N802
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), server_hostname="smtp.test")
    controller.start()
    yield controller, inbox
    controller.stop()
