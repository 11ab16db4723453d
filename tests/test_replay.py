"""Replay rebuilds every instance from its events and arrives at the stored state."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from engine.clock import LOCAL_TZ
from engine.models import ProcessInstance
from engine.replay import instance_events, replay_instance
from engine.versions import migrate

from .conftest import draft_data
from .test_deadline_tracking import assignment_instance, extension_approved, one_task, run_worker
from .test_versions import deploy, with_legal_check


def all_instances(svc) -> list[str]:
    with svc.db.reader() as s:
        return list(s.scalars(select(ProcessInstance.id).order_by(ProcessInstance.started_at)))


def replayed(svc, instance_id: str):
    with svc.db.reader() as s:
        return replay_instance(svc.engine, s, instance_id, with_steps=True)


def test_every_instance_of_a_distributed_directive_replays_to_its_stored_state(lifecycle, svc):
    directive = lifecycle.start()
    lifecycle.complete("cv.lan", "draft", draft_data(), directive)
    lifecycle.complete("cvp", "review", {"review_decision": "return", "review_reason": "Sửa trích yếu."}, directive)
    lifecycle.complete("cv.lan", "draft", draft_data(), directive)
    lifecycle.complete("cvp", "review", {"review_decision": "approve"}, directive)
    lifecycle.complete("pct.hoang", "sign", {"sign_decision": "approve"}, directive)
    lifecycle.complete("vanthu", "register", {"format_checked": True, "copies": 10}, directive)
    lifecycle.complete("sct.cv", "accept", {"handler_name": "Nguyễn Văn A"})
    for instance_id in all_instances(svc):
        result = replayed(svc, instance_id)
        assert result.verified, result.sentence()


def test_timers_messages_extensions_and_chases_replay_at_their_recorded_moments(lifecycle, svc, clock):
    clock.set(datetime(2026, 11, 30, 9, 0, tzinfo=LOCAL_TZ))
    lifecycle.distributed(one_task("2026-12-15"))
    lifecycle.complete("sct.cv", "accept", {"handler_name": "Nguyễn Văn A"})
    task_instance = assignment_instance(svc)
    extension_approved(lifecycle, svc, task_instance, "2026-12-22", "Chờ số liệu của Cục Thống kê.")
    for moment in ("2026-12-17T08:00", "2026-12-23T00:00", "2026-12-25T08:00"):
        run_worker(svc, clock, moment)
    lifecycle.complete("pct.hoang", "chase", {"chase_text": "Đề nghị hoàn thành ngay trong tuần."})
    with svc.db.reader() as s:
        kinds = [e.event_type for e in instance_events(s, task_instance)]
    assert kinds.count("message_correlated") == 1 and "task_created" in kinds
    for instance_id in all_instances(svc):
        result = replayed(svc, instance_id)
        assert result.verified, result.sentence()


def test_a_migrated_instance_replays_on_its_first_version_then_on_the_one_it_moved_to(lifecycle, svc):
    directive = lifecycle.start()
    lifecycle.complete("cv.lan", "draft", draft_data(), directive)
    v2 = deploy(svc, with_legal_check())
    with svc.db.transaction() as s:
        migrate(svc.engine, s, [directive], v2.id, lifecycle.actor("admin"))
    lifecycle.complete("cvp", "review", {"review_decision": "approve"}, directive)
    lifecycle.complete("cv.lan", "legal_check", {"review_decision": "approve"}, directive)
    deploy(svc, with_legal_check().replace("Kiểm tra pháp lý", "Thẩm tra pháp lý"))  # a version 3 nobody uses
    result = replayed(svc, directive)
    assert result.verified, result.sentence()
    with svc.db.reader() as s:
        versions = [e.definition_id for e in instance_events(s, directive)]
    assert versions[0] != v2.id and versions[-1] == v2.id
