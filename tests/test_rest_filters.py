"""Every Camunda query parameter of the REST list and count endpoints is applied exactly or refused with a
400 naming it; none is silently ignored (an unfiltered list for a filter that was asked for)."""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import Clock
from engine.characters import FORBIDDEN
from engine.jobs import TIMER, new_job
from web.rest import definitions, deployments, external, history, instances, jobs, task_query

from .conftest import NOW, Lifecycle, draft_data, fresh_app
from .test_rest import basic

ADMIN = basic("admin")


@pytest.fixture(scope="module")
def filter_app(database_url):
    """One application for the whole module: every test here only reads (queries), so the data is
    made once instead of once per parameter."""
    clock = Clock()
    clock.set(NOW)
    app = fresh_app(database_url, clock, WTF_CSRF_ENABLED=False)
    yield app
    app.extensions["chidao"].db.dispose()


@pytest.fixture(scope="module")
def client(filter_app):
    return filter_app.test_client()


@pytest.fixture(scope="module")
def world(filter_app):
    """Three directives: A (subject Alpha) drafted, waiting for review; B (Betas) waiting for its draft;
    C (Gamma) cancelled. A timer job on A, one e-mail job on B."""
    svc = filter_app.extensions["chidao"]
    lifecycle = Lifecycle(svc)
    a, b, c = lifecycle.start(subject="Alpha"), lifecycle.start(subject="Betas"), lifecycle.start(subject="Gamma")
    lifecycle.complete("cv.lan", "draft", draft_data(subject="Alpha"), a)
    with svc.db.transaction() as s:
        svc.engine.cancel_instance(s, c, lifecycle.actor("admin"))
        s.add(new_job(TIMER, NOW + timedelta(days=1), NOW, instance_id=a, element_id="wait"))
        s.add(new_job("email", NOW + timedelta(days=2), NOW, instance_id=b))
    (review,) = [t.id for t in lifecycle.human_tasks(a)]
    (draft,) = [t.id for t in lifecycle.human_tasks(b)]
    return {"a": a, "b": b, "c": c, "review": review, "draft": draft}


def _get(client, path: str, params: dict | None = None):
    return client.get(f"/engine-rest{path}?{urlencode(params or {})}", headers=ADMIN)


def _ids(client, path: str, params: dict, key: str = "id", method: str = "GET") -> set[str]:
    """The ids listed for the parameters, after checking that the count endpoint agrees."""
    if method == "POST":
        listed, counted = (client.post(f"/engine-rest{path}{suffix}", headers=ADMIN, json=params)
                           for suffix in ("", "/count"))
    else:
        listed, counted = _get(client, path, params), _get(client, f"{path}/count", params)
    assert listed.status_code == 200, listed.get_json()
    rows = listed.get_json()
    assert counted.get_json() == {"count": len(rows)}
    return {row[key] for row in rows}


TASK_CASES = [
    ("taskId", lambda w: w["draft"], {"draft"}),
    ("taskIdIn", lambda w: f"{w['review']},nothing", {"review"}),
    ("processInstanceIdIn", lambda w: f"{w['a']},nothing", {"review"}),
    ("processDefinitionKeyIn", lambda w: "other,none", set()),
    ("name", lambda w: "soạn dự thảo", {"draft"}),
    ("nameLike", lambda w: "Thẩm%", {"review"}),
    ("nameNotLike", lambda w: "Thẩm%", {"draft"}),
    ("taskDefinitionKey", lambda w: "review", {"review"}),
    ("taskDefinitionKeyIn", lambda w: "draft,other", {"draft"}),
    ("processInstanceBusinessKeyLike", lambda w: "VB-TEST-Alpha%", {"review"}),
    ("processVariables", lambda w: "subject_eq_Alpha", {"review"}),
    ("processVariables", lambda w: "subject_neq_Alpha", {"draft"}),
    ("processVariables", lambda w: "subject_like_Bet%", {"draft"}),
    ("assigned", lambda w: "true", {"draft"}),
    ("unassigned", lambda w: "true", {"review"}),
    ("assignee", lambda w: "cv.lan", {"draft"}),
    ("assigneeNotIn", lambda w: "someone", {"draft"}),
    ("candidateGroup", lambda w: "VPUBND:specialist", set()),  # the draft is assigned: Camunda leaves it out
    ("candidateGroup", lambda w: "VPUBND:office_leader", {"review"}),
    ("withoutCandidateGroups", lambda w: "true", set()),
    ("createdAfter", lambda w: "2099-01-01T00:00:00.000+0700", set()),
    ("minPriority", lambda w: "51", set()),
    ("suspended", lambda w: "true", set()),
    ("tenantIdIn", lambda w: "tenant", set()),
]


