"""``/history``: process instances, tasks, activity instances and user operations, read from the
append-only history and the operation log."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import jsonify, request
from sqlalchemy import false, select

from engine.jobs import WAITING, Job
from engine.models import HistoryEvent, ProcessDefinition, ProcessInstance
from engine.oplog import Operation
from engine.variable_filters import sql_like

from ..services import services
from . import RestError, bp
from . import query_params as q
from .activity_types import activity_types
from .params import me, paged, sees_everything
from .query_params import Filter, query_args, refuse_unknown, row_filter, sort_keys, sort_rows
from .values import camunda_date, parse_date
from .variable_filters import matching_variables, variable_conditions

STATES = {"running": "ACTIVE", "completed": "COMPLETED", "cancelled": "EXTERNALLY_TERMINATED"}
CAMUNDA_STATES = ("ACTIVE", "SUSPENDED", "COMPLETED", "EXTERNALLY_TERMINATED", "INTERNALLY_TERMINATED")
TASK_OPERATIONS = {"task_claimed": "Claim", "task_unclaimed": "SetAssignee", "task_completed": "Complete",
                   "task_comment": "AddComment", "instance_migrated": "Migrate", "instance_cancelled": "Delete"}
VARIABLE_FLAGS = {"variableNamesIgnoreCase", "variableValuesIgnoreCase"}
NO_TENANTS = "no instance belongs to a tenant"
NO_INCIDENT_HISTORY = "resolved incidents are not kept, so the incidents an instance had are not known"
NO_CANDIDATE_HISTORY = "the candidates a task had are not kept in its history"


def _readable() -> None:
    if not sees_everything(me()):
        raise RestError(403, "Chỉ Văn phòng, lãnh đạo, quản trị và thanh tra được xem lịch sử.")


def _millis(start: datetime | None, end: datetime | None) -> int | None:
    return int((end - start).total_seconds() * 1000) if start and end else None


def _shown(row: dict[str, Any]) -> dict[str, Any]:
    """A history row as Camunda answers it: dates in Camunda's format, the fields used only for filtering left out."""
    return {k: camunda_date(v) if isinstance(v, datetime) else v for k, v in row.items() if not k.startswith("_")}


def _state(value: str):
    if value not in CAMUNDA_STATES:
        raise RestError(400, f"Cannot set query parameter 'state' to value '{value}': expected one of "
                             f"{', '.join(CAMUNDA_STATES)}.")
    statuses = [status for status, state in STATES.items() if state == value]
    return ProcessInstance.status.in_(statuses) if statuses else false()


def _of_definitions(condition):
    return ProcessInstance.definition_id.in_(select(ProcessDefinition.id).where(condition))


def _retrying_jobs(_):
    return ProcessInstance.id.in_(select(Job.instance_id).where(Job.status == WAITING, Job.last_error.is_not(None)))


def _status(status: str):
    return Filter("where", lambda _: ProcessInstance.status == status, "flag")


