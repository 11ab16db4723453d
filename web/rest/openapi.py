"""The OpenAPI 3 document of ``/engine-rest``, written to match what is implemented here."""
from __future__ import annotations

from typing import Any

from flask import jsonify

from . import bp

ERRORS = {"400": "Bad input: a parameter, a variable or the body is wrong.",
          "401": "No or wrong HTTP Basic credentials.", "403": "The user may not do this.",
          "404": "No such resource.", "409": "Someone else did it first, or the resource is locked by another.",
          "422": "A step of the process failed."}


def nullable(kind: str, **more: Any) -> dict[str, Any]:
    return {"type": kind, "nullable": True, **more}


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(required: tuple[str, ...] = (), **properties: dict[str, Any]) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = list(required)
    return schema


S, I, B, D = nullable("string"), nullable("integer"), nullable("boolean"), nullable("string")
LINKS = {"type": "array", "items": obj(method=S, href=S, rel=S)}

SCHEMAS: dict[str, Any] = {
    "ExceptionDto": obj(("type", "message"), type={"type": "string"}, message={"type": "string"},
                        errors=nullable("object", additionalProperties={"type": "string"}),
                        details=nullable("object")),
    "VariableValueDto": obj(value={"nullable": True}, type=S, valueInfo=nullable("object")),
    "VariableMap": {"type": "object", "additionalProperties": ref("VariableValueDto")},
    "CountResultDto": obj(("count",), count={"type": "integer"}),
    "DeploymentDto": obj(("id",), links=LINKS, id=S, name=S, source=S, deploymentTime=D, tenantId=S),
    "DeploymentWithDefinitionsDto": obj(
        links=LINKS, id=S, name=S, source=S, deploymentTime=D, tenantId=S,
        deployedProcessDefinitions=nullable("object", additionalProperties=ref("ProcessDefinitionDto")),
        deployedCaseDefinitions=nullable("object"), deployedDecisionDefinitions=nullable("object"),
        deployedDecisionRequirementsDefinitions=nullable("object")),
    "DeploymentResourceDto": obj(id=S, name=S, deploymentId=S),
    "ProcessDefinitionDto": obj(("id", "key", "version"), id={"type": "string"}, key={"type": "string"},
                                category=S, description=S, name=S, version={"type": "integer"}, resource=S,
                                deploymentId=S, diagram=S, suspended=B, tenantId=S, versionTag=S,
                                historyTimeToLive=I, startableInTasklist=B),
    "ProcessDefinitionDiagramDto": obj(("id", "bpmn20Xml"), id={"type": "string"}, bpmn20Xml={"type": "string"}),
    "StartProcessInstanceDto": obj(variables=ref("VariableMap"), businessKey=S, withVariablesInReturn=B),
    "ProcessInstanceDto": obj(("id",), links=LINKS, id={"type": "string"}, definitionId=S, businessKey=S,
                              caseInstanceId=S, ended=B, suspended=B, tenantId=S),
    "ProcessInstanceWithVariablesDto": obj(("id",), links=LINKS, id={"type": "string"}, definitionId=S,
                                           businessKey=S, caseInstanceId=S, ended=B, suspended=B, tenantId=S,
                                           variables=ref("VariableMap")),
    "ProcessInstanceQueryDto": obj(processDefinitionKey=S, processDefinitionId=S, businessKey=S,
                                   businessKeyLike=S, superProcessInstance=S,
                                   processInstanceIds=nullable("array", items={"type": "string"}),
                                   sortBy=S, sortOrder=S),
    "TaskDto": obj(("id",), id={"type": "string"}, name=S, assignee=S, owner=S, created=D, due=D, followUp=D,
                   lastUpdated=D, delegationState=S, description=S, executionId=S, parentTaskId=S, priority=I,
                   processDefinitionId=S, processInstanceId=S, taskDefinitionKey=S, caseExecutionId=S,
                   caseInstanceId=S, caseDefinitionId=S, suspended=B, formKey=S, camundaFormRef=nullable("object"),
                   tenantId=S),
    "TaskQueryDto": obj(assignee=S, candidateGroup=S, candidateGroups=nullable("array", items={"type": "string"}),
                        candidateUser=S, processInstanceId=S, processDefinitionKey=S,
                        processInstanceBusinessKey=S, taskDefinitionKey=S, dueBefore=S, dueAfter=S,
                        followUpBefore=S, unassigned=B, nameLike=S,
                        sorting=nullable("array", items=obj(sortBy=S, sortOrder=S))),
    "UserIdDto": obj(userId=S),
    "CompleteTaskDto": obj(variables=ref("VariableMap"), withVariablesInReturn=B),
    "CommentDto": obj(id=S, userId=S, taskId=S, processInstanceId=S, rootProcessInstanceId=S, time=D, message=S,
                      removalTime=D),
    "CommentCreateDto": obj(("message",), message={"type": "string"}),
    "CorrelationMessageDto": obj(("messageName",), messageName={"type": "string"}, businessKey=S,
                                 processInstanceId=S, processVariables=ref("VariableMap"),
                                 correlationKeys=ref("VariableMap"), resultEnabled=B, all=B),
    "MessageCorrelationResultDto": obj(("resultType",), resultType={"type": "string"},
                                       execution=nullable("object"), processInstance=nullable("object")),
    "ExternalTaskDto": obj(("id",), activityId=S, activityInstanceId=S, errorMessage=S, errorDetails=S,
                           executionId=S, id={"type": "string"}, lockExpirationTime=D, processDefinitionId=S,
                           processDefinitionKey=S, processDefinitionVersionTag=S, processInstanceId=S, retries=I,
                           suspended=B, workerId=S, topicName=S, tenantId=S, priority=I, businessKey=S,
                           variables=ref("VariableMap"), extensionProperties=nullable("object")),
    "FetchExternalTasksDto": obj(("workerId", "topics"), workerId={"type": "string"},
                                 maxTasks={"type": "integer", "minimum": 0, "maximum": 100},
                                 usePriority=B, asyncResponseTimeout={"type": "integer", "minimum": 0},
                                 topics={"type": "array", "items": obj(
                                     ("topicName", "lockDuration"), topicName={"type": "string"},
                                     lockDuration={"type": "integer", "minimum": 0},
                                     variables=nullable("array", items={"type": "string"}))}),
    "CompleteExternalTaskDto": obj(("workerId",), workerId={"type": "string"}, variables=ref("VariableMap"),
                                   localVariables=ref("VariableMap")),
    "ExternalTaskFailureDto": obj(("workerId",), workerId={"type": "string"}, errorMessage=S, errorDetails=S,
                                  retries={"type": "integer", "minimum": 0},
                                  retryTimeout={"type": "integer", "minimum": 0}),
    "ExternalTaskBpmnError": obj(("workerId", "errorCode"), workerId={"type": "string"},
                                 errorCode={"type": "string"}, errorMessage=S, variables=ref("VariableMap")),
    "ExtendLockDto": obj(("workerId", "newDuration"), workerId={"type": "string"},
                         newDuration={"type": "integer", "minimum": 0}),
    "RetriesDto": obj(("retries",), retries={"type": "integer", "minimum": 0}),
    "JobDto": obj(("id",), id={"type": "string"}, jobDefinitionId=S, processInstanceId=S, processDefinitionId=S,
                  processDefinitionKey=S, executionId=S, exceptionMessage=S, failedActivityId=S, retries=I,
                  dueDate=D, suspended=B, priority=I, tenantId=S, createTime=D, batchId=S),
    "IncidentDto": obj(("id",), id={"type": "string"}, processDefinitionId=S, processInstanceId=S, executionId=S,
                       incidentTimestamp=D, incidentType=S, activityId=S, failedActivityId=S, causeIncidentId=S,
                       rootCauseIncidentId=S, configuration=S, tenantId=S, incidentMessage=S, jobDefinitionId=S,
                       annotation=S),
    "HistoricProcessInstanceDto": obj(("id",), id={"type": "string"}, businessKey=S, processDefinitionId=S,
                                      processDefinitionKey=S, processDefinitionName=S, processDefinitionVersion=I,
                                      startTime=D, endTime=D, removalTime=D, durationInMillis=I, startUserId=S,
                                      startActivityId=S, deleteReason=S, rootProcessInstanceId=S,
                                      superProcessInstanceId=S, superCaseInstanceId=S, caseInstanceId=S,
                                      tenantId=S, state=S),
    "HistoricTaskInstanceDto": obj(("id",), id={"type": "string"}, processDefinitionKey=S, processDefinitionId=S,
                                   processInstanceId=S, executionId=S, caseDefinitionKey=S, caseDefinitionId=S,
                                   caseInstanceId=S, caseExecutionId=S, activityInstanceId=S, name=S,
                                   description=S, deleteReason=S, owner=S, assignee=S, startTime=D, endTime=D,
                                   duration=I, taskDefinitionKey=S, priority=I, due=D, parentTaskId=S, followUp=D,
                                   tenantId=S, removalTime=D, rootProcessInstanceId=S),
    "HistoricActivityInstanceDto": obj(("id",), id={"type": "string"}, parentActivityInstanceId=S, activityId=S,
                                       activityName=S, activityType=S, processDefinitionKey=S,
                                       processDefinitionId=S, processInstanceId=S, executionId=S, taskId=S,
                                       calledProcessInstanceId=S, calledCaseInstanceId=S, assignee=S,
                                       startTime=D, endTime=D, durationInMillis=I, canceled=B, completeScope=B,
                                       tenantId=S, removalTime=D, rootProcessInstanceId=S),
    "UserOperationLogEntryDto": obj(("id",), id={"type": "string"}, deploymentId=S, processDefinitionId=S,
                                    processDefinitionKey=S, processInstanceId=S, executionId=S,
                                    caseDefinitionId=S, caseInstanceId=S, caseExecutionId=S, taskId=S, jobId=S,
                                    jobDefinitionId=S, batchId=S, userId=S, timestamp=D, operationId=S,
                                    operationType=S, entityType=S, property=S, orgValue=S, newValue=S,
                                    removalTime=D, rootProcessInstanceId=S, externalTaskId=S, annotation=S,
                                    category=S),
}


