"""Replay: rebuild an instance from its definition version and its recorded events.

Everything that is not the process itself comes from the record: the moment of
every command (the clock), what people submitted, the messages that arrived,
what service handlers answered (registers, notices), what child instances
handed back, migrations. Replay never calls a handler and writes nothing, so
it gives the same state on any machine, on the version the instance ran on even
after newer versions were deployed.

Recorded events fall in three kinds:

- *inputs* (``instance_started``, ``task_completed``, ``message_correlated``, a
  call activity's ``activity_completed``, ``instance_migrated``,
  ``instance_cancelled``) are applied to the replayed workflow;
- *outcomes* (``activity_completed``, ``instance_completed``, ``task_created``)
  must be what the replayed workflow produces, in the same order;
- *notes* (claims, due-date changes, child starts) change no state.

The first outcome replay does not produce, or produces differently, is the
divergence; at the end the replayed state must equal the stored one.
"""
from __future__ import annotations

import json
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import TaskNotFoundException
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select
from sqlalchemy.orm import Session

from .bpmn.events import VariablesMessage
from .bpmn.migration import repredict
from .bpmn.specs import CallActivityTask, ExternalServiceTask
from .clock import to_local
from .errors import ExecutionError
from .external import error_event, throw
from .history import verify_chain
from .models import HistoryEvent, HumanTask, ProcessDefinition, ProcessInstance
from .runtime import active_elements, apply_variables
from .tasks import USER_PREFIX

INPUTS = {"instance_started", "task_completed", "message_correlated", "instance_migrated", "instance_cancelled",
          "error_thrown", "variables_set"}
OUTCOMES = {"activity_completed", "instance_completed", "task_created", "external_task_created"}
#: Every kind of event the engine writes; any other kind in a history was not written by it.
KNOWN_EVENTS = OUTCOMES | {"instance_started", "task_completed", "message_correlated", "instance_migrated",
                           "variables_set", "error_thrown", "instance_cancelled", "task_cancelled", "call_started",
                           "task_claimed", "task_unclaimed", "task_comment", "task_due_changed",
                           "external_task_failed"}
MIRRORED = {"task_created", "external_task_created"}
WAITING_STEPS = (CallActivityTask, ExternalServiceTask)  # STARTED until children or a worker report back
DEFINITE = TaskState.COMPLETED | TaskState.READY | TaskState.STARTED | TaskState.ERROR


@dataclass
class Divergence:
    """Where replay and record part: the event's number (None: the final state) and a sentence."""

    seq: int | None
    message: str


@dataclass
class Step:
    """The instance right after one recorded event, as the history viewer shows it."""

    seq: int
    active: list[str]
    completed: list[str]
    changes: dict[str, list[Any]]  # variable name -> [before, after]


@dataclass
class ReplayResult:
    """What replaying one instance found."""

    instance_id: str
    events: int
    chain_broken: str | None = None
    divergence: Divergence | None = None
    record_finding: str | None = None  # what the anchors (or the instances it called) prove was removed or changed
    steps: list[Step] = field(default_factory=list)

    @property
    def verified(self) -> bool:
        return self.chain_broken is None and self.divergence is None and self.record_finding is None

    def sentence(self) -> str:
        """The result in one sentence, as the auditor reads it."""
        if self.record_finding:
            return self.record_finding
        if self.chain_broken:
            return f"Chuỗi băm bị đứt: {self.chain_broken}"
        if self.divergence:
            where = f"tại sự kiện số {self.divergence.seq}" if self.divergence.seq else "ở trạng thái cuối"
            return f"Thực thi lại khác bản ghi {where}: {self.divergence.message}"
        return f"Đã kiểm chứng: {self.events} sự kiện nối liền, thực thi lại cho đúng trạng thái đã lưu."


class _Diverged(Exception):
    def __init__(self, seq: int | None, message: str):
        super().__init__(message)
        self.divergence = Divergence(seq, message)


