"""``/process-instance`` (list, count, get, delete, variables) and ``/message`` (correlation)."""
from __future__ import annotations

from flask import jsonify, request
from sqlalchemy import false, select, true, union

from engine.external import INCIDENT as TASK_INCIDENT
from engine.external import ExternalTask
from engine.incidents import FAILED_EXTERNAL_TASK, FAILED_JOB
from engine.jobs import INCIDENT as JOB_INCIDENT
from engine.jobs import Job
from engine.models import ProcessDefinition, ProcessInstance
from engine.variable_filters import sql_like

from ..services import services
from . import RestError, bp
from .params import admin, body, me, paged, refuse_unsupported, sees_everything, text
from .query_params import Filter, query_args, refuse_unknown, sort_keys, sql_conditions, sql_order
from .shapes import instance
from .values import typed, typed_all, untyped, untyped_all
from .variable_filters import matching_variables, variable_conditions

SORTS = {"instanceId": ProcessInstance.id, "definitionKey": ProcessInstance.definition_key,
         "definitionId": ProcessInstance.definition_id, "businessKey": ProcessInstance.business_key}
NO_TENANTS = {"tenantId": "no instance belongs to a tenant"}


def _readable(actor) -> None:
    if not sees_everything(actor):
        raise RestError(403, "Chỉ Văn phòng, lãnh đạo, quản trị và thanh tra được xem mọi phiên quy trình; "
                             "cơ quan xem việc của mình qua /task.")


def _incidents(job_condition, task_condition):
    """Instances with an open incident of a failed job or external task meeting the conditions."""
    return ProcessInstance.id.in_(union(
        select(Job.instance_id).where(Job.status == JOB_INCIDENT, job_condition),
        select(ExternalTask.instance_id).where(ExternalTask.status == TASK_INCIDENT, task_condition)))


def _incident_type(kind: str):
    if kind not in (FAILED_JOB, FAILED_EXTERNAL_TASK):
        return false()  # no incident of another type is ever raised here
    return _incidents(true(), false()) if kind == FAILED_JOB else _incidents(false(), true())


def _child_of(condition):
    return ProcessInstance.id.in_(select(ProcessInstance.parent_instance_id).where(condition))


#: Camunda's process instance query parameters applied here (ProcessInstanceQueryDto).
FILTERS = {
    "processInstanceIds": Filter("in", ProcessInstance.id, "list"),
    "businessKey": Filter("eq", ProcessInstance.business_key),
    "businessKeyLike": Filter("like", ProcessInstance.business_key),
    "caseInstanceId": Filter("none"),
    "processDefinitionId": Filter("eq", ProcessInstance.definition_id),
    "processDefinitionKey": Filter("eq", ProcessInstance.definition_key),
    "processDefinitionKeyIn": Filter("in", ProcessInstance.definition_key, "list"),
    "processDefinitionKeyNotIn": Filter("notIn", ProcessInstance.definition_key, "list"),
    "deploymentId": Filter("where", lambda v: ProcessInstance.definition_id.in_(
        select(ProcessDefinition.id).where(ProcessDefinition.deployment_id == v))),
    "superProcessInstance": Filter("eq", ProcessInstance.parent_instance_id),
    "subProcessInstance": Filter("where", lambda v: _child_of(ProcessInstance.id == v)),
    "superCaseInstance": Filter("none"), "subCaseInstance": Filter("none"),
    "active": Filter("all", kind="flag"), "suspended": Filter("none", kind="flag"),
    "withIncident": Filter("where", lambda _: _incidents(true(), true()), "flag"),
    "incidentId": Filter("where", lambda v: _incidents(Job.id == v, ExternalTask.id == v)),
    "incidentType": Filter("where", _incident_type),
    "incidentMessage": Filter("where", lambda v: _incidents(Job.last_error == v, ExternalTask.error_message == v)),
    "incidentMessageLike": Filter("where", lambda v: _incidents(
        Job.last_error.like(sql_like(v), escape="\\"), ExternalTask.error_message.like(sql_like(v), escape="\\"))),
    "tenantIdIn": Filter("none", kind="list"), "withoutTenantId": Filter("all", kind="flag"),
    "processDefinitionWithoutTenantId": Filter("all", kind="flag"),
    "rootProcessInstances": Filter("null", ProcessInstance.parent_instance_id, "flag"),
    "leafProcessInstances": Filter("where", lambda _: ProcessInstance.id.not_in(
        select(ProcessInstance.parent_instance_id).where(ProcessInstance.status == "running",
                                                         ProcessInstance.parent_instance_id.is_not(None))), "flag"),
}
APPLIED = set(FILTERS) | {"variables", "variableNamesIgnoreCase", "variableValuesIgnoreCase"}
REFUSED = {"activityIdIn": "the activities an instance waits in are not queried",
           "rootProcessInstanceId": "the root of a call hierarchy is not kept with an instance"}


def _instances(s, args) -> list[ProcessInstance]:
    refuse_unknown(args, APPLIED, REFUSED, "Process instance query")
    keys = sort_keys(args, SORTS, "instanceId", NO_TENANTS)
    query = (select(ProcessInstance).where(ProcessInstance.status == "running",  # ended ones are in /history
                                           *sql_conditions(args, FILTERS))
             .order_by(*sql_order(keys), ProcessInstance.id))
    return matching_variables(s, s.scalars(query), lambda i: i.id, variable_conditions(args, "variables"), args)


