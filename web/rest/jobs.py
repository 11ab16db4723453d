"""``/job`` (timers and e-mails: list, count, get, retries, execute) and ``/incident`` (failed jobs
and external tasks whose retries ran out)."""
from __future__ import annotations

from typing import Any

from flask import jsonify, request
from sqlalchemy import select

from engine import EngineError
from engine.incidents import open_incidents
from engine.jobs import INCIDENT, WAITING, Job
from engine.models import ProcessInstance
from engine.oplog import log_operation

from ..services import services
from . import RestError, bp
from .params import admin, body, found, me, paged, retries_of, sees_everything
from .values import camunda_date


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


def _jobs(s) -> list[Job]:
    args = request.args
    query = select(Job)
    if args.get("jobId"):
        query = query.where(Job.id == args["jobId"])
    if args.get("processInstanceId"):
        query = query.where(Job.instance_id == args["processInstanceId"])
    if args.get("withException") == "true":
        query = query.where(Job.last_error.is_not(None))
    if args.get("noRetriesLeft") == "true":
        query = query.where(Job.status == INCIDENT)
    if args.get("executable") == "true":
        query = query.where(Job.status == WAITING, Job.due_at <= services().clock.now())
    return list(s.scalars(query.order_by(Job.due_at, Job.id)))


@bp.get("/job")
def job_list():
    _readable()
    with services().db.reader() as s:
        jobs = paged(_jobs(s))
        definitions = _definitions(s, [j.instance_id for j in jobs])
        return jsonify([job(j, definitions.get(j.instance_id)) for j in jobs])


@bp.get("/job/count")
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
            services().worker.execute(s, row)
        except EngineError:
            raise
        except Exception as exc:  # noqa: BLE001 - the handler's failure is the answer, never a 500
            raise RestError(422, f"Job {job_id} failed: {exc}", "ProcessEngineException") from None
        log_operation(s, actor, services().clock.now(), "job_execute", job_id)
    return "", 204


def _incidents(s) -> list[dict[str, Any]]:
    found = [{"id": i.id, "processDefinitionId": i.definition_id, "processInstanceId": i.instance_id,
              "executionId": i.instance_id, "incidentTimestamp": camunda_date(i.at), "incidentType": i.kind,
              "activityId": i.element_id, "failedActivityId": i.element_id, "causeIncidentId": i.id,
              "rootCauseIncidentId": i.id, "configuration": i.id, "tenantId": None, "incidentMessage": i.message,
              "jobDefinitionId": i.job_kind, "annotation": None}
             for i in open_incidents(s)]
    args = request.args
    for name in ("processInstanceId", "incidentType", "activityId"):
        if args.get(name):
            found = [i for i in found if i[name] == args[name]]
    return found


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