def canonical(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def _label(task) -> str:
    spec = task.task_spec
    return getattr(spec, "bpmn_name", None) or getattr(spec, "bpmn_id", None) or spec.name


def _bpmn_id(task) -> str | None:
    return getattr(task.task_spec, "bpmn_id", None)


class _Context:
    """Stands in for a running command: the recorded moment, and handlers answered from the record."""

    def __init__(self, replay: Replay):
        self.command = self
        self.now: datetime | None = None
        self._replay = replay

    def call_handler(self, name: str, task) -> dict[str, Any] | None:
        return self._replay.recorded_result(task)


class Replay:
    """Replays one instance's events; ``run`` returns a ``ReplayResult``."""

    def __init__(self, engine, session: Session, instance: ProcessInstance, events: list[HistoryEvent]):
        self.engine = engine
        self.session = session
        self.instance = instance
        self.events = events
        self.context = _Context(self)
        self.workflow: BpmnWorkflow | None = None
        self.definition: ProcessDefinition | None = None
        self.status = "running"
        self.pending: deque[tuple[str, str | None, UUID | None, str | None]] = deque()
        self.ids: dict[str, UUID] = {}  # recorded task id -> replayed task id
        self.holders: dict[str, str | None] = {}  # recorded task id -> who holds it (assignee or claim)
        self.candidate_orgs: dict[str, set[str]] = {}  # recorded task id -> the bodies of its candidate groups
        self.assigned_by_process: set[str] = set()  # recorded task ids the process gave one person
        self.offered: dict[str, str] = {}  # recorded task id -> its candidate groups, as the model computes them
        self.rows: dict[str, HumanTask] = {}  # recorded task id -> its task-list row, as the model builds it
        self.element_names: dict[str, set[str | None]] = {}  # element id -> its names in every version run
        self.seen_ready: set[UUID] = set()
        self.results: dict[str, deque] = {}
        for event in events:  # what each service step answered, in order, by element
            if event.event_type == "activity_completed" and "result" in (event.data or {}):
                self.results.setdefault(event.element_id, deque()).append(event.data["result"])

    # -- running ---------------------------------------------------------------------------
    def run(self, with_steps: bool = False) -> ReplayResult:
        """Check the chain, replay every event, compare the end with the stored state."""
        result = ReplayResult(self.instance.id, len(self.events))
        ok, broken = verify_chain(self.events)
        if not ok:
            result.chain_broken = broken
            return result
        before: dict[str, Any] = {}
        try:
            for event in self.events:
                self.context.now = to_local(event.at)
                self.apply(event)
                self.check_labels(event)
                if with_steps:
                    now = self.variables()
                    result.steps.append(Step(event.seq, self.active(), self.completed(), _changes(before, now)))
                    before = now
            self.finish()
        except _Diverged as exc:
            result.divergence = exc.divergence
        return result

    def apply(self, event: HistoryEvent) -> None:
        """Apply an input, or check that replay produced the recorded outcome."""
        kind = event.event_type
        if kind not in KNOWN_EVENTS:
            raise _Diverged(event.seq, f"bản ghi có loại sự kiện «{kind}» mà hệ thống không bao giờ ghi.")
        if kind == "instance_started":
            self.start(event)
        elif kind == "task_completed":
            self.complete(event)
        elif kind == "message_correlated":
            self.correlate(event)
        elif kind == "instance_migrated":
            self.migrate(event)
        elif kind == "variables_set":
            apply_variables(self.workflow, (event.data or {}).get("variables") or {})
        elif kind == "error_thrown":
            self.error(event)
        elif kind == "instance_cancelled":
            self.workflow.cancel()
            self.status = "cancelled"
        elif kind == "task_cancelled":
            self.cancelled(event)
        elif kind == "call_started":
            self.call_started(event)
        elif kind in ("task_claimed", "task_unclaimed"):
            self.hand_over(event)
        elif kind in OUTCOMES:
            call = self._waiting_call(event) if kind == "activity_completed" else None
            if call is not None:
                self.end_call(event, call)
            else:
                self.expect(event)

    def learn_names(self, model) -> None:
        """The names each element has in a version the instance runs on: an event names an element as its
        model does (the bare id when it has no name), never as someone wrote it afterwards."""
        for spec in [model.spec, *model.subprocesses.values()]:
            for task_spec in spec.task_specs.values():
                element_id = getattr(task_spec, "bpmn_id", None)
                if element_id is not None:
                    name = getattr(task_spec, "bpmn_name", None)
                    self.element_names.setdefault(element_id, set()).update({name, name or element_id})

    def check_labels(self, event: HistoryEvent) -> None:
        """Every event is written under the version the instance runs on and names its element as the
        model does."""
        if self.definition is not None and event.definition_id != self.definition.id:
            raise _Diverged(event.seq, f"bản ghi ghi sự kiện «{_describe(event.event_type, event.element_name)}» "
                                       f"thuộc phiên bản quy trình {event.definition_id}, trong khi phiên đang ở "
                                       f"phiên bản {self.definition.id}.")
        if event.element_id is None:
            if event.element_name is not None:
                raise _Diverged(event.seq, f"bản ghi gắn tên bước «{event.element_name}» cho một sự kiện không "
                                           "thuộc bước nào.")
            return
        names = self.element_names.get(event.element_id)
        if names is None:
            raise _Diverged(event.seq, f"bản ghi nói đến bước «{event.element_id}» mà quy trình không có.")
        if event.element_name not in names:
            shown = " / ".join(sorted(n for n in names if n))
            raise _Diverged(event.seq, f"bản ghi gọi bước «{event.element_id}» là «{event.element_name}», quy "
                                       f"trình gọi là «{shown}».")

    def start(self, event: HistoryEvent) -> None:
        self.definition = self.session.get(ProcessDefinition, event.definition_id)
        if self.definition is None:
            raise _Diverged(event.seq, f"phiên bản quy trình {event.definition_id} không còn trong cơ sở dữ liệu.")
        model = self.engine.model_of(self.definition)
        self.learn_names(model)
        self.workflow = BpmnWorkflow(model.spec, model.subprocesses, script_engine=self.engine.expressions)
        self.workflow.step_context = self.context
        data = dict((event.data or {}).get("variables") or {})
        if model.initiator:
            data[model.initiator] = event.actor
        self.workflow.get_next_task(spec_name="Start").set_data(**data)
        self.advance(event)

    def task(self, recorded_id: str | None):
        """The replayed task a recorded task id stands for (None when unknown or gone from the tree)."""
        known = self.ids.get(recorded_id) if recorded_id else None
        if known is None or self.workflow is None:
            return None
        try:
            return self.workflow.get_task_from_id(known)  # the instance's tree and its subprocesses'
        except TaskNotFoundException:  # taken away with its branch (an interrupting event, a loop run again)
            return None

    def waiting_step(self, event: HistoryEvent, doing: str):
        """The replayed step a person acts on (``doing``: what the record says they did); it must be
        waiting for people at this point of the replay, and the person must be of a body it was offered
        to unless it was given to them by name."""
        task = self.task(event.task_id)
        if task is None or task.state != TaskState.READY:
            raise _Diverged(event.seq, f"bản ghi {doing} bước «{event.element_name}» nhưng khi thực thi lại "
                                       "bước đó không đang chờ xử lý.")
        holder, orgs = self.holders.get(event.task_id), self.candidate_orgs.get(event.task_id)
        if holder and event.actor == holder:
            return task
        if orgs and event.actor_org not in orgs:
            raise _Diverged(event.seq, f"bản ghi ghi «{event.actor}» ({event.actor_org}) {doing} bước "
                                       f"«{event.element_name}» của {', '.join(sorted(orgs))}.")
        return task

    def complete(self, event: HistoryEvent) -> None:
        task = self.waiting_step(event, "hoàn thành")
        holder = self.holders.get(event.task_id)
        if holder and event.actor != holder:
            raise _Diverged(event.seq, f"bản ghi ghi «{event.actor}» hoàn thành bước «{event.element_name}» "
                                       f"trong khi bước đó được giao cho «{holder}».")
        data = event.data or {}
        for name in data.get("cleared", []):
            task.data.pop(name, None)
        task.data.update(data.get("submitted") or {})
        task.run()
        self.advance(event)

    def correlate(self, event: HistoryEvent) -> None:
        data = event.data or {}
        variables = dict(data.get("variables") or {})
        message = BpmnEvent(VariablesMessage(data.get("message")), payload={"payload": variables})
        try:
            self.workflow.send_event(message)
        except Exception:  # noqa: BLE001 - the replayed workflow does not wait for it: that is the finding
            raise _Diverged(event.seq, f"khi thực thi lại, quy trình không chờ thông điệp «{data.get('message')}».")
        self.advance(event)

    def migrate(self, event: HistoryEvent) -> None:
        target = self.session.get(ProcessDefinition, (event.data or {}).get("to"))
        if target is None:
            raise _Diverged(event.seq, "phiên bản đích của lần chuyển phiên bản không còn trong cơ sở dữ liệu.")
        state = self.engine.state.dump(self.workflow)
        self.definition = target
        self.learn_names(self.engine.model_of(target))
        self.workflow = self.engine.state.load(state, target.id, list(self.engine.model_of(target).subprocesses))
        self.workflow.script_engine = self.engine.expressions
        self.workflow.step_context = self.context
        repredict(self.workflow)

    def hand_over(self, event: HistoryEvent) -> None:
        """A claim or a release, by someone who may, of a step that waits, never over its holder's head."""
        releasing = event.event_type == "task_unclaimed"
        self.waiting_step(event, "trả về nhóm" if releasing else "nhận xử lý")
        holder = self.holders.get(event.task_id)
        if releasing:
            if event.task_id in self.assigned_by_process:
                raise _Diverged(event.seq, f"bản ghi có việc trả bước «{event.element_name}» về nhóm, nhưng quy "
                                           f"trình giao bước đó riêng cho «{holder}».")
            self.holders[event.task_id] = None
            return
        claimed = (event.data or {}).get("assignee")
        if holder and holder != claimed:
            raise _Diverged(event.seq, f"bản ghi ghi «{claimed}» nhận bước «{event.element_name}» trong khi "
                                       f"«{holder}» đang giữ bước đó.")
        self.holders[event.task_id] = claimed

    def call_started(self, event: HistoryEvent) -> None:
        """Learn which replayed step a recorded call stands for, so that its end is matched to it even
        while another call of the same element waits (two report periods open at once)."""
        if self.workflow is None or not event.task_id or event.task_id in self.ids:
            return
        mapped = set(self.ids.values())
        started = [t for t in self.workflow.get_tasks(state=TaskState.STARTED)
                   if isinstance(t.task_spec, WAITING_STEPS) and _bpmn_id(t) == event.element_id
                   and t.id not in mapped]
        if len(started) == 1:
            self.ids[event.task_id] = started[0].id

    def _waiting_call(self, event: HistoryEvent):
        """The replayed call activity this event ends, if it names one that waits for its children."""
        if self.workflow is None or (self.pending and self.pending[0][:2] == (event.event_type, event.element_id)):
            return None  # an outcome replay has already produced
        spec = self.workflow.spec.task_specs.get(event.element_id)
        if spec is not None and not isinstance(spec, WAITING_STEPS):
            return None
        task = self.task(event.task_id)
        if task is None and self.workflow is not None:
            started = [t for t in self.workflow.get_tasks(state=TaskState.STARTED)
                       if isinstance(t.task_spec, WAITING_STEPS) and _bpmn_id(t) == event.element_id]
            task = started[0] if len(started) == 1 else None
        if task is not None and isinstance(task.task_spec, WAITING_STEPS) and task.state == TaskState.STARTED:
            return task
        return None

    def error(self, event: HistoryEvent) -> None:
        task = self._waiting_call(event)
        data = event.data or {}
        definition = error_event(task, data.get("code")) if task is not None else None
        if definition is None:
            raise _Diverged(event.seq, f"khi thực thi lại, không có sự kiện biên nào bắt lỗi «{data.get('code')}».")
        self.ids[event.task_id] = task.id
        throw(task, definition, data.get("variables") or {})
        self.advance(event)

    def cancelled(self, event: HistoryEvent) -> None:
        """A recorded cancellation must be one: the step waited for a person and, at this point of the
        replay, something other than its completion took it away."""
        task = self.task(event.task_id)
        if event.task_id not in self.ids or (task is not None and task.state in (TaskState.READY,
                                                                                TaskState.COMPLETED)):
            raise _Diverged(event.seq, f"bản ghi có «hủy bước {event.element_name}» nhưng khi thực thi lại "
                                       "bước đó không bị hủy.")

    def end_call(self, event: HistoryEvent, task) -> None:
        self.ids[event.task_id] = task.id
        task.data.update((event.data or {}).get("outputs") or {})
        task.complete()
        self.advance(event)

    def advance(self, event: HistoryEvent) -> None:
        """Run the engine steps that follow, noting what completes (as the engine does)."""
        def did_complete(task) -> None:
            if _bpmn_id(task) is not None and task.state == TaskState.COMPLETED:
                self.pending.append(("activity_completed", _bpmn_id(task), task.id, _label(task)))

        try:
            self.workflow.do_engine_steps(did_complete_task=did_complete)
        except _Diverged:
            raise
        except Exception as exc:  # noqa: BLE001 - a step that fails on replay is a divergence, not a crash
            raise _Diverged(event.seq, f"một bước lỗi khi thực thi lại: {exc}") from None
        if self.workflow.is_completed() and self.status == "running":
            self.status = "completed"
            self.pending.append(("instance_completed", None, None, None))

    def tick(self, event: HistoryEvent) -> None:
        """A command with no input of this instance's: a timer's job ran at the event's moment."""
        try:
            self.workflow.refresh_waiting_tasks()
        except Exception as exc:  # noqa: BLE001
            raise _Diverged(event.seq, f"hẹn giờ lỗi khi thực thi lại: {exc}") from None
        self.advance(event)

    def mirror(self) -> None:
        """Steps that started waiting for people, then for external workers, since the last look
        (in the order the engine writes its task lists)."""
        for task in self.workflow.get_tasks(state=TaskState.READY, manual=True):
            if task.id not in self.seen_ready:
                self.seen_ready.add(task.id)
                self.pending.append(("task_created", _bpmn_id(task), task.id, _label(task)))
        for task in self.workflow.get_tasks(state=TaskState.STARTED):
            if isinstance(task.task_spec, ExternalServiceTask) and task.id not in self.seen_ready:
                self.seen_ready.add(task.id)
                self.pending.append(("external_task_created", _bpmn_id(task), task.id, _label(task)))

    def expect(self, event: HistoryEvent) -> None:
        if self.workflow is None:
            raise _Diverged(event.seq, "bản ghi không bắt đầu bằng sự kiện khởi tạo phiên.")
        if not self.pending and event.event_type in MIRRORED:
            self.mirror()
        if not self.pending:
            self.tick(event)
            if event.event_type in MIRRORED:
                self.mirror()
        if not self.pending:
            raise _Diverged(event.seq, f"bản ghi có «{_describe(event.event_type, event.element_name)}» "
                                       "nhưng thực thi lại không sinh ra sự kiện này.")
        kind, element_id, task_id, label = self.pending.popleft()
        if (kind, element_id) != (event.event_type, event.element_id):
            raise _Diverged(event.seq, f"bản ghi có «{_describe(event.event_type, event.element_name)}», "
                                       f"thực thi lại cho «{_describe(kind, label)}».")
        if task_id is not None and event.task_id:
            self.ids[event.task_id] = task_id
            if kind == "task_created":
                self.assign(event, self.workflow.get_task_from_id(task_id))

    def assign(self, event: HistoryEvent, task) -> None:
        """Who a step that started waiting went to, computed again from its model and the replayed data:
        the record must say the same, and what replay checks of later claims and completions rests on
        the computed answer, never on the record."""
        try:
            assigned = self.engine.assignment_of(self.workflow, task)
        except ExecutionError as exc:
            raise _Diverged(event.seq, exc.message) from None
        recorded, expected, step = event.data or {}, assigned.recorded(), event.element_name or event.element_id
        for name, says in (("assignee", "giao riêng cho"), ("candidate_groups", "giao cho nhóm"),
                           ("due_at", "đặt hạn")):
            if recorded.get(name) != expected[name]:
                raise _Diverged(event.seq, f"bản ghi {says} bước «{step}»: «{recorded.get(name) or 'không'}», "
                                           f"theo quy trình và dữ liệu thì «{expected[name] or 'không'}».")
        self.holders[event.task_id] = assigned.assignee
        if assigned.assignee:
            self.assigned_by_process.add(event.task_id)
        self.candidate_orgs[event.task_id] = _bodies_of(assigned.candidate_groups_text)
        self.offered[event.task_id] = assigned.candidate_groups_text
        self.rows[event.task_id] = self.engine.task_row(self.instance, self.definition, task, assigned, event.at)

    def finish(self) -> None:
        """Nothing left unexplained, and the replayed state is the stored one."""
        if self.workflow is None:
            raise _Diverged(None, "phiên không có sự kiện khởi tạo.")
        self.mirror()
        if self.pending:
            kind, _, _, label = self.pending[0]
            raise _Diverged(None, f"thực thi lại còn «{_describe(kind, label)}» "
                                  "mà bản ghi không có.")
        if self.status != self.instance.status:
            raise _Diverged(None, f"trạng thái phiên đã lưu là «{self.instance.status}», thực thi lại ra "
                                  f"«{self.status}».")
        if self.definition.id != self.instance.definition_id:
            raise _Diverged(None, "phiên đang ở một phiên bản quy trình mà lịch sử không ghi lần chuyển sang.")
        stored = self.engine.load_workflow(self.instance)
        mismatch = compare_states(stored, self.workflow) or self.instance_row_mismatch() or self.task_list_mismatch()
        if mismatch:
            raise _Diverged(None, mismatch)

    def instance_row_mismatch(self) -> str | None:
        """The first thing the instance's row says otherwise than its history: who started it and when,
        where work waits (what its diagram marks), the parent that called it and the children it called."""
        first = self.events[0]
        if self.instance.started_by != first.actor or self.instance.started_at != first.at:
            return (f"phiên ghi do «{self.instance.started_by}» khởi tạo lúc {_shown(self.instance.started_at)}, "
                    f"lịch sử ghi «{first.actor}» lúc {_shown(first.at)}.")
        shown = sorted(json.dumps(e, sort_keys=True) for e in self.instance.active_elements or [])
        if shown != sorted(json.dumps(e, sort_keys=True) for e in active_elements(self.workflow)):
            names = ", ".join(e.get("name", "?") for e in self.instance.active_elements or []) or "không bước nào"
            return f"phiên ghi đang chờ ở «{names}», khác với chỗ thực thi lại đang chờ."
        parent = self.instance.parent_instance_id
        if parent is not None and self.instance.id not in self._children_called_by(parent):
            return f"phiên ghi do phiên {parent} gọi, nhưng lịch sử của phiên đó không mở phiên này."
        called = self._children_called_by(self.instance.id)
        if called:
            strays = self.session.scalars(select(ProcessInstance.id).where(
                ProcessInstance.id.in_(called),
                (ProcessInstance.parent_instance_id != self.instance.id)
                | ProcessInstance.parent_instance_id.is_(None)))
            stray = next(iter(strays), None)
            if stray is not None:
                return f"phiên con {stray} do phiên này mở nhưng không còn ghi phiên này là phiên gọi nó."
        return None

    def _children_called_by(self, instance_id: str) -> set[str]:
        calls = self.events if instance_id == self.instance.id else self.session.scalars(
            select(HistoryEvent).where(HistoryEvent.instance_id == instance_id,
                                       HistoryEvent.event_type == "call_started"))
        return {child for e in calls if e.event_type == "call_started" for child in (e.data or {}).get("children", [])}

    def task_list_mismatch(self) -> str | None:
        """The first difference between the instance's rows in the task lists and what replay says waits
        for people: the same steps, each held by whom the history says, offered to whom the model says
        (a row edited to put a step in someone else's list is found before they act on it)."""
        rows = {row.id: row for row in self.session.scalars(select(HumanTask)
                                                            .where(HumanTask.instance_id == self.instance.id))}
        waiting = {task.id for task in self.workflow.get_tasks(state=TaskState.READY, manual=True)}
        recorded = {replayed: recorded for recorded, replayed in self.ids.items() if replayed in waiting}
        for row in rows.values():
            if self.ids.get(row.id) not in waiting:
                return f"danh sách việc có bước «{row.name}» mà khi thực thi lại bước đó không đang chờ xử lý."
            if row.assignee != self.holders.get(row.id):
                return (f"danh sách việc giao bước «{row.name}» cho «{row.assignee or 'không ai'}», lịch sử thì cho "
                        f"«{self.holders.get(row.id) or 'không ai'}».")
            offered = self.offered.get(row.id)
            listed = ",".join(sorted(c.group_id for c in row.candidates))
            if row.candidate_groups_text != offered or listed != ",".join(sorted(filter(None, offered.split(",")))):
                return (f"danh sách việc giao bước «{row.name}» cho nhóm «{row.candidate_groups_text}» "
                        f"(lọc theo «{listed}»), theo quy trình thì «{offered}».")
            if row.assigned_by_process != (row.id in self.assigned_by_process):
                return (f"danh sách việc ghi bước «{row.name}» là {'' if row.assigned_by_process else 'không '}do quy "
                        "trình giao riêng cho một người, lịch sử thì ngược lại.")
            differs = self.row_difference(row)
            if differs:
                return differs
        for task in self.workflow.get_tasks(state=TaskState.READY, manual=True):
            if recorded.get(task.id) not in rows:
                return f"bước «{_label(task)}» đang chờ xử lý khi thực thi lại nhưng không có trong danh sách việc."
        return None

    def row_difference(self, row: HumanTask) -> str | None:
        """What a waiting step's row says otherwise than the model, the instance and the replayed data: its
        step, form, body lane, priority, label, follow-up and due date, version and business key."""
        built = self.rows.get(row.id)
        if built is None:
            return None
        task = self.workflow.get_task_from_id(self.ids[row.id])
        expected = {name: getattr(built, name) for name in ROW_FIELDS}
        expected.update(definition_id=self.definition.id, due_at=self.engine.due_now(self.workflow, task, built.due_at),
                        owner=None)
        for name, value in expected.items():
            if getattr(row, name) != value:
                return (f"danh sách việc ghi «{FIELD_NAMES[name]}» của bước «{row.name}» là "
                        f"«{_shown(getattr(row, name))}», theo quy trình và lịch sử thì «{_shown(value)}».")
        return None

    # -- what the viewer shows ---------------------------------------------------------------
    def recorded_result(self, task) -> dict[str, Any] | None:
        queue = self.results.get(_bpmn_id(task))
        if not queue:
            raise _Diverged(None, f"bước tự động «{_label(task)}» chạy khi thực thi lại mà bản ghi không có kết quả.")
        return queue.popleft()

    def active(self) -> list[str]:
        if self.workflow is None:
            return []
        waiting = TaskState.READY | TaskState.STARTED | TaskState.WAITING
        return sorted({_bpmn_id(t) for t in self.workflow.get_tasks(state=waiting) if _bpmn_id(t)})

    def completed(self) -> list[str]:
        if self.workflow is None:
            return []
        return sorted({_bpmn_id(t) for t in self.workflow.get_tasks(state=TaskState.COMPLETED) if _bpmn_id(t)})

    def variables(self) -> dict[str, Any]:
        if self.workflow is None:
            return {}
        last = self.workflow.last_task
        return {**self.workflow.data_objects, **(last.data if last is not None else {})}


#: The fields of a task-list row fixed when its step starts waiting, by what the user calls them.
ROW_FIELDS = {"definition_key": "quy trình", "business_key": "mã nghiệp vụ", "element_id": "mã bước",
              "name": "tên bước", "lane": "làn", "form_key": "biểu mẫu", "priority": "độ ưu tiên",
              "label": "nhãn", "follow_up_at": "ngày theo dõi", "created_at": "lúc giao"}
FIELD_NAMES = {**ROW_FIELDS, "definition_id": "phiên bản quy trình", "due_at": "hạn xử lý",
               "owner": "người ủy quyền"}


def _shown(value: Any) -> str:
    if isinstance(value, datetime):
        return f"{to_local(value):%H:%M %d/%m/%Y}"
    return "không" if value in (None, "") else str(value)


def _bodies_of(candidate_groups: str | None) -> set[str]:
    """The bodies whose members alone may take a task offered to ``ORG:ROLE`` groups (empty when a group
    is a bare role or a user, open to members of any body)."""
    groups = [g for g in (candidate_groups or "").split(",") if g]
    if not groups or any(":" not in g or g.startswith(USER_PREFIX) for g in groups):
        return set()
    return {g.split(":")[0] for g in groups}


def _describe(kind: str, element: str | None) -> str:
    names = {"activity_completed": "hoàn thành bước", "instance_completed": "kết thúc phiên",
             "task_created": "giao việc", "external_task_created": "giao cho hệ thống bên ngoài"}
    return f"{names.get(kind, kind)} {element}".strip() if element else names.get(kind, kind)


def _changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    changed = {}
    for name in sorted(set(before) | set(after)):
        if canonical(before.get(name)) != canonical(after.get(name)):
            changed[name] = [before.get(name), after.get(name)]
    return changed


def state_outline(workflow: BpmnWorkflow) -> list[tuple[str, str, str]]:
    """The workflow without ids or clocks: every BPMN element that ran, runs or waits for an event,
    with its state and data, in tree order.

    Left out: SpiffWorkflow's structural steps (start, end and boundary joins, which have no BPMN
    id), predicted steps, and steps cancelled when their branch ended. SpiffWorkflow predicts steps
    lazily, and its specs learn connections when an event sub-process first runs in a process, so
    these can differ between two runs of the same events and say nothing about what happened."""
    outline = [("", "data_objects", canonical(workflow.data_objects))]
    for task in workflow.get_tasks(state=DEFINITE | TaskState.WAITING):
        if _bpmn_id(task) is None:
            continue
        if task.state == TaskState.WAITING and getattr(task.task_spec, "event_definition", None) is None:
            continue
        outline.append((task.task_spec.name, TaskState.get_name(task.state), canonical(task.data)))
    return outline


def compare_states(stored: BpmnWorkflow, replayed: BpmnWorkflow) -> str | None:
    """A sentence naming the first difference between two workflows' states (None when equal)."""
    left, right = state_outline(stored), state_outline(replayed)
    for (name, state, data), (name2, state2, data2) in zip(left, right):
        if (name, state) != (name2, state2):
            return f"trạng thái đã lưu có bước «{name}» ({state}), thực thi lại có «{name2}» ({state2})."
        if data != data2:
            return f"dữ liệu của bước «{name}» trong trạng thái đã lưu khác với khi thực thi lại."
    if len(left) != len(right):
        return f"trạng thái đã lưu có {len(left) - 1} bước, thực thi lại có {len(right) - 1} bước."
    return None


def instance_events(session: Session, instance_id: str) -> list[HistoryEvent]:
    """An instance's events in chain order."""
    return list(session.scalars(select(HistoryEvent).where(HistoryEvent.instance_id == instance_id)
                                .order_by(HistoryEvent.seq)))


def replay_instance(engine, session: Session, instance_id: str, with_steps: bool = False) -> ReplayResult:
    """Replay one stored instance from its events and compare with its stored state."""
    instance = session.get(ProcessInstance, instance_id)
    events = instance_events(session, instance_id)
    if instance is None:
        result = ReplayResult(instance_id, len(events))
        result.divergence = Divergence(None, "không còn phiên này trong cơ sở dữ liệu"
                                             + (f" dù lịch sử còn {len(events)} sự kiện." if events else "."))
        return result
    return Replay(engine, session, instance, events).run(with_steps=with_steps)