#: Camunda's historic process instance query parameters applied here (HistoricProcessInstanceQueryDto).
INSTANCE_FILTERS = {
    "processInstanceId": Filter("eq", ProcessInstance.id),
    "processInstanceIds": Filter("in", ProcessInstance.id, "list"),
    "processInstanceIdNotIn": Filter("notIn", ProcessInstance.id, "list"),
    "processDefinitionId": Filter("eq", ProcessInstance.definition_id),
    "processDefinitionKey": Filter("eq", ProcessInstance.definition_key),
    "processDefinitionKeyIn": Filter("in", ProcessInstance.definition_key, "list"),
    "processDefinitionKeyNotIn": Filter("notIn", ProcessInstance.definition_key, "list"),
    "processDefinitionName": Filter("where", lambda v: _of_definitions(ProcessDefinition.name == v)),
    "processDefinitionNameLike": Filter("where", lambda v: _of_definitions(
        ProcessDefinition.name.like(sql_like(v), escape="\\"))),
    "processInstanceBusinessKey": Filter("eq", ProcessInstance.business_key),
    "processInstanceBusinessKeyIn": Filter("in", ProcessInstance.business_key, "list"),
    "processInstanceBusinessKeyLike": Filter("like", ProcessInstance.business_key),
    "rootProcessInstances": Filter("null", ProcessInstance.parent_instance_id, "flag"),
    "finished": Filter("where", lambda _: ProcessInstance.status != "running", "flag"),
    "unfinished": _status("running"),
    "withJobsRetrying": Filter("where", _retrying_jobs, "flag"),
    "startedBefore": Filter("lteq", ProcessInstance.started_at, "date"),
    "startedAfter": Filter("gteq", ProcessInstance.started_at, "date"),
    "finishedBefore": Filter("lteq", ProcessInstance.ended_at, "date"),
    "finishedAfter": Filter("gteq", ProcessInstance.ended_at, "date"),
    "startedBy": Filter("eq", ProcessInstance.started_by),
    "superProcessInstanceId": Filter("eq", ProcessInstance.parent_instance_id),
    "subProcessInstanceId": Filter("where", lambda v: ProcessInstance.id.in_(
        select(ProcessInstance.parent_instance_id).where(ProcessInstance.id == v).scalar_subquery())),
    "superCaseInstanceId": Filter("none"), "subCaseInstanceId": Filter("none"), "caseInstanceId": Filter("none"),
    "tenantIdIn": Filter("none", kind="list"), "withoutTenantId": Filter("all", kind="flag"),
    "active": _status("running"), "suspended": Filter("none", kind="flag"),
    "completed": _status("completed"), "externallyTerminated": _status("cancelled"),
    "internallyTerminated": Filter("none", kind="flag"),
    "state": Filter("where", _state),
}
INSTANCE_REFUSED = {
    **{name: NO_INCIDENT_HISTORY for name in ("withIncidents", "withRootIncidents", "incidentIdIn", "incidentType",
                                              "incidentStatus", "incidentMessage", "incidentMessageLike")},
    **{name: "the times activities and jobs ran are not queried" for name in (
        "executedActivityAfter", "executedActivityBefore", "executedJobAfter", "executedJobBefore")},
    **{name: "the activities an instance ran or waits in are not queried" for name in (
        "activityIdIn", "executedActivityIdIn", "activeActivityIdIn")},
    "rootProcessInstanceId": "the root of a call hierarchy is not kept with an instance",
    "orQueries": "nested OR queries are taken by POST /task only",
}
INSTANCE_SORTS = {"instanceId": ProcessInstance.id, "definitionId": ProcessInstance.definition_id,
                  "definitionKey": ProcessInstance.definition_key, "definitionName": ProcessDefinition.name,
                  "definitionVersion": ProcessDefinition.version, "businessKey": ProcessInstance.business_key,
                  "startTime": ProcessInstance.started_at, "endTime": ProcessInstance.ended_at}
INSTANCE_REFUSED_SORTS = {"duration": "sorting by duration is not supported", "tenantId": NO_TENANTS}


def _historic_instance(i: ProcessInstance, d: ProcessDefinition) -> dict[str, Any]:
    return {"id": i.id, "businessKey": i.business_key, "processDefinitionId": d.id,
            "processDefinitionKey": d.key, "processDefinitionName": d.name,
            "processDefinitionVersion": d.version, "startTime": camunda_date(i.started_at),
            "endTime": camunda_date(i.ended_at), "removalTime": None,
            "durationInMillis": _millis(i.started_at, i.ended_at), "startUserId": i.started_by,
            "startActivityId": None, "deleteReason": "cancelled" if i.status == "cancelled" else None,
            "rootProcessInstanceId": i.id, "superProcessInstanceId": i.parent_instance_id,
            "superCaseInstanceId": None, "caseInstanceId": None, "tenantId": None,
            "state": STATES.get(i.status, "ACTIVE")}


def _historic_instances(args) -> list[dict[str, Any]]:
    refuse_unknown(args, set(INSTANCE_FILTERS) | {"variables"} | VARIABLE_FLAGS, INSTANCE_REFUSED,
                   "Historic process instance query")
    keys = sort_keys(args, INSTANCE_SORTS, "startTime", INSTANCE_REFUSED_SORTS)
    query = (select(ProcessInstance, ProcessDefinition)
             .join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id)
             .where(*q.sql_conditions(args, INSTANCE_FILTERS)).order_by(*q.sql_order(keys), ProcessInstance.id))
    with services().db.reader() as s:
        rows = matching_variables(s, s.execute(query).all(), lambda row: row[0].id,
                                  variable_conditions(args, "variables"), args)
        return [_historic_instance(i, d) for i, d in rows]


