"""The engine: deploy definitions, start instances, run and complete tasks.

Every public method works inside the caller's session and transaction: one
command is one transaction, and on any error nothing of it is written.

A command loads the instances it touches (locking their rows), lets
SpiffWorkflow run the engine steps, starts the child instances of call
activities, completes parents whose children have all ended, and at the end
writes each changed instance back with its human tasks, its active elements
and its history events.
"""
from __future__ import annotations

import hashlib
import threading
import uuid
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from SpiffWorkflow.bpmn.specs.mixins.unstructured_join import UnstructuredJoin
from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import WorkflowException
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .anchor_witness import AnchorWitness
from .bpmn.events import VariablesMessage, timer_due
from .bpmn.expressions import ExpressionEngine, is_expression
from .bpmn.parser import ParsedProcess, parse_bpmn
from .bpmn.safe_eval import ExpressionFailed, ExpressionRefused
from .bpmn.specs import Assignment, CallActivityTask, HandlerServiceTask, HumanTaskSpec
from .bpmn.state import StateSerializer
from .calendar import BusinessCalendar, load_calendar
from .clock import LOCAL_TZ, Clock, to_local
from .db import Database
from .errors import Conflict, DefinitionError, EngineError, ExecutionError, Forbidden, InvalidInput, NotFound
from .external import ExternalTask, ExternalTasks, error_event, task_uuid, throw
from .form_catalogue import form_keys, form_schema
from .forms import validate_start, validate_submission
from .history import HistoryWriter
from .identity import SYSTEM, Actor, User
from .jobs import TIMER, WAITING, Job, new_job
from .models import Deployment, HistoryEvent, HumanTask, HumanTaskCandidate, ProcessDefinition, ProcessInstance
from .oplog import log_operation
from .plugin import FormContext, Plugin, ServiceContext
from .repository import DeploymentResult, latest_deployment, unchanged_resources
from .tasks import USER_PREFIX
from .validation import Problem, validate_bpmn


def waits_for_timer(spec) -> bool:
    """True for a catching event (or event-based gateway) that waits for a timer."""
    definition = getattr(spec, "event_definition", None)
    definitions = getattr(definition, "event_definitions", None) or [definition]
    return any(isinstance(d, TimerEventDefinition) for d in definitions)


def element_kind(spec) -> str:
    """What kind of work waits in an element: a person ("task"), child instances ("call"), or an event."""
    if getattr(spec, "manual", False):
        return "task"
    if isinstance(spec, CallActivityTask):
        return "call"
    return "event"


def active_elements(workflow: BpmnWorkflow) -> list[dict[str, Any]]:
    """Where work waits in an instance (what its diagram marks): each element once, with its name and kind."""
    active: dict[str, dict[str, Any]] = {}
    for task in workflow.get_tasks(state=TaskState.READY | TaskState.STARTED | TaskState.WAITING):
        element_id, name = _element(task)
        if isinstance(task.task_spec, UnstructuredJoin):
            continue  # a join waiting for its other branches is not where work waits
        if element_id and not isinstance(task.task_spec, StartEvent):
            active.setdefault(element_id, {"id": element_id, "name": name or element_id,
                                           "kind": element_kind(task.task_spec)})
    return list(active.values())


#: The most child instances one call activity may start at once (a directive's tasks, an agency list).
MAX_CHILDREN = 1000


def task_scope(workflow: BpmnWorkflow, task) -> dict[str, Any]:
    """What a task's expressions see: the instance's data objects (process-wide) and its own data."""
    return {**workflow.data_objects, **task.data}


def apply_variables(workflow: BpmnWorkflow, variables: dict[str, Any]) -> None:
    """Set process variables from outside: data objects where the model has them, else on every step
    that has not finished (and on the latest one), so what follows sees them."""
    on_steps = {name: value for name, value in variables.items() if name not in workflow.data_objects}
    workflow.data_objects.update({name: value for name, value in variables.items() if name not in on_steps})
    if on_steps:
        steps = workflow.get_tasks(state=TaskState.NOT_FINISHED_MASK)
        for task in steps + ([workflow.last_task] if workflow.last_task is not None else []):
            task.data.update(on_steps)


def step_failure(task, exc: Exception) -> str:
    """A sentence for a failed step: which element, what went wrong."""
    spec = getattr(task, "task_spec", None)
    element = getattr(spec, "bpmn_name", None) or getattr(spec, "bpmn_id", None) or "?"
    detail = str(exc).split("\n")[0] or exc.__class__.__name__
    if isinstance(exc, KeyError):
        detail = f"thiếu dữ liệu {exc}"
    cause = exc.__cause__ or exc.__context__  # SpiffWorkflow wraps the evaluator's own sentence
    if isinstance(cause, (ExpressionFailed, ExpressionRefused)):
        detail = f"biểu thức: {cause}"
    return f"Bước «{element}» không thực hiện được: {detail}"


def lock_instance(session: Session, instance_id: str) -> None:
    """Lock an instance's row until the transaction ends (SQLite's write transaction already does)."""
    session.execute(select(ProcessInstance.id).where(ProcessInstance.id == instance_id).with_for_update())


def new_id() -> str:
    return str(uuid.uuid4())


def _element(task) -> tuple[str | None, str | None]:
    spec = task.task_spec
    return getattr(spec, "bpmn_id", None), getattr(spec, "bpmn_name", None)


def to_datetime(value: Any) -> datetime | None:
    """Read a due date given as a datetime, a date (end of that day) or ISO text."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=LOCAL_TZ)
    if isinstance(value, date):
        return datetime.combine(value, time(23, 59, 59), tzinfo=LOCAL_TZ)
    text = str(value).strip()
    if len(text) == 10:
        return to_datetime(date.fromisoformat(text))
    return to_datetime(datetime.fromisoformat(text))


@dataclass(frozen=True)
class TaskAssignment:
    """Who a waiting step goes to and by when, as its model computes it from the instance's data."""

    candidates: list[str]  # candidate groups, then ``user:NAME`` for candidate users
    assignee: str | None
    due_at: datetime | None
    follow_up_at: datetime | None
    priority: int
    label: str | None

    @property
    def candidate_groups_text(self) -> str:
        return ",".join(self.candidates)

    def recorded(self) -> dict[str, Any]:
        """The fields a ``task_created`` event records."""
        return {"candidate_groups": self.candidate_groups_text, "assignee": self.assignee,
                "due_at": self.due_at.isoformat() if self.due_at else None}


