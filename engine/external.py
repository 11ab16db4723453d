"""External tasks: service steps done by workers outside the engine, Camunda's way.

A step ``camunda:type="external" camunda:topic="…"`` waits in STARTED and is
offered as a row of ``external_task``. A worker fetches and locks rows of its
topics for a while, then completes the step (with variables), reports a
failure (with retries left and when to try again; none left makes an
incident), throws a BPMN error that a boundary event catches, extends or gives
back its lock. Every state change of the instance is one engine command with
its history, so replay sees completions and errors as recorded inputs.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from uuid import UUID

from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import ErrorEventDefinition
from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import Index, Integer, String, Text, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from .bpmn.specs import ExternalServiceTask
from .db import Base, UTCDateTime
from .errors import Conflict, InvalidInput, NotFound
from .history import HistoryWriter
from .identity import Actor
from .oplog import log_operation

if TYPE_CHECKING:
    from .runtime import Engine, _Command, _Loaded

OPEN, INCIDENT = "open", "incident"


class ExternalTask(Base):
    """A waiting external step, as workers see it."""

    __tablename__ = "external_task"
    __table_args__ = (Index("ix_external_task_fetch", "topic", "status", "lock_expires_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # the workflow task's id
    instance_id: Mapped[str] = mapped_column(String(36), index=True)
    definition_id: Mapped[str] = mapped_column(String(120))
    definition_key: Mapped[str] = mapped_column(String(100))
    business_key: Mapped[str | None] = mapped_column(String(120))
    element_id: Mapped[str] = mapped_column(String(200))
    element_name: Mapped[str | None] = mapped_column(String(300))
    topic: Mapped[str] = mapped_column(String(200))
    priority: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(20), default=OPEN)
    worker_id: Mapped[str | None] = mapped_column(String(200))
    lock_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    retries: Mapped[int | None] = mapped_column(Integer)
    error_message: Mapped[str | None] = mapped_column(Text)
    error_details: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


@dataclass
class Topic:
    """One topic a worker asks for: its name, how long to lock what it gets, and which tasks of it.

    The filters are Camunda's: only tasks of instances with this business key, of these definition
    ids or keys, whose process variables have these values (None: no filter).
    """

    name: str
    lock_duration: timedelta
    business_key: str | None = None
    definition_ids: tuple[str, ...] | None = None
    definition_keys: tuple[str, ...] | None = None
    process_variables: dict[str, Any] | None = None

    def condition(self) -> Any:
        """The SQL condition for this topic's tasks (all but the variable filter)."""
        condition = ExternalTask.topic == self.name
        if self.business_key is not None:
            condition &= ExternalTask.business_key == self.business_key
        if self.definition_ids is not None:
            condition &= ExternalTask.definition_id.in_(self.definition_ids)
        if self.definition_keys is not None:
            condition &= ExternalTask.definition_key.in_(self.definition_keys)
        return condition

    def admits(self, row: ExternalTask, variables: dict[str, Any]) -> bool:
        """Whether the task is one of this topic's (``condition`` again, with the variable filter)."""
        return row.topic == self.name \
            and (self.business_key is None or row.business_key == self.business_key) \
            and (self.definition_ids is None or row.definition_id in self.definition_ids) \
            and (self.definition_keys is None or row.definition_key in self.definition_keys) \
            and all(name in variables and variables[name] == value
                    for name, value in (self.process_variables or {}).items())


