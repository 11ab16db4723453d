"""E-mail through a real SMTP server (aiosmtpd on a local port), sent by the worker after the step."""
from __future__ import annotations

import socket
from email import message_from_bytes
from email.header import decode_header, make_header

import pytest
from aiosmtpd.controller import Controller

from engine import User

from .conftest import fresh_app
from .test_deadline_tracking import one_task, run_worker


class Sink:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content)))
        return "250 OK"


@pytest.fixture
def smtp():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    yield sink, port
    controller.stop()


@pytest.fixture
def mail_app(database_url, clock, smtp):
    app = fresh_app(database_url, clock, WTF_CSRF_ENABLED=False, SMTP_HOST="127.0.0.1", SMTP_PORT=str(smtp[1]),
                    SMTP_SENDER="vanphong@ubnd.local")
    db = app.extensions["chidao"].db
    with db.transaction() as s:
        s.get(User, "sct.cv").email = "sct.cv@sct.local"
    yield app
    with db.transaction() as s:
        s.get(User, "sct.cv").email = None
    db.dispose()


def test_a_reminder_is_also_mailed_to_the_agency_by_the_worker(mail_app, smtp, clock):
    from .conftest import Lifecycle

    sink, _ = smtp
    svc = mail_app.extensions["chidao"]
    Lifecycle(svc).distributed(one_task("2026-12-15"))
    run_worker(svc, clock, "2026-12-10T08:00")
    assert len(sink.messages) == 1
    recipients, message = sink.messages[0]
    assert recipients == ["sct.cv@sct.local"] and message["From"] == "vanphong@ubnd.local"
    assert str(make_header(decode_header(message["Subject"]))) == "Sắp đến hạn: nhiệm vụ 1"
    assert "còn 3 ngày làm việc" in message.get_payload(decode=True).decode("utf-8")
