"""Jobs: work with a due time (timers, plugin jobs such as e-mail), taken by workers.

A job is a row. Workers take due jobs one at a time, each in its own
transaction, with ``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL (SQLite's
write transaction serializes them), so a job runs exactly once even when
workers race. A failing job is retried with a growing delay and becomes an
*incident* after its last attempt; an administrator can retry or cancel it.
The due-job query reads the index on (status, due time) and does not grow
with the number of waiting jobs.
"""
from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from .anchor import HistoryAnchor, latest_anchor, take_anchor
from .db import Base, JSONText, UTCDateTime
from .errors import Conflict, EngineError, NotFound
from .simulated_time import follow

if TYPE_CHECKING:
    from .db import Database
    from .runtime import Engine

log = logging.getLogger(__name__)

WAITING, INCIDENT = "waiting", "incident"
TIMER = "timer"
MAX_ATTEMPTS = 3
BACKOFF = timedelta(minutes=1)


class Job(Base):
    """Something to do at ``due_at``."""

    __tablename__ = "job"
    __table_args__ = (Index("ix_job_due", "status", "due_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    instance_id: Mapped[str | None] = mapped_column(ForeignKey("process_instance.id", ondelete="CASCADE"),
                                                    index=True)
    task_id: Mapped[str | None] = mapped_column(String(36))
    element_id: Mapped[str | None] = mapped_column(String(200))
    element_name: Mapped[str | None] = mapped_column(String(300))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(20), default=WAITING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=MAX_ATTEMPTS)
    last_error: Mapped[str | None] = mapped_column(Text)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONText, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


def new_job(kind: str, due_at: datetime, now: datetime, **fields) -> Job:
    """A waiting job of ``kind`` due at ``due_at``."""
    return Job(id=str(uuid.uuid4()), kind=kind, due_at=due_at, status=WAITING, attempts=0,
               max_attempts=fields.pop("max_attempts", MAX_ATTEMPTS), created_at=now, **fields)


#: What a job handler may return: work to do once the job's transaction has committed (handing a message to
#: another system). It records its own progress, in transactions of its own, on the database it is given,
#: and ends the job when it is done; until then the job is due again ``AFTER_COMMIT_LEASE`` later, so a
#: worker that dies in the middle is found out.
AfterCommit = Callable[["Database"], None]
AFTER_COMMIT_LEASE = timedelta(minutes=5)


def run_after_commit(after_commit: AfterCommit, db: Database, job_id: str, now: datetime) -> Exception | None:
    """Do what a job handler left for after its commit; a failure counts as one of the job's attempts and is
    returned (None when it went through)."""
    try:
        after_commit(db)
    except Exception as exc:  # noqa: BLE001 - a failing job is recorded, never lost
        log.warning("job %s failed after its commit: %s", job_id, exc)
        with db.transaction() as session:
            job = session.get(Job, job_id)
            if job is not None and job.status == WAITING:
                record_failure(job, exc, now)
        return exc
    return None


def record_failure(job: Job, exc: Exception, now: datetime) -> None:
    """Count a failed attempt: the job is due again later, or becomes an incident after its last attempt."""
    job.attempts += 1
    job.last_error = failure_sentence(exc)
    if job.attempts >= job.max_attempts:
        job.status = INCIDENT
    else:
        job.due_at = now + BACKOFF * (2 ** (job.attempts - 1))


def failure_sentence(exc: Exception) -> str:
    return exc.message if isinstance(exc, EngineError) else f"{exc.__class__.__name__}: {exc}"


