"""Queries over the human-task table: task lists read it with its indexes, never workflows."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session

from .identity import Actor
from .models import HumanTask, HumanTaskCandidate

USER_PREFIX = "user:"

SORTS = {
    "due": HumanTask.due_at,
    "created": HumanTask.created_at,
    "name": HumanTask.name,
    "priority": HumanTask.priority,
    "follow_up": HumanTask.follow_up_at,
    "id": HumanTask.id,
}


@dataclass
class TaskFilter:
    """What to list: the tasks an actor may work on, narrowed by the other fields."""

    actor: Actor | None = None
    assignee: str | None = None
    candidate_groups: tuple[str, ...] = ()
    instance_id: str | None = None
    definition_key: str | None = None
    business_key: str | None = None
    element_id: str | None = None
    due_before: datetime | None = None
    due_after: datetime | None = None
    follow_up_before: datetime | None = None
    search: str | None = None
    unassigned: bool = False
    sort: str = "due"
    descending: bool = False
    #: Further SQL conditions on HumanTask (AND-ed; they narrow what the actor may see, never widen it).
    where: tuple[Any, ...] = ()
    #: ORDER BY terms replacing ``sort``/``descending`` when given.
    order_by: tuple[Any, ...] = ()


def _candidate_of(groups: set[str]):
    return HumanTask.id.in_(select(HumanTaskCandidate.task_id).where(HumanTaskCandidate.group_id.in_(groups)))


def _statement(f: TaskFilter) -> Select:
    query = select(HumanTask)
    if f.actor is not None:
        groups = set(f.actor.groups) | {USER_PREFIX + f.actor.username}
        query = query.where(or_(HumanTask.assignee == f.actor.username,
                                and_(HumanTask.assignee.is_(None), _candidate_of(groups))))
    if f.assignee:
        query = query.where(HumanTask.assignee == f.assignee)
    if f.unassigned:
        query = query.where(HumanTask.assignee.is_(None))
    if f.candidate_groups:
        query = query.where(_candidate_of(set(f.candidate_groups)))
    for column, value in ((HumanTask.instance_id, f.instance_id), (HumanTask.definition_key, f.definition_key),
                          (HumanTask.business_key, f.business_key), (HumanTask.element_id, f.element_id)):
        if value:
            query = query.where(column == value)
    if f.due_before:
        query = query.where(HumanTask.due_at < f.due_before)
    if f.due_after:
        query = query.where(HumanTask.due_at > f.due_after)
    if f.follow_up_before:
        query = query.where(HumanTask.follow_up_at < f.follow_up_before)
    if f.search:
        words = f.search.strip()
        query = query.where(or_(HumanTask.label.icontains(words, autoescape=True),
                                HumanTask.name.icontains(words, autoescape=True)))
    return query.where(*f.where) if f.where else query


def count_tasks(session: Session, f: TaskFilter) -> int:
    """How many tasks match."""
    return session.scalar(select(func.count()).select_from(_statement(f).subquery()))


def list_tasks(session: Session, f: TaskFilter, offset: int = 0, limit: int = 20) -> list[HumanTask]:
    """One page of matching tasks; undated tasks sort after dated ones."""
    column = SORTS.get(f.sort, HumanTask.due_at)
    order = f.order_by or (column.is_(None), column.desc() if f.descending else column.asc())
    query = _statement(f).order_by(*order, HumanTask.created_at, HumanTask.id)
    return list(session.scalars(query.offset(offset).limit(limit)))