@pytest.mark.parametrize("name, value, expected", TASK_CASES, ids=[c[0] for c in TASK_CASES])
def test_task_list_applies_each_camunda_filter(client, world, name, value, expected):
    assert _ids(client, "/task", {name: value(world)}) == {world[k] for k in expected}
    assert len(_ids(client, "/task", {})) == 2  # the unfiltered list holds both


def test_task_candidate_query_with_assigned_tasks_and_variables_ignoring_case(client, world):
    both = {"candidateGroups": "VPUBND:specialist,VPUBND:office_leader", "includeAssignedTasks": "true"}
    assert _ids(client, "/task", both) == {world["review"], world["draft"]}
    assert _ids(client, "/task", {"processVariables": "SUBJECT_eq_alpha", "variableNamesIgnoreCase": "true",
                                  "variableValuesIgnoreCase": "true"}) == {world["review"]}
    assert _ids(client, "/task", {"processVariables": "SUBJECT_eq_alpha"}) == set()


def test_a_post_task_query_takes_typed_variables_and_or_queries(client, world):
    assert _ids(client, "/task", {"processVariables": [{"name": "subject", "operator": "eq", "value": "Betas"}]},
                method="POST") == {world["draft"]}
    either = {"orQueries": [{"taskId": world["review"], "taskDefinitionKey": "draft"}]}
    assert _ids(client, "/task", either, method="POST") == {world["review"], world["draft"]}
    narrowed = {"orQueries": [{"taskId": world["review"], "taskDefinitionKey": "draft"}], "assigned": True}
    assert _ids(client, "/task", narrowed, method="POST") == {world["draft"]}


def test_an_agency_filtering_tasks_never_sees_more_than_its_own(client, world):
    both = urlencode({"taskIdIn": f"{world['review']},{world['draft']}"})
    assert client.get(f"/engine-rest/task?{both}", headers=basic("sct.cv")).get_json() == []
    assert {t["id"] for t in client.get(f"/engine-rest/task?{both}", headers=basic("cv.lan")).get_json()} \
        == {world["draft"]}


INSTANCE_CASES = [
    ("processInstanceIds", lambda w: f"{w['a']},nothing", {"a"}),
    ("businessKeyLike", lambda w: "VB-TEST-Bet%", {"b"}),
    ("processDefinitionKeyIn", lambda w: "other", set()),
    ("processDefinitionKeyNotIn", lambda w: "other", {"a", "b"}),
    ("variables", lambda w: "subject_eq_Alpha", {"a"}),
    ("suspended", lambda w: "true", set()),
    ("rootProcessInstances", lambda w: "true", {"a", "b"}),
]


@pytest.mark.parametrize("name, value, expected", INSTANCE_CASES, ids=[c[0] for c in INSTANCE_CASES])
def test_process_instance_list_applies_each_camunda_filter(client, world, name, value, expected):
    assert _ids(client, "/process-instance", {name: value(world)}) == {world[k] for k in expected}
    assert _ids(client, "/process-instance", {}) == {world["a"], world["b"]}


def test_a_post_process_instance_query_takes_typed_variables(client, world):
    body = {"variables": [{"name": "subject", "operator": "like", "value": "%etas"}]}
    assert _ids(client, "/process-instance", body, method="POST") == {world["b"]}


