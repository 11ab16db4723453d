"""Two people at once: one wins, the other is told who did it; numbers never repeat or skip."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from engine import Conflict, ExecutionError
from engine.models import HistoryEvent
from workflows.models import Directive, OutgoingEntry


def _race(calls):
    """Run the callables at the same moment; return their results or exceptions."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        barrier.wait()
        try:
            results[index] = call()
        except Exception as exc:  # noqa: BLE001 - the race's loser is part of the result
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def _at_register(lifecycle, count: int) -> list[str]:
    return [lifecycle.signed() for _ in range(count)]


def test_two_officials_completing_the_same_task_one_wins_and_the_other_is_told_who(lifecycle, svc):
    _at_register(lifecycle, 1)
    lifecycle.complete("vanthu", "register", {"format_checked": True, "copies": 3})
    accept = lifecycle.task("sct.cv", "accept")
    assert lifecycle.task("sct.td", "accept").id == accept.id

    def complete(username, handler):
        def call():
            with svc.db.transaction() as s:
                return svc.engine.complete_task(s, accept.id, lifecycle.actor(username), {"handler_name": handler})
        return call

    results = _race([complete("sct.cv", "Nguyễn Văn A"), complete("sct.td", "Trần Văn B")])
    losers = [r for r in results if isinstance(r, Exception)]
    assert len(losers) == 1 and isinstance(losers[0], Conflict), results
    winner = "Chuyên viên Sở Công Thương (SCT)" if isinstance(results[1], Exception) \
        else "Thủ trưởng Sở Công Thương (SCT)"
    assert f"«Tiếp nhận nhiệm vụ» đã được {winner} hoàn thành lúc" in losers[0].message
    with svc.db.reader() as s:
        completions = s.scalar(select(func.count()).select_from(HistoryEvent).where(
            HistoryEvent.task_id == accept.id, HistoryEvent.event_type == "task_completed"))
    assert completions == 1
    assert len(lifecycle.tasks("bqlkkt.cv", "contribute")) == 1


def test_concurrent_registrations_take_consecutive_numbers_without_gaps(lifecycle, svc):
    ids = _at_register(lifecycle, 6)
    tasks = [lifecycle.task("vanthu", "register", instance_id) for instance_id in ids]

    def register(task_id):
        def call():
            with svc.db.transaction() as s:
                return svc.engine.complete_task(s, task_id, lifecycle.actor("vanthu"),
                                                {"format_checked": True, "copies": 2})
        return call

    results = _race([register(t.id) for t in tasks])
    assert not [r for r in results if isinstance(r, Exception)], results
    with svc.db.reader() as s:
        numbers = sorted(s.scalars(select(OutgoingEntry.number)))
        texts = sorted(s.scalars(select(Directive.number_text).where(Directive.id.in_(ids))))
    assert numbers == [1, 2, 3, 4, 5, 6]
    assert texts == [f"0{n}/UBND-KT" for n in range(1, 7)]


def test_a_failed_registration_gives_its_number_back(lifecycle, svc, monkeypatch):
    ids = _at_register(lifecycle, 2)
    first = lifecycle.task("vanthu", "register", ids[0])
    original = svc.engine.plugin.handlers["directive.distribute"]

    def broken_distribution(ctx):
        raise RuntimeError("phát hành thất bại")

    monkeypatch.setitem(svc.engine.plugin.handlers, "directive.distribute", broken_distribution)
    with pytest.raises(ExecutionError, match="Bước «Phát hành văn bản» không thực hiện được: phát hành thất bại"):
        with svc.db.transaction() as s:
            svc.engine.complete_task(s, first.id, lifecycle.actor("vanthu"), {"format_checked": True, "copies": 2})
    monkeypatch.setitem(svc.engine.plugin.handlers, "directive.distribute", original)
    lifecycle.complete("vanthu", "register", {"format_checked": True, "copies": 2}, ids[1])
    with svc.db.reader() as s:
        assert s.get(Directive, ids[1]).number_text == "01/UBND-KT"
        assert s.get(Directive, ids[0]).number_text is None
