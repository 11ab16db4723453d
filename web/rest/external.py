"""``/external-task``: workers fetch and lock work of their topics (long polling), then complete it,
report a failure (retries, retry timeout, an incident at 0), throw a BPMN error, extend or give back
the lock. Workers sign in as process admins (a connector's service account)."""
from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from flask import current_app, jsonify, request
from sqlalchemy import func, or_, select

from engine.external import ExternalTask, Topic
from engine.models import ProcessDefinition
from engine.variable_filters import sql_like

from ..services import services
from . import RestError, bp
from .long_poll import waiting_slot
from .params import admin, body, found, me, paged, retries_of, sees_everything, texts
from .query_params import Filter, query_args, refuse_unknown, sort_keys, sql_conditions, sql_order
from .values import camunda_date, typed_all, untyped_all
from .variable_filters import matching_variables, variable_conditions

LONGEST_POLL_MS = 60_000
LONGEST_MS = 10 * 365 * 24 * 3600 * 1000
MAX_TASKS = 1000
POLL_EVERY = 0.2


def external_task(row: ExternalTask, variables: dict[str, Any] | None = None,
                  extension_properties: dict[str, str] | None = None) -> dict[str, Any]:
    """Camunda's (Locked)ExternalTaskDto."""
    answer = {"activityId": row.element_id, "activityInstanceId": row.id, "errorMessage": row.error_message,
              "errorDetails": row.error_details, "executionId": row.instance_id, "id": row.id,
              "lockExpirationTime": camunda_date(row.lock_expires_at), "processDefinitionId": row.definition_id,
              "processDefinitionKey": row.definition_key, "processDefinitionVersionTag": None,
              "processInstanceId": row.instance_id, "retries": row.retries, "suspended": False,
              "workerId": row.worker_id, "topicName": row.topic, "tenantId": None, "priority": row.priority,
              "businessKey": row.business_key}
    if variables is not None:
        answer["variables"] = typed_all(variables)
        answer["extensionProperties"] = extension_properties or {}
    return answer


def _worker(data: dict[str, Any]) -> str:
    worker = data.get("workerId")
    if not isinstance(worker, str) or not worker:
        raise RestError(400, "'workerId' is required.")
    return worker


def _millis(data: dict[str, Any], name: str, default: int | None = None) -> timedelta:
    value = data.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise RestError(400, f"'{name}' must be a non-negative number of milliseconds.")
    if value > LONGEST_MS:
        raise RestError(400, f"'{name}' is longer than ten years.")
    return timedelta(milliseconds=value)


#: What a fetchAndLock request and each of its topics may say (Camunda 7's FetchExternalTasksDto);
#: anything else is refused, never ignored.
FETCH_KEYS = {"workerId", "maxTasks", "usePriority", "asyncResponseTimeout", "topics", "sorting"}
TOPIC_KEYS = {"topicName", "lockDuration", "variables", "localVariables", "businessKey", "processDefinitionId",
              "processDefinitionIdIn", "processDefinitionKey", "processDefinitionKeyIn", "processVariables",
              "deserializeValues", "includeExtensionProperties", "withoutTenantId", "tenantIdIn"}
#: Topic options this engine cannot apply: refused by name when asked for.
UNSUPPORTED_TOPIC = {"processDefinitionVersionTag": "version tags are not kept",
                     "localVariables": "local variables are not told apart from process variables"}


def _refuse_unknown(data: dict[str, Any], known: set[str], where: str) -> None:
    for key in data:
        if key in UNSUPPORTED_TOPIC and data[key] not in (None, False):
            raise RestError(400, f"{where}: '{key}' is not supported: {UNSUPPORTED_TOPIC[key]}.")
        if key not in known and key not in UNSUPPORTED_TOPIC:
            raise RestError(400, f"{where}: unknown parameter '{key}'.")


def _one_or_many(item: dict[str, Any], one: str, many: str) -> tuple[str, ...] | None:
    values = []
    if item.get(one) is not None:
        if not isinstance(item[one], str):
            raise RestError(400, f"'{one}' must be a string.")
        values.append(item[one])
    if item.get(many) is not None:
        values.extend(texts(item, many))
    return tuple(values) if item.get(one) is not None or item.get(many) is not None else None


def _topics(data: dict[str, Any]) -> list[tuple[Topic, list[str] | None, bool]]:
    """Each topic asked for, the variables to return with its tasks (None: all), and whether to return
    its elements' extension properties."""
    topics = data.get("topics")
    if not isinstance(topics, list) or not topics:
        raise RestError(400, "'topics' must be a non-empty list.")
    found = []
    for item in topics:
        if not isinstance(item, dict) or not isinstance(item.get("topicName"), str):
            raise RestError(400, "Every topic needs a 'topicName'.")
        _refuse_unknown(item, TOPIC_KEYS, f"Topic '{item['topicName']}'")
        names = texts(item, "variables") if item.get("variables") is not None else None
        business_key = item.get("businessKey")
        if business_key is not None and not isinstance(business_key, str):
            raise RestError(400, "'businessKey' must be a string.")
        wanted = item.get("processVariables")
        if wanted is not None and not isinstance(wanted, dict):
            raise RestError(400, "'processVariables' must be an object of variable names and values.")
        definition_ids = _one_or_many(item, "processDefinitionId", "processDefinitionIdIn")
        if item.get("tenantIdIn"):  # no task here belongs to a tenant: a tenant filter admits none
            definition_ids = ()
        found.append((Topic(item["topicName"], _millis(item, "lockDuration"), business_key=business_key,
                            definition_ids=definition_ids,
                            definition_keys=_one_or_many(item, "processDefinitionKey", "processDefinitionKeyIn"),
                            process_variables=wanted), names, item.get("includeExtensionProperties") is True))
    return found