HISTORY_INSTANCE_CASES = [
    ("state", lambda w: "EXTERNALLY_TERMINATED", {"c"}),
    ("state", lambda w: "ACTIVE", {"a", "b"}),
    ("state", lambda w: "COMPLETED", set()),
    ("finished", lambda w: "true", {"c"}),
    ("unfinished", lambda w: "true", {"a", "b"}),
    ("externallyTerminated", lambda w: "true", {"c"}),
    ("processInstanceIds", lambda w: f"{w['a']},{w['c']}", {"a", "c"}),
    ("processInstanceIdNotIn", lambda w: w["a"], {"b", "c"}),
    ("processInstanceBusinessKey", lambda w: "VB-TEST-Gamma", {"c"}),
    ("variables", lambda w: "subject_eq_Gamma", {"c"}),
    ("finishedAfter", lambda w: "2000-01-01T00:00:00.000+0700", {"c"}),
    ("startedAfter", lambda w: "2099-01-01T00:00:00.000+0700", set()),
]


@pytest.mark.parametrize("name, value, expected", HISTORY_INSTANCE_CASES, ids=[c[0] for c in HISTORY_INSTANCE_CASES])
def test_history_process_instance_list_applies_each_camunda_filter(client, world, name, value, expected):
    assert _ids(client, "/history/process-instance", {name: value(world)}) == {world[k] for k in expected}
    assert len(_ids(client, "/history/process-instance", {})) == 3


def _rows(client, path: str, params: dict) -> list[dict]:
    listed = _get(client, path, params)
    assert listed.status_code == 200, listed.get_json()
    assert _get(client, f"{path}/count", params).get_json() == {"count": len(listed.get_json())}
    return listed.get_json()


ROW_CASES = [
    ("/history/activity-instance", "activityType", "userTask", lambda r: r["activityType"] == "userTask"),
    ("/history/activity-instance", "activityId", "draft", lambda r: r["activityId"] == "draft"),
    ("/history/activity-instance", "finished", "true", lambda r: r["endTime"] is not None),
    ("/history/activity-instance", "unfinished", "true", lambda r: r["endTime"] is None),
    ("/history/activity-instance", "canceled", "true", lambda r: r["canceled"]),
    ("/history/task", "finished", "true", lambda r: r["endTime"] is not None),
    ("/history/task", "unfinished", "true", lambda r: r["endTime"] is None),
    ("/history/task", "taskDefinitionKeyIn", "review,other", lambda r: r["taskDefinitionKey"] == "review"),
    ("/history/task", "processVariables", "subject_eq_Betas", lambda r: r["name"] == "Soạn dự thảo"),
    ("/history/task", "taskNameLike", "Thẩm%", lambda r: r["taskDefinitionKey"] == "review"),
    ("/history/user-operation", "operationType", "Complete", lambda r: r["operationType"] == "Complete"),
    ("/history/user-operation", "entityTypeIn", "Task", lambda r: r["entityType"] == "Task"),
    ("/job", "timers", "true", lambda r: r["jobDefinitionId"] == TIMER),
    ("/job", "messages", "true", lambda r: r["jobDefinitionId"] != TIMER),
    ("/job", "dueDates", "lt_2026-11-24T12:00:00.000+0700", lambda r: r["dueDate"].startswith("2026-11-24")),
    ("/job", "activityId", "wait", lambda r: r["jobDefinitionId"] == TIMER),
    ("/process-definition", "keyLike", "d_rective", lambda r: r["key"] == "directive"),
    ("/process-definition", "keysIn", "directive", lambda r: r["key"] == "directive"),
]


@pytest.mark.parametrize("path, name, value, holds", ROW_CASES, ids=[f"{c[0]}:{c[1]}" for c in ROW_CASES])
def test_row_lists_apply_each_camunda_filter(client, world, path, name, value, holds):
    everything, found = _rows(client, path, {}), _rows(client, path, {name: value})
    assert all(holds(row) for row in found)
    assert len(found) < len(everything) or not all(holds(row) for row in everything)


def test_history_processes_with_a_process_instance_that_was_cancelled_list_its_open_task_as_canceled(client, world):
    (draft,) = _rows(client, "/history/activity-instance", {"processInstanceId": world["c"], "canceled": "true"})
    assert draft["activityId"] == "draft" and draft["endTime"] is not None


