"""Deadlines over time: reminders, overdue, escalation and chase, extensions, authority matters, jobs."""
from __future__ import annotations

import threading
from datetime import datetime
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import func, select

from engine import SYSTEM, Conflict
from engine.audit import verify_all
from engine.clock import LOCAL_TZ
from engine.jobs import INCIDENT, Job
from engine.models import HistoryEvent, HumanTask, ProcessInstance
from engine.replay import replay_instance
from workflows.models import Assignment
from workflows.notifications import Notification

from .conftest import draft_data
from .test_rest import basic


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LOCAL_TZ)


def one_task(deadline: str | None = "2026-12-15", **task) -> dict:
    return draft_data(recipients=["SCT"], tasks=[{"ref": "1", "summary": "Xây dựng chính sách ưu đãi", "lead": ["SCT"],
                                                   "coordinate": [], "deadline": deadline, **task}])


def notices(svc, username: str) -> list[str]:
    with svc.db.reader() as s:
        return [n.title for n in s.scalars(select(Notification).where(Notification.username == username)
                                           .order_by(Notification.created_at, Notification.id))]


def run_worker(svc, clock, moment: str) -> int:
    clock.set(at(moment))
    return svc.worker.tick_all()


def assignment_instance(svc) -> str:
    with svc.db.reader() as s:
        return s.scalars(select(Assignment.id)).one()


def test_the_reminder_the_overdue_notice_and_the_escalation_fire_on_working_days(lifecycle, svc, clock):
    lifecycle.distributed(one_task("2026-12-15"))  # a Tuesday
    lifecycle.complete("sct.cv", "accept", {"handler_name": "Nguyễn Văn A"})
    assert run_worker(svc, clock, "2026-12-09T07:59") == 0
    run_worker(svc, clock, "2026-12-10T08:00")  # 3 working days before 15/12
    assert notices(svc, "sct.cv") == ["Sắp đến hạn: nhiệm vụ 1"]
    assert lifecycle.task("sct.cv", "report").due_at == at("2026-12-15T23:59:59")
    run_worker(svc, clock, "2026-12-16T00:00")
    assert notices(svc, "sct.cv")[-1] == "Quá hạn: nhiệm vụ 1" and notices(svc, "cv.lan") == ["Quá hạn: nhiệm vụ 1"]
    run_worker(svc, clock, "2026-12-17T07:59")
    assert lifecycle.tasks("pct.hoang", "chase") == []
    run_worker(svc, clock, "2026-12-17T08:00")  # 2 working days after the deadline
    chase = lifecycle.task("pct.hoang", "chase")
    assert chase.assignee == "pct.hoang"
    lifecycle.complete("pct.hoang", "chase", {"chase_text": "Đề nghị Sở Công Thương hoàn thành ngay trong tuần."})
    ack = lifecycle.task("sct.cv", "acknowledge_chase")
    assert notices(svc, "sct.cv")[-1] == "Đôn đốc: nhiệm vụ 1"
    with svc.db.reader() as s:
        assert s.get(Assignment, ack.instance_id).escalated_at == at("2026-12-17T08:00")


def test_a_deadline_during_tet_falls_on_the_first_working_day_after_it(lifecycle, svc, clock):
    clock.set(at("2026-01-05T09:00"))
    lifecycle.distributed(one_task("2026-02-18"))  # 2nd day of Tết Bính Ngọ
    with svc.db.reader() as s:
        assignment = s.scalars(select(Assignment)).one()
    assert assignment.due_at == at("2026-02-23T23:59:59")
    with svc.db.reader() as s:
        reminder = s.scalars(select(Job).where(Job.element_id == "wait_reminder")).one()
    assert reminder.due_at == at("2026-02-11T08:00")  # 3 working days before, Tết days not counted


