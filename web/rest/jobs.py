"""``/job`` (timers and e-mails: list, count, get, retries, execute) and ``/incident`` (failed jobs
and external tasks whose retries ran out)."""
from __future__ import annotations

from typing import Any

from flask import jsonify
from sqlalchemy import and_, false, not_, or_, select, true

from engine import EngineError
from engine.incidents import open_incidents
from engine.jobs import INCIDENT, TIMER, WAITING, Job, run_after_commit
from engine.models import ProcessDefinition, ProcessInstance
from engine.oplog import log_operation

from ..services import services
from . import RestError, bp
from .params import admin, body, found, me, paged, retries_of, sees_everything
from .query_params import (
    Filter,
    query_args,
    refuse_unknown,
    row_filter,
    sort_keys,
    sort_rows,
    sql_conditions,
    sql_order,
)
from .values import camunda_date, parse_date


def _readable() -> None:
    if not sees_everything(me()):
        raise RestError(403, "Chỉ Văn phòng, lãnh đạo, quản trị và thanh tra được xem việc hẹn giờ và sự cố.")


def job(row: Job, definition: tuple[str, str] | None) -> dict[str, Any]:
    return {"id": row.id, "jobDefinitionId": row.kind, "processInstanceId": row.instance_id,
            "processDefinitionId": definition[0] if definition else None,
            "processDefinitionKey": definition[1] if definition else None, "executionId": row.instance_id,
            "exceptionMessage": row.last_error, "failedActivityId": row.element_id if row.last_error else None,
            "retries": max(row.max_attempts - row.attempts, 0) if row.status != INCIDENT else 0,
            "dueDate": camunda_date(row.due_at), "suspended": False, "priority": 0, "tenantId": None,
            "createTime": camunda_date(row.created_at), "batchId": None}


def _definitions(s, instance_ids) -> dict[str, tuple[str, str]]:
    """(definition id, key) of the given instances, read in one query."""
    ids = {i for i in instance_ids if i}
    if not ids:
        return {}
    rows = s.execute(select(ProcessInstance.id, ProcessInstance.definition_id, ProcessInstance.definition_key)
                     .where(ProcessInstance.id.in_(ids)))
    return {row.id: (row.definition_id, row.definition_key) for row in rows}


def _retries_left():
    return and_(Job.status != INCIDENT, Job.max_attempts > Job.attempts)


def _of_instances(condition):
    return Job.instance_id.in_(select(ProcessInstance.id).where(condition))


def _dated(name: str, column, before):
    """Camunda's ``dueDates``/``createTimes``: comma-separated ``gt_date`` / ``lt_date`` conditions."""
    def conditions(value: str):
        found = []
        for expression in value.split(","):
            parts = expression.split("_")
            if len(parts) != 2 or parts[0] not in ("gt", "lt"):
                raise RestError(400, f"Cannot set query parameter '{name}' to value '{expression}': expected "
                                     "gt_date or lt_date.")
            moment = parse_date(parts[1], name)
            found.append(column > moment if parts[0] == "gt" else before(column, moment))
        return and_(*found)
    return Filter("where", conditions)


def _priority(test):
    return lambda value: true() if test(0, value) else false()  # every job here has priority 0


