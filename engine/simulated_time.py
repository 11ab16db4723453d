"""Simulated time shared by every process of one database.

``chidao worker --now MOMENT`` makes MOMENT «now»: the worker runs what is due then, and
the web pages, the embedded worker and later commands must see the same moment, or a task
the worker has just marked overdue is still shown on time. The shift from the system time
is one row; every process applies it to its clock (a web request, a worker tick), so there
is one clock, whichever process reads it. A frozen clock (tests, replay) is left alone.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Float, Integer, String
from sqlalchemy.orm import Mapped, Session, mapped_column

from .clock import Clock
from .db import Base, UTCDateTime

ROW = 1


class SimulatedTime(Base):
    """How far «now» is shifted from the system time, who shifted it and when."""

    __tablename__ = "simulated_time"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    offset_seconds: Mapped[float] = mapped_column(Float)
    set_by: Mapped[str] = mapped_column(String(80))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime)


def travel_to(session: Session, clock: Clock, moment: datetime, actor: str) -> None:
    """Make ``moment`` «now» for this clock and for every process that follows the database."""
    if clock.frozen:
        clock.set(moment)
        return
    clock.shift(timedelta())
    offset = moment - clock.now()
    row = session.get(SimulatedTime, ROW) or SimulatedTime(id=ROW)
    row.offset_seconds, row.set_by, row.set_at = offset.total_seconds(), actor, clock.now()
    session.add(row)
    clock.shift(offset)


def follow(session: Session, clock: Clock) -> None:
    """Apply the database's simulated time to a running clock (a frozen one is left alone)."""
    if clock.frozen:
        return
    row = session.get(SimulatedTime, ROW)
    clock.shift(timedelta(seconds=row.offset_seconds) if row is not None else timedelta())