def _properties(s, row: ExternalTask) -> dict[str, str]:
    definition = s.get(ProcessDefinition, row.definition_id)
    spec = services().engine.model_of(definition).spec.task_specs.get(row.element_id) if definition else None
    return {str(k): str(v) for k, v in (getattr(spec, "extensions", None) or {}).items()}


def _newest_first(data: dict[str, Any]) -> bool:
    """Camunda's ``sorting``: ``[{"sortBy": "createTime", "sortOrder": "asc"|"desc"}]``."""
    sorting = data.get("sorting")
    if sorting is None:
        return False
    if not isinstance(sorting, list) or len(sorting) > 1 or any(
            not isinstance(s, dict) or s.get("sortBy") != "createTime" or s.get("sortOrder") not in ("asc", "desc")
            for s in sorting):
        raise RestError(400, "'sorting' must be [{\"sortBy\": \"createTime\", \"sortOrder\": \"asc\" or \"desc\"}].")
    return bool(sorting) and sorting[0]["sortOrder"] == "desc"


@bp.post("/external-task/fetchAndLock")
def external_fetch_and_lock():
    admin()
    data = body()
    _refuse_unknown(data, FETCH_KEYS, "fetchAndLock")
    worker, topics, newest_first = _worker(data), _topics(data), _newest_first(data)
    most = data.get("maxTasks", 10)
    if isinstance(most, bool) or not isinstance(most, int) or not 0 <= most <= MAX_TASKS:
        raise RestError(400, f"'maxTasks' must be a number from 0 to {MAX_TASKS}.")
    longest = current_app.config.get("REST_LONGEST_POLL_MS", LONGEST_POLL_MS)
    wait = min(_millis(data, "asyncResponseTimeout", 0), timedelta(milliseconds=longest))
    wanted = {t.name: names for t, names, _ in topics}
    with_properties = {t.name for t, _, asked in topics if asked}
    deadline = time.monotonic() + wait.total_seconds()

    def fetch() -> list[dict[str, Any]]:
        with services().db.transaction() as s:
            locked = services().engine.external.fetch_and_lock(s, worker, [t for t, _, _ in topics], most,
                                                               bool(data.get("usePriority")), newest_first)
            return [external_task(row, {k: v for k, v in variables.items()
                                        if wanted[row.topic] is None or k in wanted[row.topic]},
                                  _properties(s, row) if row.topic in with_properties else None)
                    for row, variables in locked]

    answer = fetch()
    if answer or most == 0 or not wait:
        return jsonify(answer)
    with waiting_slot() as granted:
        while granted and not answer and time.monotonic() < deadline:
            time.sleep(POLL_EVERY)
            answer = fetch()
    return jsonify(answer)


def _external_or_404(s, task_id: str) -> ExternalTask:
    return found(s, ExternalTask, task_id, f"External task with id {task_id} does not exist")


def _definition_named(condition):
    return ExternalTask.definition_id.in_(select(ProcessDefinition.id).where(condition))


#: Camunda's external task query parameters applied here (ExternalTaskQueryDto).
QUERY_FILTERS = {
    "externalTaskId": Filter("eq", ExternalTask.id), "externalTaskIdIn": Filter("in", ExternalTask.id, "list"),
    "topicName": Filter("eq", ExternalTask.topic), "workerId": Filter("eq", ExternalTask.worker_id),
    "locked": Filter("where", lambda _: ExternalTask.lock_expires_at > services().clock.now(), "flag"),
    "notLocked": Filter("where", lambda _: or_(ExternalTask.lock_expires_at.is_(None),
                                               ExternalTask.lock_expires_at <= services().clock.now()), "flag"),
    "withRetriesLeft": Filter("where", lambda _: or_(ExternalTask.retries.is_(None), ExternalTask.retries > 0),
                              "flag"),
    "noRetriesLeft": Filter("where", lambda _: ExternalTask.retries == 0, "flag"),
    "lockExpirationAfter": Filter("gt", ExternalTask.lock_expires_at, "date"),
    "lockExpirationBefore": Filter("lt", ExternalTask.lock_expires_at, "date"),
    "activityId": Filter("eq", ExternalTask.element_id),
    "activityIdIn": Filter("in", ExternalTask.element_id, "list"),
    "executionId": Filter("eq", ExternalTask.instance_id),
    "processInstanceId": Filter("eq", ExternalTask.instance_id),
    "processInstanceIdIn": Filter("in", ExternalTask.instance_id, "list"),
    "processDefinitionId": Filter("eq", ExternalTask.definition_id),
    "processDefinitionKey": Filter("eq", ExternalTask.definition_key),
    "processDefinitionKeyIn": Filter("in", ExternalTask.definition_key, "list"),
    "processDefinitionName": Filter("where", lambda v: _definition_named(ProcessDefinition.name == v)),
    "processDefinitionNameLike": Filter("where", lambda v: _definition_named(
        ProcessDefinition.name.like(sql_like(v), escape="\\"))),
    "tenantIdIn": Filter("none", kind="list"),
    "active": Filter("all", kind="flag"), "suspended": Filter("none", kind="flag"),
    "priorityHigherThanOrEquals": Filter("gteq", ExternalTask.priority, "int"),
    "priorityLowerThanOrEquals": Filter("lteq", ExternalTask.priority, "int"),
}
QUERY_SORTS = {"id": ExternalTask.id, "lockExpirationTime": ExternalTask.lock_expires_at,
               "processInstanceId": ExternalTask.instance_id, "processDefinitionId": ExternalTask.definition_id,
               "processDefinitionKey": ExternalTask.definition_key, "taskPriority": ExternalTask.priority,
               "createTime": ExternalTask.created_at}