class Worker:
    """Runs due jobs: ``tick`` once, or ``start`` a background thread for the embedded server."""

    def __init__(self, engine: Engine, handlers: dict[str, Callable[[Session, Job], AfterCommit | None]] | None = None,
                 batch: int = 100, anchor_every: timedelta | None = timedelta(minutes=5)):
        self.engine = engine
        self.handlers = {TIMER: engine.fire_timer, **(handlers or {})}
        self.batch = batch
        self.anchor_every = anchor_every
        self._stop = threading.Event()

    def tick(self) -> int:
        """Run every job due now (at most ``batch``), then anchor the history if it is time;
        return how many jobs ran (successfully or not). The clock follows the database's simulated time."""
        with self.engine.db.reader() as s:
            follow(s, self.engine.clock)
        ran = 0
        while ran < self.batch and self._run_one():
            ran += 1
        self.anchor_if_due()
        return ran

    def anchor_if_due(self) -> HistoryAnchor | None:
        """Take a history anchor when the last one is ``anchor_every`` old, or there is none, or it lies
        ahead of the clock (taken at a simulated moment the clock has since come back from); then copy
        every anchor not yet witnessed to the engine's witness outside the database."""
        if self.anchor_every is None:
            return None
        now = self.engine.clock.now()
        return self.anchor(only_when=lambda last: last is None or not timedelta() <= now - last.at < self.anchor_every)

    def anchor(self, only_when: Callable[[HistoryAnchor | None], bool] | None = None) -> HistoryAnchor | None:
        """Anchor every chain's head now (when ``only_when`` of the last anchor allows it), then copy every
        anchor not yet witnessed to the engine's witness outside the database; the anchor taken, if any."""
        if self.engine.witness is not None:  # before the first anchor: the witness sees every one
            with self.engine.db.reader() as session:
                self.engine.witness.begin(session)
        with self.engine.db.transaction() as session:
            taken = take_anchor(session, self.engine.clock.now()) \
                if only_when is None or only_when(latest_anchor(session)) else None
        if self.engine.witness is not None:  # after the commit: the witness never holds an anchor the database lacks
            with self.engine.db.reader() as session:
                self.engine.witness.record(session)
        return taken

    def execute(self, session: Session, job: Job) -> AfterCommit | None:
        """Run one job now, in the caller's transaction (an administrator's «execute»).

        Raises ``Conflict`` for a job not due yet; a failing handler's error goes to the caller
        and the job is left as it was. Returns what the handler left to do once the caller's
        transaction has committed (call it with the database then), or None.
        """
        if job.due_at > self.engine.clock.now():
            raise Conflict(f"Việc {job.id} chưa đến hạn ({job.due_at.isoformat()}); chỉ chạy được việc đã đến hạn.")
        with session.begin_nested():
            after_commit = self.handlers[job.kind](session, job)
            if after_commit is not None:
                job.due_at = self.engine.clock.now() + AFTER_COMMIT_LEASE
            session.flush()
        return after_commit

    def _run_one(self) -> bool:
        db = self.engine.db
        now = self.engine.clock.now()
        after_commit = None
        with db.transaction() as session:
            job = session.scalars(
                select(Job).where(Job.status == WAITING, Job.due_at <= now)
                .order_by(Job.due_at, Job.id).limit(1).with_for_update(skip_locked=True)
            ).first()
            if job is None:
                return False
            job_id = job.id
            try:
                with session.begin_nested():
                    after_commit = self.handlers[job.kind](session, job)
                    if after_commit is not None:
                        job.due_at = now + AFTER_COMMIT_LEASE
                    session.flush()
            except Exception as exc:  # noqa: BLE001 - a failing job is recorded, never lost
                log.warning("job %s (%s) failed: %s", job_id, job.kind, exc)
                job = session.get(Job, job_id)
                if job is not None:
                    record_failure(job, exc, now)
                return True
            left = session.get(Job, job_id)
            if left is not None and left.status == WAITING and left.due_at <= now:
                record_failure(left, RuntimeError("việc đến hạn nhưng không có gì được thực hiện"), now)
        if after_commit is not None:
            run_after_commit(after_commit, db, job_id, now)
        return True

    def tick_all(self, rounds: int = 100) -> int:
        """Tick until nothing is due now (jobs a tick makes due now run too); return how many ran."""
        total = 0
        for _ in range(rounds):
            ran = self.tick()
            total += ran
            if not ran:
                break
        return total

    def run_forever(self, interval: float) -> None:
        """Tick every ``interval`` seconds in this thread until ``stop``."""
        while not self._stop.wait(interval):
            self.tick_all()

    def start(self, interval: float = 5.0) -> threading.Thread:
        """Tick every ``interval`` seconds in a daemon thread until ``stop``."""
        def loop() -> None:
            while not self._stop.wait(interval):
                try:
                    self.tick()
                except Exception:  # noqa: BLE001 - the embedded worker must outlive a bad tick
                    log.exception("worker tick failed")
        thread = threading.Thread(target=loop, name="chidao-worker", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self._stop.set()


def retry_incident(session: Session, job_id: str, now: datetime) -> Job:
    """Give an incident its attempts back and make it due now."""
    job = session.get(Job, job_id)
    if job is None or job.status != INCIDENT:
        raise NotFound("Không tìm thấy sự cố này, hoặc nó đã được xử lý.")
    job.status, job.attempts, job.due_at = WAITING, 0, now
    return job