#: Camunda's job query parameters applied here (JobQueryDto).
FILTERS = {
    "jobId": Filter("eq", Job.id), "jobIds": Filter("in", Job.id, "list"), "jobDefinitionId": Filter("eq", Job.kind),
    "processInstanceId": Filter("eq", Job.instance_id), "processInstanceIds": Filter("in", Job.instance_id, "list"),
    "executionId": Filter("eq", Job.instance_id),
    "processDefinitionId": Filter("where", lambda v: _of_instances(ProcessInstance.definition_id == v)),
    "processDefinitionKey": Filter("where", lambda v: _of_instances(ProcessInstance.definition_key == v)),
    "activityId": Filter("eq", Job.element_id),
    "withRetriesLeft": Filter("where", lambda _: _retries_left(), "flag"),
    "noRetriesLeft": Filter("where", lambda _: not_(_retries_left()), "flag"),
    "executable": Filter("where", lambda _: and_(_retries_left(), or_(Job.due_at.is_(None),
                                                                       Job.due_at <= services().clock.now())), "flag"),
    "timers": Filter("where", lambda _: Job.kind == TIMER, "flag"),
    "messages": Filter("where", lambda _: Job.kind != TIMER, "flag"),
    "dueDates": _dated("dueDates", Job.due_at, lambda c, m: c < m),
    "createTimes": _dated("createTimes", Job.created_at, lambda c, m: c <= m),
    "withException": Filter("notNull", Job.last_error, "flag"),
    "exceptionMessage": Filter("eq", Job.last_error),
    "failedActivityId": Filter("where", lambda v: and_(Job.element_id == v, Job.last_error.is_not(None))),
    "active": Filter("all", kind="flag"), "suspended": Filter("none", kind="flag"),
    "priorityLowerThanOrEquals": Filter("where", _priority(lambda p, v: p <= v), "int"),
    "priorityHigherThanOrEquals": Filter("where", _priority(lambda p, v: p >= v), "int"),
    "tenantIdIn": Filter("none", kind="list"), "withoutTenantId": Filter("all", kind="flag"),
    "includeJobsWithoutTenantId": Filter("all", kind="flag"),
}
REFUSED = {"acquired": "jobs are taken inside a worker's transaction; no acquisition is recorded"}
SORTS = {"jobId": Job.id, "executionId": Job.instance_id, "processInstanceId": Job.instance_id,
         "jobDueDate": Job.due_at, "jobRetries": Job.max_attempts - Job.attempts}
REFUSED_SORTS = {"processDefinitionId": "sorting jobs by definition is not supported",
                 "processDefinitionKey": "sorting jobs by definition is not supported",
                 "jobPriority": "every job has priority 0", "tenantId": "no job belongs to a tenant"}


def _jobs(s) -> list[Job]:
    args = query_args()
    refuse_unknown(args, FILTERS, REFUSED, "Job query")
    keys = sort_keys(args, SORTS, "jobDueDate", REFUSED_SORTS)
    return list(s.scalars(select(Job).where(*sql_conditions(args, FILTERS)).order_by(*sql_order(keys), Job.id)))


@bp.route("/job", methods=["GET", "POST"])
def job_list():
    _readable()
    with services().db.reader() as s:
        jobs = paged(_jobs(s))
        definitions = _definitions(s, [j.instance_id for j in jobs])
        return jsonify([job(j, definitions.get(j.instance_id)) for j in jobs])


@bp.route("/job/count", methods=["GET", "POST"])
def job_count():
    _readable()
    with services().db.reader() as s:
        return jsonify({"count": len(_jobs(s))})


def _job_or_404(s, job_id: str) -> Job:
    return found(s, Job, job_id, f"Job with id {job_id} does not exist")


@bp.get("/job/<job_id>")
def job_get(job_id: str):
    _readable()
    with services().db.reader() as s:
        row = _job_or_404(s, job_id)
        return jsonify(job(row, _definitions(s, [row.instance_id]).get(row.instance_id)))


@bp.put("/job/<job_id>/retries")
def job_retries(job_id: str):
    """Give a job its attempts back (an incident becomes a waiting job, due now)."""
    actor = admin()
    retries = retries_of(body())
    with services().db.transaction() as s:
        row = _job_or_404(s, job_id)
        now = services().clock.now()
        row.max_attempts, row.attempts = retries, 0
        row.status = WAITING if retries > 0 else INCIDENT
        if retries > 0:
            row.due_at = min(row.due_at, now) if row.last_error else row.due_at
        log_operation(s, actor, now, "job_retries", job_id, retries=retries)
    return "", 204


