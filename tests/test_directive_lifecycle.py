"""The directive lifecycle through the engine: the BPMN decides, the read model follows."""
from __future__ import annotations

from sqlalchemy import select

from engine.history import verify_chain
from engine.models import HistoryEvent, ProcessInstance
from workflows.models import Assignment, Directive, IncomingEntry, OutgoingEntry, Receipt

from .conftest import draft_data


def test_directive_closes_when_every_agency_received_it_and_every_task_is_accepted(lifecycle, svc):
    instance_id = lifecycle.distributed()
    for user in ("sct.cv", "bqlkkt.cv"):
        lifecycle.complete(user, "acknowledge", {"received": True})
    lifecycle.complete("sct.cv", "accept", {"handler_name": "Nguyễn Văn A"})
    lifecycle.complete("bqlkkt.cv", "contribute", {"contribution": {"text": "Ban thống nhất với dự thảo chính sách."}})
    lifecycle.complete("sct.cv", "report", {"report_text": "Đã trình dự thảo chính sách ưu đãi."})
    lifecycle.complete("cv.lan", "review_report", {"report_decision": "accept"})
    lifecycle.complete("bqlkkt.cv", "accept", {"handler_name": "Trần Thị B"})
    lifecycle.complete("bqlkkt.cv", "report", {"report_text": "Đã ban hành hướng dẫn cho các KCN."})
    with svc.db.reader() as s:
        assert s.get(Directive, instance_id).status == "running"
    lifecycle.complete("cv.lan", "review_report", {"report_decision": "accept"})
    with svc.db.reader() as s:
        directive = s.get(Directive, instance_id)
        assert (directive.status, directive.stage) == ("completed", "Đã hoàn thành")
        assert {a.status for a in s.scalars(select(Assignment))} == {"completed"}
        assert {r.status for r in s.scalars(select(Receipt))} == {"completed"}
        assert s.scalar(select(ProcessInstance.status).where(ProcessInstance.id == instance_id)) == "completed"


def test_registration_numbers_the_directive_from_the_yearly_register(lifecycle, svc):
    first = lifecycle.distributed()
    second = lifecycle.distributed(draft_data(field_code="TH"))
    with svc.db.reader() as s:
        numbers = [s.get(Directive, i).number_text for i in (first, second)]
        register = s.scalars(select(OutgoingEntry).order_by(OutgoingEntry.number)).all()
    assert numbers == ["01/UBND-KT", "02/UBND-TH"]
    assert [(e.year, e.number, e.registered_by) for e in register] == [(2026, 1, "vanthu"), (2026, 2, "vanthu")]


def test_distribution_fans_groups_out_to_every_member(lifecycle, svc):
    instance_id = lifecycle.distributed(draft_data(recipients=["G_HUYEN", "SCT"], tasks=[
        {"ref": "1", "summary": "Rà soát quy hoạch cụm công nghiệp", "lead": ["G_HUYEN"], "coordinate": ["SCT"],
         "deadline": None}]))
    with svc.db.reader() as s:
        receipts = sorted(r.agency for r in s.scalars(select(Receipt).where(Receipt.directive_id == instance_id)))
        leads = sorted(a.lead for a in s.scalars(select(Assignment).where(Assignment.directive_id == instance_id)))
    assert receipts == ["ANNHON", "QUYNHON", "SCT", "TUYPHUOC"]
    assert leads == ["ANNHON", "QUYNHON", "TUYPHUOC"]


def test_each_recipient_enters_the_directive_in_its_own_incoming_register(lifecycle, svc):
    lifecycle.distributed()
    lifecycle.distributed()
    for _ in range(2):
        lifecycle.complete("sct.cv", "acknowledge", {"received": True})
    lifecycle.complete("bqlkkt.cv", "acknowledge", {"received": True})
    with svc.db.reader() as s:
        rows = [(e.agency, e.number) for e in s.scalars(select(IncomingEntry).order_by(IncomingEntry.id))]
    assert rows == [("SCT", 1), ("SCT", 2), ("BQLKKT", 1)]


def test_a_review_return_sends_the_draft_back_to_its_drafter_with_the_reason(lifecycle, svc):
    instance_id = lifecycle.start()
    lifecycle.complete("cv.lan", "draft", draft_data(), instance_id)
    lifecycle.complete("cvp", "review", {"review_decision": "return", "review_reason": "Bổ sung căn cứ pháp lý."},
                       instance_id)
    draft = lifecycle.task("cv.lan", "draft", instance_id)
    assert draft.assignee == "cv.lan"
    assert lifecycle.tasks("cv.binh", "draft", instance_id) == []
    with svc.db.reader() as s:
        assert s.get(Directive, instance_id).last_reason == "Bổ sung căn cứ pháp lý."