def test_a_job_filter_by_definition_key_leaves_out_other_definitions(client, world):
    assert _rows(client, "/job", {"processDefinitionKey": "other"}) == []
    assert len(_rows(client, "/job", {"processDefinitionKey": "directive"})) == 2


#: Camunda 7's parameters per endpoint, from camunda-bpm-platform (3dd653fe) engine-rest/engine-rest-openapi/
#: src/main/templates/lib/commons/<name>.ftl; paging and sorting left out.
CAMUNDA = {
    "/task": (task_query.APPLIED, task_query.REFUSED, """taskId taskIdIn processInstanceId processInstanceIdIn
        processInstanceBusinessKey processInstanceBusinessKeyExpression processInstanceBusinessKeyIn
        processInstanceBusinessKeyLike processInstanceBusinessKeyLikeExpression processDefinitionId
        processDefinitionKey processDefinitionKeyIn processDefinitionName processDefinitionNameLike executionId
        caseInstanceId caseInstanceBusinessKey caseInstanceBusinessKeyLike caseDefinitionId caseDefinitionKey
        caseDefinitionName caseDefinitionNameLike caseExecutionId activityInstanceIdIn tenantIdIn withoutTenantId
        assignee assigneeExpression assigneeLike assigneeLikeExpression assigneeIn assigneeNotIn owner
        ownerExpression candidateGroup candidateGroupLike candidateGroupExpression candidateUser
        candidateUserExpression includeAssignedTasks involvedUser involvedUserExpression assigned unassigned
        taskDefinitionKey taskDefinitionKeyIn taskDefinitionKeyNotIn taskDefinitionKeyLike name nameNotEqual
        nameLike nameNotLike description descriptionLike priority maxPriority minPriority dueDate dueDateExpression
        dueAfter dueAfterExpression dueBefore dueBeforeExpression withoutDueDate followUpDate followUpDateExpression
        followUpAfter followUpAfterExpression followUpBefore followUpBeforeExpression followUpBeforeOrNotExistent
        followUpBeforeOrNotExistentExpression createdOn createdOnExpression createdAfter createdAfterExpression
        createdBefore createdBeforeExpression updatedAfter updatedAfterExpression delegationState candidateGroups
        candidateGroupsExpression withCandidateGroups withoutCandidateGroups withCandidateUsers
        withoutCandidateUsers active suspended taskVariables processVariables caseInstanceVariables
        variableNamesIgnoreCase variableValuesIgnoreCase parentTaskId withCommentAttachmentInfo
        withTaskVariablesInReturn withTaskLocalVariablesInReturn"""),
    "/process-instance": (instances.APPLIED, instances.REFUSED, """processInstanceIds businessKey businessKeyLike
        caseInstanceId processDefinitionId processDefinitionKey processDefinitionKeyIn processDefinitionKeyNotIn
        deploymentId superProcessInstance subProcessInstance superCaseInstance subCaseInstance active suspended
        withIncident incidentId incidentType incidentMessage incidentMessageLike tenantIdIn withoutTenantId
        processDefinitionWithoutTenantId activityIdIn rootProcessInstances rootProcessInstanceId
        leafProcessInstances variables variableNamesIgnoreCase variableValuesIgnoreCase"""),
    "/history/process-instance": (
        set(history.INSTANCE_FILTERS) | {"variables"} | history.VARIABLE_FLAGS, history.INSTANCE_REFUSED,
        """processInstanceId processInstanceIds processInstanceIdNotIn processDefinitionId processDefinitionKey
        processDefinitionKeyIn processDefinitionName processDefinitionNameLike processDefinitionKeyNotIn
        processInstanceBusinessKey processInstanceBusinessKeyIn processInstanceBusinessKeyLike rootProcessInstances
        rootProcessInstanceId finished unfinished withJobsRetrying withIncidents withRootIncidents incidentIdIn
        incidentType incidentStatus incidentMessage incidentMessageLike startedBefore startedAfter finishedBefore
        finishedAfter executedActivityAfter executedActivityBefore executedJobAfter executedJobBefore startedBy
        superProcessInstanceId subProcessInstanceId superCaseInstanceId subCaseInstanceId caseInstanceId tenantIdIn
        withoutTenantId activityIdIn executedActivityIdIn activeActivityIdIn active suspended completed
        externallyTerminated internallyTerminated variables variableNamesIgnoreCase variableValuesIgnoreCase
        orQueries"""),
    "/history/task": (set(history.TASK_FILTERS) | {"processVariables"} | history.VARIABLE_FLAGS,
                      history.TASK_REFUSED, """taskId taskParentTaskId processInstanceId rootProcessInstanceId
        processInstanceBusinessKey processInstanceBusinessKeyIn processInstanceBusinessKeyLike executionId
        processDefinitionId processDefinitionKey processDefinitionName caseInstanceId caseExecutionId
        caseDefinitionId caseDefinitionKey caseDefinitionName activityInstanceIdIn taskName taskNameLike
        taskDescription taskDescriptionLike taskDefinitionKey taskDefinitionKeyIn taskDeleteReason
        taskDeleteReasonLike taskAssignee taskAssigneeLike taskOwner taskOwnerLike taskPriority assigned
        unassigned finished unfinished processFinished processUnfinished taskDueDate taskDueDateBefore
        taskDueDateAfter withoutTaskDueDate taskFollowUpDate taskFollowUpDateBefore taskFollowUpDateAfter
        startedBefore startedAfter finishedBefore finishedAfter tenantIdIn withoutTenantId taskVariables
        processVariables variableNamesIgnoreCase variableValuesIgnoreCase taskInvolvedUser taskInvolvedGroup
        taskHadCandidateUser taskHadCandidateGroup withCandidateGroups withoutCandidateGroups orQueries"""),
    "/history/activity-instance": (set(history.ACTIVITY_FILTERS), {}, """activityInstanceId processInstanceId
        processDefinitionId executionId activityId activityName activityType taskAssignee finished unfinished
        canceled completeScope startedBefore startedAfter finishedBefore finishedAfter tenantIdIn
        withoutTenantId"""),
    "/history/user-operation": (set(history.OPERATION_FILTERS), {}, """deploymentId processDefinitionId
        processDefinitionKey processInstanceId executionId caseDefinitionId caseInstanceId caseExecutionId taskId
        externalTaskId batchId jobId jobDefinitionId userId operationId operationType entityType entityTypeIn
        category categoryIn property afterTimestamp beforeTimestamp"""),
    "/job": (set(jobs.FILTERS), jobs.REFUSED, """jobId jobIds jobDefinitionId processInstanceId processInstanceIds
        executionId processDefinitionId processDefinitionKey activityId withRetriesLeft executable timers messages
        dueDates createTimes withException exceptionMessage failedActivityId noRetriesLeft active suspended
        priorityLowerThanOrEquals priorityHigherThanOrEquals tenantIdIn withoutTenantId includeJobsWithoutTenantId
        acquired"""),
    "/incident": (set(jobs.INCIDENT_FILTERS), {}, """incidentId incidentType incidentMessage incidentMessageLike
        processDefinitionId processDefinitionKeyIn processInstanceId executionId incidentTimestampBefore
        incidentTimestampAfter activityId failedActivityId causeIncidentId rootCauseIncidentId configuration
        tenantIdIn jobDefinitionIdIn"""),
    "/process-definition": (set(definitions.FILTERS), definitions.REFUSED, """processDefinitionId
        processDefinitionIdIn name nameLike deploymentId deployedAfter deployedAt key keysIn keyLike category
        categoryLike version latestVersion resourceName resourceNameLike startableBy active suspended incidentId
        incidentType incidentMessage incidentMessageLike tenantIdIn withoutTenantId
        includeProcessDefinitionsWithoutTenantId versionTag versionTagLike withoutVersionTag startableInTasklist
        notStartableInTasklist startablePermissionCheck"""),
    "/deployment": (set(deployments.FILTERS), deployments.REFUSED, """id name nameLike source withoutSource
        tenantIdIn withoutTenantId includeDeploymentsWithoutTenantId after before"""),
    "/external-task": (set(external.QUERY_FILTERS) | {"processVariables", "variableNamesIgnoreCase",
                                                      "variableValuesIgnoreCase"}, {},
                       """externalTaskId externalTaskIdIn topicName workerId locked notLocked withRetriesLeft
        noRetriesLeft lockExpirationAfter lockExpirationBefore activityId activityIdIn executionId processInstanceId
        processInstanceIdIn processDefinitionId tenantIdIn active suspended priorityHigherThanOrEquals
        priorityLowerThanOrEquals processDefinitionKey processDefinitionKeyIn processDefinitionName
        processDefinitionNameLike variableNamesIgnoreCase variableValuesIgnoreCase processVariables"""),
}
DATE = "2026-11-23T09:00:00.000+0700"


