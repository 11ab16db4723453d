"""E-mail through a real SMTP server (aiosmtpd on a local port), sent by the worker after the step, once:
a worker killed in the middle of a hand-over (a real ``kill -9`` of a ``chidao worker`` process) neither
loses the message nor sends it twice."""
from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import threading
from datetime import datetime, timedelta
from email import message_from_bytes
from email.header import decode_header, make_header
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from engine import User
from engine.clock import LOCAL_TZ
from engine.jobs import INCIDENT, Job, retry_incident
from workflows.email_delivery import SENT, UNCERTAIN, EmailDelivery
from workflows.notifications import Mailer, notify

from .conftest import fresh_app
from .test_deadline_tracking import one_task, run_worker


class Sink:
    """Keeps what it accepts. ``hang_at`` ("RCPT" or "DATA") makes it stall there, once, as a slow or
    stuck mail server would, with ``stalled`` set when it does; a stall at DATA comes after the message
    has arrived, before the server says it took it."""

    def __init__(self):
        self.messages = []
        self.hang_at: str | None = None
        self.stalled = threading.Event()

    async def _maybe_hang(self, where: str) -> None:
        if self.hang_at == where:
            self.hang_at = None
            self.stalled.set()
            await asyncio.sleep(60)

    async def handle_RCPT(self, server, session, envelope, address, options):
        await self._maybe_hang("RCPT")
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content)))
        await self._maybe_hang("DATA")
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


def mail_to_sct(svc, smtp_port: int) -> str:
    """One notification to sct.cv, with its e-mail job; the job's id."""
    with svc.db.transaction() as s:
        notify(s, Mailer("127.0.0.1", smtp_port, "vanphong@ubnd.local"), datetime.now(LOCAL_TZ),
               [s.get(User, "sct.cv")], "reminder", "Sắp đến hạn: nhiệm vụ 1", "Còn 3 ngày làm việc.")
        return s.scalars(select(Job.id).where(Job.kind == "email")).one()


def killed_mid_send(database_url: str, tmp_path: Path, smtp_port: int, sink: Sink) -> None:
    """Run ``chidao worker --once`` in its own process and ``kill -9`` it while the mail server stalls."""
    chidao = Path(sys.executable).with_name("chidao")
    worker = subprocess.Popen([str(chidao), "worker", "--once"], cwd=tmp_path, env={
        **os.environ, "DATABASE_URL": database_url, "CHIDAO_INSTANCE": str(tmp_path), "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp_port), "SMTP_SENDER": "vanphong@ubnd.local",
        "ANCHOR_WITNESS": str(tmp_path / "witness.jsonl")}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        assert sink.stalled.wait(60), worker.stderr.read().decode() if worker.poll() is not None else "no stall"
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)


def mail_killed_at(stage: str, mail_app, smtp, database_url: str, tmp_path: Path):
    """One e-mail, and a worker process killed while the mail server stalls at ``stage``: (sink, svc, job id)."""
    sink, port = smtp
    svc = mail_app.extensions["chidao"]
    job_id = mail_to_sct(svc, port)
    sink.hang_at = stage
    killed_mid_send(database_url, tmp_path, port, sink)
    return sink, svc, job_id


def the_worker_comes_back(svc, clock) -> None:
    """Another worker, once the dead one's lease on the job has run out."""
    clock.set(datetime.now(LOCAL_TZ) + timedelta(minutes=10))
    svc.worker.tick_all()


def test_each_email_goes_out_once_with_its_idempotency_key_as_message_id(mail_app, smtp, clock):
    sink, port = smtp
    svc = mail_app.extensions["chidao"]
    job_id = mail_to_sct(svc, port)
    with svc.db.reader() as s:
        key = s.get(Job, job_id).payload["message_id"]
    the_worker_comes_back(svc, clock)
    the_worker_comes_back(svc, clock)
    assert [m["Message-ID"] for _, m in sink.messages] == [key]
    with svc.db.reader() as s:
        assert s.get(Job, job_id) is None and s.get(EmailDelivery, key).state == SENT


def test_a_worker_killed_after_the_server_has_the_message_does_not_send_it_twice(
        mail_app, smtp, clock, database_url, tmp_path):
    sink, svc, job_id = mail_killed_at("DATA", mail_app, smtp, database_url, tmp_path)
    the_worker_comes_back(svc, clock)
    assert len(sink.messages) == 1  # not sent again
    with svc.db.reader() as s:
        job = s.get(Job, job_id)
        assert job.status == INCIDENT and "có thể đã tới máy chủ thư" in job.last_error
        assert s.get(EmailDelivery, job.payload["message_id"]).state == UNCERTAIN
    with svc.db.transaction() as s:  # the administrator asked the recipient: it never came, so send it again
        retry_incident(s, job_id, clock.now())
    svc.worker.tick_all()
    assert len(sink.messages) == 2 and sink.messages[0][1]["Message-ID"] == sink.messages[1][1]["Message-ID"]
    with svc.db.reader() as s:
        assert s.get(Job, job_id) is None


def test_a_worker_killed_before_the_message_left_sends_it_when_the_next_one_comes(
        mail_app, smtp, clock, database_url, tmp_path):
    sink, svc, job_id = mail_killed_at("RCPT", mail_app, smtp, database_url, tmp_path)
    assert sink.messages == []
    the_worker_comes_back(svc, clock)
    assert len(sink.messages) == 1
    with svc.db.reader() as s:
        assert s.get(Job, job_id) is None


def test_a_mail_server_that_is_down_costs_attempts_then_an_incident_and_nothing_is_lost(database_url, clock):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        nobody = closed.getsockname()[1]
    app = fresh_app(database_url, clock, SMTP_HOST="127.0.0.1", SMTP_PORT=str(nobody))
    svc = app.extensions["chidao"]
    with svc.db.transaction() as s:
        s.get(User, "sct.cv").email = "sct.cv@sct.local"
    try:
        job_id = mail_to_sct(svc, nobody)
        clock.set(datetime.now(LOCAL_TZ))
        for _ in range(3):  # the backoff doubles: 1, 2 minutes
            clock.set(clock.now() + timedelta(minutes=10))
            svc.worker.tick_all()
        with svc.db.reader() as s:
            job = s.get(Job, job_id)
        assert (job.status, job.attempts) == (INCIDENT, 3) and "Connection" in job.last_error
    finally:
        with svc.db.transaction() as s:
            s.get(User, "sct.cv").email = None
        svc.db.dispose()