def extension_approved(lifecycle, svc, instance_id: str, new_deadline: str, reason: str) -> None:
    """The lead agency asks to move the task's deadline to ``new_deadline``; the Office chief agrees."""
    with svc.db.transaction() as s:
        svc.engine.correlate_message(s, instance_id, "Xin gia hạn", lifecycle.actor("sct.cv"), {
            "extension_new_deadline": new_deadline, "extension_reason": reason})
    lifecycle.complete("cvp", "review_extension", {"extension_decision": "approve",
                                                   "extension_decision_reason": "Đồng ý."})


def with_offsets(reminder_days: int, escalation_days: int) -> bytes:
    """The task process with the offsets an admin sets on «compute_schedule» in the modeler's panel."""
    xml = (Path(__file__).parents[1] / "bpmn" / "directive_task.bpmn").read_text(encoding="utf-8")
    root = etree.fromstring(xml.encode())
    ns = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL", "camunda": "http://camunda.org/schema/1.0/bpmn"}
    step = root.find(".//bpmn:serviceTask[@id='compute_schedule']", ns)
    extensions = etree.SubElement(step, f"{{{ns['bpmn']}}}extensionElements")
    step.insert(0, extensions)
    properties = etree.SubElement(extensions, f"{{{ns['camunda']}}}properties")
    for name, value in {"reminder_days": reminder_days, "escalation_days": escalation_days}.items():
        etree.SubElement(properties, f"{{{ns['camunda']}}}property", name=name, value=str(value))
    return etree.tostring(root)


def test_offsets_set_on_the_schedule_step_in_the_model_replace_the_settings_and_survive_an_extension(
        lifecycle, svc, clock):
    with svc.db.transaction() as s:
        svc.engine.deploy(s, "nhắc sớm", {"directive_task.bpmn": with_offsets(5, 1)}, SYSTEM)
    lifecycle.distributed(one_task("2026-12-15"))
    with svc.db.reader() as s:
        jobs = {j.element_id: j.due_at for j in s.scalars(select(Job))}
    assert jobs["wait_reminder"] == at("2026-12-08T08:00")  # 5 working days before Tuesday 15/12
    instance_id = assignment_instance(svc)
    extension_approved(lifecycle, svc, instance_id, "2026-12-22", "Chờ số liệu của Cục Thống kê.")
    with svc.db.reader() as s:
        jobs = {j.element_id: j.due_at for j in s.scalars(select(Job).where(Job.instance_id == instance_id))}
    assert jobs == {"wait_reminder": at("2026-12-15T08:00")}  # still 5 working days, now before 22/12


def test_an_approved_extension_moves_the_deadline_and_rearms_every_timer(lifecycle, svc, clock):
    lifecycle.distributed(one_task("2026-12-15"))
    instance_id = assignment_instance(svc)
    extension_approved(lifecycle, svc, instance_id, "2027-01-29", "Chờ ý kiến thẩm định của Bộ Công Thương.")
    accept = lifecycle.task("sct.cv", "accept")
    assert accept.due_at == at("2027-01-29T23:59:59")
    with svc.db.reader() as s:
        assignment = s.get(Assignment, instance_id)
        timers = {j.element_id: j.due_at for j in s.scalars(select(Job).where(Job.instance_id == instance_id))}
    assert (assignment.due_at, assignment.original_due_at) == (at("2027-01-29T23:59:59"), at("2026-12-15T23:59:59"))
    assert [e["outcome"] for e in assignment.extensions] == ["approved"]
    assert timers == {"wait_reminder": at("2027-01-26T08:00")}
    assert run_worker(svc, clock, "2026-12-16T09:00") == 0  # the old deadline passes quietly
    assert notices(svc, "sct.cv") == ["Đồng ý gia hạn: nhiệm vụ 1"]


