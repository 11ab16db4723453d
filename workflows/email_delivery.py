"""E-mail handed to the mail server once per notification, even when a worker is killed mid-send.

Each e-mail job carries an idempotency key, its Message-ID, made when the notification was written.
A delivery row under that key records, each in a committed transaction of its own, how far the
hand-over got: ``sending`` before the connection, ``handed_over`` just before the message itself
goes out (the server may have it from then on), ``sent`` with the server's acceptance, in the same
transaction that ends the job. The job meanwhile stays due a few minutes later, so a worker that
dies is found out. Found again, a delivery still ``sending`` never reached the server and is sent
again; one ``handed_over`` may have, so it is not sent twice: the job becomes an incident that
says so, and an administrator's retry sends it again on purpose.
"""
from __future__ import annotations

import logging
import smtplib
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formatdate

from sqlalchemy import String
from sqlalchemy.orm import Mapped, Session, mapped_column

from engine import Job
from engine.db import Base, Database, UTCDateTime
from engine.jobs import INCIDENT

from .notifications import Mailer

log = logging.getLogger(__name__)

SENDING, HANDED_OVER, UNCERTAIN, SENT = "sending", "handed_over", "uncertain", "sent"


class EmailDelivery(Base):
    """How far the hand-over of one e-mail got, under its idempotency key (the Message-ID)."""

    __tablename__ = "email_delivery"

    message_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    recipient: Mapped[str] = mapped_column(String(300))
    state: Mapped[str] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


def uncertain_sentence(job: Job) -> str:
    """What an administrator reads on the incident of an e-mail that may have been delivered."""
    return (f"Thư «{job.payload['subject']}» gửi {job.payload['to']} có thể đã tới máy chủ thư trước khi tiến trình "
            "gửi bị dừng giữa chừng; hệ thống không tự gửi lại để người nhận không nhận hai lần. Hãy hỏi người nhận "
            "hoặc xem nhật ký máy chủ thư; nếu thư chưa tới, bấm «Thử lại» để gửi lại.")


def _message(mailer: Mailer, job: Job) -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = mailer.sender, job.payload["to"], job.payload["subject"]
    message["Message-ID"] = job.payload["message_id"]
    message["Date"] = formatdate(localtime=True)
    message.set_content(job.payload["body"])
    return message


def _mark(db: Database, key: str, state: str, job_id: str | None = None) -> None:
    """Record the delivery's state in a transaction of its own; with ``job_id``, end that job with it."""
    with db.transaction() as s:
        delivery = s.get(EmailDelivery, key)
        delivery.state, delivery.updated_at = state, datetime.now(UTC)
        if job_id is not None and (job := s.get(Job, job_id)) is not None:
            s.delete(job)


def _hand_over(mailer: Mailer, job: Job):
    """The work after the job's commit: talk to the mail server, recording each step first."""
    key, job_id, message = job.payload["message_id"], job.id, _message(mailer, job)

    def hand_over(db: Database) -> None:
        with smtplib.SMTP(mailer.host, mailer.port, timeout=20) as smtp:
            smtp.ehlo_or_helo_if_needed()
            smtp.mail(mailer.sender)
            code, answer = smtp.rcpt(job.payload["to"])
            if code not in (250, 251):
                raise smtplib.SMTPRecipientsRefused({job.payload["to"]: (code, answer)})
            _mark(db, key, HANDED_OVER)
            try:
                code, answer = smtp.data(message.as_bytes())
            except smtplib.SMTPResponseException:  # the server said no: the message is not there
                _mark(db, key, SENDING)
                raise
            if code != 250:
                _mark(db, key, SENDING)
                raise smtplib.SMTPDataError(code, answer)
        _mark(db, key, SENT, job_id)

    return hand_over


def send_email(mailer: Mailer):
    """The worker's handler for e-mail jobs (see the module's docstring)."""
    def send(session: Session, job: Job):
        key = job.payload.setdefault("message_id", f"<{job.id}@chidao>")  # jobs written before keys existed
        delivery = session.get(EmailDelivery, key)
        if delivery is not None and delivery.state == SENT:
            session.delete(job)
            return None
        if delivery is not None and delivery.state == HANDED_OVER:
            delivery.state = UNCERTAIN
            job.status, job.last_error = INCIDENT, uncertain_sentence(job)
            log.warning("e-mail %s may have been delivered before its worker stopped; not sent again", key)
            return None
        if delivery is None:
            delivery = EmailDelivery(message_id=key, recipient=job.payload["to"], state=SENDING, attempts=0)
            session.add(delivery)
        delivery.state, delivery.attempts, delivery.updated_at = SENDING, delivery.attempts + 1, datetime.now(UTC)
        return _hand_over(mailer, job)
    return send
