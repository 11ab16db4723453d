"""Incidents: whatever stopped a step and needs an administrator, from every source, in one list.

Two sources today, named as Camunda names them: a job (timer, e-mail, asynchronous step)
whose attempts ran out (``failedJob``), and an external task a worker failed down to no
retries (``failedExternalTask``). The admin page, the REST API's ``/incident`` and the
directive's diagram all read this one list, so none can miss a kind the others show.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from .external import INCIDENT as EXTERNAL_INCIDENT
from .external import ExternalTask
from .jobs import INCIDENT as JOB_INCIDENT
from .jobs import Job
from .models import HistoryEvent, ProcessInstance

FAILED_JOB, FAILED_EXTERNAL_TASK = "failedJob", "failedExternalTask"


@dataclass(frozen=True)
class Incident:
    """One step stopped by a failure."""

    id: str
    kind: str
    instance_id: str | None
    definition_id: str | None
    element_id: str | None
    element_name: str | None
    message: str | None
    at: datetime
    attempts: int | None
    job_kind: str | None = None  # the kind of job (its job definition), for a failed job


def open_incidents(session: Session, instance_ids: Iterable[str] | None = None) -> list[Incident]:
    """Every open incident, oldest first; only those of ``instance_ids`` when given."""
    ids = set(instance_ids) if instance_ids is not None else None
    jobs = select(Job).where(Job.status == JOB_INCIDENT)
    tasks = select(ExternalTask).where(ExternalTask.status == EXTERNAL_INCIDENT)
    if ids is not None:
        jobs, tasks = jobs.where(Job.instance_id.in_(ids)), tasks.where(ExternalTask.instance_id.in_(ids))
    failed_jobs = list(session.scalars(jobs))
    instance_ids = {j.instance_id for j in failed_jobs if j.instance_id}
    definitions = dict(session.execute(select(ProcessInstance.id, ProcessInstance.definition_id)
                                       .where(ProcessInstance.id.in_(instance_ids))).all()) if instance_ids else {}
    found = [Incident(j.id, FAILED_JOB, j.instance_id, definitions.get(j.instance_id), j.element_id,
                      j.element_name or j.kind, j.last_error, j.due_at, j.attempts, j.kind) for j in failed_jobs]
    found += [Incident(t.id, FAILED_EXTERNAL_TASK, t.instance_id, t.definition_id, t.element_id,
                       t.element_name or t.topic, t.error_message, t.created_at, t.retries)
              for t in session.scalars(tasks)]
    return sorted(found, key=lambda incident: (incident.at, incident.id))


def incidents_by_element(session: Session, instance_id: str) -> dict[str, list[Incident]]:
    """The incidents of an instance and of the instances it called, by the element of this instance they stop.

    An incident in a called instance (or deeper) stops the call activity through which this
    instance waits for it, as Camunda's cockpit shows it.
    """
    through: dict[str, str | None] = {instance_id: None}  # instance -> the parent task id of its top-level call
    level = [instance_id]
    while level:
        children = session.execute(select(ProcessInstance.id, ProcessInstance.parent_instance_id,
                                          ProcessInstance.parent_task_id)
                                   .where(ProcessInstance.parent_instance_id.in_(level))).all()
        for child, parent, parent_task in children:
            through[child] = parent_task if parent == instance_id else through[parent]
        level = [child for child, _, _ in children]
    found = open_incidents(session, through)
    calls = {task for task in through.values() if task}
    elements = dict(session.execute(
        select(HistoryEvent.task_id, HistoryEvent.element_id)
        .where(HistoryEvent.instance_id == instance_id, HistoryEvent.task_id.in_(calls))).all()) if calls else {}
    by_element: dict[str, list[Incident]] = {}
    for incident in found:
        element = incident.element_id if incident.instance_id == instance_id \
            else elements.get(through[incident.instance_id])
        if element:
            by_element.setdefault(element, []).append(incident)
    return by_element
