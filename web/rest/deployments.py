"""``/deployment``: create (multipart, like Camunda Modeler and the clients send it), list, get, delete."""
from __future__ import annotations

from flask import jsonify, request
from sqlalchemy import exists, func, select

from engine import DefinitionError
from engine.models import Deployment, HistoryEvent, ProcessDefinition, ProcessInstance
from engine.oplog import log_operation

from ..services import services
from . import RestError, bp
from .params import admin, flag, found, paged
from .query_params import Filter, query_args, refuse_unknown, sort_keys, sql_conditions, sql_order
from .shapes import definition, deployment

MAX_FILE = 5 * 1024 * 1024
DEPLOYMENT_SORTS = {"id": Deployment.id, "name": Deployment.name, "deploymentTime": Deployment.deployed_at}


@bp.post("/deployment/create")
def deployment_create():
    actor = admin()
    name = request.form.get("deployment-name") or ""
    files = {}
    for field, upload in request.files.items(multi=True):
        content = upload.read(MAX_FILE + 1)
        if len(content) > MAX_FILE:
            raise RestError(400, f"Resource '{upload.filename or field}' is larger than 5 MB.")
        files[upload.filename or field] = content
    if not files:
        raise RestError(400, "No deployment resources contained in the form upload.")
    try:
        with services().db.transaction() as s:
            result = services().engine.deploy(s, name or next(iter(files)), files, actor,
                                              source=request.form.get("deployment-source") or "rest",
                                              duplicate_filtering=flag("enable-duplicate-filtering", request.form),
                                              changed_only=flag("deploy-changed-only", request.form),
                                              scripts_enabled=flag("enable-script-tasks", request.form))
            answer = deployment(result.deployment)
            deployed = {d.id: definition(d) for d in result.definitions}
    except DefinitionError as exc:
        details: dict[str, dict] = {}
        for problem in exc.problems:
            resource = details.setdefault(problem.get("resource") or next(iter(files)), {"errors": [], "warnings": []})
            resource["errors"].append({"message": problem["message"], "line": problem.get("line"),
                                       "column": problem.get("column"), "mainElementId": problem.get("element_id"),
                                       "elementIds": [problem["element_id"]] if problem.get("element_id") else []})
        raise RestError(400, exc.message, "ParseException", details=details) from None
    return jsonify({**answer, "deployedProcessDefinitions": deployed or None, "deployedCaseDefinitions": None,
                    "deployedDecisionDefinitions": None, "deployedDecisionRequirementsDefinitions": None})


#: Camunda's deployment query parameters applied here (DeploymentQueryDto).
FILTERS = {
    "id": Filter("eq", Deployment.id), "name": Filter("eq", Deployment.name),
    "nameLike": Filter("like", Deployment.name), "source": Filter("eq", Deployment.source),
    "withoutSource": Filter("null", Deployment.source, "flag"),
    "tenantIdIn": Filter("none", kind="list"), "withoutTenantId": Filter("all", kind="flag"),
    "after": Filter("gt", Deployment.deployed_at, "date"), "before": Filter("lt", Deployment.deployed_at, "date"),
}
REFUSED = {"includeDeploymentsWithoutTenantId": "tenants are not kept"}


def _deployments():
    args = query_args()
    refuse_unknown(args, FILTERS, REFUSED, "Deployment query")
    keys = sort_keys(args, DEPLOYMENT_SORTS, "deploymentTime", {"tenantId": "no deployment has a tenant"})
    return select(Deployment).where(*sql_conditions(args, FILTERS)).order_by(*sql_order(keys), Deployment.id)


@bp.get("/deployment")
def deployment_list():
    with services().db.reader() as s:
        return jsonify(paged([deployment(d) for d in s.scalars(_deployments())]))


@bp.get("/deployment/count")
def deployment_count():
    with services().db.reader() as s:
        return jsonify({"count": s.scalar(select(func.count()).select_from(_deployments().subquery()))})


def _deployment_or_404(s, deployment_id: str) -> Deployment:
    return found(s, Deployment, deployment_id, f"Deployment with id '{deployment_id}' does not exist")


@bp.get("/deployment/<deployment_id>")
def deployment_get(deployment_id: str):
    with services().db.reader() as s:
        return jsonify(deployment(_deployment_or_404(s, deployment_id)))


@bp.delete("/deployment/<deployment_id>")
def deployment_delete(deployment_id: str):
    """Delete a deployment nothing ever ran on; history is never deleted, so one that ran is refused."""
    actor = admin()
    with services().db.transaction() as s:
        row = _deployment_or_404(s, deployment_id)
        ids = [d.id for d in row.definitions]
        used = s.scalar(select(exists().where(ProcessInstance.definition_id.in_(ids)))) or s.scalar(
            select(exists().where(HistoryEvent.definition_id.in_(ids))))
        if used:
            raise RestError(409, f"Deployment '{deployment_id}' has process instances; their history is kept, "
                                 "so it cannot be deleted.", "ProcessEngineException")
        for item in list(row.definitions):
            s.delete(item)
        s.delete(row)
        log_operation(s, actor, services().clock.now(), "deployment_delete", deployment_id,
                      definitions=ids)
    return "", 204


@bp.get("/deployment/<deployment_id>/resources")
def deployment_resources(deployment_id: str):
    with services().db.reader() as s:
        row = _deployment_or_404(s, deployment_id)
        return jsonify([{"id": d.id, "name": d.resource_name, "deploymentId": d.deployment_id}
                        for d in s.scalars(select(ProcessDefinition).where(ProcessDefinition.deployment_id == row.id))])
