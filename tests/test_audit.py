"""Tampering with the history is found: an edited, forged or deleted event, a cut tail, a deleted instance."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import delete, select, update

from engine.audit import verify_all, verify_instance
from engine.clock import LOCAL_TZ
from engine.history import HistoryWriter, event_hash, hashed_fields
from engine.models import HistoryEvent, HumanTask, ProcessDefinition, ProcessInstance
from engine.replay import instance_events, replay_instance

from .conftest import draft_data, login


def signed_directive(lifecycle) -> str:
    directive = lifecycle.start()
    lifecycle.complete("cv.lan", "draft", draft_data(), directive)
    lifecycle.complete("cvp", "review", {"review_decision": "approve"}, directive)
    return directive


def event(svc, instance_id: str, event_type: str) -> HistoryEvent:
    with svc.db.reader() as s:
        return next(e for e in instance_events(s, instance_id) if e.event_type == event_type)


def delete_with_history(svc, instance_id: str) -> None:
    """What someone with write access to the database can do: remove an instance, its tasks and its history."""
    with svc.db.transaction() as s:
        s.execute(delete(HumanTask).where(HumanTask.instance_id == instance_id))
        s.execute(delete(ProcessInstance).where(ProcessInstance.id == instance_id))
        s.execute(delete(HistoryEvent).where(HistoryEvent.instance_id == instance_id))


def verdict(svc, instance_id: str) -> str:
    with svc.db.reader() as s:
        return replay_instance(svc.engine, s, instance_id).sentence()


def test_an_untouched_store_verifies_with_its_anchor(lifecycle, svc, clock):
    signed_directive(lifecycle)
    assert svc.worker.anchor() is not None
    assert svc.worker.anchor() is None  # nothing moved since
    with svc.db.reader() as s:
        report = verify_all(svc.engine, s)
    assert report.verified and report.instances == 1 and report.events >= 9


def test_an_edited_event_payload_breaks_the_chain_at_that_event(lifecycle, svc):
    directive = signed_directive(lifecycle)
    review = event(svc, directive, "task_completed")
    with svc.db.transaction() as s:
        s.execute(update(HistoryEvent).where(HistoryEvent.id == review.id)
                  .values(data={"submitted": {**review.data["submitted"], "subject": "V/v khác"}}))
    assert verdict(svc, directive) == f"Chuỗi băm bị đứt: Nội dung sự kiện số {review.seq} đã bị sửa."


def test_a_forged_payload_with_recomputed_hashes_is_found_by_replay(lifecycle, svc):
    directive = signed_directive(lifecycle)
    with svc.db.transaction() as s:
        events = instance_events(s, directive)
        prev = events[0].prev_hash
        for e in events:  # rewrite the draft's decision and re-chain everything after it
            if e.event_type == "task_completed" and e.element_id == "review":
                e.data = {**e.data, "submitted": {"review_decision": "return", "review_reason": "Giả mạo."}}
            e.prev_hash = prev
            e.hash = event_hash(prev, hashed_fields(e))
            prev = e.hash
    sentence = verdict(svc, directive)  # the record says it went to signature; replay returns it to the drafter
    assert sentence.startswith("Thực thi lại khác bản ghi tại sự kiện số ")
    assert "bản ghi có «giao việc Ký ban hành»" in sentence


def test_a_deleted_event_is_named_by_its_number(lifecycle, svc):
    directive = signed_directive(lifecycle)
    review = event(svc, directive, "task_completed")
    with svc.db.transaction() as s:
        s.execute(delete(HistoryEvent).where(HistoryEvent.id == review.id))
    assert verdict(svc, directive) == f"Chuỗi băm bị đứt: Thiếu sự kiện số {review.seq} (gặp số {review.seq + 1})."


def test_a_cut_tail_and_a_deleted_instance_are_found_by_the_anchors(lifecycle, svc, clock):
    kept, cut = signed_directive(lifecycle), signed_directive(lifecycle)
    deleted = signed_directive(lifecycle)
    svc.worker.anchor()
    with svc.db.transaction() as s:
        last = max(e.seq for e in instance_events(s, cut))
        s.execute(delete(HistoryEvent).where(HistoryEvent.instance_id == cut, HistoryEvent.seq > last - 3))
        s.execute(delete(HumanTask).where(HumanTask.instance_id == deleted))
        s.execute(delete(HistoryEvent).where(HistoryEvent.instance_id == deleted))
        s.execute(delete(ProcessInstance).where(ProcessInstance.id == deleted))
    with svc.db.reader() as s:
        report = verify_all(svc.engine, s)
        remaining = list(s.scalars(select(ProcessInstance.id)))
    messages = {f.instance_id: f.message for f in report.findings}
    assert not report.verified and kept in remaining and kept not in messages
    assert messages[cut] == (f"Lịch sử phiên {cut} bị cắt: mốc kiểm chứng ghi đến sự kiện số {last}, "
                             f"nay chỉ còn đến số {last - 3}.")
    assert messages[deleted].startswith(f"Phiên {deleted} đã bị xóa cùng toàn bộ lịch sử")


def test_a_tail_cut_and_written_again_is_still_found_by_the_first_anchor(lifecycle, svc, clock):
    directive = signed_directive(lifecycle)
    sign = lifecycle.task("pct.hoang", "sign", directive)
    signer = lifecycle.actor("pct.hoang")
    with svc.db.transaction() as s:
        svc.engine.comment(s, sign.id, signer, "Đề nghị bổ sung căn cứ pháp lý.")
    svc.worker.anchor()
    with svc.db.transaction() as s:
        claimed = max(e.seq for e in instance_events(s, directive))
        s.execute(delete(HistoryEvent).where(HistoryEvent.instance_id == directive, HistoryEvent.seq == claimed))
    with svc.db.transaction() as s:  # the chain grows again from the cut, valid link by link
        svc.engine.comment(s, sign.id, signer, "Đã bổ sung.")
        svc.engine.comment(s, sign.id, signer, "Trình ký.")
    svc.worker.anchor()
    with svc.db.reader() as s:
        assert replay_instance(svc.engine, s, directive).verified  # comments change no state: replay cannot tell
        report = verify_all(svc.engine, s)
    assert [f.message for f in report.findings] == [
        f"Sự kiện số {claimed} của phiên {directive} khác với lúc lập mốc kiểm chứng."]


def test_anchors_go_on_after_a_worker_ran_at_a_later_simulated_moment(lifecycle, svc, clock):
    directive = signed_directive(lifecycle)
    back_then = clock.now()
    clock.set(back_then + timedelta(days=20))  # `chidao worker --once --now` three weeks ahead
    assert svc.worker.anchor_if_due() is not None
    clock.set(back_then + timedelta(minutes=1))  # the clock back on the real day
    lifecycle.complete("pct.hoang", "sign", {"sign_decision": "approve"}, directive)
    assert svc.worker.anchor_if_due() is not None  # not blocked for three weeks by the later anchor
    with svc.db.transaction() as s:
        s.execute(delete(ProcessInstance).where(ProcessInstance.id == directive))
        s.execute(delete(HistoryEvent).where(HistoryEvent.instance_id == directive))
    with svc.db.reader() as s:
        assert not verify_all(svc.engine, s).verified


def test_the_verdict_of_one_instance_includes_what_the_anchors_prove(app, lifecycle, svc, clock):
    directive = signed_directive(lifecycle)
    sign = lifecycle.task("pct.hoang", "sign", directive)
    with svc.db.transaction() as s:
        svc.engine.comment(s, sign.id, lifecycle.actor("pct.hoang"), "Xem lại căn cứ.")
    svc.worker.anchor()
    with svc.db.transaction() as s:
        last = max(e.seq for e in instance_events(s, directive))
        s.execute(delete(HistoryEvent).where(HistoryEvent.instance_id == directive, HistoryEvent.seq == last))
    cut = f"Lịch sử phiên {directive} bị cắt: mốc kiểm chứng ghi đến sự kiện số {last}"
    with svc.db.reader() as s:
        assert replay_instance(svc.engine, s, directive).verified  # the cut tail alone replays fine…
        result = verify_instance(svc.engine, s, directive)
    assert not result.verified and result.sentence().startswith(cut)  # …the anchors say otherwise
    run = app.test_cli_runner().invoke(args=["replay", directive, "--verify"])
    assert run.exit_code == 1 and cut in run.output
    auditor = login(app.test_client(), "thanhtra")
    assert cut in auditor.get(f"/audit/instances/{directive}").get_data(as_text=True)
    exported = auditor.get(f"/audit/instances/{directive}/history.json").get_json()["verification"]
    assert exported["verified"] is False and exported["record_finding"].startswith(cut)


def test_a_called_instance_deleted_with_its_history_is_found_from_its_parent_even_unanchored(lifecycle, svc):
    directive = lifecycle.distributed(draft_data())
    with svc.db.reader() as s:
        child = s.scalars(select(ProcessInstance.id).where(ProcessInstance.parent_instance_id == directive)).first()
    delete_with_history(svc, child)
    with svc.db.reader() as s:
        report = verify_all(svc.engine, s)
        parent = verify_instance(svc.engine, s, directive)
    assert any(f.message.startswith(f"Phiên con {child} do bước") for f in report.findings)
    assert not parent.verified and f"Phiên con {child}" in parent.sentence()


def test_a_forged_cancellation_of_a_task_still_waiting_is_found_by_replay(lifecycle, svc, clock):
    directive = signed_directive(lifecycle)
    sign = lifecycle.task("pct.hoang", "sign", directive)
    with svc.db.transaction() as s:  # a well-chained event claiming the signature was taken away
        HistoryWriter(s).append(instance_id=directive, definition_id=sign.definition_id, event_type="task_cancelled",
                                at=clock.now(), actor=None, element_id="sign", element_name=sign.name,
                                task_id=sign.id, data={"assignee": sign.assignee})
    sentence = verdict(svc, directive)
    assert sentence.startswith("Thực thi lại khác bản ghi tại sự kiện số ")
    assert f"bản ghi có «hủy bước {sign.name}» nhưng khi thực thi lại bước đó không bị hủy" in sentence


def forge(svc, instance_id: str, change) -> None:
    """Change events with ``change(event)`` and chain every event again, valid link by link."""
    with svc.db.transaction() as s:
        events = instance_events(s, instance_id)
        prev = events[0].prev_hash
        for e in events:
            change(e)
            e.prev_hash = prev
            e.hash = event_hash(prev, hashed_fields(e))
            prev = e.hash


def test_a_signature_forged_onto_another_leader_is_found_by_replay(lifecycle, svc):
    directive = signed_directive(lifecycle)
    lifecycle.complete("pct.hoang", "sign", {"sign_decision": "approve"}, directive)

    def other_signer(e):
        if e.event_type == "task_completed" and e.element_id == "sign":
            e.actor = "pct.tuan"
    forge(svc, directive, other_signer)
    assert "bản ghi ghi «pct.tuan» hoàn thành bước «Ký ban hành» trong khi bước đó được giao cho «pct.hoang»" \
        in verdict(svc, directive)


def test_a_group_task_forged_onto_another_body_is_found_by_replay(lifecycle, svc):
    directive = lifecycle.distributed(draft_data())
    receipt = lifecycle.task("sct.cv", "acknowledge")
    lifecycle.complete("sct.cv", "acknowledge", {"received": True}, receipt.instance_id)

    def other_body(e):
        if e.event_type == "task_completed":
            e.actor, e.actor_org = "stc.cv", "STC"
    forge(svc, receipt.instance_id, other_body)
    assert "bản ghi ghi «stc.cv» (STC) hoàn thành bước" in verdict(svc, receipt.instance_id)
    assert directive


def test_a_claim_moved_before_its_task_was_created_is_found_by_replay(lifecycle, svc):
    directive = signed_directive(lifecycle)
    lifecycle.complete("pct.hoang", "sign", {"sign_decision": "approve"}, directive)
    register = lifecycle.task("vanthu", "register", directive)
    with svc.db.transaction() as s:
        svc.engine.claim(s, register.id, lifecycle.actor("vanthu"))
    with svc.db.transaction() as s:
        events = instance_events(s, directive)
        created = next(e for e in events if e.event_type == "task_created" and e.element_id == "register")
        claimed = next(e for e in events if e.event_type == "task_claimed")
        for event_id, seq in ((claimed.id, -1), (created.id, claimed.seq), (claimed.id, created.seq)):
            s.execute(update(HistoryEvent).where(HistoryEvent.id == event_id).values(seq=seq))
    forge(svc, directive, lambda e: None)
    assert "nhưng khi thực thi lại bước đó không đang chờ xử lý" in verdict(svc, directive)


def test_a_release_or_a_claim_forged_to_move_the_named_signers_task_is_found(lifecycle, svc, clock):
    directive = signed_directive(lifecycle)
    sign = lifecycle.task("pct.hoang", "sign", directive)
    for kind, data, said in (("task_unclaimed", {"previous": "pct.hoang"}, "quy trình giao bước đó riêng cho"),
                             ("task_claimed", {"assignee": "cvp"}, "«pct.hoang» đang giữ bước đó")):
        with svc.db.transaction() as s:
            forged = HistoryWriter(s).append(
                instance_id=directive, definition_id=sign.definition_id, event_type=kind, at=clock.now(),
                actor=lifecycle.actor("pct.hoang"), element_id="sign", element_name=sign.name, task_id=sign.id,
                data=data)
        assert said in verdict(svc, directive)
        with svc.db.transaction() as s:
            s.execute(delete(HistoryEvent).where(HistoryEvent.id == forged.id))


def test_an_event_of_a_kind_the_engine_never_writes_is_found(lifecycle, svc, clock):
    directive = signed_directive(lifecycle)
    with svc.db.transaction() as s:
        HistoryWriter(s).append(instance_id=directive, definition_id=event(svc, directive, "instance_started")
                                .definition_id, event_type="task_delegated", at=clock.now(),
                                actor=lifecycle.actor("ct"), data={})
    assert "bản ghi có loại sự kiện «task_delegated» mà hệ thống không bao giờ ghi" in verdict(svc, directive)


def test_a_signature_step_forged_onto_another_leader_at_its_creation_is_found_by_replay(lifecycle, svc):
    directive = signed_directive(lifecycle)
    lifecycle.complete("pct.hoang", "sign", {"sign_decision": "approve"}, directive)

    def given_to_another_leader(e):  # from the start: who the step went to, and who signed
        if e.element_id == "sign" and e.event_type == "task_created":
            e.data = {**e.data, "assignee": "pct.tuan"}
        if e.element_id == "sign" and e.event_type == "task_completed":
            e.actor = "pct.tuan"
    forge(svc, directive, given_to_another_leader)
    assert ("bản ghi giao riêng cho bước «Ký ban hành»: «pct.tuan», theo quy trình và dữ liệu thì «pct.hoang»."
            in verdict(svc, directive))


def test_a_group_task_forged_onto_another_body_at_its_creation_is_found_by_replay(lifecycle, svc):
    lifecycle.distributed(draft_data())
    receipt = lifecycle.task("sct.cv", "acknowledge")
    lifecycle.complete("sct.cv", "acknowledge", {"received": True}, receipt.instance_id)

    def offered_elsewhere(e):
        if e.event_type == "task_created" and e.element_id == "acknowledge":
            e.data = {**e.data, "candidate_groups": e.data["candidate_groups"].replace("SCT:", "STC:")}
        if e.event_type == "task_completed":
            e.actor, e.actor_org = "stc.cv", "STC"
    forge(svc, receipt.instance_id, offered_elsewhere)
    sentence = verdict(svc, receipt.instance_id)
    assert "bản ghi giao cho nhóm bước «" in sentence and "«STC:" in sentence and "thì «SCT:" in sentence


def test_a_task_list_row_edited_to_move_a_step_is_found_before_anyone_acts_on_it(lifecycle, svc):
    directive = signed_directive(lifecycle)
    sign = lifecycle.task("pct.hoang", "sign", directive)
    with svc.db.transaction() as s:
        s.execute(update(HumanTask).where(HumanTask.id == sign.id).values(assignee="pct.tuan"))
    assert verdict(svc, directive) == ("Thực thi lại khác bản ghi ở trạng thái cuối: danh sách việc giao bước "
                                       "«Ký ban hành» cho «pct.tuan», lịch sử thì cho «pct.hoang».")
    with svc.db.transaction() as s:
        s.execute(update(HumanTask).where(HumanTask.id == sign.id)
                  .values(assignee="pct.hoang", candidate_groups_text="STC:specialist"))
    moved = verdict(svc, directive)
    assert "danh sách việc giao bước «Ký ban hành» cho nhóm «STC:specialist»" in moved
    assert "theo quy trình thì «" in moved
    with svc.db.transaction() as s:
        s.execute(delete(HumanTask).where(HumanTask.id == sign.id))
    assert verdict(svc, directive).endswith("bước «Ký ban hành» đang chờ xử lý khi thực thi lại nhưng không có "
                                            "trong danh sách việc.")


def test_a_task_moved_to_another_body_through_the_candidate_list_or_made_releasable_is_found(lifecycle, svc):
    from engine.models import HumanTaskCandidate
    lifecycle.distributed(draft_data())
    receipt = lifecycle.task("sct.cv", "acknowledge")
    with svc.db.transaction() as s:  # what the task lists filter on, moved to another body
        s.execute(delete(HumanTaskCandidate).where(HumanTaskCandidate.task_id == receipt.id))
        s.add(HumanTaskCandidate(task_id=receipt.id, group_id="STP:official"))
    assert "(lọc theo «STP:official»)" in verdict(svc, receipt.instance_id)
    directive = signed_directive(lifecycle)
    sign = lifecycle.task("pct.hoang", "sign", directive)
    with svc.db.transaction() as s:  # the named signer's task made releasable to the group
        s.execute(update(HumanTask).where(HumanTask.id == sign.id).values(assigned_by_process=False))
    assert "«Ký ban hành» là không do quy trình giao riêng cho một người" in verdict(svc, directive)


def test_the_audit_page_shows_the_store_verdict_and_a_deleted_instance_keeps_a_page(app, lifecycle, svc):
    auditor = login(app.test_client(), "thanhtra")
    kept, deleted = signed_directive(lifecycle), signed_directive(lifecycle)
    svc.worker.anchor()
    page = auditor.get("/audit/").get_data(as_text=True)
    assert 'id="store-verdict" class="flash success"' in page and "không phiên nào bị xóa" in page
    delete_with_history(svc, deleted)
    page = auditor.get("/audit/").get_data(as_text=True)
    assert 'data-verified="false"' in page and "Toàn kho: 1 phát hiện" in page
    assert f"Phiên {deleted} đã bị xóa cùng toàn bộ lịch sử" in page and f"/audit/instances/{deleted}" in page
    gone = auditor.get(f"/audit/instances/{deleted}")
    assert gone.status_code == 200 and 'data-verified="false"' in gone.get_data(as_text=True)
    assert f"Phiên {deleted} đã bị xóa cùng toàn bộ lịch sử" in gone.get_data(as_text=True)
    assert auditor.get("/audit/instances/00000000-0000-0000-0000-000000000000").status_code == 404
    assert 'data-verified="true"' in auditor.get(f"/audit/instances/{kept}").get_data(as_text=True)


def test_a_called_instance_deleted_before_any_anchor_keeps_a_page_naming_its_parent(app, lifecycle, svc):
    directive = lifecycle.distributed(draft_data())
    with svc.db.reader() as s:
        child = s.scalars(select(ProcessInstance.id).where(ProcessInstance.parent_instance_id == directive)).first()
    delete_with_history(svc, child)
    auditor = login(app.test_client(), "thanhtra")
    assert f"Phiên con {child} do bước" in auditor.get("/audit/").get_data(as_text=True)
    page = auditor.get(f"/audit/instances/{child}").get_data(as_text=True)
    assert f"Phiên con {child} do bước" in page and f"của phiên {directive}" in page


def rechained(svc, instance_id: str, forge) -> None:
    """What someone with write access to the database can do after the last anchor: change events with
    ``forge(event)`` and chain them all again with recomputed hashes."""
    with svc.db.transaction() as s:
        events = instance_events(s, instance_id)
        prev = events[0].prev_hash
        for e in events:
            forge(e)
            e.prev_hash, e.hash = prev, event_hash(prev, hashed_fields(e))
            prev = e.hash


@pytest.mark.parametrize(("field", "value", "named"), [
    ("name", "Ký thay", "tên bước"), ("element_id", "register", "mã bước"), ("form_key", "receipt", "biểu mẫu"),
    ("priority", 99, "độ ưu tiên"), ("label", "Khẩn: ký ngay", "nhãn"), ("business_key", "DX-GIA", "mã nghiệp vụ"),
    ("definition_key", "directive_receipt", "quy trình"), ("lane", "Lane_clerk", "làn"),
    ("due_at", datetime(2026, 12, 31, 17, tzinfo=LOCAL_TZ), "hạn xử lý"),
    ("follow_up_at", datetime(2026, 12, 24, 8, tzinfo=LOCAL_TZ), "ngày theo dõi"),
])
def test_every_field_of_a_waiting_tasks_row_is_checked_against_the_model_and_the_history(lifecycle, svc, field,
                                                                                        value, named):
    directive = signed_directive(lifecycle)
    sign = lifecycle.task("pct.hoang", "sign", directive)
    assert verdict(svc, directive).startswith("Đã kiểm chứng: ")
    with svc.db.transaction() as s:
        s.execute(update(HumanTask).where(HumanTask.id == sign.id).values({field: value}))
    assert f"danh sách việc ghi «{named}» của bước" in verdict(svc, directive)


def test_an_event_renamed_or_moved_to_another_version_after_the_last_anchor_is_found_by_replay(lifecycle, svc):
    directive = signed_directive(lifecycle)
    rechained(svc, directive, lambda e: setattr(e, "element_name", "Ký thay (ủy quyền)")
              if e.element_id == "review" and e.event_type == "task_completed" else None)
    assert "gọi bước «review» là «Ký thay (ủy quyền)», quy trình gọi là «" in verdict(svc, directive)
    other = signed_directive(lifecycle)
    with svc.db.reader() as s:
        elsewhere = s.scalars(select(ProcessDefinition.id).where(ProcessDefinition.key == "directive_receipt")).first()
    rechained(svc, other,
              lambda e: setattr(e, "definition_id", elsewhere) if e.event_type == "task_completed" else None)
    assert f"thuộc phiên bản quy trình {elsewhere}, trong khi phiên đang ở phiên bản" in verdict(svc, other)


@pytest.mark.parametrize(("field", "value", "said"), [
    ("started_by", "pct.hoang", "phiên ghi do «pct.hoang» khởi tạo"),
    ("started_at", datetime(2026, 1, 1, 8, tzinfo=LOCAL_TZ), "khởi tạo lúc 08:00 01/01/2026"),
    ("active_elements", [], "phiên ghi đang chờ ở «không bước nào»"),
])
def test_an_instance_row_edited_against_its_history_is_found(lifecycle, svc, field, value, said):
    directive = signed_directive(lifecycle)
    with svc.db.transaction() as s:
        s.execute(update(ProcessInstance).where(ProcessInstance.id == directive).values({field: value}))
    assert said in verdict(svc, directive)


def test_a_child_cut_off_from_its_parent_is_found_from_both_sides(lifecycle, svc):
    directive = lifecycle.distributed(draft_data())
    with svc.db.transaction() as s:
        child = s.scalars(select(ProcessInstance.id).where(ProcessInstance.parent_instance_id == directive)).first()
        s.execute(update(ProcessInstance).where(ProcessInstance.id == child).values(parent_instance_id=None))
    cut_off = f"phiên con {child} do phiên này mở nhưng không còn ghi phiên này là phiên gọi nó."
    assert cut_off in verdict(svc, directive)
    other = signed_directive(lifecycle)
    with svc.db.transaction() as s:
        s.execute(update(ProcessInstance).where(ProcessInstance.id == child).values(parent_instance_id=other))
    assert f"phiên ghi do phiên {other} gọi, nhưng lịch sử của phiên đó không mở phiên này." in verdict(svc, child)


@pytest.mark.parametrize(("field", "value", "named"), [("owner", "pct.tuan", "người ủy quyền"),
                                                       ("created_at", datetime(2026, 1, 1, tzinfo=LOCAL_TZ),
                                                        "lúc giao")])
def test_who_owns_a_waiting_task_and_when_it_was_given_are_checked_too(lifecycle, svc, field, value, named):
    directive = signed_directive(lifecycle)
    sign = lifecycle.task("pct.hoang", "sign", directive)
    with svc.db.transaction() as s:
        s.execute(update(HumanTask).where(HumanTask.id == sign.id).values({field: value}))
    assert f"danh sách việc ghi «{named}» của bước" in verdict(svc, directive)