def test_a_rejected_extension_keeps_the_deadline_and_says_why(lifecycle, svc, clock):
    lifecycle.distributed(one_task("2026-12-15"))
    instance_id = assignment_instance(svc)
    with svc.db.transaction() as s:
        svc.engine.correlate_message(s, instance_id, "Xin gia hạn", lifecycle.actor("sct.cv"), {
            "extension_new_deadline": "2027-01-29", "extension_reason": "Chưa bố trí được cán bộ."})
    lifecycle.complete("cvp", "review_extension", {"extension_decision": "reject",
                                                   "extension_decision_reason": "Nhiệm vụ cấp bách."})
    with svc.db.reader() as s:
        assignment = s.get(Assignment, instance_id)
    assert assignment.due_at == at("2026-12-15T23:59:59")
    assert [e["outcome"] for e in assignment.extensions] == ["rejected"]
    assert notices(svc, "sct.cv") == ["Không đồng ý gia hạn: nhiệm vụ 1"]
    run_worker(svc, clock, "2026-12-10T08:00")
    assert notices(svc, "sct.cv")[-1] == "Sắp đến hạn: nhiệm vụ 1"


def test_a_second_extension_request_while_one_is_pending_is_refused(lifecycle, svc):
    lifecycle.distributed(one_task("2026-12-15"))
    instance_id = assignment_instance(svc)
    request = {"extension_new_deadline": "2027-01-29", "extension_reason": "Chờ ý kiến của Bộ."}
    with svc.db.transaction() as s:
        svc.engine.correlate_message(s, instance_id, "Xin gia hạn", lifecycle.actor("sct.cv"), request)
    assert len(lifecycle.tasks("cvp", "review_extension")) == 1


def test_an_authority_matter_reaches_the_leader_and_his_answer_returns_to_the_agency(lifecycle, svc):
    lifecycle.distributed(one_task("2026-12-15"))
    instance_id = assignment_instance(svc)
    with svc.db.transaction() as s:
        svc.engine.correlate_message(s, instance_id, "Vượt thẩm quyền", lifecycle.actor("sct.cv"), {
            "authority_matter": "Chính sách ưu đãi cần Nghị quyết của HĐND tỉnh."})
    decide = lifecycle.task("pct.hoang", "decide_authority")
    assert decide.label.endswith("Chính sách ưu đãi cần Nghị quyết của HĐND tỉnh.")
    lifecycle.complete("pct.hoang", "decide_authority", {
        "authority_decision": "Giao Sở Công Thương dự thảo Tờ trình HĐND tỉnh tại kỳ họp gần nhất."})
    receive = lifecycle.task("sct.cv", "receive_decision")
    with svc.db.reader() as s:
        variables = svc.engine.task_variables(s, receive.id)
    assert variables["authority_decision"].startswith("Giao Sở Công Thương")
    assert notices(svc, "sct.cv") == ["Ý kiến chỉ đạo: nhiệm vụ 1"]
    lifecycle.complete("sct.cv", "receive_decision", {"decision_acknowledged": True})
    assert lifecycle.tasks("sct.cv", "receive_decision") == [] and lifecycle.tasks("sct.cv", "accept")


def test_finishing_a_task_ends_its_timers(lifecycle, svc, clock):
    lifecycle.distributed(one_task("2026-12-15"))
    lifecycle.complete("sct.cv", "accept", {"handler_name": "Nguyễn Văn A"})
    lifecycle.complete("sct.cv", "report", {"report_text": "Đã trình dự thảo chính sách."})
    lifecycle.complete("cv.lan", "review_report", {"report_decision": "accept"})
    with svc.db.reader() as s:
        assert s.scalar(select(func.count()).select_from(Job)) == 0
        assignment = s.scalars(select(Assignment)).one()
    assert (assignment.status, assignment.on_time) == ("completed", True)


def test_two_workers_racing_fire_a_timer_exactly_once(lifecycle, svc, clock):
    lifecycle.distributed(one_task("2026-12-15"))
    clock.set(at("2026-12-10T08:00"))
    barrier = threading.Barrier(2)

    def work():
        barrier.wait()
        svc.worker.tick_all()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert notices(svc, "sct.cv") == ["Sắp đến hạn: nhiệm vụ 1"]
    with svc.db.reader() as s:
        fired = s.scalar(select(func.count()).select_from(HistoryEvent).where(
            HistoryEvent.element_id == "wait_reminder", HistoryEvent.event_type == "activity_completed"))
    assert fired == 1