def _sample(name: str) -> str:
    """A well-formed value for a parameter, from its name."""
    if name in ("variables", "processVariables", "taskVariables", "caseInstanceVariables"):
        return "subject_eq_x"
    if name.endswith("Expression"):
        return "${now()}"
    if name in ("dueDates", "createTimes"):
        return f"gt_{DATE}"
    if name == "state":
        return "ACTIVE"
    if name == "delegationState":
        return "PENDING"
    if name in ("priority", "maxPriority", "minPriority", "version", "taskPriority") or name.startswith("priority"):
        return "1"
    if name in FLAGS or name.startswith(("with", "include")):
        return "true"
    if any(word in name for word in ("Before", "After", "Date", "createdOn", "deployedAt", "Timestamp")) \
            or name in ("after", "before"):
        return DATE
    if name == "candidateUser" or name == "involvedUser":
        return "cv.lan"
    return "x"


FLAGS = {"assigned", "unassigned", "active", "suspended", "finished", "unfinished", "latestVersion", "timers",
         "messages", "executable", "noRetriesLeft", "locked", "notLocked", "canceled", "completeScope",
         "rootProcessInstances", "leafProcessInstances", "completed", "externallyTerminated", "internallyTerminated",
         "processFinished", "processUnfinished", "startableInTasklist", "notStartableInTasklist",
         "startablePermissionCheck", "acquired", "variableNamesIgnoreCase", "variableValuesIgnoreCase",
         "processDefinitionWithoutTenantId"}
