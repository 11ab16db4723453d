"""``/history``: process instances, tasks, activity instances and user operations, read from the
append-only history and the operation log."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import jsonify, request
from sqlalchemy import select

from engine.models import HistoryEvent, ProcessDefinition, ProcessInstance
from engine.oplog import Operation

from ..services import services
from . import RestError, bp
from .params import flag, me, paged, sees_everything
from .values import camunda_date, parse_date

STATES = {"running": "ACTIVE", "completed": "COMPLETED", "cancelled": "EXTERNALLY_TERMINATED"}
TASK_OPERATIONS = {"task_claimed": "Claim", "task_unclaimed": "SetAssignee", "task_completed": "Complete",
                   "task_comment": "AddComment", "instance_migrated": "Migrate", "instance_cancelled": "Delete"}


def _readable() -> None:
    if not sees_everything(me()):
        raise RestError(403, "Chỉ Văn phòng, lãnh đạo, quản trị và thanh tra được xem lịch sử.")


def _millis(start: datetime | None, end: datetime | None) -> int | None:
    return int((end - start).total_seconds() * 1000) if start and end else None


def _when(name: str) -> datetime | None:
    return parse_date(request.args[name], name) if request.args.get(name) else None


@bp.get("/history/process-instance")
def history_instances():
    _readable()
    args = request.args
    query = select(ProcessInstance, ProcessDefinition).join(ProcessDefinition,
                                                            ProcessDefinition.id == ProcessInstance.definition_id)
    for name, column in (("processInstanceId", ProcessInstance.id), ("businessKey", ProcessInstance.business_key),
                         ("processDefinitionKey", ProcessInstance.definition_key),
                         ("processDefinitionId", ProcessInstance.definition_id),
                         ("superProcessInstanceId", ProcessInstance.parent_instance_id),
                         ("startedBy", ProcessInstance.started_by)):
        if args.get(name):
            query = query.where(column == args[name])
    if flag("finished"):
        query = query.where(ProcessInstance.status != "running")
    if flag("unfinished"):
        query = query.where(ProcessInstance.status == "running")
    for name, test in (("startedBefore", lambda m: ProcessInstance.started_at <= m),
                       ("startedAfter", lambda m: ProcessInstance.started_at >= m),
                       ("finishedBefore", lambda m: ProcessInstance.ended_at <= m),
                       ("finishedAfter", lambda m: ProcessInstance.ended_at >= m)):
        moment = _when(name)
        if moment is not None:
            query = query.where(test(moment))
    with services().db.reader() as s:
        rows = s.execute(query.order_by(ProcessInstance.started_at, ProcessInstance.id)).all()
        answer = [{"id": i.id, "businessKey": i.business_key, "processDefinitionId": d.id,
                   "processDefinitionKey": d.key, "processDefinitionName": d.name,
                   "processDefinitionVersion": d.version, "startTime": camunda_date(i.started_at),
                   "endTime": camunda_date(i.ended_at), "removalTime": None,
                   "durationInMillis": _millis(i.started_at, i.ended_at), "startUserId": i.started_by,
                   "startActivityId": None, "deleteReason": "cancelled" if i.status == "cancelled" else None,
                   "rootProcessInstanceId": i.id, "superProcessInstanceId": i.parent_instance_id,
                   "superCaseInstanceId": None, "caseInstanceId": None, "tenantId": None,
                   "state": STATES.get(i.status, "ACTIVE")} for i, d in rows]
    return jsonify(paged(answer))


def _events(kinds: tuple[str, ...]) -> list[HistoryEvent]:
    args = request.args
    query = select(HistoryEvent).where(HistoryEvent.event_type.in_(kinds))
    if args.get("processInstanceId"):
        query = query.where(HistoryEvent.instance_id == args["processInstanceId"])
    with services().db.reader() as s:
        rows = list(s.scalars(query.order_by(HistoryEvent.id)))
        keys = dict(s.execute(select(ProcessDefinition.id, ProcessDefinition.key)).all())
    for row in rows:
        row.definition_key = keys.get(row.definition_id)
    return rows


@bp.get("/history/task")
def history_tasks():
    _readable()
    tasks: dict[str, dict[str, Any]] = {}
    for event in _events(("task_created", "task_completed", "task_claimed", "task_unclaimed")):
        row = tasks.setdefault(event.task_id, {
            "id": event.task_id, "processDefinitionKey": event.definition_key,
            "processDefinitionId": event.definition_id, "processInstanceId": event.instance_id,
            "executionId": event.instance_id, "caseDefinitionKey": None, "caseDefinitionId": None,
            "caseInstanceId": None, "caseExecutionId": None, "activityInstanceId": event.task_id,
            "name": event.element_name, "description": None, "deleteReason": None, "owner": None, "assignee": None,
            "startTime": camunda_date(event.at), "endTime": None, "duration": None,
            "taskDefinitionKey": event.element_id, "priority": 50, "due": None, "parentTaskId": None,
            "followUp": None, "tenantId": None, "removalTime": None, "rootProcessInstanceId": event.instance_id})
        if event.event_type == "task_created":
            row["due"] = camunda_date(parse_date(event.data["due_at"], "due")) if event.data.get("due_at") else None
            row["start"] = event.at
        elif event.event_type == "task_claimed":
            row["assignee"] = event.data.get("assignee")
        elif event.event_type == "task_unclaimed":
            row["assignee"] = None
        else:
            row.update(assignee=event.actor, endTime=camunda_date(event.at), deleteReason="completed",
                       duration=_millis(row.get("start"), event.at))
    answer = [{k: v for k, v in t.items() if k != "start"} for t in tasks.values()]
    args = request.args
    for name, field in (("taskAssignee", "assignee"), ("taskDefinitionKey", "taskDefinitionKey"),
                        ("processDefinitionKey", "processDefinitionKey"), ("taskId", "id")):
        if args.get(name):
            answer = [t for t in answer if t[field] == args[name]]
    if flag("finished"):
        answer = [t for t in answer if t["endTime"]]
    if flag("unfinished"):
        answer = [t for t in answer if not t["endTime"]]
    return jsonify(paged(answer))


@bp.get("/history/activity-instance")
def history_activities():
    _readable()
    created = {}
    answer = []
    for event in _events(("task_created", "task_completed", "activity_completed")):
        if event.event_type == "task_created":
            created[event.task_id] = event.at
            continue
        start = created.get(event.task_id, event.at)
        answer.append({
            "id": f"{event.element_id}:{event.task_id}", "parentActivityInstanceId": event.instance_id,
            "activityId": event.element_id, "activityName": event.element_name,
            "activityType": "userTask" if event.event_type == "task_completed" else "activity",
            "processDefinitionKey": event.definition_key, "processDefinitionId": event.definition_id,
            "processInstanceId": event.instance_id, "executionId": event.instance_id,
            "taskId": event.task_id if event.event_type == "task_completed" else None,
            "calledProcessInstanceId": None, "calledCaseInstanceId": None,
            "assignee": event.actor if event.event_type == "task_completed" else None,
            "startTime": camunda_date(start), "endTime": camunda_date(event.at),
            "durationInMillis": _millis(start, event.at), "canceled": False, "completeScope": False,
            "tenantId": None, "removalTime": None, "rootProcessInstanceId": event.instance_id})
    if request.args.get("activityId"):
        answer = [a for a in answer if a["activityId"] == request.args["activityId"]]
    return jsonify(paged(answer))


def _operation(row_id: str, at, actor, kind: str, entity: str, **ids) -> dict[str, Any]:
    base = {"id": row_id, "deploymentId": None, "processDefinitionId": None, "processDefinitionKey": None,
            "processInstanceId": None, "executionId": None, "caseDefinitionId": None, "caseInstanceId": None,
            "caseExecutionId": None, "taskId": None, "jobId": None, "jobDefinitionId": None, "batchId": None,
            "userId": actor, "timestamp": camunda_date(at), "operationId": row_id, "operationType": kind,
            "entityType": entity, "property": None, "orgValue": None, "newValue": None, "removalTime": None,
            "rootProcessInstanceId": None, "externalTaskId": None, "annotation": None, "category": "Operator"}
    return {**base, **ids}


@bp.get("/history/user-operation")
def history_user_operations():
    _readable()
    with services().db.reader() as s:
        operations = [_operation(f"op-{o.id}", o.at, o.actor, o.action, "OperationLog", property="target",
                                 newValue=o.target) for o in s.scalars(select(Operation).order_by(Operation.id))]
    operations += [_operation(f"ev-{e.id}", e.at, e.actor, TASK_OPERATIONS[e.event_type],
                              "Task" if e.task_id else "ProcessInstance", taskId=e.task_id,
                              processInstanceId=e.instance_id, processDefinitionId=e.definition_id,
                              processDefinitionKey=e.definition_key, rootProcessInstanceId=e.instance_id)
                   for e in _events(tuple(TASK_OPERATIONS))]
    args = request.args
    for name, field in (("userId", "userId"), ("operationType", "operationType"), ("taskId", "taskId"),
                        ("entityType", "entityType")):
        if args.get(name):
            operations = [o for o in operations if o[field] == args[name]]
    operations.sort(key=lambda o: o["timestamp"] or "")
    return jsonify(paged(operations))
