"""``/task``: query and count with Camunda's filters, get, claim, unclaim, assignee, complete,
form variables, variables, comments. Each user sees the tasks their agency and roles may work on;
process admins and auditors see all."""
from __future__ import annotations

from typing import Any

from flask import jsonify, request
from sqlalchemy import func, select

from engine import User
from engine.models import HistoryEvent, HumanTask
from engine.tasks import TaskFilter, count_tasks, list_tasks

from ..services import services
from . import RestError, bp, task_query
from .params import body, me, paged
from .query_params import query_args, sort_keys
from .shapes import task
from .values import camunda_date, typed, typed_all, untyped_all
from .variable_filters import matching_variables, variable_conditions

EVERYTHING = {"admin", "auditor"}


def _filter(args: dict[str, Any]) -> TaskFilter:
    """The caller's visible tasks narrowed by every parameter of the query, in its sort order."""
    actor = me()
    keys = sort_keys(args, task_query.SORTS, "dueDate", task_query.REFUSED_SORTS)
    keys = [(func.upper(c) if by == "nameCaseInsensitive" else c, d)
            for (c, d), by in zip(keys, _sort_names(args), strict=True)]
    order = tuple(term for column, descending in keys
                  for term in (column.is_(None), column.desc() if descending else column.asc()))
    return TaskFilter(actor=None if EVERYTHING & set(actor.roles) else actor,
                      where=tuple(task_query.task_conditions(args)), order_by=order)


def _sort_names(args: dict[str, Any]) -> list[str]:
    sorting = args.get("sorting")
    if isinstance(sorting, list) and sorting:
        return [item.get("sortBy") or "dueDate" for item in sorting]
    return [args.get("sortBy") or "dueDate"]


def _tasks(args: dict[str, Any]) -> list[HumanTask]:
    """Every matching task, sorted: SQL conditions first, then the process variables asked for."""
    found = _filter(args)
    conditions = variable_conditions(args, "processVariables")
    with services().db.reader() as s:
        rows = list_tasks(s, found, 0, 2 ** 31 - 1)
        return matching_variables(s, rows, lambda r: r.instance_id, conditions, args)


@bp.route("/task", methods=["GET", "POST"])
def task_list():
    return jsonify([task(r) for r in paged(_tasks(query_args()), request.args)])


@bp.route("/task/count", methods=["GET", "POST"])
def task_count():
    args = query_args()
    if variable_conditions(args, "processVariables"):
        return jsonify({"count": len(_tasks(args))})
    with services().db.reader() as s:
        return jsonify({"count": count_tasks(s, _filter(args))})


def _visible(task_id: str) -> HumanTask:
    """The task, if the caller may see it: 404 when it does not exist, 403 when it is another agency's."""
    actor = me()
    with services().db.reader() as s:
        row = s.get(HumanTask, task_id)
        if row is None:
            raise RestError(404, f"No matching task with id {task_id}")
        if not (EVERYTHING & set(actor.roles)) and not services().engine.is_candidate(row, actor):
            raise RestError(403, "Nhiệm vụ này không thuộc đơn vị hoặc vai trò của bạn.")
        s.expunge(row)
    return row


@bp.get("/task/<task_id>")
def task_get(task_id: str):
    return jsonify(task(_visible(task_id)))


def _user_id(data: dict[str, Any], required: bool = True) -> str | None:
    user_id = data.get("userId")
    if user_id is None and not required:
        return None
    if not isinstance(user_id, str) or not user_id:
        raise RestError(400, "'userId' is required.")
    with services().db.reader() as s:
        if s.get(User, user_id) is None:
            raise RestError(400, f"Unknown user '{user_id}'.")
    return user_id


@bp.post("/task/<task_id>/claim")
def task_claim(task_id: str):
    user_id = _user_id(body())
    with services().db.transaction() as s:
        services().engine.claim(s, task_id, me(), assignee=user_id)
    return "", 204


@bp.post("/task/<task_id>/unclaim")
def task_unclaim(task_id: str):
    with services().db.transaction() as s:
        services().engine.unclaim(s, task_id, me())
    return "", 204


@bp.post("/task/<task_id>/assignee")
def task_assignee(task_id: str):
    user_id = _user_id(body(), required=False)
    with services().db.transaction() as s:
        if user_id is None:
            services().engine.unclaim(s, task_id, me())
        else:
            services().engine.claim(s, task_id, me(), assignee=user_id)
    return "", 204


@bp.post("/task/<task_id>/complete")
def task_complete(task_id: str):
    data = body()
    variables = untyped_all(data.get("variables"))
    engine = services().engine
    with services().db.transaction() as s:
        instance = engine.complete_task(s, task_id, me(), variables)
        answer = typed_all(engine.variables(s, instance)) if data.get("withVariablesInReturn") else None
    return (jsonify(answer), 200) if answer is not None else ("", 204)


@bp.get("/task/<task_id>/variables")
def task_variables(task_id: str):
    _visible(task_id)
    with services().db.reader() as s:
        return jsonify(typed_all(services().engine.task_variables(s, task_id)))


@bp.get("/task/<task_id>/variables/<name>")
def task_variable(task_id: str, name: str):
    _visible(task_id)
    with services().db.reader() as s:
        variables = services().engine.task_variables(s, task_id)
    if name not in variables:
        raise RestError(404, f"task variable with name {name} does not exist")
    return jsonify(typed(variables[name]))


@bp.get("/task/<task_id>/form-variables")
def task_form_variables(task_id: str):
    row = _visible(task_id)
    engine = services().engine
    with services().db.reader() as s:
        schema = engine.form(s, row.form_key) or {}
        current = engine.task_variables(s, task_id)
    wanted = [n for n in (request.args.get("variableNames") or "").split(",") if n]
    return jsonify(typed_all({name: current.get(name, prop.get("default"))
                              for name, prop in schema.get("properties", {}).items()
                              if not wanted or name in wanted}))


def _comment(event: HistoryEvent) -> dict[str, Any]:
    return {"id": str(event.id), "userId": event.actor, "taskId": event.task_id,
            "processInstanceId": event.instance_id, "rootProcessInstanceId": event.instance_id,
            "time": camunda_date(event.at), "message": event.data.get("message"), "removalTime": None}


@bp.post("/task/<task_id>/comment/create")
def task_comment_create(task_id: str):
    data = body()
    with services().db.transaction() as s:
        event = services().engine.comment(s, task_id, me(), data.get("message"))
        s.flush()
        answer = _comment(event)
    return jsonify(answer)


@bp.get("/task/<task_id>/comment")
def task_comments(task_id: str):
    _visible(task_id)
    with services().db.reader() as s:
        events = s.scalars(select(HistoryEvent).where(HistoryEvent.task_id == task_id,
                                                      HistoryEvent.event_type == "task_comment")
                           .order_by(HistoryEvent.id))
        return jsonify([_comment(e) for e in events])