META = [(path, name) for path, (_, _, names) in CAMUNDA.items() for name in names.split() if name != "orQueries"]


@pytest.mark.parametrize("path, name", META, ids=[f"{p}:{n}" for p, n in META])
def test_no_camunda_parameter_is_silently_ignored(client, path, name):
    applied, refused, _ = CAMUNDA[path]
    response = _get(client, path, {name: _sample(name)})
    if name in refused:
        assert response.status_code == 400 and f"'{name}'" in response.get_json()["message"]
    else:
        assert name in applied, f"{path}: Camunda's '{name}' is neither applied nor refused"
        assert response.status_code == 200, (name, response.get_json())


@pytest.mark.parametrize("path", list(CAMUNDA))
def test_a_bad_sort_or_an_unknown_parameter_is_a_400_naming_it(client, path):
    unknown = _get(client, path, {"frobnicate": "1"})
    assert unknown.status_code == 400 and "'frobnicate'" in unknown.get_json()["message"]
    assert unknown.get_json()["type"] == "InvalidRequestException"
    sort = _get(client, path, {"sortBy": "frobnicate", "sortOrder": "asc"})
    assert sort.status_code == 400 and "'frobnicate'" in sort.get_json()["message"]


@pytest.mark.parametrize("path, name, value", [
    ("/task", "processVariables", "subject"), ("/task", "processVariables", "subject_like"),
    ("/task", "processVariables", "subject_near_x"), ("/task", "dueBefore", "mai"),
    ("/task", "assigned", "maybe"), ("/task", "priority", "high"),
    ("/process-instance", "variables", "a_b_c_d"), ("/history/process-instance", "state", "DONE"),
    ("/history/process-instance", "startedBefore", "hôm qua"), ("/job", "dueDates", "soon_2026-01-01"),
    ("/task", "delegationState", "DONE"),
])
def test_a_bad_value_is_a_400_naming_the_parameter_and_value(client, path, name, value):
    response = _get(client, path, {name: value})
    assert response.status_code == 400
    message = response.get_json()["message"]
    assert f"'{name}'" in message and (value in message or name == "processVariables")