@bp.route("/history/process-instance", methods=["GET", "POST"])
def history_instances():
    _readable()
    return jsonify(paged(_historic_instances(query_args()), request.args))


@bp.route("/history/process-instance/count", methods=["GET", "POST"])
def history_instance_count():
    _readable()
    return jsonify({"count": len(_historic_instances(query_args()))})


@bp.get("/history/process-instance/<instance_id>")
def history_instance(instance_id: str):
    """One historic process instance (Camunda's GET /history/process-instance/{id})."""
    _readable()
    with services().db.reader() as s:
        instance = s.get(ProcessInstance, instance_id)
        if instance is None:
            raise RestError(404, f"Không có phiên quy trình (đang chạy hay đã kết thúc) mã «{instance_id}».",
                            "InvalidRequestException")
        return jsonify(_historic_instance(instance, instance.definition))


def _events(kinds: tuple[str, ...]) -> list[HistoryEvent]:
    """The history events of these kinds, oldest first, each with its definition key, its instance's business
    key, definition name and end time (for filtering)."""
    query = select(HistoryEvent).where(HistoryEvent.event_type.in_(kinds))
    with services().db.reader() as s:
        rows = list(s.scalars(query.order_by(HistoryEvent.id)))
        definitions = {d.id: d for d in s.scalars(select(ProcessDefinition))}
        ids = {row.instance_id for row in rows}
        instances = {i.id: i for i in s.scalars(select(ProcessInstance).where(ProcessInstance.id.in_(ids)))} \
            if ids else {}
        for row in rows:
            definition, instance = definitions.get(row.definition_id), instances.get(row.instance_id)
            row.definition_key = definition.key if definition else None
            row.definition_name = definition.name if definition else None
            row.activity_type = activity_types(definition.id, definition.bpmn_xml).get(row.element_id) \
                if definition else None
            row.business_key = instance.business_key if instance else None
            row.instance_ended_at = instance.ended_at if instance else None
            s.expunge(row)
    return rows