def _query(args) -> list[ExternalTask]:
    refuse_unknown(args, set(QUERY_FILTERS) | {"processVariables", "variableNamesIgnoreCase",
                                               "variableValuesIgnoreCase"}, {}, "External task query")
    keys = sort_keys(args, QUERY_SORTS, "createTime", {"tenantId": "no external task belongs to a tenant"})
    query = select(ExternalTask).where(*sql_conditions(args, QUERY_FILTERS)).order_by(*sql_order(keys),
                                                                                       ExternalTask.id)
    with services().db.reader() as s:
        return matching_variables(s, s.scalars(query), lambda t: t.instance_id,
                                  variable_conditions(args, "processVariables"), args)


def _readable() -> None:
    if not sees_everything(me()):
        raise RestError(403, "Chỉ Văn phòng, lãnh đạo, quản trị và thanh tra được xem việc của hệ thống bên ngoài.")


@bp.route("/external-task", methods=["GET", "POST"])
def external_list():
    _readable()
    return jsonify(paged([external_task(r) for r in _query(query_args())], request.args))


@bp.route("/external-task/count", methods=["GET", "POST"])
def external_count():
    _readable()
    return jsonify({"count": len(_query(query_args()))})


@bp.get("/external-task/<task_id>")
def external_get(task_id: str):
    _readable()
    with services().db.reader() as s:
        return jsonify(external_task(_external_or_404(s, task_id)))


@bp.post("/external-task/<task_id>/complete")
def external_complete(task_id: str):
    actor = admin()
    data = body()
    variables = {**untyped_all(data.get("variables")), **untyped_all(data.get("localVariables"))}
    with services().db.transaction() as s:
        services().engine.external.complete(s, task_id, _worker(data), actor, variables)
    return "", 204


@bp.post("/external-task/<task_id>/failure")
def external_failure(task_id: str):
    actor = admin()
    data = body()
    retries = retries_of({"retries": 0, **data})
    message, details = data.get("errorMessage"), data.get("errorDetails")
    if message is not None and not isinstance(message, str):
        raise RestError(400, "'errorMessage' must be a string.")
    if details is not None and not isinstance(details, str):
        raise RestError(400, "'errorDetails' must be a string.")
    with services().db.transaction() as s:
        services().engine.external.failure(s, task_id, _worker(data), actor, message or "", details, retries,
                                           _millis(data, "retryTimeout", 0))
    return "", 204


@bp.post("/external-task/<task_id>/bpmnError")
def external_bpmn_error(task_id: str):
    actor = admin()
    data = body()
    code = data.get("errorCode")
    if not isinstance(code, str) or not code:
        raise RestError(400, "'errorCode' is required.")
    variables = untyped_all(data.get("variables"))
    with services().db.transaction() as s:
        services().engine.external.bpmn_error(s, task_id, _worker(data), actor, code, data.get("errorMessage"),
                                              variables)
    return "", 204


@bp.post("/external-task/<task_id>/extendLock")
def external_extend_lock(task_id: str):
    admin()
    data = body()
    with services().db.transaction() as s:
        services().engine.external.extend_lock(s, task_id, _worker(data), _millis(data, "newDuration"))
    return "", 204


@bp.post("/external-task/<task_id>/unlock")
def external_unlock(task_id: str):
    admin()
    with services().db.transaction() as s:
        services().engine.external.unlock(s, task_id)
    return "", 204


@bp.put("/external-task/<task_id>/retries")
def external_retries(task_id: str):
    actor = admin()
    retries = retries_of(body())
    with services().db.transaction() as s:
        services().engine.external.set_retries(s, task_id, retries, actor)
    return "", 204


@bp.get("/external-task/topic-names")
def external_topic_names():
    _readable()
    with services().db.reader() as s:
        return jsonify(sorted(s.scalars(select(ExternalTask.topic).group_by(ExternalTask.topic)
                                        .having(func.count() > 0))))