KNOWN = {name for _, _, names in CAMUNDA.values() for name in names.split()} | {
    "sortBy", "sortOrder", "firstResult", "maxResults", "sorting"}


#: Characters a text may hold (the others are refused at the edge, before any filter sees them).
STORABLE = st.characters(codec="utf-8", exclude_characters="".join(
    chr(code) for code in range(0xA0) if FORBIDDEN.match(chr(code))))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(sorted(CAMUNDA)),
       name=st.text(STORABLE, min_size=1, max_size=20),
       value=st.text(STORABLE, max_size=30))
def test_random_parameters_never_give_a_500_and_unknown_ones_are_named(client, path, name, value):
    response = _get(client, path, {name: value})
    assert response.status_code < 500
    if name not in KNOWN:
        assert response.status_code == 400 and f"'{name}'" in response.get_json()["message"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=st.sampled_from(META), value=st.text(STORABLE,
                                                 max_size=30))
def test_junk_values_of_camunda_parameters_never_give_a_500(client, case, value):
    path, name = case
    assert _get(client, path, {name: value}).status_code in (200, 400)


@pytest.mark.parametrize("path", ["/task", "/process-instance", "/job"])
def test_paging_in_a_post_body_is_refused_not_ignored(client, world, path):
    response = client.post(f"/engine-rest{path}", headers=ADMIN, json={"maxResults": 1})
    assert response.status_code == 400 and "'maxResults'" in response.get_json()["message"]
    paged = client.post(f"/engine-rest{path}?maxResults=1", headers=ADMIN, json={})
    assert paged.status_code == 200 and len(paged.get_json()) <= 1


@pytest.mark.parametrize("path, name", [("/task", "processInstanceIdIn"), ("/task", "taskIdIn"),
                                        ("/process-instance", "processInstanceIds"), ("/job", "jobIds")])
def test_an_empty_list_filter_is_refused_not_read_as_no_filter(client, world, path, name):
    response = _get(client, path, {name: ""})
    assert response.status_code == 400 and f"'{name}'" in response.get_json()["message"]


@pytest.mark.parametrize("path", list(CAMUNDA))
def test_sort_by_and_sort_order_come_together_or_not_at_all(client, path):
    for lone in ({"sortOrder": "desc"}, {"sortBy": "id"}):
        response = _get(client, path, lone)
        assert response.status_code == 400 and "sortBy and sortOrder" in response.get_json()["message"], lone


@pytest.mark.parametrize("sorting", [[{"sortBy": {"a": 1}, "sortOrder": "asc"}], [{"sortBy": ["id"]}], "id", [1]])
def test_a_malformed_sorting_in_a_post_body_is_a_400(client, sorting):
    response = client.post("/engine-rest/task", headers=ADMIN, json={"sorting": sorting})
    assert response.status_code == 400 and "sort" in response.get_json()["message"]


@pytest.mark.parametrize("path", ["/task", "/process-instance", "/history/task", "/job"])
def test_a_form_encoded_query_body_is_refused_not_ignored(client, world, path):
    response = client.post(f"/engine-rest{path}", headers=ADMIN, data={"processInstanceId": "nothing"})
    assert response.status_code == 400 and "JSON" in response.get_json()["message"]


@pytest.mark.parametrize("entry", [{"sortOrder": "asc"}, {"sortBy": "created"}, {}])
def test_each_sorting_entry_needs_both_its_keys(client, world, entry):
    response = client.post("/engine-rest/task", headers=ADMIN, json={"sorting": [entry]})
    assert response.status_code == 400 and "sortBy and sortOrder" in response.get_json()["message"]