def query(*names: str, integers: tuple[str, ...] = ("firstResult", "maxResults"),
          booleans: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    found = [{"name": n, "in": "query", "required": False, "schema": {"type": "string"}} for n in names]
    found += [{"name": n, "in": "query", "required": False, "schema": {"type": "integer", "minimum": 0}}
              for n in integers]
    found += [{"name": n, "in": "query", "required": False, "schema": {"type": "boolean"}} for n in booleans]
    return found


def path(*names: str) -> list[dict[str, Any]]:
    # Ids are longer than the words that share their place in a path (``/task/count``).
    return [{"name": n, "in": "path", "required": True, "schema": {"type": "string", "minLength": 12}}
            for n in names]


def op(summary: str, ok: str | None, schema: dict[str, Any] | None = None, parameters: list | None = None,
       body: dict[str, Any] | None = None, errors: tuple[str, ...] = ("400", "401", "403", "404"),
       multipart: dict[str, Any] | None = None) -> dict[str, Any]:
    responses: dict[str, Any] = {code: {"description": ERRORS[code],
                                        "content": {"application/json": {"schema": ref("ExceptionDto")}}}
                                 for code in errors}
    responses["401"] = {"description": ERRORS["401"],
                        "content": {"application/json": {"schema": ref("ExceptionDto")}}}
    if ok == "204":
        responses["204"] = {"description": "Done."}
    else:
        responses[ok or "200"] = {"description": "OK", "content": {"application/json": {"schema": schema}}}
    operation: dict[str, Any] = {"summary": summary, "parameters": parameters or [], "responses": responses}
    if body is not None:
        operation["requestBody"] = {"required": False, "content": {"application/json": {"schema": body}}}
    if multipart is not None:
        operation["requestBody"] = {"required": True, "content": {"multipart/form-data": {"schema": multipart}}}
    return operation


def many(name: str) -> dict[str, Any]:
    return {"type": "array", "items": ref(name)}


WRITE = ("400", "401", "403", "404", "409", "422")
TASK_QUERY = query("assignee", "candidateGroup", "candidateGroups", "candidateUser", "processInstanceId",
                   "processDefinitionKey", "processInstanceBusinessKey", "taskDefinitionKey", "dueBefore",
                   "dueAfter", "followUpBefore", "sortBy", "sortOrder", "nameLike", booleans=("unassigned",))

PATHS: dict[str, Any] = {
    "/deployment/create": {"post": op("Deploy BPMN files", "200", ref("DeploymentWithDefinitionsDto"), errors=WRITE,
                                      multipart=obj(**{"deployment-name": S, "deployment-source": S,
                                                       "deploy-changed-only": S, "enable-duplicate-filtering": S,
                                                       "enable-script-tasks": S,
                                                       "data": {"type": "string", "format": "binary"}}))},
    "/deployment": {"get": op("Deployments", "200", many("DeploymentDto"),
                              query("id", "name", "nameLike", "source", "sortBy", "sortOrder"))},
    "/deployment/count": {"get": op("How many deployments", "200", ref("CountResultDto"),
                                    query("id", "name", "nameLike", "source", "sortBy", "sortOrder"))},
    "/deployment/{id}": {"get": op("A deployment", "200", ref("DeploymentDto"), path("id")),
                         "delete": op("Delete a deployment nothing ran on", "204", parameters=path("id"),
                                      errors=WRITE)},
    "/deployment/{id}/resources": {"get": op("Its files", "200", many("DeploymentResourceDto"), path("id"))},
    "/process-definition": {"get": op("Process definitions", "200", many("ProcessDefinitionDto"),
                                      query("processDefinitionId", "key", "keyLike", "name", "nameLike",
                                            "deploymentId", "resourceName", "sortBy", "sortOrder",
                                            integers=("firstResult", "maxResults", "version"),
                                            booleans=("latestVersion",)))},
    "/process-definition/count": {"get": op("How many", "200", ref("CountResultDto"),
                                            query("key", "name", "sortBy", "sortOrder", integers=("version",),
                                                  booleans=("latestVersion",)))},
    "/process-definition/{id}": {"get": op("A definition", "200", ref("ProcessDefinitionDto"), path("id"))},
    "/process-definition/key/{key}": {"get": op("The newest version", "200", ref("ProcessDefinitionDto"),
                                                path("key"))},
    "/process-definition/{id}/xml": {"get": op("Its BPMN", "200", ref("ProcessDefinitionDiagramDto"), path("id"))},
    "/process-definition/key/{key}/xml": {"get": op("The newest BPMN", "200", ref("ProcessDefinitionDiagramDto"),
                                                    path("key"))},
    "/process-definition/{id}/start": {"post": op("Start this version", "200", ref("ProcessInstanceWithVariablesDto"),
                                                  path("id"), ref("StartProcessInstanceDto"), WRITE)},
    "/process-definition/key/{key}/start": {"post": op("Start the newest version", "200",
                                                       ref("ProcessInstanceWithVariablesDto"), path("key"),
                                                       ref("StartProcessInstanceDto"), WRITE)},
    "/process-definition/{id}/form-variables": {"get": op("Start form variables", "200", ref("VariableMap"),
                                                          path("id") + query("variableNames", integers=()))},
    "/process-definition/key/{key}/form-variables": {"get": op("Start form variables", "200", ref("VariableMap"),
                                                               path("key") + query("variableNames", integers=()))},
    "/process-instance": {
        "get": op("Running instances", "200", many("ProcessInstanceDto"),
                  query("processDefinitionKey", "processDefinitionId", "businessKey", "businessKeyLike",
                        "superProcessInstance", "processInstanceIds", "sortBy", "sortOrder")),
        "post": op("Running instances", "200", many("ProcessInstanceDto"), query(),
                   ref("ProcessInstanceQueryDto"))},
    "/process-instance/count": {
        "get": op("How many", "200", ref("CountResultDto"),
                  query("processDefinitionKey", "businessKey", "sortBy", "sortOrder", integers=())),
        "post": op("How many", "200", ref("CountResultDto"), body=ref("ProcessInstanceQueryDto"))},
    "/process-instance/{id}": {"get": op("A running instance", "200", ref("ProcessInstanceDto"), path("id")),
                               "delete": op("Cancel it", "204", parameters=path("id"), errors=WRITE)},
    "/process-instance/{id}/variables": {
        "get": op("Its variables", "200", ref("VariableMap"), path("id")),
        "post": op("Set variables", "204", parameters=path("id"),
                   body=obj(modifications=ref("VariableMap"), deletions=nullable("array", items={"type": "string"})),
                   errors=WRITE)},
    "/process-instance/{id}/variables/{varName}": {
        "get": op("One variable", "200", ref("VariableValueDto"), path("id", "varName")),
        "put": op("Set one variable", "204", parameters=path("id", "varName"), body=ref("VariableValueDto"),
                  errors=WRITE)},
    "/task": {"get": op("Tasks", "200", many("TaskDto"), TASK_QUERY),
              "post": op("Tasks", "200", many("TaskDto"), query(), ref("TaskQueryDto"))},
    "/task/count": {"get": op("How many", "200", ref("CountResultDto"), TASK_QUERY),
                    "post": op("How many", "200", ref("CountResultDto"), body=ref("TaskQueryDto"))},
    "/task/{id}": {"get": op("A task", "200", ref("TaskDto"), path("id"))},
    "/task/{id}/claim": {"post": op("Claim", "204", parameters=path("id"), body=ref("UserIdDto"), errors=WRITE)},
    "/task/{id}/unclaim": {"post": op("Unclaim", "204", parameters=path("id"), errors=WRITE)},
    "/task/{id}/assignee": {"post": op("Set the assignee", "204", parameters=path("id"), body=ref("UserIdDto"),
                                       errors=WRITE)},
    "/task/{id}/complete": {"post": op("Complete", "200", ref("VariableMap"), path("id"), ref("CompleteTaskDto"),
                                       WRITE)},
    "/task/{id}/variables": {"get": op("Its variables", "200", ref("VariableMap"), path("id"))},
    "/task/{id}/variables/{varName}": {"get": op("One variable", "200", ref("VariableValueDto"),
                                                 path("id", "varName"))},
    "/task/{id}/form-variables": {"get": op("Its form variables", "200", ref("VariableMap"),
                                            path("id") + query("variableNames", integers=()))},
    "/task/{id}/comment": {"get": op("Its comments", "200", many("CommentDto"), path("id"))},
    "/task/{id}/comment/create": {"post": op("Comment", "200", ref("CommentDto"), path("id"),
                                             ref("CommentCreateDto"), WRITE)},
    "/message": {"post": op("Correlate a message", "200",
                            {"oneOf": [ref("MessageCorrelationResultDto"), many("MessageCorrelationResultDto")]},
                            body=ref("CorrelationMessageDto"), errors=WRITE)},
    "/external-task/fetchAndLock": {"post": op("Fetch and lock", "200", many("ExternalTaskDto"),
                                               body=ref("FetchExternalTasksDto"), errors=WRITE)},
    "/external-task": {"get": op("External tasks", "200", many("ExternalTaskDto"),
                                 query("topicName", "workerId", "processInstanceId", "activityId",
                                       "processDefinitionKey", "withRetriesLeft", "noRetriesLeft"))},
    "/external-task/count": {"get": op("How many", "200", ref("CountResultDto"), query("topicName", integers=()))},
    "/external-task/topic-names": {"get": op("Topics with tasks", "200", {"type": "array", "items": S})},
    "/external-task/{id}": {"get": op("An external task", "200", ref("ExternalTaskDto"), path("id"))},
    "/external-task/{id}/complete": {"post": op("Complete", "204", parameters=path("id"),
                                                body=ref("CompleteExternalTaskDto"), errors=WRITE)},
    "/external-task/{id}/failure": {"post": op("Report a failure", "204", parameters=path("id"),
                                               body=ref("ExternalTaskFailureDto"), errors=WRITE)},
    "/external-task/{id}/bpmnError": {"post": op("Throw a BPMN error", "204", parameters=path("id"),
                                                 body=ref("ExternalTaskBpmnError"), errors=WRITE)},
    "/external-task/{id}/extendLock": {"post": op("Extend the lock", "204", parameters=path("id"),
                                                  body=ref("ExtendLockDto"), errors=WRITE)},
    "/external-task/{id}/unlock": {"post": op("Give the lock back", "204", parameters=path("id"), errors=WRITE)},
    "/external-task/{id}/retries": {"put": op("Set retries", "204", parameters=path("id"), body=ref("RetriesDto"),
                                              errors=WRITE)},
    "/job": {"get": op("Jobs", "200", many("JobDto"),
                       query("jobId", "processInstanceId", "withException", "noRetriesLeft", "executable"))},
    "/job/count": {"get": op("How many", "200", ref("CountResultDto"), query("jobId", integers=()))},
    "/job/{id}": {"get": op("A job", "200", ref("JobDto"), path("id"))},
    "/job/{id}/retries": {"put": op("Set retries", "204", parameters=path("id"), body=ref("RetriesDto"),
                                    errors=WRITE)},
    "/job/{id}/execute": {"post": op("Run it now", "204", parameters=path("id"), errors=WRITE)},
    "/incident": {"get": op("Incidents", "200", many("IncidentDto"),
                            query("processInstanceId", "incidentType", "activityId"))},
    "/incident/count": {"get": op("How many", "200", ref("CountResultDto"), query("incidentType", integers=()))},
    "/history/process-instance": {"get": op("Historic instances", "200", many("HistoricProcessInstanceDto"),
                                            query("processInstanceId", "businessKey", "processDefinitionKey",
                                                  "processDefinitionId", "superProcessInstanceId", "startedBy",
                                                  "startedBefore", "startedAfter", "finishedBefore",
                                                  "finishedAfter", booleans=("finished", "unfinished")))},
    "/history/task": {"get": op("Historic tasks", "200", many("HistoricTaskInstanceDto"),
                                query("processInstanceId", "taskAssignee", "taskDefinitionKey",
                                      "processDefinitionKey", "taskId", booleans=("finished", "unfinished")))},
    "/history/activity-instance": {"get": op("Historic activities", "200", many("HistoricActivityInstanceDto"),
                                             query("processInstanceId", "activityId"))},
    "/history/user-operation": {"get": op("User operations", "200", many("UserOperationLogEntryDto"),
                                          query("userId", "operationType", "taskId", "entityType"))},
    "/engine": {"get": op("Engines", "200", {"type": "array", "items": obj(name=S)}, errors=())},
    "/version": {"get": op("Version", "200", obj(version=S), errors=())},
}


for answer_or_nothing in (PATHS["/task/{id}/complete"]["post"], PATHS["/message"]["post"]):
    answer_or_nothing["responses"]["204"] = {"description": "Done, nothing asked back."}


def document() -> dict[str, Any]:
    """The whole OpenAPI 3.0 document."""
    return {"openapi": "3.0.3",
            "info": {"title": "Chỉ đạo – Camunda 7 REST API", "version": "7.20.0",
                     "description": "The subset of Camunda Platform 7's REST API this engine implements."},
            "servers": [{"url": "/engine-rest"}],
            "security": [{"basic": []}],
            "components": {"securitySchemes": {"basic": {"type": "http", "scheme": "basic"}}, "schemas": SCHEMAS},
            "paths": PATHS}


@bp.get("/openapi.json")
def openapi():
    return jsonify(document())


@bp.get("/engine")
def engines():
    return jsonify([{"name": "default"}])


@bp.get("/version")
def version():
    return jsonify({"version": "7.20.0"})
