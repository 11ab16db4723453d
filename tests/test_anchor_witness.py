"""The anchors' witness outside the database: deleting or rebuilding the anchors is found, a crash
between anchor and copy loses nothing, and the witness is never written from a broken chain."""
from __future__ import annotations

import shutil
import threading

from sqlalchemy import delete, func, select

from engine.anchor import AnchorHead, HistoryAnchor, take_anchor
from engine.anchor_witness import AnchorWitness
from engine.audit import verify_all, verify_instance
from engine.history import event_hash, hashed_fields
from engine.oplog import Operation
from engine.replay import instance_events

from .test_audit import signed_directive


def commented(lifecycle, svc, text: str = "Đề nghị bổ sung căn cứ pháp lý.") -> str:
    """A directive waiting for signature, with a comment on the signing step (a comment changes no
    state: replay cannot tell what it said, only the chain and the anchors can)."""
    directive = signed_directive(lifecycle)
    sign = lifecycle.task("pct.hoang", "sign", directive)
    with svc.db.transaction() as s:
        svc.engine.comment(s, sign.id, lifecycle.actor("pct.hoang"), text)
    return directive


def witnessed_lines(svc) -> list[str]:
    return svc.engine.witness.path.read_text().splitlines()


def rewrite_comment_and_rebuild_anchors(svc, directive: str) -> None:
    """What someone with write access to the database alone can do: change what was said, chain every
    event again, delete every anchor and let a new one be taken over the rewritten history."""
    with svc.db.transaction() as s:
        events = instance_events(s, directive)
        prev = events[0].prev_hash
        for event in events:
            if event.event_type == "task_comment":
                event.data = {**event.data, "message": "Đồng ý, trình ký ngay."}
            event.prev_hash, event.hash = prev, event_hash(prev, hashed_fields(event))
            prev = event.hash
        s.execute(delete(AnchorHead))
        s.execute(delete(HistoryAnchor))
    svc.worker.anchor()


def findings(svc, witness: AnchorWitness | None = None) -> list[str]:
    with svc.db.reader() as s:
        return [f.message for f in verify_all(svc.engine, s, witness=witness).findings]


def test_the_worker_copies_every_anchor_to_the_witness_and_an_untouched_store_verifies(lifecycle, svc):
    commented(lifecycle, svc)
    first = svc.worker.anchor()
    signed_directive(lifecycle)
    second = svc.worker.anchor()
    lines = witnessed_lines(svc)
    assert len(lines) == 3 and '"witness": "chidao anchor witness"' in lines[0]
    assert f'"hash": "{first.hash}"' in lines[1] and f'"hash": "{second.hash}"' in lines[2]
    assert findings(svc) == []


def test_anchors_deleted_and_rebuilt_over_a_rewritten_history_are_found_by_the_witness(lifecycle, svc):
    directive = commented(lifecycle, svc)
    svc.worker.anchor()
    before = witnessed_lines(svc)
    rewrite_comment_and_rebuild_anchors(svc, directive)
    found = findings(svc)
    assert len(found) == 1 and found[0].startswith("Mốc kiểm chứng số ")
    assert found[0].endswith(("các mốc đã bị xóa.", "các mốc đã bị lập lại."))
    assert witnessed_lines(svc) == before  # the rebuilt anchors do not continue the chain: never copied
    with svc.db.reader() as s:
        assert not verify_instance(svc.engine, s, directive).verified  # the auditor's page says it too
    witness, svc.engine.witness = svc.engine.witness, None
    try:
        assert findings(svc) == []  # without the witness the rewrite is perfect: it is the witness that finds it
    finally:
        svc.engine.witness = witness


def test_the_newest_anchors_deleted_are_found_by_the_witness(lifecycle, svc):
    commented(lifecycle, svc)
    svc.worker.anchor()
    signed_directive(lifecycle)
    newest = svc.worker.anchor()
    with svc.db.transaction() as s:
        s.execute(delete(AnchorHead).where(AnchorHead.anchor_id == newest.id))
        s.execute(delete(HistoryAnchor).where(HistoryAnchor.id == newest.id))
    assert findings(svc)[0].startswith(f"Mốc kiểm chứng số {newest.id} (")
    assert "không còn trong cơ sở dữ liệu: các mốc đã bị xóa." in findings(svc)[0]


def test_an_anchor_committed_but_not_copied_before_a_crash_is_copied_at_the_next_tick(lifecycle, svc, clock):
    commented(lifecycle, svc)
    svc.worker.anchor()
    signed_directive(lifecycle)
    with svc.db.transaction() as s:  # the worker died between its commit and its copy
        missed = take_anchor(s, clock.now())
    assert findings(svc) == []  # what the witness holds is still in the database
    svc.worker.tick()  # not due yet (taken a moment ago): it only catches up
    lines = witnessed_lines(svc)
    assert len(lines) == 3 and f'"hash": "{missed.hash}"' in lines[2]


def test_a_line_a_crash_left_unfinished_is_dropped_and_the_witness_goes_on(lifecycle, svc):
    commented(lifecycle, svc)
    svc.worker.anchor()
    with svc.engine.witness.path.open("a") as handle:
        handle.write('{"at": "2026-11-23T02:00:00+00:00", "hash": "ab')
    assert findings(svc) == []
    signed_directive(lifecycle)
    taken = svc.worker.anchor()
    lines = witnessed_lines(svc)
    assert len(lines) == 3 and f'"hash": "{taken.hash}"' in lines[2] and findings(svc) == []