@bp.route("/process-instance", methods=["GET", "POST"])
def instance_list():
    _readable(me())
    args = query_args()
    with services().db.reader() as s:
        return jsonify(paged([instance(i) for i in _instances(s, args)], request.args))


@bp.route("/process-instance/count", methods=["GET", "POST"])
def instance_count():
    _readable(me())
    args = query_args()
    with services().db.reader() as s:
        return jsonify({"count": len(_instances(s, args))})


def _instance_or_404(s, instance_id: str) -> ProcessInstance:
    row = s.get(ProcessInstance, instance_id)
    if row is None or row.status != "running":  # ended instances are found in /history
        raise RestError(404, f"Process instance with id {instance_id} does not exist")
    return row


@bp.get("/process-instance/<instance_id>")
def instance_get(instance_id: str):
    _readable(me())
    with services().db.reader() as s:
        return jsonify(instance(_instance_or_404(s, instance_id)))


@bp.delete("/process-instance/<instance_id>")
def instance_delete(instance_id: str):
    """Cancel a running instance (its history stays); only process admins."""
    actor = admin()
    with services().db.transaction() as s:
        _instance_or_404(s, instance_id)
        services().engine.cancel_instance(s, instance_id, actor)
    return "", 204


def _variables(instance_id: str) -> dict:
    _readable(me())
    with services().db.reader() as s:
        return services().engine.variables(s, _instance_or_404(s, instance_id))


@bp.get("/process-instance/<instance_id>/variables")
def instance_variables(instance_id: str):
    return jsonify(typed_all(_variables(instance_id)))


@bp.get("/process-instance/<instance_id>/variables/<name>")
def instance_variable(instance_id: str, name: str):
    variables = _variables(instance_id)
    if name not in variables:
        raise RestError(404, f"process instance variable with name {name} does not exist")
    return jsonify(typed(variables[name]))


@bp.post("/process-instance/<instance_id>/variables")
def instance_variables_modify(instance_id: str):
    """Set (``modifications``) process variables of a running instance; only process admins."""
    actor = admin()
    data = body()
    variables = untyped_all(data.get("modifications"))
    if data.get("deletions"):
        raise RestError(400, "Deleting process variables is not supported: history keeps every value.")
    with services().db.transaction() as s:
        _instance_or_404(s, instance_id)
        services().engine.set_variables(s, instance_id, actor, variables)
    return "", 204


@bp.put("/process-instance/<instance_id>/variables/<name>")
def instance_variable_put(instance_id: str, name: str):
    actor = admin()
    value = untyped(name, body())
    with services().db.transaction() as s:
        _instance_or_404(s, instance_id)
        services().engine.set_variables(s, instance_id, actor, {name: value})
    return "", 204


#: What a correlation may say (Camunda 7's CorrelationMessageDto).
MESSAGE_KEYS = {"messageName", "businessKey", "tenantId", "withoutTenantId", "processInstanceId", "correlationKeys",
                "localCorrelationKeys", "processVariables", "processVariablesLocal",
                "processVariablesToTriggeredScope", "all", "resultEnabled", "variablesInResultEnabled"}
UNSUPPORTED_MESSAGE = {"tenantId": "there are no tenants", "localCorrelationKeys": "local variables are not kept",
                       "processVariablesLocal": "local variables are not kept",
                       "processVariablesToTriggeredScope": "variables go to the instance",
                       "variablesInResultEnabled": "results carry no variables"}


@bp.post("/message")
def message_correlate():
    """Deliver a message to the one running instance that waits for it (by id, business key, variables)."""
    actor = me()
    if actor.read_only or not ("admin" in actor.roles or sees_everything(actor)):
        raise RestError(403, "Cơ quan gửi đề nghị gia hạn hoặc vấn đề vượt thẩm quyền từ trang nhiệm vụ, nơi đề nghị "
                             "được kiểm tra; qua REST chỉ Văn phòng và quản trị gửi thông điệp.")
    data = body()
    refuse_unsupported(data, MESSAGE_KEYS, UNSUPPORTED_MESSAGE, "message")
    name = text(data, "messageName")
    if not name:
        raise RestError(400, "'messageName' is required.")
    instance_id, business_key = text(data, "processInstanceId"), text(data, "businessKey")
    variables = untyped_all(data.get("processVariables"))
    engine = services().engine
    with services().db.transaction() as s:
        query = select(ProcessInstance).where(ProcessInstance.status == "running")
        if instance_id:
            query = query.where(ProcessInstance.id == instance_id)
        if business_key:
            query = query.where(ProcessInstance.business_key == business_key)
        keys = untyped_all(data.get("correlationKeys"))
        waiting = [i for i in s.scalars(query) if engine.waits_for_message(s, i.id, name)
                   and all(engine.variables(s, i).get(k) == v for k, v in keys.items())]
        if not waiting:
            raise RestError(400, f"Cannot correlate message '{name}': No process definition or execution "
                                 "matches the parameters")
        if len(waiting) > 1 and not data.get("all"):
            raise RestError(400, f"Cannot correlate message '{name}': {len(waiting)} executions match the "
                                 "parameters; name the process instance.")
        for target in waiting:
            engine.correlate_message(s, target.id, name, actor, variables)
        results = [{"resultType": "Execution", "processInstance": None,
                    "execution": {"id": t.id, "processInstanceId": t.id, "ended": False, "tenantId": None}}
                   for t in waiting]
    if data.get("resultEnabled"):
        return jsonify(results if data.get("all") else results[0])
    return "", 204
