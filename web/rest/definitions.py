"""``/process-definition``: list, get, XML, start (by id or by key, newest version), form variables."""
from __future__ import annotations

from flask import jsonify, request
from sqlalchemy import false, func, select, true, tuple_

from engine.models import Deployment, ProcessDefinition
from engine.variable_filters import like_pattern
from workflows.roles import STARTS

from ..services import services
from . import RestError, bp
from .params import body, found, me, paged, refuse_unsupported
from .query_params import Filter, query_args, refuse_unknown, sort_keys, sql_conditions, sql_order
from .shapes import definition, instance
from .values import typed_all, untyped_all

SORTS = {"id": ProcessDefinition.id, "key": ProcessDefinition.key, "name": ProcessDefinition.name,
         "version": ProcessDefinition.version, "deploymentId": ProcessDefinition.deployment_id,
         "deployTime": ProcessDefinition.deployed_at}
REFUSED_SORTS = {"category": "every definition has the same category", "tenantId": "no definition has a tenant",
                 "versionTag": "version tags are not kept"}
CATEGORY = "http://bpmn.io/schema/bpmn"  # the category every definition is answered with


def _newest_only(_):
    newest = (select(ProcessDefinition.key, func.max(ProcessDefinition.version).label("version"))
              .group_by(ProcessDefinition.key).subquery())
    return tuple_(ProcessDefinition.key, ProcessDefinition.version).in_(select(newest.c.key, newest.c.version))


def _deployed(condition):
    return ProcessDefinition.deployment_id.in_(select(Deployment.id).where(condition))


#: Camunda's process definition query parameters applied here (ProcessDefinitionQueryDto).
FILTERS = {
    "processDefinitionId": Filter("eq", ProcessDefinition.id),
    "processDefinitionIdIn": Filter("in", ProcessDefinition.id, "list"),
    "name": Filter("eq", ProcessDefinition.name), "nameLike": Filter("like", ProcessDefinition.name),
    "deploymentId": Filter("eq", ProcessDefinition.deployment_id),
    "deployedAfter": Filter("where", lambda d: _deployed(Deployment.deployed_at > d), "date"),
    "deployedAt": Filter("where", lambda d: _deployed(Deployment.deployed_at == d), "date"),
    "key": Filter("eq", ProcessDefinition.key), "keysIn": Filter("in", ProcessDefinition.key, "list"),
    "keyLike": Filter("like", ProcessDefinition.key),
    "category": Filter("where", lambda v: true() if v == CATEGORY else false()),
    "categoryLike": Filter("where", lambda v: true() if like_pattern(v).fullmatch(CATEGORY) else false()),
    "version": Filter("eq", ProcessDefinition.version, "int"),
    "latestVersion": Filter("where", _newest_only, "flag"),
    "resourceName": Filter("eq", ProcessDefinition.resource_name),
    "resourceNameLike": Filter("like", ProcessDefinition.resource_name),
    "active": Filter("all", kind="flag"), "suspended": Filter("none", kind="flag"),
    "tenantIdIn": Filter("none", kind="list"), "withoutTenantId": Filter("all", kind="flag"),
    "versionTag": Filter("none"), "versionTagLike": Filter("none"), "withoutVersionTag": Filter("all", kind="flag"),
    "startableInTasklist": Filter("all", kind="flag"), "notStartableInTasklist": Filter("none", kind="flag"),
}
REFUSED = {
    "startableBy": "who may start a process is decided by roles, not by Camunda authorizations",
    "startablePermissionCheck": "who may start a process is decided by roles, not by Camunda authorizations",
    "includeProcessDefinitionsWithoutTenantId": "tenants are not kept",
    **{name: "definitions are not queried by their instances' incidents" for name in (
        "incidentId", "incidentType", "incidentMessage", "incidentMessageLike")},
}


def _definitions(s) -> list[ProcessDefinition]:
    args = query_args()
    refuse_unknown(args, FILTERS, REFUSED, "Process definition query")
    keys = sort_keys(args, SORTS, "key", REFUSED_SORTS)
    return list(s.scalars(select(ProcessDefinition).where(*sql_conditions(args, FILTERS))
                          .order_by(*sql_order(keys), ProcessDefinition.version.desc(), ProcessDefinition.id)))


