"""How much a step costs, and whether it grows with the size of the directive.

Run: ``.venv/bin/python bench/engine_steps.py [--tiny]`` (SQLite in a temporary folder; set
``DATABASE_URL`` for PostgreSQL; ``--tiny`` runs every table on a few steps, as the test suite
does so that the benchmark cannot stop running unnoticed). Prints three tables:

1. the task lifecycle of ``bpmn/directive_task.bpmn`` (accept, contribute, report, review)
   on bare SpiffWorkflow in memory (the same parsed model; each service step answered with
   what the plugin's handler answered in an engine run, as replay does) against the same
   lifecycle through the engine with persistence, in one process: steps per second and the
   ratio;
2. the cost of one step of an agency in a directive of 10 tasks against one of 200 tasks
   (each task runs as its own small instance, so the ratio should stay near 1);
3. for reference, the naive design: one workflow holding every task (a multi-instance user
   task), serialized after each step as engines that store whole instances do.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from collections import deque  # noqa: E402
from datetime import UTC, datetime  # noqa: E402

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow  # noqa: E402
from SpiffWorkflow.util.task import TaskState  # noqa: E402
from sqlalchemy import select  # noqa: E402

from engine import Clock, Database, Engine, User  # noqa: E402
from engine.bpmn.expressions import ExpressionEngine  # noqa: E402
from engine.bpmn.parser import parse_bpmn  # noqa: E402
from engine.bpmn.state import StateSerializer  # noqa: E402
from engine.db import Base  # noqa: E402
from engine.identity import SYSTEM  # noqa: E402
from engine.models import HistoryEvent, HumanTask  # noqa: E402
from engine.tasks import TaskFilter, list_tasks  # noqa: E402
from workflows import directive_plugin  # noqa: E402
from workflows.agencies import load_directory  # noqa: E402
from workflows.signing import signing_group  # noqa: E402

TASK_BPMN = ROOT / "bpmn" / "directive_task.bpmn"
ASSIGNMENT = {"directive_id": "bench", "subject": "V/v đo hiệu năng", "number_text": "01/UBND-KT", "ref": "1",
              "summary": "Nhiệm vụ đo", "lead": "SCT", "lead_name": "Sở Công Thương", "coordinate_text": "",
              "deadline": "2030-12-31", "recurrence": None, "tracker": "cv"}
STEP_DATA = {
    "accept": {"handler_name": "Nguyễn Văn A"},
    "contribute": {"contribution": {"agency": "STC", "agency_name": "Sở Tài chính",
                                    "text": "Thống nhất với cơ quan chủ trì."}},
    "report": {"report_text": "Đã hoàn thành nhiệm vụ được giao."},
    "review_report": {"report_decision": "accept"},
}


def table(title: str, header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows, strict=True)]
    print(f"\n{title}")
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))


# -- (a) bare SpiffWorkflow --------------------------------------------------
class RecordedHandlers:
    """Answers each service step with what the plugin's handler answered in an engine run.

    Like the engine's step context it names the command's moment (``command.now``), which
    timers read: here the system time.
    """

    def __init__(self, answers: dict[str, list]):
        self._answers = {element: deque(results) for element, results in answers.items()}
        self.command = self
        self.now = datetime.now(UTC)

    def call_handler(self, name: str, task):
        return self._answers[task.task_spec.bpmn_id].popleft()


def handler_answers(database: Database, instance_id: str) -> dict[str, list]:
    """The results the handlers gave, in order, per element, as the history of an instance holds them."""
    answers: dict[str, list] = {}
    with database.reader() as s:
        for event in s.scalars(select(HistoryEvent).where(HistoryEvent.instance_id == instance_id)
                               .order_by(HistoryEvent.seq)):
            if event.event_type == "activity_completed" and "result" in (event.data or {}):
                answers.setdefault(event.element_id, []).append(event.data["result"])
    return answers


def bare_lifecycle(model, script_engine, answers: dict[str, list]) -> int:
    """One directive_task instance in memory; returns the number of user steps."""
    workflow = BpmnWorkflow(model.spec, model.subprocesses, script_engine=script_engine)
    workflow.step_context = RecordedHandlers(answers)
    workflow.get_next_task(spec_name="Start").set_data(
        **ASSIGNMENT, contributions=[{"agency": "STC", "agency_name": "Sở Tài chính"}])
    workflow.do_engine_steps()
    steps = 0
    while not workflow.is_completed():
        task = workflow.get_next_task(state=TaskState.READY, manual=True)
        task.data.update(STEP_DATA[task.task_spec.bpmn_id])
        task.run()
        workflow.do_engine_steps()
        steps += 1
    return steps


# -- (b) the engine ------------------------------------------------------------
def make_engine() -> tuple[Engine, Database]:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    database = Database(url)
    Base.metadata.drop_all(database.engine)
    database.create_all()
    clock = Clock()
    engine = Engine(database, directive_plugin(), clock)
    with database.transaction() as s:
        load_directory(s)
        for username, org, roles, title in [
            ("cv", "VPUBND", ["specialist", "office_leader", "clerk"], None),
            ("ct", "UBND", ["leader"], "Chủ tịch UBND tỉnh"),
            ("sct", "SCT", ["official"], None), ("stc", "STC", ["official"], None),
        ]:
            user = User(username=username, full_name=username, title=title, org=org, roles=roles,
                        created_at=clock.now())
            user.set_password("benchmark")
            s.add(user)
        files = {p.name: p.read_bytes() for p in (ROOT / "bpmn").glob("*.bpmn")}
        engine.deploy(s, "bench", files, SYSTEM)
    return engine, database


def engine_lifecycle(engine: Engine, database: Database, actors: dict, ran: list | None = None) -> int:
    """One directive_task instance through the engine; returns the number of user steps."""
    with database.transaction() as s:
        instance = engine.start(s, "directive_task", actors["cv"], {
            **ASSIGNMENT, "contributions": [{"agency": "STC", "agency_name": "Sở Tài chính"}]})
    if ran is not None:
        ran.append(instance.id)
    steps = 0
    while True:
        with database.reader() as s:
            task = s.scalars(select(HumanTask).where(HumanTask.instance_id == instance.id)).first()
        if task is None:
            return steps
        actor = {"accept": "sct", "report": "sct", "contribute": "stc", "review_report": "cv"}[task.element_id]
        with database.transaction() as s:
            engine.complete_task(s, task.id, actors[actor], STEP_DATA[task.element_id])
        steps += 1


def steps_per_second(run, repeat: int) -> float:
    started = time.perf_counter()
    steps = sum(run() for _ in range(repeat))
    return steps / (time.perf_counter() - started)


# -- (2) a step in a small and in a large directive ------------------------------
def directive_with(engine: Engine, database: Database, actors: dict, tasks: int) -> str:
    """A distributed directive whose ``tasks`` tasks all go to SCT (no coordinators)."""
    draft = {"subject": f"V/v {tasks} nhiệm vụ", "kind": "cong_van", "field_code": "KT", "recipients": ["SCT"],
             "body": "", "signer": "ct", "signing_authority": "CT",
             "tasks": [{"ref": str(i + 1), "summary": f"Nhiệm vụ {i + 1}", "lead": ["SCT"], "coordinate": [],
                        "deadline": "2030-12-31"} for i in range(tasks)]}
    with database.transaction() as s:
        instance = engine.start(s, "directive", actors["cv"], {})
    for element, username, submitted in [("draft", "cv", draft), ("review", "cv", {"review_decision": "approve"}),
                                         ("sign", "ct", {"sign_decision": "approve"}),
                                         ("register", "cv", {"format_checked": True, "copies": 1})]:
        with database.transaction() as s:
            task = s.scalars(select(HumanTask).where(HumanTask.instance_id == instance.id,
                                                     HumanTask.element_id == element)).one()
            engine.complete_task(s, task.id, actors[username], submitted)
    return instance.id


def step_cost(engine: Engine, database: Database, actors: dict, samples: int) -> float:
    """Median seconds of one 'accept' step of SCT."""
    with database.reader() as s:
        tasks = list_tasks(s, TaskFilter(actor=actors["sct"], element_id="accept"), 0, samples)
    times = []
    for task in tasks:
        started = time.perf_counter()
        with database.transaction() as s:
            engine.complete_task(s, task.id, actors["sct"], STEP_DATA["accept"])
        times.append(time.perf_counter() - started)
    return statistics.median(times)


# -- (3) the naive design: one workflow with every task ------------------------
def monolithic_step_cost(model, script_engine, answers: dict[str, list], items: int, samples: int) -> float:
    """Median seconds of one step when every task lives in one serialized workflow.

    The coordinators' contributions (a multi-instance user task) stand for the tasks: with
    ``items`` of them the one workflow holds ``items`` waiting steps, and each step loads and
    stores the whole of it.
    """
    serializer = StateSerializer(lambda _definition, name: model.spec if name is None else model.subprocesses[name])
    workflow = BpmnWorkflow(model.spec, model.subprocesses, script_engine=script_engine)
    workflow.step_context = RecordedHandlers(answers)
    workflow.get_next_task(spec_name="Start").set_data(
        **ASSIGNMENT, contributions=[{"agency": f"A{i}", "agency_name": f"Cơ quan {i}"} for i in range(items)])
    workflow.do_engine_steps()
    first = workflow.get_next_task(state=TaskState.READY, manual=True)
    first.data.update(STEP_DATA["accept"])
    first.run()
    workflow.do_engine_steps()
    state = serializer.dump(workflow)
    times = []
    for _ in range(samples):
        started = time.perf_counter()
        workflow = serializer.load(state, "bench", list(model.subprocesses))
        workflow.script_engine = script_engine
        workflow.step_context = RecordedHandlers(answers)
        task = workflow.get_next_task(state=TaskState.READY, manual=True)
        task.data.update({"contribution": {**task.data["contribution"], "text": "Ý kiến."}})
        task.run()
        workflow.do_engine_steps()
        state = serializer.dump(workflow)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiny", action="store_true", help="a few steps of each table (the test suite's run)")
    args = parser.parse_args()
    lifecycles, sizes, samples = ((3, 1), (2, 5), 2) if args.tiny else ((200, 40), (10, 200), 10)
    script_engine = ExpressionEngine({"signing_group": signing_group})
    model = parse_bpmn(TASK_BPMN.read_bytes(), TASK_BPMN.name)[0]
    engine, database = make_engine()
    with database.reader() as s:
        actors = {u.username: u.actor() for u in s.scalars(select(User))}
    ran: list[str] = []
    engine_steps = engine_lifecycle(engine, database, actors, ran)
    answers = handler_answers(database, ran[0])
    bare_steps = bare_lifecycle(model, script_engine, answers)
    assert bare_steps == engine_steps, f"bare SpiffWorkflow ran {bare_steps} steps, the engine {engine_steps}"
    bare_spec_steps = steps_per_second(lambda: bare_lifecycle(model, script_engine, answers), lifecycles[0])
    engine_spec_steps = steps_per_second(lambda: engine_lifecycle(engine, database, actors), lifecycles[1])
    table("1. directive_task lifecycle (accept, contribute, report, review)",
          ["run", "steps/s", "ratio to bare"],
          [["bare SpiffWorkflow, in memory", f"{bare_spec_steps:,.0f}", "1.00"],
           ["engine, persisted (" + database.engine.dialect.name + ")", f"{engine_spec_steps:,.0f}",
            f"{engine_spec_steps / bare_spec_steps:.3f}"]])

    rows = []
    costs = {}
    for size in sizes:
        directive_with(engine, database, actors, size)
        costs[size] = step_cost(engine, database, actors, samples)
        rows.append([f"{size} tasks", f"{costs[size] * 1000:.1f} ms", f"{costs[size] / costs[sizes[0]]:.2f}"])
    table(f"2. one agency step in a directive of n tasks (engine, median of {samples})",
          ["directive", "step", f"ratio to {sizes[0]} tasks"], rows)

    mono = {n: monolithic_step_cost(model, script_engine, answers, n, samples) for n in sizes}
    table(f"3. reference: every task in one serialized workflow (median of {samples})",
          ["tasks in the workflow", "step", f"ratio to {sizes[0]} tasks"],
          [[str(n), f"{mono[n] * 1000:.1f} ms", f"{mono[n] / mono[sizes[0]]:.2f}"] for n in sizes])


if __name__ == "__main__":
    main()