def test_a_signer_return_goes_back_to_draft_and_through_review_again(lifecycle, svc):
    instance_id = lifecycle.start()
    lifecycle.complete("cv.lan", "draft", draft_data(), instance_id)
    lifecycle.complete("cvp", "review", {"review_decision": "approve"}, instance_id)
    lifecycle.complete("pct.hoang", "sign", {"sign_decision": "return", "sign_reason": "Rút ngắn hạn nhiệm vụ 1."},
                       instance_id)
    lifecycle.complete("cv.lan", "draft", draft_data(), instance_id)
    assert [t.element_id for t in lifecycle.human_tasks(instance_id)] == ["review"]


def test_the_signing_step_goes_only_to_the_signer_the_draft_names(lifecycle):
    instance_id = lifecycle.start()
    lifecycle.complete("cv.lan", "draft", draft_data(signing_authority="CT", signer="ct"), instance_id)
    lifecycle.complete("cvp", "review", {"review_decision": "approve"}, instance_id)
    assert lifecycle.tasks("pct.hoang", "sign") == []
    assert lifecycle.task("ct", "sign").assignee == "ct"


def test_a_report_returned_by_the_tracker_comes_back_to_the_lead_agency(lifecycle, svc):
    lifecycle.distributed()
    lifecycle.complete("bqlkkt.cv", "accept", {"handler_name": "Trần Thị B"})
    lifecycle.complete("bqlkkt.cv", "report", {"report_text": "Đã ban hành hướng dẫn cho các KCN."})
    lifecycle.complete("cv.lan", "review_report", {"report_decision": "return",
                                                   "report_review_reason": "Thiếu số liệu."})
    report = lifecycle.task("bqlkkt.cv", "report")
    with svc.db.reader() as s:
        assignment = s.get(Assignment, report.instance_id)
        assert (assignment.stage, assignment.last_reason) == ("Báo cáo kết quả thực hiện", "Thiếu số liệu.")


def test_history_records_every_step_with_its_actor_and_the_chain_verifies(lifecycle, svc):
    instance_id = lifecycle.distributed()
    with svc.db.reader() as s:
        events = s.scalars(select(HistoryEvent).where(HistoryEvent.instance_id == instance_id)
                           .order_by(HistoryEvent.seq)).all()
    completed = [(e.element_id, e.actor) for e in events if e.event_type == "task_completed"]
    assert completed == [("draft", "cv.lan"), ("review", "cvp"), ("sign", "pct.hoang"), ("register", "vanthu")]
    assert {e.definition_id for e in events} == {events[0].definition_id}
    assert verify_chain(events) == (True, None)


def test_a_reason_from_an_earlier_loop_is_not_shown_again(lifecycle, svc):
    instance_id = lifecycle.start()
    lifecycle.complete("cv.lan", "draft", draft_data(), instance_id)
    lifecycle.complete("cvp", "review", {"review_decision": "return", "review_reason": "Bổ sung căn cứ."},
                       instance_id)
    lifecycle.complete("cv.lan", "draft", draft_data(), instance_id)
    lifecycle.complete("cvp", "review", {"review_decision": "approve"}, instance_id)
    lifecycle.complete("pct.hoang", "sign", {"sign_decision": "return", "sign_reason": "Sửa hạn."}, instance_id)
    draft = lifecycle.task("cv.lan", "draft", instance_id)
    with svc.db.reader() as s:
        variables = svc.engine.task_variables(s, draft.id)
        assert s.get(Directive, instance_id).last_reason == "Sửa hạn."
    assert "review_reason" not in variables and variables["sign_reason"] == "Sửa hạn."


def test_numbering_restarts_at_01_on_the_first_of_january(lifecycle, svc, clock):
    from datetime import datetime

    from engine.clock import LOCAL_TZ

    clock.set(datetime(2026, 12, 31, 16, 0, tzinfo=LOCAL_TZ))
    last_of_year = lifecycle.distributed()
    second = lifecycle.distributed()
    clock.set(datetime(2027, 1, 4, 8, 0, tzinfo=LOCAL_TZ))
    first_of_year = lifecycle.distributed(draft_data(field_code="TH"))
    with svc.db.reader() as s:
        numbered = [(s.get(Directive, i).number_text, s.get(Directive, i).issued_on.isoformat())
                    for i in (last_of_year, second, first_of_year)]
    assert numbered == [("01/UBND-KT", "2026-12-31"), ("02/UBND-KT", "2026-12-31"), ("01/UBND-TH", "2027-01-04")]
