"""Does a worker tick stay as cheap when many more timers are waiting?

Run: ``.venv/bin/python bench/timers.py [--tiny]`` (SQLite in a temporary folder; set
``DATABASE_URL`` for PostgreSQL; ``--tiny``: 100 and 1,000 waiting jobs, the test suite's run).
For each size it stores that many waiting jobs due next year plus 100 jobs
due now, then times the worker's tick that takes and runs the 100 due ones. The jobs' own
work is a no-op that removes the job, so the table measures what the worker adds: finding
due jobs (the index on status and due time), locking, and the transaction per job. The
reference is the tick with 1,000 waiting jobs, in the same process.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import delete, insert  # noqa: E402

from engine import Clock, Database, Engine, Job, Plugin, Worker  # noqa: E402
from engine.db import Base  # noqa: E402

DUE = 100
SIZES = (1_000, 10_000, 100_000)
REPEAT = 3


def no_work(session, job: Job) -> None:
    session.delete(job)


def fill(database: Database, clock: Clock, waiting: int) -> None:
    now = clock.now()
    later = now + timedelta(days=365)
    with database.transaction() as s:
        s.execute(delete(Job))
        for start in range(0, waiting, 10_000):
            s.execute(insert(Job), [
                {"id": str(uuid.uuid4()), "kind": "bench", "due_at": later + timedelta(seconds=n), "status": "waiting",
                 "attempts": 0, "max_attempts": 3, "payload": {}, "created_at": now}
                for n in range(start, min(start + 10_000, waiting))])


def add_due(database: Database, clock: Clock) -> None:
    now = clock.now()
    with database.transaction() as s:
        s.execute(insert(Job), [
            {"id": str(uuid.uuid4()), "kind": "bench", "due_at": now - timedelta(seconds=n), "status": "waiting",
             "attempts": 0, "max_attempts": 3, "payload": {}, "created_at": now} for n in range(DUE)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiny", action="store_true", help="small sizes (the test suite's run)")
    sizes = (100, 1_000) if parser.parse_args().tiny else SIZES
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp()}/timers.db"
    database = Database(url)
    Base.metadata.drop_all(database.engine)
    database.create_all()
    clock = Clock()
    clock.set(clock.now())
    worker = Worker(Engine(database, Plugin("bench"), clock), {"bench": no_work}, batch=DUE)
    results = {}
    for size in sizes:
        fill(database, clock, size)
        times = []
        for _ in range(REPEAT):
            add_due(database, clock)
            started = time.perf_counter()
            ran = worker.tick()
            times.append(time.perf_counter() - started)
            assert ran == DUE, f"the tick ran {ran} jobs, expected {DUE}"
        results[size] = statistics.median(times)
    reference = results[sizes[0]]
    print(f"\nWorker tick running {DUE} due jobs ({database.engine.dialect.name}, median of {REPEAT})")
    print(f"{'waiting jobs':>14}  {'tick':>10}  {'per job':>9}  ratio to {sizes[0]:,}")
    for size in sizes:
        print(f"{size:>14,}  {results[size] * 1000:>8.1f} ms  {results[size] / DUE * 1000:>6.2f} ms  "
              f"{results[size] / reference:.2f}")


if __name__ == "__main__":
    main()