#: Camunda's historic task instance query parameters applied here (HistoricTaskInstanceQueryDto), on the row fields.
TASK_FILTERS = {
    "taskId": Filter("eq", "id"), "taskParentTaskId": Filter("none"),
    "processInstanceId": Filter("eq", "processInstanceId"),
    "rootProcessInstanceId": Filter("eq", "rootProcessInstanceId"),
    "processInstanceBusinessKey": Filter("eq", "_businessKey"),
    "processInstanceBusinessKeyIn": Filter("in", "_businessKey", "list"),
    "processInstanceBusinessKeyLike": Filter("like", "_businessKey"),
    "executionId": Filter("eq", "executionId"), "processDefinitionId": Filter("eq", "processDefinitionId"),
    "processDefinitionKey": Filter("eq", "processDefinitionKey"),
    "processDefinitionName": Filter("eq", "_definitionName"),
    "caseInstanceId": Filter("none"), "caseExecutionId": Filter("none"), "caseDefinitionId": Filter("none"),
    "caseDefinitionKey": Filter("none"), "caseDefinitionName": Filter("none"),
    "activityInstanceIdIn": Filter("in", "activityInstanceId", "list"),
    "taskName": Filter("eq", "name"), "taskNameLike": Filter("like", "name"),
    "taskDescription": Filter("eq", "description"), "taskDescriptionLike": Filter("like", "description"),
    "taskDefinitionKey": Filter("eq", "taskDefinitionKey"),
    "taskDefinitionKeyIn": Filter("in", "taskDefinitionKey", "list"),
    "taskDeleteReason": Filter("eq", "deleteReason"), "taskDeleteReasonLike": Filter("like", "deleteReason"),
    "taskAssignee": Filter("eq", "assignee"), "taskAssigneeLike": Filter("like", "assignee"),
    "taskOwner": Filter("eq", "owner"), "taskOwnerLike": Filter("like", "owner"),
    "taskPriority": Filter("eq", "priority", "int"),
    "assigned": Filter("notNull", "assignee", "flag"), "unassigned": Filter("null", "assignee", "flag"),
    "finished": Filter("notNull", "endTime", "flag"), "unfinished": Filter("null", "endTime", "flag"),
    "processFinished": Filter("notNull", "_instanceEndTime", "flag"),
    "processUnfinished": Filter("null", "_instanceEndTime", "flag"),
    "taskDueDate": Filter("eq", "due", "date"), "taskDueDateBefore": Filter("lt", "due", "date"),
    "taskDueDateAfter": Filter("gt", "due", "date"), "withoutTaskDueDate": Filter("null", "due", "flag"),
    "taskFollowUpDate": Filter("eq", "followUp", "date"), "taskFollowUpDateBefore": Filter("lt", "followUp", "date"),
    "taskFollowUpDateAfter": Filter("gt", "followUp", "date"),
    "startedBefore": Filter("lteq", "startTime", "date"), "startedAfter": Filter("gteq", "startTime", "date"),
    "finishedBefore": Filter("lteq", "endTime", "date"), "finishedAfter": Filter("gteq", "endTime", "date"),
    "tenantIdIn": Filter("none", kind="list"), "withoutTenantId": Filter("all", kind="flag"),
}
TASK_REFUSED = {
    "taskVariables": "task-local variables are not told apart from process variables",
    **{name: NO_CANDIDATE_HISTORY for name in ("taskInvolvedUser", "taskInvolvedGroup", "taskHadCandidateUser",
                                               "taskHadCandidateGroup", "withCandidateGroups",
                                               "withoutCandidateGroups")},
    "orQueries": "nested OR queries are taken by POST /task only",
}
TASK_SORTS = {"taskId": "id", "activityInstanceId": "activityInstanceId", "processDefinitionId": "processDefinitionId",
              "processInstanceId": "processInstanceId", "executionId": "executionId", "duration": "duration",
              "endTime": "endTime", "startTime": "startTime", "taskName": "name", "taskDescription": "description",
              "assignee": "assignee", "owner": "owner", "dueDate": "due", "followUpDate": "followUp",
              "deleteReason": "deleteReason", "taskDefinitionKey": "taskDefinitionKey", "priority": "priority"}
TASK_REFUSED_SORTS = {"caseDefinitionId": "no task here belongs to a case",
                      "caseInstanceId": "no task here belongs to a case",
                      "caseExecutionId": "no task here belongs to a case", "tenantId": NO_TENANTS}


def _historic_tasks(args) -> list[dict[str, Any]]:
    refuse_unknown(args, set(TASK_FILTERS) | {"processVariables"} | VARIABLE_FLAGS, TASK_REFUSED,
                   "Historic task instance query")
    keys = sort_keys(args, TASK_SORTS, None, TASK_REFUSED_SORTS)
    keep = row_filter(args, TASK_FILTERS)
    tasks: dict[str, dict[str, Any]] = {}
    for event in _events(("task_created", "task_completed", "task_claimed", "task_unclaimed", "task_cancelled")):
        row = tasks.setdefault(event.task_id, {
            "id": event.task_id, "processDefinitionKey": event.definition_key,
            "processDefinitionId": event.definition_id, "processInstanceId": event.instance_id,
            "executionId": event.instance_id, "caseDefinitionKey": None, "caseDefinitionId": None,
            "caseInstanceId": None, "caseExecutionId": None, "activityInstanceId": event.task_id,
            "name": event.element_name, "description": None, "deleteReason": None, "owner": None, "assignee": None,
            "startTime": event.at, "endTime": None, "duration": None,
            "taskDefinitionKey": event.element_id, "priority": 50, "due": None, "parentTaskId": None,
            "followUp": None, "tenantId": None, "removalTime": None, "rootProcessInstanceId": event.instance_id,
            "_businessKey": event.business_key, "_definitionName": event.definition_name,
            "_instanceEndTime": event.instance_ended_at})
        if event.event_type == "task_created":
            row["due"] = parse_date(event.data["due_at"], "due") if event.data.get("due_at") else None
            row["startTime"] = event.at
        elif event.event_type == "task_claimed":
            row["assignee"] = event.data.get("assignee")
        elif event.event_type == "task_unclaimed":
            row["assignee"] = None
        elif event.event_type == "task_cancelled":  # taken away by a boundary event, an end or a cancellation
            row.update(endTime=event.at, deleteReason="deleted", duration=_millis(row["startTime"], event.at))
        else:
            row.update(assignee=event.actor, endTime=event.at, deleteReason="completed",
                       duration=_millis(row["startTime"], event.at))
    found = [t for t in tasks.values() if keep(t)]
    with services().db.reader() as s:
        found = matching_variables(s, found, lambda t: t["processInstanceId"],
                                   variable_conditions(args, "processVariables"), args)
    return [_shown(t) for t in sort_rows(found, keys)]