class ExternalTasks:
    """The engine's side of external tasks."""

    def __init__(self, engine: Engine):
        self.engine = engine

    # -- kept in step with the workflows ----------------------------------------------------
    def mirror(self, command: _Command, loaded: _Loaded) -> None:
        """One row per STARTED external step of the instance; rows of steps that ended go."""
        session = command.session
        waiting = {str(t.id): t for t in loaded.workflow.get_tasks(state=TaskState.STARTED)
                   if isinstance(t.task_spec, ExternalServiceTask)} if loaded.instance.status == "running" else {}
        existing = {} if loaded.is_new else {
            row.id: row for row in session.scalars(select(ExternalTask)
                                                   .where(ExternalTask.instance_id == loaded.instance.id))}
        for task_id, row in existing.items():
            if task_id not in waiting:
                session.delete(row)
        for task_id, task in waiting.items():
            if task_id not in existing:
                spec = task.task_spec
                command.record(loaded, "external_task_created", task, data={"topic": spec.topic}, actor=None)
                session.add(ExternalTask(
                    id=task_id, instance_id=loaded.instance.id, definition_id=loaded.definition.id,
                    definition_key=loaded.definition.key, business_key=loaded.instance.business_key,
                    element_id=spec.bpmn_id, element_name=spec.bpmn_name, topic=spec.topic,
                    priority=int((getattr(spec, "extensions", None) or {}).get("priority") or 0),
                    created_at=command.now))

    # -- workers --------------------------------------------------------------------------------
    def fetch_and_lock(self, session: Session, worker_id: str, topics: list[Topic], max_tasks: int,
                       use_priority: bool = False,
                       newest_first: bool = False) -> list[tuple[ExternalTask, dict[str, Any]]]:
        """Lock up to ``max_tasks`` open, unlocked tasks of the topics for the worker; with their variables.

        Oldest first (``newest_first``: Camunda's ``createTime`` sorting, descending), after priority
        when ``use_priority``."""
        now = self.engine.clock.now()
        by_variables = any(t.process_variables for t in topics)
        query = (select(ExternalTask)
                 .where(or_(*(t.condition() for t in topics)), ExternalTask.status == OPEN,
                        or_(ExternalTask.lock_expires_at.is_(None), ExternalTask.lock_expires_at <= now))
                 .order_by(*([ExternalTask.priority.desc()] if use_priority else []),
                           ExternalTask.created_at.desc() if newest_first else ExternalTask.created_at,
                           ExternalTask.id)
                 .with_for_update(skip_locked=True))
        if not by_variables:  # with a variable filter, a candidate may not match: read on until enough do
            query = query.limit(max_tasks)
        locked = []
        for row in session.scalars(query):
            if len(locked) >= max_tasks:
                break
            variables = self.engine.task_variables_of(session, row.instance_id, row.id)
            topic = next((t for t in topics if t.admits(row, variables)), None)
            if topic is None:
                continue
            row.worker_id, row.lock_expires_at = worker_id, now + topic.lock_duration
            locked.append((row, variables))
        return locked

    def locked(self, session: Session, task_id: str, worker_id: str) -> ExternalTask:
        """The task, locked by this worker now; otherwise a sentence saying why not."""
        self.engine.lock(session, self._row(session, task_id).instance_id)
        row = self._row(session, task_id)
        now = self.engine.clock.now()
        if row.worker_id != worker_id or row.lock_expires_at is None or row.lock_expires_at < now:
            holder = f"bởi «{row.worker_id}»" if row.worker_id and row.lock_expires_at and \
                row.lock_expires_at >= now else "bởi ai (khóa đã hết hạn)"
            raise Conflict(f"External task {task_id} không được khóa bởi «{worker_id}» mà {holder}.")
        return row

    def _row(self, session: Session, task_id: str) -> ExternalTask:
        row = session.scalars(select(ExternalTask).where(ExternalTask.id == task_id)
                              .execution_options(populate_existing=True)).first()
        if row is None:
            raise NotFound(f"External task with id {task_id} does not exist")
        return row

    def complete(self, session: Session, task_id: str, worker_id: str, actor: Actor,
                 variables: dict[str, Any]) -> None:
        """The worker did the step: set its variables, finish the step, run what follows."""
        self.locked(session, task_id, worker_id)
        self.engine.finish_waiting_step(session, task_id, actor, variables, {"worker": worker_id})

    def failure(self, session: Session, task_id: str, worker_id: str, actor: Actor, message: str,
                details: str | None, retries: int, retry_timeout: timedelta) -> ExternalTask:
        """The worker could not do it: try again after ``retry_timeout``, or an incident at 0 retries."""
        row = self.locked(session, task_id, worker_id)
        now = self.engine.clock.now()
        row.error_message, row.error_details, row.retries = message, details, retries
        row.worker_id = None
        row.lock_expires_at = now + retry_timeout if retries > 0 else None
        row.status = OPEN if retries > 0 else INCIDENT
        HistoryWriter(session).append(
            instance_id=row.instance_id, definition_id=row.definition_id, event_type="external_task_failed",
            at=now, actor=actor, element_id=row.element_id, element_name=row.element_name, task_id=row.id,
            data={"worker": worker_id, "message": message, "retries": retries})
        return row

    def bpmn_error(self, session: Session, task_id: str, worker_id: str, actor: Actor, code: str,
                   message: str | None, variables: dict[str, Any]) -> None:
        """The worker reports a business error; a boundary error event of the step takes over."""
        self.locked(session, task_id, worker_id)
        self.engine.throw_error(session, task_id, actor, code, message, variables)

    def extend_lock(self, session: Session, task_id: str, worker_id: str, duration: timedelta) -> ExternalTask:
        row = self.locked(session, task_id, worker_id)
        row.lock_expires_at = self.engine.clock.now() + duration
        return row

    def unlock(self, session: Session, task_id: str) -> ExternalTask:
        row = self._row(session, task_id)
        row.worker_id, row.lock_expires_at = None, None
        return row

    def set_retries(self, session: Session, task_id: str, retries: int, actor: Actor) -> ExternalTask:
        """An administrator gives a failed task new retries (an incident becomes open again)."""
        row = self._row(session, task_id)
        was_incident = row.status == INCIDENT
        row.retries = retries
        row.status = OPEN if retries > 0 else INCIDENT
        if retries > 0 and was_incident:
            row.worker_id, row.lock_expires_at = None, None
        log_operation(session, actor, self.engine.clock.now(), "external_task_retries", task_id, retries=retries)
        return row


def error_event(task, code: str) -> ErrorEventDefinition | None:
    """The error definition of a boundary event on ``task`` that catches ``code`` (None when none does)."""
    for sibling in task.parent.children if task.parent else []:
        definition = getattr(sibling.task_spec, "event_definition", None)
        if sibling.state == TaskState.WAITING and isinstance(definition, ErrorEventDefinition) \
                and definition.code in (None, code):
            return definition
    return None


def throw(task, definition: ErrorEventDefinition, variables: dict[str, Any]) -> None:
    """Throw the error at the boundary of ``task``'s activity."""
    task.workflow.top_workflow.catch(BpmnEvent(definition, payload=variables, target=task.workflow))


def task_uuid(task_id: str) -> UUID:
    try:
        return UUID(task_id)
    except ValueError:
        raise InvalidInput(f"Mã tác vụ «{task_id}» không hợp lệ.") from None