@bp.post("/job/<job_id>/execute")
def job_execute(job_id: str):
    """Run a job now, whatever its due time; a failure is answered, the job keeps its state."""
    actor = admin()
    with services().db.transaction() as s:
        _job_or_404(s, job_id)
        row = s.scalars(select(Job).where(Job.id == job_id).with_for_update(skip_locked=True)).first()
        if row is None:
            raise RestError(409, f"Job {job_id} is being run by a worker now.")
        if row.status != WAITING:
            raise RestError(400, f"Job {job_id} has no retries left; set retries first.")
        try:
            after_commit = services().worker.execute(s, row)
        except EngineError:
            raise
        except Exception as exc:  # noqa: BLE001 - the handler's failure is the answer, never a 500
            raise RestError(422, f"Job {job_id} failed: {exc}", "ProcessEngineException") from None
        log_operation(s, actor, services().clock.now(), "job_execute", job_id)
    failed = run_after_commit(after_commit, services().db, job_id, services().clock.now()) if after_commit else None
    if failed is not None:
        raise RestError(422, f"Job {job_id} failed: {failed}", "ProcessEngineException")
    return "", 204


#: Camunda's incident query parameters applied here (IncidentQueryDto), on the row fields.
INCIDENT_FILTERS = {
    **{name: Filter("eq", name) for name in (
        "processDefinitionId", "processInstanceId", "executionId", "activityId", "failedActivityId",
        "causeIncidentId", "rootCauseIncidentId", "configuration", "incidentType", "incidentMessage")},
    "incidentId": Filter("eq", "id"), "incidentMessageLike": Filter("like", "incidentMessage"),
    "processDefinitionKeyIn": Filter("in", "_definitionKey", "list"),
    "incidentTimestampBefore": Filter("lt", "_at", "date"), "incidentTimestampAfter": Filter("gt", "_at", "date"),
    "tenantIdIn": Filter("none", kind="list"), "jobDefinitionIdIn": Filter("in", "jobDefinitionId", "list"),
}
INCIDENT_SORTS = {name: name for name in ("incidentMessage", "incidentType", "executionId", "activityId",
                                          "processInstanceId", "processDefinitionId", "causeIncidentId",
                                          "rootCauseIncidentId", "configuration")} | {
    "incidentId": "id", "incidentTimestamp": "_at"}


def _incidents(s) -> list[dict[str, Any]]:
    args = query_args()
    refuse_unknown(args, INCIDENT_FILTERS, {}, "Incident query")
    keys = sort_keys(args, INCIDENT_SORTS, None, {"tenantId": "no incident belongs to a tenant"})
    keep = row_filter(args, INCIDENT_FILTERS)
    incidents = open_incidents(s)
    keys_of = dict(s.execute(select(ProcessDefinition.id, ProcessDefinition.key)).all())
    found = [{"id": i.id, "processDefinitionId": i.definition_id, "processInstanceId": i.instance_id,
              "executionId": i.instance_id, "incidentTimestamp": camunda_date(i.at), "incidentType": i.kind,
              "activityId": i.element_id, "failedActivityId": i.element_id, "causeIncidentId": i.id,
              "rootCauseIncidentId": i.id, "configuration": i.id, "tenantId": None, "incidentMessage": i.message,
              "jobDefinitionId": i.job_kind, "annotation": None, "_at": i.at,
              "_definitionKey": keys_of.get(i.definition_id)}
             for i in incidents]
    return [{k: v for k, v in row.items() if not k.startswith("_")}
            for row in sort_rows([row for row in found if keep(row)], keys)]


@bp.get("/incident")
def incident_list():
    _readable()
    with services().db.reader() as s:
        return jsonify(paged(_incidents(s)))


@bp.get("/incident/count")
def incident_count():
    _readable()
    with services().db.reader() as s:
        return jsonify({"count": len(_incidents(s))})