def test_a_failing_job_is_retried_with_backoff_then_becomes_an_incident(lifecycle, svc, clock, monkeypatch):
    lifecycle.distributed(one_task("2026-12-15"))

    def broken(ctx):
        raise RuntimeError("máy chủ thư không trả lời")

    monkeypatch.setitem(svc.engine.plugin.handlers, "directive.remind", broken)
    run_worker(svc, clock, "2026-12-10T08:00")
    with svc.db.reader() as s:
        job = s.scalars(select(Job)).one()
    assert (job.attempts, job.due_at) == (1, at("2026-12-10T08:01"))
    run_worker(svc, clock, "2026-12-10T08:01")
    run_worker(svc, clock, "2026-12-10T08:03")
    with svc.db.reader() as s:
        job = s.scalars(select(Job)).one()
    assert (job.status, job.attempts) == (INCIDENT, 3)
    assert "Nhắc hạn cơ quan chủ trì" in job.last_error and "máy chủ thư không trả lời" in job.last_error
    assert run_worker(svc, clock, "2026-12-11T08:00") == 0


def test_the_worker_command_runs_what_is_due_at_the_moment_given(app, lifecycle, svc):
    lifecycle.distributed(one_task("2026-12-15"))
    result = app.test_cli_runner().invoke(args=["worker", "--once", "--now", "2026-12-10T08:00+07:00"])
    assert result.exit_code == 0, result.output
    assert "Đã chạy 1 việc đến hạn lúc 2026-12-10T08:00:00+07:00." in result.output
    assert notices(svc, "sct.cv") == ["Sắp đến hạn: nhiệm vụ 1"]


def test_an_extension_request_for_an_earlier_date_is_refused(lifecycle, svc):
    from engine.plugin import FormContext

    lifecycle.distributed(one_task("2026-12-15"))
    check = svc.engine.plugin.form_checks["directive_extension_request"]
    with svc.db.reader() as s:
        variables = svc.engine.variables(s, s.get(ProcessInstance, assignment_instance(svc)))
        context = FormContext(s, "directive_extension_request", "", variables, lifecycle.actor("sct.cv"), clock_now())
    assert check(context, {"extension_new_deadline": "2026-12-10"}) == {
        "extension_new_deadline": "Hạn mới phải sau hạn hiện tại 15/12/2026."}


def clock_now():
    return at("2026-11-23T09:00")


@pytest.mark.parametrize("moment", ["2026-11-24T10:00"])
def test_a_message_the_instance_does_not_wait_for_is_refused_with_a_sentence(lifecycle, svc, clock, moment):
    lifecycle.distributed(one_task(None))
    instance_id = assignment_instance(svc)
    with pytest.raises(Conflict, match="Quy trình hiện không chờ «Kết thúc theo dõi»"):
        with svc.db.transaction() as s:
            svc.engine.correlate_message(s, instance_id, "Kết thúc theo dõi", lifecycle.actor("cv.lan"), {})


def weekly_report() -> dict:
    return one_task(None, deadline_phrase="định kỳ báo cáo kết quả về UBND tỉnh trước 15h00 thứ Ba hàng tuần")


def periods(svc) -> list[tuple[int, str, str]]:
    from workflows.models import ReportPeriod

    with svc.db.reader() as s:
        return [(p.period_no, p.due_at.astimezone(LOCAL_TZ).strftime("%d/%m/%Y %H:%M"), p.status)
                for p in s.scalars(select(ReportPeriod).order_by(ReportPeriod.period_no))]