@bp.route("/history/task", methods=["GET", "POST"])
def history_tasks():
    _readable()
    return jsonify(paged(_historic_tasks(query_args()), request.args))


@bp.route("/history/task/count", methods=["GET", "POST"])
def history_task_count():
    _readable()
    return jsonify({"count": len(_historic_tasks(query_args()))})


#: Camunda's historic activity instance query parameters applied here (HistoricActivityInstanceQueryDto).
ACTIVITY_FILTERS = {
    "activityInstanceId": Filter("eq", "id"), "processInstanceId": Filter("eq", "processInstanceId"),
    "processDefinitionId": Filter("eq", "processDefinitionId"), "executionId": Filter("eq", "executionId"),
    "activityId": Filter("eq", "activityId"), "activityName": Filter("eq", "activityName"),
    "activityType": Filter("eq", "activityType"), "taskAssignee": Filter("eq", "assignee"),
    "finished": Filter("notNull", "endTime", "flag"), "unfinished": Filter("null", "endTime", "flag"),
    "canceled": Filter("where", lambda _: lambda row: row["canceled"], "flag"),
    "completeScope": Filter("where", lambda _: lambda row: row["completeScope"], "flag"),
    "startedBefore": Filter("lteq", "startTime", "date"), "startedAfter": Filter("gteq", "startTime", "date"),
    "finishedBefore": Filter("lteq", "endTime", "date"), "finishedAfter": Filter("gteq", "endTime", "date"),
    "tenantIdIn": Filter("none", kind="list"), "withoutTenantId": Filter("all", kind="flag"),
}
ACTIVITY_SORTS = {"activityInstanceId": "id", "instanceId": "processInstanceId", "executionId": "executionId",
                  "activityId": "activityId", "activityName": "activityName", "activityType": "activityType",
                  "startTime": "startTime", "endTime": "endTime", "duration": "durationInMillis",
                  "definitionId": "processDefinitionId", "occurrence": "_occurrence"}
ACTIVITY_REFUSED_SORTS = {"tenantId": NO_TENANTS}


def _activity(event: HistoryEvent, start: datetime, end: datetime | None, canceled: bool = False) -> dict[str, Any]:
    user_task = event.event_type in ("task_created", "task_completed")
    return {
        "id": f"{event.element_id}:{event.task_id}", "parentActivityInstanceId": event.instance_id,
        "activityId": event.element_id, "activityName": event.element_name,
        "activityType": event.activity_type or ("userTask" if user_task else "task"),
        "processDefinitionKey": event.definition_key, "processDefinitionId": event.definition_id,
        "processInstanceId": event.instance_id, "executionId": event.instance_id,
        "taskId": event.task_id if user_task else None, "calledProcessInstanceId": None, "calledCaseInstanceId": None,
        "assignee": event.actor if event.event_type == "task_completed" else None,
        "startTime": start, "endTime": end, "durationInMillis": _millis(start, end), "canceled": canceled,
        "completeScope": False, "tenantId": None, "removalTime": None, "rootProcessInstanceId": event.instance_id,
        "_occurrence": event.id}


