"""What replay and verification cost.

Run: ``.venv/bin/python bench/replay.py [--instances N] [--tiny]`` (SQLite in a temporary folder;
set ``DATABASE_URL`` for PostgreSQL; ``--tiny``: about 20 and 60 events and 20 instances, the
test suite's run). Prints two tables:

1. replaying one ``directive_task`` instance whose report was returned again and again, at about
   100 and about 1,000 recorded events: milliseconds per replay, per event, and the ratio of the
   per-event cost to the small instance (near 1: replay grows with the history, not faster);
2. verification of every stored instance (``verify_all``: anchors, chains, replay) over N small
   instances (default 10,000), against checking the hash chains alone in the same process:
   instances per second and the ratio.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from bench.engine_steps import ASSIGNMENT, STEP_DATA, make_engine, table  # noqa: E402
from engine import User  # noqa: E402
from engine.anchor import take_anchor  # noqa: E402
from engine.audit import stored_instance_ids, verify_all  # noqa: E402
from engine.history import verify_chain  # noqa: E402
from engine.models import HumanTask  # noqa: E402
from engine.replay import instance_events, replay_instance  # noqa: E402

RETURN = {"report_decision": "return", "report_review_reason": "Bổ sung số liệu quý trước."}
ACTORS = {"accept": "sct", "report": "sct", "contribute": "stc", "review_report": "cv"}


def returned_again_and_again(engine, database, actors, events: int) -> str:
    """A task instance whose report goes back and forth until its history holds ``events`` events."""
    with database.transaction() as s:
        instance = engine.start(s, "directive_task", actors["cv"], {**ASSIGNMENT, "contributions": []})
    recorded = 0
    while recorded < events:
        with database.reader() as s:
            task = s.scalars(select(HumanTask).where(HumanTask.instance_id == instance.id)).first()
        submitted = RETURN if task.element_id == "review_report" else STEP_DATA[task.element_id]
        with database.transaction() as s:
            engine.complete_task(s, task.id, actors[ACTORS[task.element_id]], submitted)
            recorded = len(instance_events(s, instance.id))
    return instance.id


def replay_cost(engine, database, instance_id: str, repeat: int) -> tuple[int, float]:
    """Events of the instance and the best seconds of ``repeat`` replays."""
    best = float("inf")
    with database.reader() as s:
        for _ in range(repeat):
            started = time.perf_counter()
            result = replay_instance(engine, s, instance_id)
            best = min(best, time.perf_counter() - started)
            assert result.verified, result.sentence()
    return result.events, best


def many_instances(engine, database, actors, count: int) -> None:
    """``count`` task instances, each accepted and waiting for its report (about 15 events each)."""
    batch = 200
    for first in range(0, count, batch):
        with database.transaction() as s:
            for _ in range(min(batch, count - first)):
                engine.start(s, "directive_task", actors["cv"], {**ASSIGNMENT, "contributions": []})
    with database.transaction() as s:
        take_anchor(s, engine.clock.now())


def chains_only(database) -> float:
    """Seconds to check every instance's hash chain, without replay."""
    started = time.perf_counter()
    with database.reader() as s:
        for instance_id in stored_instance_ids(s):
            ok, broken = verify_chain(instance_events(s, instance_id))
            assert ok, broken
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=10_000)
    parser.add_argument("--tiny", action="store_true", help="a few events and instances (the test suite's run)")
    args = parser.parse_args()
    sizes, instances = ((20, 60), 20) if args.tiny else ((100, 1_000), args.instances)
    engine, database = make_engine()
    with database.reader() as s:
        actors = {u.username: u.actor() for u in s.scalars(select(User))}

    rows = []
    reference = None
    for size in sizes:
        instance_id = returned_again_and_again(engine, database, actors, size)
        events, seconds = replay_cost(engine, database, instance_id, repeat=3)
        per_event = seconds / events
        reference = reference or per_event
        rows.append([f"{events:,}", f"{seconds * 1000:.1f}", f"{per_event * 1e6:.0f}", f"{per_event / reference:.2f}"])
    table("Replay of one instance (best of 3)", ["events", "ms per replay", "µs per event", "ratio"], rows)

    many_instances(engine, database, actors, instances)
    chain_seconds = chains_only(database)
    started = time.perf_counter()
    with database.reader() as s:
        report = verify_all(engine, s)
    verify_seconds = time.perf_counter() - started
    assert report.verified, [f.message for f in report.findings[:3]]
    n = report.instances
    table(f"Verification of {n:,} stored instances ({report.events:,} events)",
          ["check", "seconds", "instances/s", "ratio"],
          [["hash chains only (reference)", f"{chain_seconds:.1f}", f"{n / chain_seconds:,.0f}", "1.00"],
           ["verify --all: anchors, chains, replay", f"{verify_seconds:.1f}", f"{n / verify_seconds:,.0f}",
            f"{chain_seconds / verify_seconds:.2f}"]])


if __name__ == "__main__":
    main()