def test_a_weekly_report_opens_one_obligation_per_period_moved_past_the_national_day(lifecycle, svc, clock):
    clock.set(at("2025-08-25T09:00"))  # a Monday
    lifecycle.distributed(weekly_report())
    lifecycle.complete("sct.cv", "accept", {"handler_name": "Nguyễn Văn A"})
    assert periods(svc) == [(1, "26/08/2025 15:00", "running")]
    report = lifecycle.task("sct.cv", "report")
    assert report.due_at == at("2025-08-26T15:00") and "kỳ báo cáo 1" in report.label
    run_worker(svc, clock, "2025-08-26T15:00")
    assert periods(svc) == [(1, "26/08/2025 15:00", "running"), (2, "03/09/2025 15:00", "running")]
    assert notices(svc, "sct.cv")[-1] == "Quá hạn: nhiệm vụ 1"
    lifecycle.complete("sct.cv", "report", {"report_text": "Báo cáo tuần: các dự án trọng điểm đúng tiến độ."},
                       lifecycle.tasks("sct.cv", "report")[0].instance_id)
    run_worker(svc, clock, "2025-09-03T15:00")
    assert [p[:2] for p in periods(svc)] == [(1, "26/08/2025 15:00"), (2, "03/09/2025 15:00"),
                                            (3, "09/09/2025 15:00")]


def test_closing_a_recurring_task_ends_its_periods(lifecycle, svc, clock):
    clock.set(at("2025-08-25T09:00"))
    lifecycle.distributed(weekly_report())
    lifecycle.complete("sct.cv", "accept", {"handler_name": "Nguyễn Văn A"})
    with svc.db.transaction() as s:
        svc.engine.correlate_message(s, assignment_instance(svc), "Kết thúc theo dõi", lifecycle.actor("cv.lan"), {})
    with svc.db.reader() as s:
        assert s.scalars(select(Assignment)).one().status == "completed"
        assert s.scalar(select(func.count()).select_from(Job)) == 0
    assert periods(svc)[0][2] == "cancelled" and lifecycle.tasks("sct.cv", "report") == []


def test_a_recurring_report_with_an_end_date_completes_after_its_last_period(lifecycle, svc, clock):
    clock.set(at("2025-08-25T09:00"))
    lifecycle.distributed(one_task(None, deadline_phrase="trước 15h00 thứ Ba hằng tuần đến ngày 02/09/2025"))
    lifecycle.complete("sct.cv", "accept", {"handler_name": "Nguyễn Văn A"})
    run_worker(svc, clock, "2025-08-26T15:00")
    assert [p[:2] for p in periods(svc)] == [(1, "26/08/2025 15:00"), (2, "03/09/2025 15:00")]
    for report in lifecycle.tasks("sct.cv", "report"):
        lifecycle.complete("sct.cv", "report", {"report_text": "Báo cáo tuần: đúng tiến độ."}, report.instance_id)
    for review in lifecycle.tasks("cv.lan", "review_report"):
        lifecycle.complete("cv.lan", "review_report", {"report_decision": "accept"}, review.instance_id)
    with svc.db.reader() as s:
        assert s.scalars(select(Assignment)).one().status == "completed"
    assert [p[2] for p in periods(svc)] == ["completed", "completed"]


def overdue_and_escalated(lifecycle, svc, clock) -> str:
    """A task two working days past its deadline: the supervising leader has the chase in hand."""
    lifecycle.distributed(one_task("2026-12-15"))
    lifecycle.complete("sct.cv", "accept", {"handler_name": "Nguyễn Văn A"})
    run_worker(svc, clock, "2026-12-17T08:00")
    return assignment_instance(svc)


def history_of(svc, instance_id: str) -> list[tuple[str, str | None]]:
    with svc.db.reader() as s:
        return [(e.event_type, e.element_id) for e in s.scalars(
            select(HistoryEvent).where(HistoryEvent.instance_id == instance_id).order_by(HistoryEvent.seq))]


def test_a_chase_letter_already_sent_still_waits_for_its_acknowledgement_after_an_extension(lifecycle, svc, clock):
    instance_id = overdue_and_escalated(lifecycle, svc, clock)
    lifecycle.complete("pct.hoang", "chase", {"chase_text": "Đề nghị Sở Công Thương hoàn thành ngay trong tuần."})
    extension_approved(lifecycle, svc, instance_id, "2027-01-29", "Chờ ý kiến thẩm định của Bộ Công Thương.")
    ack = lifecycle.task("sct.cv", "acknowledge_chase")  # the letter was sent: its receipt is still owed
    lifecycle.complete("sct.cv", "acknowledge_chase", {"chase_acknowledged": True,
                                                       "chase_response": "Hoàn thành trước 29/01/2027 theo hạn mới."})
    assert lifecycle.tasks("sct.cv", "acknowledge_chase") == []
    assert ("task_cancelled", "acknowledge_chase") not in history_of(svc, ack.instance_id)
    with svc.db.reader() as s:
        assert verify_all(svc.engine, s).verified