def test_a_witness_of_another_database_is_named_and_never_written_to(lifecycle, svc, tmp_path):
    commented(lifecycle, svc)
    elsewhere = AnchorWitness(tmp_path / "witness.jsonl", "postgresql+psycopg://postgres@db.example/other")
    signed_directive(lifecycle)
    with svc.db.transaction() as s:
        take_anchor(s, svc.clock.now())
    with svc.db.transaction() as s:
        elsewhere.start(s)  # a witness kept for another database, then given to this one by mistake
    written = elsewhere.path.read_text()
    svc.engine.witness = AnchorWitness(elsewhere.path, svc.engine.witness.database)
    commented(lifecycle, svc)
    svc.worker.anchor()
    assert findings(svc) == [f"Tệp đối chứng {elsewhere.path} ghi mốc của cơ sở dữ liệu "
                             "postgresql+psycopg://postgres@db.example/other, không phải của "
                             f"{svc.engine.witness.database}."]
    assert elsewhere.path.read_text() == written


def test_a_database_with_anchors_and_no_witness_stays_a_finding_until_an_administrator_starts_one(
        app, lifecycle, svc, clock):
    commented(lifecycle, svc)
    with svc.db.transaction() as s:  # anchors of an older version, which kept no witness
        take_anchor(s, clock.now())
    missing = (f"Cơ sở dữ liệu có 1 mốc kiểm chứng nhưng tệp đối chứng {svc.engine.witness.path} không có mốc "
               "nào: không chứng minh được các mốc chưa bị xóa hay lập lại (quản trị viên bắt đầu tệp mới bằng "
               "«chidao witness start» sau khi kiểm tra).")
    assert findings(svc) == [missing]
    svc.worker.tick()
    signed_directive(lifecycle)
    svc.worker.anchor()  # the worker never adopts anchors it did not see taken
    assert not svc.engine.witness.path.exists()
    assert findings(svc) == [missing.replace("có 1 mốc", "có 2 mốc")]
    runner = app.test_cli_runner()
    run = runner.invoke(args=["witness", "start"])
    assert run.exit_code == 0 and f"Đã bắt đầu tệp đối chứng {svc.engine.witness.path} với 2 mốc" in run.output
    assert findings(svc) == [] and len(witnessed_lines(svc)) == 3
    verified = runner.invoke(args=["verify", "--all"])
    assert verified.exit_code == 0 and "đã có 2 mốc (lệnh «chidao witness start»" in verified.output
    with svc.db.reader() as s:
        logged = s.scalars(select(Operation).where(Operation.action == "witness_start")).one()
    assert logged.target == str(svc.engine.witness.path) and logged.detail["adopted"] == 2
    again = runner.invoke(args=["witness", "start"])
    assert again.exit_code == 1 and "đã ghi mốc" in again.output and len(witnessed_lines(svc)) == 3


def test_a_deleted_witness_is_not_rebuilt_from_the_database_by_the_worker(lifecycle, svc):
    directive = commented(lifecycle, svc)
    svc.worker.anchor()
    rewrite_comment_and_rebuild_anchors(svc, directive)
    svc.engine.witness.path.unlink()  # someone who can write the server's disk too removes the witness
    svc.worker.tick()
    svc.worker.anchor()
    assert not svc.engine.witness.path.exists()
    assert [f for f in findings(svc) if "không có mốc nào" in f]


def test_starting_a_witness_over_a_broken_anchor_chain_is_refused(app, lifecycle, svc):
    commented(lifecycle, svc)
    svc.worker.anchor()
    signed_directive(lifecycle)
    svc.worker.anchor()
    svc.engine.witness.path.unlink()
    with svc.db.transaction() as s:
        first = s.scalars(select(HistoryAnchor).order_by(HistoryAnchor.id)).first()
        first.events += 1
    run = app.test_cli_runner().invoke(args=["witness", "start"])
    assert run.exit_code == 1 and "đã bị sửa" in run.output and not svc.engine.witness.path.exists()


def test_the_inspectors_own_copy_finds_what_a_rewritten_server_witness_hides(app, lifecycle, svc, tmp_path):
    directive = commented(lifecycle, svc)
    svc.worker.anchor()
    kept = tmp_path / "thanh-tra-2026-12.jsonl"
    shutil.copy(svc.engine.witness.path, kept)  # the inspector leaves with a copy
    rewrite_comment_and_rebuild_anchors(svc, directive)
    svc.engine.witness.path.unlink()  # someone who can also write the server's disk starts the witness again
    runner = app.test_cli_runner()
    assert runner.invoke(args=["witness", "start"]).exit_code == 0
    assert runner.invoke(args=["verify", "--all"]).exit_code == 0
    run = runner.invoke(args=["verify", "--all", "--witness", str(kept)])
    assert run.exit_code == 1 and run.output.startswith("Mốc kiểm chứng số ") and str(kept) in run.output
    assert "các mốc đã bị lập lại." in run.output or "các mốc đã bị xóa." in run.output  # ids reused or not


def test_two_workers_copying_at_once_write_each_anchor_once(lifecycle, svc, clock):
    with svc.db.reader() as s:
        assert svc.engine.witness.begin(s)  # a fresh database: the witness starts before its first anchor
    for _ in range(3):
        commented(lifecycle, svc)
        with svc.db.transaction() as s:
            take_anchor(s, clock.now())
    witnesses = [AnchorWitness(svc.engine.witness.path, svc.engine.witness.database) for _ in range(4)]
    start = threading.Barrier(len(witnesses))

    def copy(witness: AnchorWitness) -> None:
        start.wait()
        with svc.db.reader() as s:
            witness.record(s)

    threads = [threading.Thread(target=copy, args=(w,)) for w in witnesses]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    with svc.db.reader() as s:
        anchors = s.scalar(select(func.count()).select_from(HistoryAnchor))
    assert len(witnessed_lines(svc)) == 1 + anchors == 4 and findings(svc) == []
