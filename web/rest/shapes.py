"""The JSON Camunda answers with, for each kind of resource."""
from __future__ import annotations

from typing import Any

from flask import url_for

from engine.models import Deployment, HumanTask, ProcessDefinition, ProcessInstance

from .values import camunda_date


def link(rel: str, href: str, method: str = "GET") -> dict[str, str]:
    return {"method": method, "href": href, "rel": rel}


def deployment(row: Deployment) -> dict[str, Any]:
    return {"links": [link("self", url_for("rest.deployment_get", deployment_id=row.id, _external=True))],
            "id": row.id, "name": row.name, "source": row.source, "deploymentTime": camunda_date(row.deployed_at),
            "tenantId": None}


def definition(row: ProcessDefinition) -> dict[str, Any]:
    return {"id": row.id, "key": row.key, "category": "http://bpmn.io/schema/bpmn", "description": None,
            "name": row.name, "version": row.version, "resource": row.resource_name, "deploymentId": row.deployment_id,
            "diagram": None, "suspended": False, "tenantId": None, "versionTag": None, "historyTimeToLive": None,
            "startableInTasklist": True}


def instance(row: ProcessInstance) -> dict[str, Any]:
    return {"links": [link("self", url_for("rest.instance_get", instance_id=row.id, _external=True))],
            "id": row.id, "definitionId": row.definition_id, "businessKey": row.business_key,
            "caseInstanceId": None, "ended": row.status != "running", "suspended": False, "tenantId": None}


def task(row: HumanTask) -> dict[str, Any]:
    return {"id": row.id, "name": row.name, "assignee": row.assignee, "owner": row.owner,
            "created": camunda_date(row.created_at), "due": camunda_date(row.due_at),
            "followUp": camunda_date(row.follow_up_at), "lastUpdated": None, "delegationState": None,
            "description": row.label, "executionId": row.instance_id, "parentTaskId": None,
            "priority": row.priority, "processDefinitionId": row.definition_id,
            "processInstanceId": row.instance_id, "taskDefinitionKey": row.element_id, "caseExecutionId": None,
            "caseInstanceId": None, "caseDefinitionId": None, "suspended": False, "formKey": row.form_key,
            "camundaFormRef": None, "tenantId": None}