def test_a_chase_an_extension_makes_moot_is_recorded_as_cancelled_not_silently_dropped(lifecycle, svc, clock):
    instance_id = overdue_and_escalated(lifecycle, svc, clock)
    assert lifecycle.task("pct.hoang", "chase")
    extension_approved(lifecycle, svc, instance_id, "2027-01-29", "Chờ ý kiến thẩm định của Bộ Công Thương.")
    assert lifecycle.tasks("pct.hoang", "chase") == []
    events = history_of(svc, instance_id)
    assert ("task_cancelled", "chase") in events
    assert events.index(("activity_completed", "extended_boundary")) < events.index(("task_cancelled", "chase"))
    with svc.db.reader() as s:
        assert verify_all(svc.engine, s).verified


def test_a_report_period_ending_while_the_next_one_is_open_replays_verified(lifecycle, svc, clock):
    clock.set(at("2025-08-25T09:00"))
    lifecycle.distributed(weekly_report())
    lifecycle.complete("sct.cv", "accept", {"handler_name": "Nguyễn Văn A"})
    run_worker(svc, clock, "2025-08-26T15:00")  # the second period opens; the first is still reported on
    first = lifecycle.tasks("sct.cv", "report")[0].instance_id
    lifecycle.complete("sct.cv", "report", {"report_text": "Báo cáo tuần: các dự án trọng điểm đúng tiến độ."}, first)
    lifecycle.complete("cv.lan", "review_report", {"report_decision": "accept"}, first)
    assert [p[2] for p in periods(svc)][:2] == ["completed", "running"]
    with svc.db.reader() as s:
        report = verify_all(svc.engine, s)
    assert report.verified, [f.message for f in report.findings]


def test_the_cancelled_chase_shows_in_the_rest_history_as_deleted_and_canceled(lifecycle, svc, clock, client):
    instance_id = overdue_and_escalated(lifecycle, svc, clock)
    chase = lifecycle.task("pct.hoang", "chase")
    extension_approved(lifecycle, svc, instance_id, "2027-01-29", "Chờ ý kiến thẩm định của Bộ Công Thương.")
    auditor = basic("thanhtra")
    tasks = client.get(f"/engine-rest/history/task?taskId={chase.id}", headers=auditor).get_json()
    assert [(t["deleteReason"], t["endTime"] is not None) for t in tasks] == [("deleted", True)]
    activities = client.get(f"/engine-rest/history/activity-instance?processInstanceId={instance_id}"
                            "&activityId=chase&canceled=true", headers=auditor).get_json()
    assert [(a["taskId"], a["canceled"]) for a in activities] == [(chase.id, True)]


def test_a_due_date_moved_by_an_approved_extension_verifies_and_one_edited_in_the_list_does_not(
        lifecycle, svc, clock):
    lifecycle.distributed(one_task("2026-12-15"))
    instance_id = assignment_instance(svc)
    extension_approved(lifecycle, svc, instance_id, "2027-01-29", "Chờ ý kiến thẩm định của Bộ Công Thương.")
    accept = lifecycle.task("sct.cv", "accept")
    with svc.db.reader() as s:
        assert replay_instance(svc.engine, s, instance_id).verified
    with svc.db.transaction() as s:  # the list shows a later deadline than the approved one
        s.get(HumanTask, accept.id).due_at = at("2027-03-31T23:59:59")
    with svc.db.reader() as s:
        sentence = replay_instance(svc.engine, s, instance_id).sentence()
    assert "danh sách việc ghi «hạn xử lý» của bước «" in sentence and "23:59 29/01/2027" in sentence