@bp.get("/process-definition")
def definition_list():
    with services().db.reader() as s:
        return jsonify(paged([definition(d) for d in _definitions(s)]))


@bp.get("/process-definition/count")
def definition_count():
    with services().db.reader() as s:
        return jsonify({"count": len(_definitions(s))})


def _by_id(s, definition_id: str) -> ProcessDefinition:
    return found(s, ProcessDefinition, definition_id, f"No matching definition with id {definition_id}")


def _by_key(s, key: str) -> ProcessDefinition:
    row = services().engine.latest_definition(s, key, required=False)
    if row is None:
        raise RestError(404, f"No matching process definition with key: {key} and no tenant-id")
    return row


@bp.get("/process-definition/<definition_id>")
def definition_get(definition_id: str):
    with services().db.reader() as s:
        return jsonify(definition(_by_id(s, definition_id)))


@bp.get("/process-definition/key/<key>")
def definition_by_key(key: str):
    with services().db.reader() as s:
        return jsonify(definition(_by_key(s, key)))


@bp.get("/process-definition/<definition_id>/xml")
def definition_xml(definition_id: str):
    with services().db.reader() as s:
        row = _by_id(s, definition_id)
        return jsonify({"id": row.id, "bpmn20Xml": row.bpmn_xml})


@bp.get("/process-definition/key/<key>/xml")
def definition_xml_by_key(key: str):
    with services().db.reader() as s:
        row = _by_key(s, key)
        return jsonify({"id": row.id, "bpmn20Xml": row.bpmn_xml})


#: What a start request may say (Camunda 7's StartProcessInstanceDto); the options this engine cannot apply
#: are refused by name when asked for, anything else as unknown.
START_KEYS = {"variables", "businessKey", "withVariablesInReturn", "caseInstanceId", "skipCustomListeners",
              "skipIoMappings", "startInstructions"}
UNSUPPORTED_START = {"startInstructions": "an instance starts at its start event",
                     "skipCustomListeners": "listeners are not skipped", "skipIoMappings": "mappings are not skipped",
                     "caseInstanceId": "there are no cases"}


def _start(find):
    actor = me()
    data = body()
    refuse_unsupported(data, START_KEYS, UNSUPPORTED_START, "start")
    variables = untyped_all(data.get("variables"))
    business_key = data.get("businessKey")
    if business_key is not None and not isinstance(business_key, str):
        raise RestError(400, "'businessKey' must be a string.")
    engine = services().engine
    with services().db.transaction() as s:
        row = find(s)
        may_start = "admin" in actor.roles or any(row.key in STARTS.get(role, ()) for role in actor.roles)
        if actor.read_only or not may_start:
            raise RestError(403, f"Người dùng «{actor.username}» không có quyền khởi tạo quy trình «{row.key}».")
        started = engine.start_definition(s, row, actor, variables, business_key)
        answer = instance(started)
        if data.get("withVariablesInReturn"):
            answer["variables"] = typed_all(engine.variables(s, started))
    return jsonify(answer)


@bp.post("/process-definition/<definition_id>/start")
def definition_start(definition_id: str):
    return _start(lambda s: _by_id(s, definition_id))


@bp.post("/process-definition/key/<key>/start")
def definition_start_by_key(key: str):
    return _start(lambda s: _by_key(s, key))


def _form_variables(row: ProcessDefinition):
    engine = services().engine
    form_key = engine.model_of(row).start_form_key
    with services().db.reader() as s:
        schema = engine.form(s, form_key) if form_key else None
    properties = (schema or {}).get("properties", {})
    wanted = [n for n in (request.args.get("variableNames") or "").split(",") if n]
    return jsonify(typed_all({name: prop.get("default") for name, prop in properties.items()
                              if not wanted or name in wanted}))


@bp.get("/process-definition/key/<key>/form-variables")
def definition_form_variables_by_key(key: str):
    with services().db.reader() as s:
        row = _by_key(s, key)
    return _form_variables(row)


@bp.get("/process-definition/<definition_id>/form-variables")
def definition_form_variables(definition_id: str):
    with services().db.reader() as s:
        row = _by_id(s, definition_id)
    return _form_variables(row)