def _historic_activities(args) -> list[dict[str, Any]]:
    """Ended activities, and the user tasks still open (unfinished, or canceled with their instance)."""
    refuse_unknown(args, ACTIVITY_FILTERS, {}, "Historic activity instance query")
    keys = sort_keys(args, ACTIVITY_SORTS, None, ACTIVITY_REFUSED_SORTS)
    keep = row_filter(args, ACTIVITY_FILTERS)
    opened: dict[str, HistoryEvent] = {}
    found = []
    for event in _events(("task_created", "task_completed", "task_cancelled", "activity_completed")):
        if event.event_type == "task_created":
            opened[event.task_id] = event
            continue
        if event.event_type == "task_cancelled":
            created = opened.pop(event.task_id, None)
            if created is not None:
                found.append(_activity(created, created.at, event.at, canceled=True))
            continue
        created = opened.pop(event.task_id, None) if event.event_type == "task_completed" else None
        found.append(_activity(event, created.at if created else event.at, event.at))
    for event in opened.values():
        found.append(_activity(event, event.at, event.instance_ended_at, canceled=event.instance_ended_at is not None))
    return [_shown(a) for a in sort_rows([a for a in found if keep(a)], keys)]


@bp.route("/history/activity-instance", methods=["GET", "POST"])
def history_activities():
    _readable()
    return jsonify(paged(_historic_activities(query_args()), request.args))


@bp.route("/history/activity-instance/count", methods=["GET", "POST"])
def history_activity_count():
    _readable()
    return jsonify({"count": len(_historic_activities(query_args()))})


def _operation(row_id: str, at, actor, kind: str, entity: str, **ids) -> dict[str, Any]:
    base = {"id": row_id, "deploymentId": None, "processDefinitionId": None, "processDefinitionKey": None,
            "processInstanceId": None, "executionId": None, "caseDefinitionId": None, "caseInstanceId": None,
            "caseExecutionId": None, "taskId": None, "jobId": None, "jobDefinitionId": None, "batchId": None,
            "userId": actor, "timestamp": at, "operationId": row_id, "operationType": kind,
            "entityType": entity, "property": None, "orgValue": None, "newValue": None, "removalTime": None,
            "rootProcessInstanceId": None, "externalTaskId": None, "annotation": None, "category": "Operator"}
    return {**base, **ids}


#: Camunda's user operation log query parameters (UserOperationLogQueryDto), on the row fields.
OPERATION_FILTERS = {
    **{name: Filter("eq", name) for name in (
        "deploymentId", "processDefinitionId", "processDefinitionKey", "processInstanceId", "executionId",
        "caseDefinitionId", "caseInstanceId", "caseExecutionId", "taskId", "externalTaskId", "batchId", "jobId",
        "jobDefinitionId", "userId", "operationId", "operationType", "entityType", "category", "property")},
    "entityTypeIn": Filter("in", "entityType", "list"), "categoryIn": Filter("in", "category", "list"),
    "afterTimestamp": Filter("gt", "timestamp", "date"), "beforeTimestamp": Filter("lt", "timestamp", "date"),
}


def _user_operations(args) -> list[dict[str, Any]]:
    refuse_unknown(args, OPERATION_FILTERS, {}, "User operation log query")
    keys = sort_keys(args, {"timestamp": "timestamp"}, "timestamp")
    keep = row_filter(args, OPERATION_FILTERS)
    with services().db.reader() as s:
        operations = [_operation(f"op-{o.id}", o.at, o.actor, o.action, "OperationLog", property="target",
                                 newValue=o.target) for o in s.scalars(select(Operation).order_by(Operation.id))]
    operations += [_operation(f"ev-{e.id}", e.at, e.actor, TASK_OPERATIONS[e.event_type],
                              "Task" if e.task_id else "ProcessInstance", taskId=e.task_id,
                              processInstanceId=e.instance_id, processDefinitionId=e.definition_id,
                              processDefinitionKey=e.definition_key, rootProcessInstanceId=e.instance_id)
                   for e in _events(tuple(TASK_OPERATIONS))]
    return [_shown(o) for o in sort_rows([o for o in operations if keep(o)], keys)]


@bp.get("/history/user-operation")
def history_user_operations():
    _readable()
    return jsonify(paged(_user_operations(query_args()), request.args))


@bp.get("/history/user-operation/count")
def history_user_operation_count():
    _readable()
    return jsonify({"count": len(_user_operations(query_args()))})