@dataclass
class _Loaded:
    instance: ProcessInstance
    workflow: BpmnWorkflow
    definition: ProcessDefinition
    is_new: bool = False
    dirty: bool = False


@dataclass
class _StepContext:
    """Attached to a workflow while a command runs it; service tasks call handlers through it."""

    command: _Command
    loaded: _Loaded

    def call_handler(self, name: str, task) -> dict[str, Any] | None:
        engine = self.command.engine
        handler = engine.plugin.handlers.get(name)
        element_id, _ = _element(task)
        if handler is None:
            raise ExecutionError(f"Bước «{task.task_spec.bpmn_name or element_id}» gọi bộ xử lý «{name}» "
                                 "chưa được đăng ký.")
        context = ServiceContext(
            session=self.command.session, instance=self.loaded.instance, element_id=element_id,
            variables=task_scope(self.loaded.workflow, task), actor=self.command.actor, now=self.command.now,
            calendar=self.command.calendar, properties=dict(getattr(task.task_spec, "extensions", None) or {}),
        )
        result = handler(context)
        self.command.handler_results[str(task.id)] = result
        return result


@dataclass
class _Command:
    """One unit of work: the instances it loaded, the history it writes, the work left to do."""

    engine: Engine
    session: Session
    actor: Actor
    now: datetime
    loaded: dict[str, _Loaded] = field(default_factory=dict)
    queue: deque = field(default_factory=deque)

    def __post_init__(self) -> None:
        self.history = HistoryWriter(self.session)
        self.handler_results: dict[str, Any] = {}  # kept in history so that replay needs no handler
        self._calendar: BusinessCalendar | None = None

    @property
    def calendar(self) -> BusinessCalendar:
        """The business calendar with its recorded exceptions, read once per command."""
        if self._calendar is None:
            self._calendar = load_calendar(self.session, self.engine.country)
        return self._calendar

    # -- loading -----------------------------------------------------------
    def load(self, instance_id: str) -> _Loaded:
        if instance_id in self.loaded:
            return self.loaded[instance_id]
        instance = self.session.execute(
            select(ProcessInstance).where(ProcessInstance.id == instance_id)
            .with_for_update().execution_options(populate_existing=True)
        ).scalar_one_or_none()
        if instance is None:
            raise NotFound(f"Không tìm thấy phiên quy trình {instance_id}.")
        definition = instance.definition
        workflow = self.engine.load_workflow(instance)
        loaded = _Loaded(instance, workflow, definition)
        workflow.step_context = _StepContext(self, loaded)
        self.loaded[instance_id] = loaded
        return loaded

    def create(self, definition: ProcessDefinition, variables: dict[str, Any], business_key: str | None,
               parent: tuple[str, str, int | None] | None = None) -> _Loaded:
        model = self.engine.model_of(definition)
        workflow = BpmnWorkflow(model.spec, model.subprocesses, script_engine=self.engine.expressions)
        start = workflow.get_next_task(spec_name="Start")
        data = dict(variables)
        if model.initiator:  # who started it is the caller, whatever the variables say (Camunda's initiator)
            data[model.initiator] = self.actor.username
        start.set_data(**data)
        instance = ProcessInstance(
            id=new_id(), definition_id=definition.id, definition_key=definition.key,
            business_key=business_key, status="running", active_elements=[], state="{}",
            started_by=self.actor.username, started_at=self.now, updated_at=self.now,
            parent_instance_id=parent[0] if parent else None,
            parent_task_id=parent[1] if parent else None,
            loop_counter=parent[2] if parent else None,
        )
        instance.definition = definition
        self.session.add(instance)
        loaded = _Loaded(instance, workflow, definition, is_new=True, dirty=True)
        workflow.step_context = _StepContext(self, loaded)
        self.loaded[instance.id] = loaded
        self.record(loaded, "instance_started", data={"variables": variables, "business_key": business_key})
        self.queue.append(("advance", loaded))
        return loaded

    # -- history -----------------------------------------------------------
    def record(self, loaded: _Loaded, event_type: str, task=None, data: dict[str, Any] | None = None,
               actor: Actor | None = None, row: HumanTask | None = None) -> None:
        """Append an event of ``loaded``'s instance: about ``task`` (a workflow task) or about the
        human-task ``row`` that stands for one."""
        if row is not None:
            element_id, element_name, task_id = row.element_id, row.name, row.id
        elif task is not None:
            (element_id, element_name), task_id = _element(task), str(task.id)
        else:
            element_id = element_name = task_id = None
        self.history.append(
            instance_id=loaded.instance.id, definition_id=loaded.definition.id, event_type=event_type,
            at=self.now, actor=actor or self.actor, element_id=element_id, element_name=element_name,
            task_id=task_id, data=data,
        )

    # -- running -----------------------------------------------------------
    def run(self) -> None:
        while self.queue:
            kind, loaded = self.queue.popleft()
            if kind == "advance":
                self._advance(loaded)
            else:
                self._child_ended(loaded)

    def _advance(self, loaded: _Loaded) -> None:
        loaded.dirty = True
        started_calls = []
        current: list = [None]

        def will_complete(task) -> None:
            current[0] = task

        def did_complete(task) -> None:
            element_id, _ = _element(task)
            if element_id is None:
                return
            if task.state == TaskState.STARTED and isinstance(task.task_spec, CallActivityTask):
                started_calls.append(task)
            elif task.state == TaskState.COMPLETED:
                result = self.handler_results.pop(str(task.id), None)
                self.record(loaded, "activity_completed", task,
                            data={"result": result} if isinstance(task.task_spec, HandlerServiceTask) else None)

        try:
            loaded.workflow.do_engine_steps(will_complete_task=will_complete, did_complete_task=did_complete)
        except EngineError:
            raise
        except Exception as exc:  # an expression or a handler failed: say which step and why
            raise ExecutionError(step_failure(getattr(exc, "task", None) or current[0], exc)) from None
        for task in started_calls:
            self._start_children(loaded, task)
        self._cancel_children_of_cancelled_calls(loaded)
        if loaded.workflow.is_completed() and loaded.instance.status == "running":
            loaded.instance.status = "completed"
            loaded.instance.ended_at = self.now
            self.record(loaded, "instance_completed")
            if loaded.instance.parent_instance_id:
                self.queue.append(("child_ended", loaded))

    def _start_children(self, loaded: _Loaded, task) -> None:
        try:
            self._start_children_of(loaded, task)
        except EngineError:
            raise
        except Exception as exc:  # a collection or mapping expression failed
            raise ExecutionError(step_failure(task, exc)) from None

    def _start_children_of(self, loaded: _Loaded, task) -> None:
        spec: CallActivityTask = task.task_spec
        call = spec.call
        items: list[Any]
        if call.collection is not None:
            source = call.collection
            value = (self.engine.expressions.evaluate_in(task.data, source) if is_expression(source)
                     else task.data.get(source))
            if value is None:
                raise ExecutionError(f"Bước «{spec.bpmn_name or spec.bpmn_id}»: không có danh sách «{source}».")
            items = list(value)
        elif call.cardinality is not None:
            count = int(self.engine.expressions.evaluate_in(task.data, call.cardinality))
            items = list(range(min(max(count, 0), MAX_CHILDREN + 1)))
        else:
            items = [None]
        if len(items) > MAX_CHILDREN:
            raise ExecutionError(f"Bước «{spec.bpmn_name or spec.bpmn_id}» đòi mở hơn {MAX_CHILDREN} phiên con; "
                                 "hãy kiểm tra danh sách hoặc số lần lặp.")
        if not items:
            task.complete()
            self.record(loaded, "activity_completed", task, data={"children": 0})
            self.queue.append(("advance", loaded))
            return
        definition = self.engine.called_definition(self.session, loaded.definition, call)
        children = []
        for index, item in enumerate(items):
            scope = dict(task.data)
            if call.element_variable:
                scope[call.element_variable] = item
            scope["loopCounter"] = index
            variables = self.engine.map_variables(call.inputs, scope)
            child = self.create(definition, variables, loaded.instance.business_key,
                                parent=(loaded.instance.id, str(task.id), index if spec.is_multi_instance else None))
            children.append(child.instance.id)
        self.record(loaded, "call_started", task, data={"children": children, "called": definition.id})

    def _cancel_children_of_cancelled_calls(self, loaded: _Loaded) -> None:
        cancelled = [str(t.id) for t in loaded.workflow.get_tasks(state=TaskState.CANCELLED)
                     if isinstance(t.task_spec, CallActivityTask)]
        if not cancelled:
            return
        self.session.flush()
        for child_id in self.session.scalars(select(ProcessInstance.id).where(
                ProcessInstance.parent_instance_id == loaded.instance.id,
                ProcessInstance.parent_task_id.in_(cancelled), ProcessInstance.status == "running")):
            self.cancel(self.load(child_id))

    def cancel(self, loaded: _Loaded) -> None:
        """End an instance without completing it (its call activity was interrupted or terminated)."""
        loaded.workflow.cancel()
        loaded.instance.status = "cancelled"
        loaded.instance.ended_at = self.now
        loaded.dirty = True
        self.record(loaded, "instance_cancelled")
        self._cancel_children_of_cancelled_calls(loaded)
        self.session.flush()
        for child_id in self.session.scalars(select(ProcessInstance.id).where(
                ProcessInstance.parent_instance_id == loaded.instance.id, ProcessInstance.status == "running")):
            self.cancel(self.load(child_id))

    def _child_ended(self, child: _Loaded) -> None:
        parent_id = child.instance.parent_instance_id
        if parent_id not in self.loaded:
            lock_instance(self.session, parent_id)  # siblings ending at once count one after the other
        self.session.flush()
        running = self.session.scalar(
            select(func.count()).select_from(ProcessInstance).where(
                ProcessInstance.parent_instance_id == parent_id,
                ProcessInstance.parent_task_id == child.instance.parent_task_id,
                ProcessInstance.status == "running",
            )
        )
        if running:
            return
        parent = self.load(parent_id)
        task = parent.workflow.get_task_from_id(UUID(child.instance.parent_task_id))
        if task.state != TaskState.STARTED:
            return
        spec: CallActivityTask = task.task_spec
        outputs: dict[str, Any] = {}
        if spec.call.outputs:
            siblings = self.session.scalars(
                select(ProcessInstance.id).where(
                    ProcessInstance.parent_instance_id == parent.instance.id,
                    ProcessInstance.parent_task_id == child.instance.parent_task_id,
                ).order_by(ProcessInstance.loop_counter)
            ).all()
            for sibling_id in siblings:
                sibling = self.load(sibling_id)
                outputs.update(self.engine.map_variables(spec.call.outputs, sibling.workflow.last_task.data))
        task.data.update(outputs)
        task.complete()
        parent.dirty = True
        self.record(parent, "activity_completed", task, data={"outputs": outputs})
        self.queue.append(("advance", parent))

    # -- writing back ------------------------------------------------------
    def flush(self) -> None:
        for loaded in self.loaded.values():
            if loaded.dirty:
                self.engine.write_back(self, loaded)
        self.session.flush()


