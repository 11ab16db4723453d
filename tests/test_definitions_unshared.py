"""A parsed definition version is never changed by running it: replay and live runs agree."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.audit import verify_all
from engine.models import ProcessDefinition
from workflows.models import Assignment

from .conftest import Lifecycle, another_process, draft_data
from .test_deadline_tracking import extension_approved
from .test_replay import all_instances, replayed


def task_instance(svc, lead: str) -> str:
    """The newest task instance led by ``lead``."""
    with svc.db.reader() as s:
        return s.scalars(select(Assignment.id).where(Assignment.lead == lead)
                         .order_by(Assignment.updated_at.desc())).first()


def two_tasks_accepted(lifecycle) -> None:
    lifecycle.distributed(draft_data())
    lifecycle.complete("sct.cv", "accept", {"handler_name": "Nguyễn Văn A"})
    lifecycle.complete("bqlkkt.cv", "accept", {"handler_name": "Trần Thị B"})


def test_an_extension_in_one_task_raises_no_finding_in_instances_nobody_touched(lifecycle, svc):
    two_tasks_accepted(lifecycle)
    with svc.db.reader() as s:
        assert verify_all(svc.engine, s).verified
    sct_task = task_instance(svc, "SCT")
    extension_approved(lifecycle, svc, sct_task, "2027-07-15", "Chờ số liệu.")
    with svc.db.reader() as s:
        report = verify_all(svc.engine, s)
    assert report.verified, report.findings[:3]


def test_a_directive_started_after_an_extension_runs_like_one_started_before(lifecycle, svc):
    two_tasks_accepted(lifecycle)
    sct_task = task_instance(svc, "SCT")
    before = {t.element_id for t in lifecycle.human_tasks(task_instance(svc, "BQLKKT"))}
    extension_approved(lifecycle, svc, sct_task, "2027-07-15", "Chờ số liệu.")
    lifecycle.distributed(draft_data(subject="V/v thứ hai"))
    newest = [t for t in lifecycle.tasks("bqlkkt.cv", "accept")][0].instance_id
    lifecycle.complete("bqlkkt.cv", "accept", {"handler_name": "Trần Thị B"}, newest)
    after = {t.element_id for t in lifecycle.human_tasks(newest)}
    assert after == before
    for instance_id in all_instances(svc):
        result = replayed(svc, instance_id)
        assert result.verified, result.sentence()


def graph_of(model) -> dict:
    """Every task spec's connections and completion listeners, for each spec of a parsed process."""
    specs = {None: model.spec, **model.subprocesses}
    return {name: {ts.name: (tuple(ts._inputs), tuple(ts._outputs), ts.completed_event.n_subscribers())
                   for ts in spec.task_specs.values()} for name, spec in specs.items()}


def test_running_extensions_chases_and_reports_leaves_every_parsed_definition_as_parsed(lifecycle, svc, clock):
    with svc.db.reader() as s:
        definitions = list(s.scalars(select(ProcessDefinition)))
    parsed = {d.id: graph_of(svc.engine.model_of(d)) for d in definitions}
    two_tasks_accepted(lifecycle)
    extension_approved(lifecycle, svc, task_instance(svc, "SCT"), "2027-07-15", "Chờ số liệu.")
    lifecycle.complete("bqlkkt.cv", "report", {"report_text": "Đã hoàn thành."})
    lifecycle.complete("cv.lan", "review_report", {"report_decision": "accept"})
    assert {d.id: graph_of(svc.engine.model_of(d)) for d in definitions} == parsed


def test_a_change_to_a_parsed_definition_at_run_time_fails_loudly(svc):
    with svc.db.reader() as s:
        definition = svc.engine.latest_definition(s, "directive_task")
    model = svc.engine.model_of(definition)
    start = model.spec.start
    with pytest.raises(AttributeError):
        start.connect(model.spec.end)
    with pytest.raises(TypeError):
        model.spec.task_specs["extra"] = start


def test_a_coordination_begun_before_a_restart_and_given_after_it_verifies(lifecycle, svc, clock, database_url):
    lifecycle.distributed(draft_data())
    lifecycle.complete("sct.cv", "accept", {"handler_name": "Nguyễn Văn A"})  # the coordination loop begins
    restarted = another_process(database_url)  # the server started again: the loop's model parsed anew
    again = restarted.extensions["chidao"]
    again.clock.set(clock.now())
    contribute = Lifecycle(again).task("bqlkkt.cv", "contribute")
    with again.db.transaction() as s:
        instance = again.engine.complete_task(s, contribute.id, lifecycle.actor("bqlkkt.cv"),
                                              {"contribution": {"text": "Thống nhất nội dung dự thảo."}})
        contributions = again.engine.variables(s, instance)["contributions"]
    assert len(contributions) == len({c["agency"] for c in contributions})  # written in place, not appended
    assert [c.get("text") for c in contributions if c["agency"] == "BQLKKT"] == ["Thống nhất nội dung dự thảo."]
    restarted.extensions["chidao"].db.dispose()
    with svc.db.reader() as s:
        report = verify_all(svc.engine, s)
    assert report.verified, [f.message for f in report.findings]