class Engine:
    """Definitions, instances and human tasks over one database and one plugin."""

    def __init__(self, db: Database, plugin: Plugin, clock: Clock | None = None, country: str = "VN",
                 witness: AnchorWitness | None = None):
        self.db = db
        self.witness = witness  # the anchors' copy outside the database (None: anchors are not witnessed)
        self.plugin = plugin
        self.clock = clock or Clock()
        self.country = country
        self.expressions = ExpressionEngine(plugin.functions)
        self._models: dict[str, ParsedProcess] = {}
        self._models_lock = threading.Lock()
        self.state = StateSerializer(self._cached_spec)
        self.external = ExternalTasks(self)

    def _cached_spec(self, definition_id: str, name: str | None) -> BpmnProcessSpec:
        model = self._models[definition_id]
        return model.spec if name is None else model.subprocesses[name]

    # -- definitions -------------------------------------------------------
    def deploy(self, session: Session, name: str, files: dict[str, bytes], actor: Actor,
               source: str | None = None, duplicate_filtering: bool = False,
               changed_only: bool = False, scripts_enabled: bool = False) -> DeploymentResult:
        """Deploy BPMN files: each executable process becomes the next version of its key.

        Duplicate filtering is Camunda's: a file is compared with the latest resource of the
        same name in earlier deployments of the same name and source. With
        ``duplicate_filtering`` nothing is deployed when no file changed (the result then
        names the existing deployment), and every file when one did; ``changed_only`` deploys
        only the files that changed. Raises ``DefinitionError`` for a file that cannot be
        parsed; nothing of the deployment is then written. ``scripts_enabled``: the administrator
        allows the files' script tasks (run in the safe expression language), recorded on the
        deployment and in the operation log.
        """
        problems = {name: self.validate(session, content, name, scripts_enabled) for name, content in files.items()}
        problems = {name: found for name, found in problems.items() if found}
        if problems:
            name, found = next(iter(problems.items()))
            raise DefinitionError(f"Tệp {name} chưa triển khai được: {found[0].message}",
                                  [{**p.as_json(), "resource": resource}
                                   for resource, found in problems.items() for p in found])
        unchanged = unchanged_resources(session, name, source, files) if duplicate_filtering or changed_only else {}
        if unchanged and len(unchanged) == len(files):
            return DeploymentResult(latest_deployment(unchanged.values()), [], sorted(unchanged))
        if not changed_only:
            unchanged = {}  # one file changed: duplicate filtering (not per resource) deploys them all
        now = self.clock.now()
        deployment = Deployment(id=new_id(), name=name, source=source, deployed_by=actor.username, deployed_at=now,
                                scripts_enabled=scripts_enabled)
        new_definitions = []
        for filename, content in files.items():
            if filename in unchanged:
                continue
            sha = hashlib.sha256(content).hexdigest()
            for process in parse_bpmn(content, filename):
                latest = self.latest_definition(session, process.key, required=False)
                version = (latest.version if latest else 0) + 1
                new_definitions.append(ProcessDefinition(
                    id=f"{process.key}:{version}:{new_id()}", key=process.key, version=version,
                    name=process.name, resource_name=filename, sha256=sha,
                    bpmn_xml=content.decode("utf-8"), deployment=deployment,
                    deployed_by=actor.username, deployed_at=now,
                ))
        session.add(deployment)
        session.add_all(new_definitions)
        for definition in new_definitions:
            log_operation(session, actor, now, "deploy", definition.id, definition.sha256,
                          deployment=deployment.id, resource=definition.resource_name,
                          **({"scripts_enabled": True} if scripts_enabled else {}))
        session.flush()
        return DeploymentResult(deployment, new_definitions, sorted(unchanged))

    def validate(self, session: Session, xml: bytes, filename: str, scripts_enabled: bool = False) -> list[Problem]:
        """The problems of a BPMN file against this engine's forms and handlers (none: deployable);
        ``scripts_enabled``: an administrator allows its script tasks in this deployment."""
        return validate_bpmn(xml, filename, form_keys(session, self.plugin.forms), self.plugin.handlers,
                             self.plugin.functions, scripts_enabled)

    def latest_definition(self, session: Session, key: str, required: bool = True) -> ProcessDefinition | None:
        """The newest version of ``key``."""
        definition = session.scalars(
            select(ProcessDefinition).where(ProcessDefinition.key == key)
            .order_by(ProcessDefinition.version.desc()).limit(1)
        ).first()
        if definition is None and required:
            raise NotFound(f"Quy trình «{key}» chưa được triển khai.")
        return definition

    def called_definition(self, session: Session, caller: ProcessDefinition, call) -> ProcessDefinition:
        """The definition a call activity starts, by its binding (latest, deployment or version)."""
        query = select(ProcessDefinition).where(ProcessDefinition.key == call.called_element)
        if call.binding == "deployment":
            query = query.where(ProcessDefinition.deployment_id == caller.deployment_id)
        elif call.binding == "version" and call.version is not None:
            query = query.where(ProcessDefinition.version == call.version)
        definition = session.scalars(query.order_by(ProcessDefinition.version.desc()).limit(1)).first()
        if definition is None:
            raise ExecutionError(f"Quy trình được gọi «{call.called_element}» chưa được triển khai.")
        return definition

    def model_of(self, definition: ProcessDefinition) -> ParsedProcess:
        """The parsed process of a definition with its embedded subprocesses (parsed once, then cached)."""
        model = self._models.get(definition.id)
        if model is None:
            with self._models_lock:
                model = self._models.get(definition.id)
                if model is None:
                    parsed = {p.key: p for p in parse_bpmn(definition.bpmn_xml.encode("utf-8"),
                                                           definition.resource_name)}
                    model = self._models[definition.id] = parsed[definition.key]
        return model

    def load_workflow(self, instance: ProcessInstance) -> BpmnWorkflow:
        """The instance's workflow rebuilt from its stored state."""
        model = self.model_of(instance.definition)
        workflow = self.state.load(instance.state, instance.definition_id, list(model.subprocesses))
        workflow.script_engine = self.expressions
        return workflow

    # -- instances -----------------------------------------------------------
    def start(self, session: Session, key: str, actor: Actor, variables: dict[str, Any] | None = None,
              business_key: str | None = None, provenance: dict[str, Any] | None = None) -> ProcessInstance:
        """Start the newest version of ``key`` and run it to its first wait state (see ``start_definition``)."""
        return self.start_definition(session, self.latest_definition(session, key), actor, variables, business_key,
                                     provenance)

    def start_definition(self, session: Session, definition: ProcessDefinition, actor: Actor,
                         variables: dict[str, Any] | None = None, business_key: str | None = None,
                         provenance: dict[str, Any] | None = None) -> ProcessInstance:
        """Start one version of a process and run it to its first wait state.

        When the start event names a form (``camunda:formKey``), ``variables`` may only fill that
        form in ahead (``forms.validate_start``). Raises ``InvalidInput`` when they try to say who
        started it (the model's ``camunda:initiator``): the engine sets that from ``actor``.
        ``provenance`` holds what the calling server code records about where the start came from
        (an imported file, a seed); it is never taken from a request."""
        self._refuse_read_only(actor)
        model = self.model_of(definition)
        variables = dict(variables or {})
        if model.initiator and model.initiator in variables and variables[model.initiator] != actor.username:
            raise InvalidInput(f"Biến «{model.initiator}» là người khởi tạo phiên: hệ thống đặt theo người gọi "
                               f"({actor.username}), không nhận người khác.", {model.initiator: "do hệ thống đặt"})
        variables.pop(model.initiator, None)
        schema = self.form(session, model.start_form_key)
        if schema is not None:
            variables, errors = validate_start(schema, variables)
            if errors:
                raise InvalidInput(f"Biến khởi tạo không hợp với biểu mẫu «{model.start_form_key}»: "
                                   + " ".join(errors.values()), errors)
        command = self._command(session, actor)
        loaded = command.create(definition, {**variables, **(provenance or {})}, business_key)
        command.run()
        command.flush()
        return loaded.instance

    def lock(self, session: Session, instance_id: str) -> None:
        """Hold the instance's row until the transaction ends (commands on it take turns)."""
        lock_instance(session, instance_id)

    def task_variables_of(self, session: Session, instance_id: str, task_id: str) -> dict[str, Any]:
        """The variables a waiting step of an instance sees."""
        workflow = self.load_workflow(session.get(ProcessInstance, instance_id))
        return task_scope(workflow, workflow.get_task_from_id(task_uuid(task_id)))

    def _waiting_step(self, command: _Command, task_id: str):
        loaded = command.load(self._instance_of_task(command.session, task_id))
        task = loaded.workflow.get_task_from_id(task_uuid(task_id))
        if task is None or task.state != TaskState.STARTED:
            raise Conflict("Bước này không còn chờ kết quả từ bên ngoài.")
        return loaded, task

    @staticmethod
    def _instance_of_task(session: Session, task_id: str) -> str:
        row = session.get(ExternalTask, task_id)
        if row is None:
            raise NotFound(f"External task with id {task_id} does not exist")
        return row.instance_id

    def finish_waiting_step(self, session: Session, task_id: str, actor: Actor, variables: dict[str, Any],
                            note: dict[str, Any]) -> ProcessInstance:
        """Complete a step that waits for an outside result, with its variables, and run what follows."""
        self._refuse_read_only(actor)
        command = self._command(session, actor)
        loaded, task = self._waiting_step(command, task_id)
        task.data.update(variables)
        task.complete()
        command.record(loaded, "activity_completed", task, data={"outputs": variables, **note})
        command.queue.append(("advance", loaded))
        command.run()
        command.flush()
        return loaded.instance

    def throw_error(self, session: Session, task_id: str, actor: Actor, code: str, message: str | None,
                    variables: dict[str, Any]) -> ProcessInstance:
        """A BPMN error on a waiting step: its boundary error event catches it, or nothing changes."""
        self._refuse_read_only(actor)
        command = self._command(session, actor)
        loaded, task = self._waiting_step(command, task_id)
        definition = error_event(task, code)
        if definition is None:
            step = task.task_spec.bpmn_name or task.task_spec.bpmn_id
            raise InvalidInput(f"Không có sự kiện biên nào của bước «{step}» bắt lỗi «{code}»; bước vẫn chờ.",
                               {"errorCode": "Mã lỗi không được mô hình xử lý."})
        command.record(loaded, "error_thrown", task, data={"code": code, "message": message, "variables": variables})
        throw(task, definition, variables)
        command.queue.append(("advance", loaded))
        command.run()
        command.flush()
        return loaded.instance

    def set_variables(self, session: Session, instance_id: str, actor: Actor,
                      variables: dict[str, Any]) -> ProcessInstance:
        """Change process variables of a running instance (an administrator's act, kept in its history)."""
        self._refuse_read_only(actor)
        command = self._command(session, actor)
        loaded = command.load(instance_id)
        if loaded.instance.status != "running":
            raise Conflict(f"Phiên quy trình {instance_id} đã kết thúc.")
        self._refuse_engine_owned(variables, self.engine_owned_variables(loaded.definition))
        apply_variables(loaded.workflow, variables)
        loaded.dirty = True
        command.record(loaded, "variables_set", data={"variables": variables})
        command.flush()
        log_operation(session, actor, command.now, "variables_set", instance_id, names=sorted(variables))
        return loaded.instance

    def cancel_instance(self, session: Session, instance_id: str, actor: Actor) -> ProcessInstance:
        """End a running instance and its children without completing them (an administrator's act)."""
        self._refuse_read_only(actor)
        command = self._command(session, actor)
        loaded = command.load(instance_id)
        if loaded.instance.status != "running":
            raise Conflict(f"Phiên quy trình {instance_id} đã kết thúc.")
        if loaded.instance.parent_instance_id:
            raise Conflict(f"Phiên {instance_id} do phiên {loaded.instance.parent_instance_id} gọi; hãy hủy phiên đó "
                           "(phiên gọi đang chờ kết quả của phiên này).")
        command.cancel(loaded)
        command.flush()
        log_operation(session, actor, command.now, "instance_cancel", instance_id)
        return loaded.instance

    def variables(self, session: Session, instance: ProcessInstance) -> dict[str, Any]:
        """The instance's current variables (the data of its latest task)."""
        workflow = self.load_workflow(instance)
        return task_scope(workflow, workflow.last_task) if workflow.last_task else dict(workflow.data_objects)

    def task_variables(self, session: Session, task_id: str) -> dict[str, Any]:
        """The variables a READY task sees."""
        return self.task_variables_of(session, self._human_task(session, task_id).instance_id, task_id)

    def fire_timer(self, session: Session, job: Job) -> None:
        """Worker handler: bring the job's instance up to now, so its due timers fire."""
        command = self._command(session, SYSTEM)
        loaded = command.load(job.instance_id)
        loaded.workflow.refresh_waiting_tasks()
        command.queue.append(("advance", loaded))
        command.run()
        command.flush()

    def correlate_message(self, session: Session, instance_id: str, name: str, actor: Actor,
                          variables: dict[str, Any]) -> ProcessInstance:
        """Deliver message ``name`` with ``variables`` to an instance that waits for it.

        A message the plugin describes (``Plugin.messages``) is validated like its form first, and
        the engine notes who sent it and when. Raises ``Conflict`` when the instance is not waiting
        for that message now.
        """
        self._refuse_read_only(actor)
        command = self._command(session, actor)
        loaded = command.load(instance_id)
        self._refuse_engine_owned(variables, self.engine_owned_variables(loaded.definition))
        described = self.plugin.messages.get(name)
        if described is not None:
            current = task_scope(loaded.workflow, loaded.workflow.last_task)
            variables = self.check_form(session, described.form_key, current, actor, variables)
            sent_by, sent_at = described.sender_variables()
            variables = {**variables, sent_by: actor.username, sent_at: command.now.isoformat()}
        event = BpmnEvent(VariablesMessage(name), payload={"payload": dict(variables)})
        try:
            loaded.workflow.send_event(event)
        except WorkflowException:
            raise Conflict(f"Quy trình hiện không chờ «{name}»; có thể yêu cầu trước vẫn đang được xử lý.") from None
        command.record(loaded, "message_correlated", data={"message": name, "variables": variables})
        command.queue.append(("advance", loaded))
        command.run()
        command.flush()
        return loaded.instance

    def waits_for_message(self, session: Session, instance_id: str, name: str) -> bool:
        """True when the instance would catch message ``name`` now."""
        instance = session.get(ProcessInstance, instance_id)
        if instance is None or instance.status != "running":
            return False
        workflow = self.load_workflow(instance)  # a copy of its own: delivering to it changes nothing stored
        try:
            workflow.send_event(BpmnEvent(VariablesMessage(name), payload={"payload": {}}))
        except WorkflowException:
            return False
        return True

    # -- human tasks -------------------------------------------------------
    def complete_task(self, session: Session, task_id: str, actor: Actor, data: dict[str, Any]) -> ProcessInstance:
        """Complete a READY user task with the submitted form data and run what follows.

        Raises ``Forbidden`` when the actor is not a candidate, ``InvalidInput``
        with errors per field, ``Conflict`` naming who completed it first.
        """
        self.authorize(self._human_task(session, task_id), actor)
        command = self._command(session, actor)
        loaded = command.load(self._human_task(session, task_id).instance_id)
        human_task = self._human_task(session, task_id)  # read again under the instance's lock
        self.authorize(human_task, actor)
        task = loaded.workflow.get_task_from_id(UUID(task_id))
        if task.state != TaskState.READY:
            raise self.missing_task(session, task_id)
        to_apply = self.check_form(session, human_task.form_key, task_scope(loaded.workflow, task), actor, data,
                                   human_task.element_id)
        cleared = [name for name in self._form_fields(session, human_task) if name in task.data]
        for name in cleared:
            del task.data[name]  # a submission defines every field of its form: no stale loop values
        task.data.update(to_apply)
        task.run()
        command.record(loaded, "task_completed", task, data={"submitted": to_apply, "cleared": cleared})
        command.queue.append(("advance", loaded))
        command.run()
        command.flush()
        return loaded.instance

    def check_form(self, session: Session, form_key: str | None, current: dict[str, Any], actor: Actor,
                   data: dict[str, Any], element_id: str | None = None) -> dict[str, Any]:
        """Validate ``data`` against form ``form_key`` (``current``: the variables it sees).

        Returns what to apply, or raises ``InvalidInput`` with a sentence per field.
        """
        if not isinstance(data, dict):
            raise InvalidInput("Dữ liệu gửi lên phải là một đối tượng JSON.")
        if not form_key:
            return data
        schema = self.form(session, form_key)
        if schema is None:
            raise ExecutionError(f"Biểu mẫu «{form_key}» chưa được đăng ký.")
        to_apply, errors = validate_submission(schema, data, current)
        check = self.plugin.form_checks.get(form_key)
        if check is not None and not errors:
            context = FormContext(session=session, form_key=form_key, element_id=element_id,
                                  variables={**current, **to_apply}, actor=actor, now=self.clock.now())
            errors.update(check(context, to_apply))
        if errors:
            raise InvalidInput("Biểu mẫu chưa hợp lệ; hãy sửa các trường được đánh dấu.", errors)
        return to_apply

    def form(self, session: Session, key: str | None) -> dict[str, Any] | None:
        """The schema form ``key`` has now (the newest deployed version, else the plugin's)."""
        return form_schema(session, self.plugin.forms, key)

    def _form_fields(self, session: Session, human_task: HumanTask) -> list[str]:
        schema = self.form(session, human_task.form_key) or {}
        return [name for name, prop in schema.get("properties", {}).items() if not prop.get("readOnly")]

    def claim(self, session: Session, task_id: str, actor: Actor, assignee: str | None = None) -> HumanTask:
        """Assign a task to ``assignee`` (default: the actor), if nobody else holds it."""
        human_task = self._locked_human_task(session, task_id)
        self.authorize(human_task, actor)
        assignee = assignee or actor.username
        if assignee != actor.username:
            user = session.get(User, assignee)
            if user is None or not user.active or user.actor().read_only \
                    or not self.is_candidate(human_task, user.actor()):
                raise Forbidden(f"Không giao được nhiệm vụ cho «{assignee}»: người này không thuộc đơn vị hoặc vai "
                                "trò được giao nhiệm vụ, hoặc chỉ được xem.")
        if human_task.assignee and human_task.assignee != assignee:
            raise Conflict(f"Nhiệm vụ đã được {self.display_name(session, human_task.assignee)} nhận xử lý.")
        if human_task.assignee == assignee:
            return human_task  # already theirs: nothing happens, nothing is recorded
        human_task.assignee = assignee
        self._record_task_event(session, human_task, actor, "task_claimed", {"assignee": assignee})
        return human_task

    def unclaim(self, session: Session, task_id: str, actor: Actor) -> HumanTask:
        """Give a task someone took from its candidate groups back to them.

        A task the process assigned to one person (``camunda:assignee``: the signer, a named
        official) is that person's: it cannot be released, or anyone of the groups could do it.
        """
        human_task = self._locked_human_task(session, task_id)
        self.authorize(human_task, actor)
        if human_task.assigned_by_process and human_task.assignee:
            raise Forbidden(f"Quy trình giao nhiệm vụ «{human_task.name}» riêng cho "
                           f"{self.display_name(session, human_task.assignee)} nên không thể trả việc về nhóm.")
        if not human_task.candidate_groups:
            raise Conflict("Nhiệm vụ này chỉ giao cho một người nên không thể trả việc về nhóm.")
        if human_task.assignee is None:
            return human_task  # nobody holds it (Camunda's unclaim): nothing happens, nothing is recorded
        previous, human_task.assignee = human_task.assignee, None
        self._record_task_event(session, human_task, actor, "task_unclaimed", {"previous": previous})
        return human_task

    def comment(self, session: Session, task_id: str, actor: Actor, message: str) -> HistoryEvent:
        """Add a comment to a waiting task; it stays in the instance's history."""
        human_task = self._locked_human_task(session, task_id)
        self.authorize(human_task, actor)
        if not isinstance(message, str) or not message.strip():
            raise InvalidInput("Ý kiến không được để trống.", {"message": "Hãy nhập nội dung ý kiến."})
        return self._record_task_event(session, human_task, actor, "task_comment", {"message": message.strip()})

    def may_work_on(self, human_task: HumanTask, actor: Actor) -> bool:
        """Whether the actor may complete, claim or release the task now (``authorize`` without raising)."""
        try:
            self.authorize(human_task, actor)
        except Forbidden:
            return False
        return True

    def authorize(self, human_task: HumanTask, actor: Actor) -> None:
        """Raise ``Forbidden`` unless the actor may work on the task."""
        self._refuse_read_only(actor)
        if human_task.assignee:
            if human_task.assignee != actor.username:
                raise Forbidden("Nhiệm vụ này đã được giao cho người khác xử lý.")
            return
        if not self.is_candidate(human_task, actor):
            raise Forbidden("Bạn không thuộc đơn vị hoặc vai trò được giao nhiệm vụ này.")

    @staticmethod
    def is_candidate(human_task: HumanTask, actor: Actor) -> bool:
        groups = set(human_task.candidate_groups)
        return bool(groups & actor.groups) or f"{USER_PREFIX}{actor.username}" in groups \
            or human_task.assignee == actor.username

    def display_name(self, session: Session, username: str | None) -> str:
        """``Full Name (ORG)`` for a username, or the username when unknown."""
        user = session.get(User, username) if username else None
        return f"{user.full_name} ({user.org})" if user else (username or "?")

    # -- internals ---------------------------------------------------------
    def _command(self, session: Session, actor: Actor) -> _Command:
        return _Command(self, session, actor, self.clock.now())

    @staticmethod
    def _refuse_read_only(actor: Actor) -> None:
        if actor.read_only:
            raise Forbidden("Tài khoản kiểm tra chỉ được xem, không được thay đổi dữ liệu.")

    @staticmethod
    def _refuse_engine_owned(variables: dict[str, Any], owned: Iterable[str]) -> None:
        """Refuse variables that say who did something: the engine sets those from the caller."""
        named = sorted(set(variables) & set(owned))
        if named:
            raise InvalidInput(f"Biến «{named[0]}» ghi ai đã làm việc này: hệ thống tự đặt theo người gọi, không "
                               "nhận từ dữ liệu gửi lên.", {name: "do hệ thống đặt" for name in named})

    def engine_owned_variables(self, definition: ProcessDefinition) -> set[str]:
        """The variables of a process that only the engine sets: its initiator (and Camunda's usual name for
        one, ``initiator``), each message's sender and the plugin's identity variables."""
        owned = {sent for message in self.plugin.messages.values() for sent in message.sender_variables()}
        initiator = self.model_of(definition).initiator
        return owned | set(self.plugin.identity_variables) | {"initiator"} | ({initiator} if initiator else set())

    def _human_task(self, session: Session, task_id: str) -> HumanTask:
        """The task's row as the database has it now (refreshing what the session holds)."""
        query = select(HumanTask).where(HumanTask.id == task_id).execution_options(populate_existing=True)
        human_task = session.scalars(query).first()
        if human_task is None:
            raise self.missing_task(session, task_id)
        return human_task

    def _locked_human_task(self, session: Session, task_id: str) -> HumanTask:
        """The task's row, read after locking its instance: claims and completions take turns."""
        lock_instance(session, self._human_task(session, task_id).instance_id)
        return self._human_task(session, task_id)

    def missing_task(self, session: Session, task_id: str) -> EngineError:
        """The error for a task that is not waiting: ``Conflict`` naming who completed it, else ``NotFound``."""
        event = session.scalars(
            select(HistoryEvent).where(HistoryEvent.task_id == task_id,
                                       HistoryEvent.event_type == "task_completed")
            .order_by(HistoryEvent.id.desc()).limit(1)
        ).first()
        if event is None:
            return NotFound("Không tìm thấy nhiệm vụ này; có thể nó đã kết thúc hoặc đường dẫn sai.")
        when = to_local(event.at).strftime("%H:%M %d/%m/%Y")
        return Conflict(f"Nhiệm vụ «{event.element_name}» đã được {self.display_name(session, event.actor)} "
                        f"hoàn thành lúc {when}; thao tác của bạn không được ghi nhận.")

    def _record_task_event(self, session: Session, human_task: HumanTask, actor: Actor, event_type: str,
                           data: dict[str, Any]) -> HistoryEvent:
        return HistoryWriter(session).append(
            instance_id=human_task.instance_id, definition_id=human_task.definition_id, event_type=event_type,
            at=self.clock.now(), actor=actor, element_id=human_task.element_id, element_name=human_task.name,
            task_id=human_task.id, data=data,
        )

    def map_variables(self, mappings: Iterable, scope: dict[str, Any]) -> dict[str, Any]:
        """Apply ``camunda:in``/``camunda:out`` mappings to ``scope``."""
        result: dict[str, Any] = {}
        for mapping in mappings:
            if mapping.all_variables:
                result.update(scope)
            elif mapping.source_expression:
                result[mapping.target] = self.expressions.evaluate_in(scope, mapping.source_expression)
            elif mapping.source:
                result[mapping.target or mapping.source] = scope.get(mapping.source)
        return result

    def write_back(self, command: _Command, loaded: _Loaded) -> None:
        """Store a loaded instance's state, active elements and human tasks; notify the plugin."""
        session = command.session
        workflow = loaded.workflow
        instance = loaded.instance
        instance.state = self.state.dump(workflow)
        instance.updated_at = command.now
        instance.active_elements = active_elements(workflow)
        self._mirror_human_tasks(command, loaded)
        self._mirror_timer_jobs(command, loaded)
        self.external.mirror(command, loaded)
        variables = task_scope(workflow, workflow.last_task) if workflow.last_task is not None else {}
        self.plugin.on_instance_changed(session, instance, variables)

    def _mirror_timer_jobs(self, command: _Command, loaded: _Loaded) -> None:
        """One job per waiting timer, due when it fires; jobs of timers no longer waiting go."""
        session = command.session
        waiting = {}
        if loaded.instance.status == "running":
            for task in loaded.workflow.get_tasks(state=TaskState.WAITING):
                due = timer_due(task) if waits_for_timer(task.task_spec) else None
                if due is not None:
                    waiting[str(task.id)] = (task, due)
        existing = {} if loaded.is_new else {
            j.task_id: j for j in session.scalars(select(Job).where(Job.instance_id == loaded.instance.id,
                                                                    Job.kind == TIMER))
        }
        for task_id, job in existing.items():
            if task_id not in waiting:
                session.delete(job)
            elif job.status == WAITING:
                job.due_at = waiting[task_id][1]
        for task_id, (task, due) in waiting.items():
            if task_id not in existing:
                element_id, name = _element(task)
                session.add(new_job(TIMER, due, command.now, instance_id=loaded.instance.id, task_id=task_id,
                                    element_id=element_id, element_name=name))

    def _mirror_human_tasks(self, command: _Command, loaded: _Loaded) -> None:
        session = command.session
        instance = loaded.instance
        existing = {} if loaded.is_new else {
            t.id: t for t in session.scalars(select(HumanTask).where(HumanTask.instance_id == instance.id))
        }
        ready = {str(t.id): t for t in loaded.workflow.get_tasks(state=TaskState.READY, manual=True)}
        for task_id, row in existing.items():
            if task_id not in ready:
                self._record_if_cancelled(command, loaded, row)
                session.delete(row)
        for task_id, task in ready.items():
            if task_id in existing:
                self._follow_due_date(command, loaded, task, existing[task_id])
                continue
            assigned = self.assignment_of(loaded.workflow, task)
            session.add(self.task_row(loaded.instance, loaded.definition, task, assigned, command.now))
            command.record(loaded, "task_created", task, data=assigned.recorded(), actor=None)

    @staticmethod
    def _record_if_cancelled(command: _Command, loaded: _Loaded, row: HumanTask) -> None:
        """A person's task that left the list without being done (a boundary event, a terminate end, a
        cancelled instance took it away) is recorded as cancelled, so nobody's work vanishes unexplained."""
        wanted = UUID(row.id)
        task = next((w.tasks[wanted] for w in (loaded.workflow, *loaded.workflow.subprocesses.values())
                     if wanted in w.tasks), None)
        if task is not None and task.state == TaskState.COMPLETED:
            return
        command.record(loaded, "task_cancelled", data={"assignee": row.assignee}, row=row)

    def due_now(self, workflow: BpmnWorkflow, task, due_at: datetime | None) -> datetime | None:
        """The due date of an open task now (``due_at``: the one it holds): it follows the data objects
        its due date reads (an extension moves it); without data objects it keeps the one it was given."""
        template = getattr(getattr(task.task_spec, "assignment", None), "due_date", None)
        if not template or not workflow.data_objects:
            return due_at
        return to_datetime(self.expressions.render(template, task_scope(workflow, task)))

    def _follow_due_date(self, command: _Command, loaded: _Loaded, task, row: HumanTask) -> None:
        """An open task's due date follows the data objects it reads (an extension moves it)."""
        due = self.due_now(loaded.workflow, task, row.due_at)
        if due != row.due_at:
            command.record(loaded, "task_due_changed", task, data={
                "from": row.due_at.isoformat() if row.due_at else None, "to": due.isoformat() if due else None})
            row.due_at = due

    def assignment_of(self, workflow: BpmnWorkflow, task) -> TaskAssignment:
        """Who a step that starts waiting for people goes to, and by when, as its model and the instance's
        data say (replay computes it again to check the record). Raises ``ExecutionError`` naming the step
        when an expression fails."""
        spec = task.task_spec
        data = task_scope(workflow, task)
        assignment: Assignment = getattr(spec, "assignment", Assignment())

        def value(template: str | None) -> Any:
            return self.expressions.render(template, data) if template else None

        try:
            groups = self.expressions.render_list(assignment.candidate_groups, data)
            users = self.expressions.render_list(assignment.candidate_users, data)
            assignee = value(assignment.assignee)
            due = to_datetime(value(assignment.due_date))
            follow_up = to_datetime(value(assignment.follow_up_date))
            priority = int(value(assignment.priority) or 50)
            label = value((getattr(spec, "extensions", None) or {}).get("label"))
        except Exception as exc:  # noqa: BLE001 - any failing expression is the model's problem, said in a sentence
            raise ExecutionError(f"Bước «{spec.bpmn_name or spec.bpmn_id}»: không xác định được người xử lý "
                                 f"hoặc hạn xử lý ({exc}).") from None
        return TaskAssignment(
            candidates=list(dict.fromkeys(groups + [f"{USER_PREFIX}{u}" for u in users])),
            assignee=str(assignee) if assignee else None, due_at=due, follow_up_at=follow_up, priority=priority,
            label=_shortened(str(label)) if label else None)

    @staticmethod
    def task_row(instance: ProcessInstance, definition: ProcessDefinition, task, assigned: TaskAssignment,
                 now: datetime) -> HumanTask:
        """The task-list row of a step that starts waiting for people (replay builds it again to check the
        stored one)."""
        spec = task.task_spec
        return HumanTask(
            id=str(task.id), instance_id=instance.id, definition_id=definition.id,
            definition_key=definition.key, business_key=instance.business_key,
            element_id=spec.bpmn_id, name=spec.bpmn_name or spec.bpmn_id, lane=spec.lane,
            form_key=spec.form_key if isinstance(spec, HumanTaskSpec) else None,
            assignee=assigned.assignee, assigned_by_process=bool(assigned.assignee),
            candidate_groups_text=assigned.candidate_groups_text,
            due_at=assigned.due_at, follow_up_at=assigned.follow_up_at, priority=assigned.priority,
            label=assigned.label, created_at=now,
            candidates=[HumanTaskCandidate(group_id=g) for g in assigned.candidates],
        )


def _shortened(label: str, limit: int = HumanTask.label.type.length) -> str:
    """A task's label as it fits the task list: a long one (a task summary of a whole paragraph) cut at a word,
    with «…»."""
    if len(label) <= limit:
        return label
    cut = label[:limit - 1]
    return (cut[:cut.rfind(" ")] if " " in cut[limit // 2:] else cut).rstrip(" ,;:") + "…"
