"""The query parameters of ``/task`` and ``/task/count`` (Camunda 7's TaskQueryDto): each applied
as Camunda's reference says, or refused by name."""
from __future__ import annotations

from typing import Any

from sqlalchemy import and_, false, not_, or_, select, true

from engine import User
from engine.identity import groups_of
from engine.models import HumanTask, HumanTaskCandidate, ProcessDefinition
from engine.tasks import USER_PREFIX
from engine.variable_filters import sql_like

from ..services import services
from . import RestError
from .params import flag, text, texts
from .query_params import Filter, refuse_unknown, sql_conditions

DELEGATION_STATES = ("PENDING", "RESOLVED")
NO_CASES = "no task here belongs to a case"


def _definition_named(condition):
    return HumanTask.definition_id.in_(select(ProcessDefinition.id).where(condition))


def _delegated(state: str):
    if state not in DELEGATION_STATES:
        raise RestError(400, f"Cannot set query parameter 'delegationState' to value '{state}': expected "
                             "PENDING or RESOLVED.")
    return false()  # tasks are never delegated here


def _candidate(condition):
    return HumanTask.id.in_(select(HumanTaskCandidate.task_id).where(condition))


GROUP = not_(HumanTaskCandidate.group_id.startswith(USER_PREFIX))
USER = HumanTaskCandidate.group_id.startswith(USER_PREFIX)

#: The parameters applied in SQL, each by its column and Camunda's comparison.
FILTERS: dict[str, Filter] = {
    "taskId": Filter("eq", HumanTask.id), "taskIdIn": Filter("in", HumanTask.id, "list"),
    "processInstanceId": Filter("eq", HumanTask.instance_id),
    "processInstanceIdIn": Filter("in", HumanTask.instance_id, "list"),
    "processInstanceBusinessKey": Filter("eq", HumanTask.business_key),
    "processInstanceBusinessKeyIn": Filter("in", HumanTask.business_key, "list"),
    "processInstanceBusinessKeyLike": Filter("like", HumanTask.business_key),
    "processDefinitionId": Filter("eq", HumanTask.definition_id),
    "processDefinitionKey": Filter("eq", HumanTask.definition_key),
    "processDefinitionKeyIn": Filter("in", HumanTask.definition_key, "list"),
    "processDefinitionName": Filter("where", lambda v: _definition_named(ProcessDefinition.name == v)),
    "processDefinitionNameLike": Filter("where", lambda v: _definition_named(
        ProcessDefinition.name.like(sql_like(v), escape="\\"))),
    "executionId": Filter("eq", HumanTask.instance_id),
    "activityInstanceIdIn": Filter("in", HumanTask.id, "list"),
    "caseInstanceId": Filter("none"), "caseInstanceBusinessKey": Filter("none"),
    "caseInstanceBusinessKeyLike": Filter("none"), "caseDefinitionId": Filter("none"),
    "caseDefinitionKey": Filter("none"), "caseDefinitionName": Filter("none"),
    "caseDefinitionNameLike": Filter("none"), "caseExecutionId": Filter("none"),
    "tenantIdIn": Filter("none", kind="list"), "withoutTenantId": Filter("all", kind="flag"),
    "assignee": Filter("eq", HumanTask.assignee), "assigneeLike": Filter("like", HumanTask.assignee),
    "assigneeIn": Filter("in", HumanTask.assignee, "list"),
    "assigneeNotIn": Filter("notIn", HumanTask.assignee, "list"),
    "owner": Filter("eq", HumanTask.owner),
    "involvedUser": Filter("where", lambda u: or_(HumanTask.assignee == u, HumanTask.owner == u,
                                                  _candidate(HumanTaskCandidate.group_id == USER_PREFIX + u))),
    "assigned": Filter("notNull", HumanTask.assignee, "flag"),
    "unassigned": Filter("null", HumanTask.assignee, "flag"),
    "taskDefinitionKey": Filter("eq", HumanTask.element_id),
    "taskDefinitionKeyIn": Filter("in", HumanTask.element_id, "list"),
    "taskDefinitionKeyNotIn": Filter("notIn", HumanTask.element_id, "list"),
    "taskDefinitionKeyLike": Filter("like", HumanTask.element_id),
    "name": Filter("eqCi", HumanTask.name), "nameNotEqual": Filter("neqCi", HumanTask.name),
    "nameLike": Filter("likeCi", HumanTask.name), "nameNotLike": Filter("notLikeCi", HumanTask.name),
    "description": Filter("eqCi", HumanTask.label), "descriptionLike": Filter("likeCi", HumanTask.label),
    "priority": Filter("eq", HumanTask.priority, "int"), "maxPriority": Filter("lteq", HumanTask.priority, "int"),
    "minPriority": Filter("gteq", HumanTask.priority, "int"),
    "dueDate": Filter("eq", HumanTask.due_at, "date"), "dueAfter": Filter("gt", HumanTask.due_at, "date"),
    "dueBefore": Filter("lt", HumanTask.due_at, "date"), "withoutDueDate": Filter("null", HumanTask.due_at, "flag"),
    "followUpDate": Filter("eq", HumanTask.follow_up_at, "date"),
    "followUpAfter": Filter("gt", HumanTask.follow_up_at, "date"),
    "followUpBefore": Filter("lt", HumanTask.follow_up_at, "date"),
    "followUpBeforeOrNotExistent": Filter("where", lambda d: or_(HumanTask.follow_up_at < d,
                                                                 HumanTask.follow_up_at.is_(None)), "date"),
    "createdOn": Filter("eq", HumanTask.created_at, "date"),
    "createdAfter": Filter("gt", HumanTask.created_at, "date"),
    "createdBefore": Filter("lt", HumanTask.created_at, "date"),
    "delegationState": Filter("where", _delegated),
    "active": Filter("all", kind="flag"), "suspended": Filter("none", kind="flag"),
    "parentTaskId": Filter("none"),
}
#: Parameters of the candidate block (one Camunda condition over a task's candidates), applied by ``candidates``.
CANDIDATES = {"candidateGroup", "candidateGroups", "candidateGroupLike", "candidateUser", "includeAssignedTasks",
              "withCandidateGroups", "withoutCandidateGroups", "withCandidateUsers", "withoutCandidateUsers"}
#: Parameters applied in Python, after SQL (variables are kept in the workflow, not in columns).
VARIABLES = {"processVariables", "variableNamesIgnoreCase", "variableValuesIgnoreCase"}
EXPRESSIONS = "expressions are not evaluated in queries"
#: Camunda parameters this engine cannot honour, with the reason given in the 400.
REFUSED = {name: EXPRESSIONS for name in (
    "processInstanceBusinessKeyExpression", "processInstanceBusinessKeyLikeExpression", "assigneeExpression",
    "assigneeLikeExpression", "ownerExpression", "candidateGroupExpression", "candidateUserExpression",
    "involvedUserExpression", "dueDateExpression", "dueAfterExpression", "dueBeforeExpression",
    "followUpDateExpression", "followUpAfterExpression", "followUpBeforeExpression",
    "followUpBeforeOrNotExistentExpression", "createdOnExpression", "createdAfterExpression",
    "createdBeforeExpression", "updatedAfterExpression", "candidateGroupsExpression")} | {
    "taskVariables": "task-local variables are not told apart from process variables",
    "caseInstanceVariables": NO_CASES,
    "updatedAfter": "the time a task was last updated is not kept",
    "withCommentAttachmentInfo": "comment and attachment flags are not returned with tasks",
    "withTaskVariablesInReturn": "variables are not returned with tasks; read /task/{id}/variables",
    "withTaskLocalVariablesInReturn": "variables are not returned with tasks; read /task/{id}/variables",
}
APPLIED = set(FILTERS) | CANDIDATES | VARIABLES | {"orQueries"}
SORTS = {"dueDate": HumanTask.due_at, "created": HumanTask.created_at, "name": HumanTask.name,
         "nameCaseInsensitive": HumanTask.name, "priority": HumanTask.priority,
         "followUpDate": HumanTask.follow_up_at, "id": HumanTask.id, "instanceId": HumanTask.instance_id,
         "executionId": HumanTask.instance_id, "assignee": HumanTask.assignee, "description": HumanTask.label}
REFUSED_SORTS = {"caseInstanceId": NO_CASES, "caseExecutionId": NO_CASES,
                 "lastUpdated": "the time a task was last updated is not kept",
                 **{name: "sorting by a variable is not supported" for name in (
                     "processVariable", "executionVariable", "taskVariable", "caseExecutionVariable",
                     "caseInstanceVariable")}}


def _candidate_user_groups(username: str) -> set[str]:
    with services().db.reader() as s:
        user = s.get(User, username)
    if user is None:
        raise RestError(400, f"Unknown user '{username}' in parameter 'candidateUser'.")
    return set(groups_of(user.org, user.roles)) | {USER_PREFIX + user.username}


def candidates(args: dict[str, Any]) -> list[Any]:
    """Camunda's candidate conditions: tasks with a candidate of the groups or user asked for (or of a
    group like ``candidateGroupLike``), or with/without candidate groups or users; unassigned tasks
    only, unless ``includeAssignedTasks``."""
    if text(args, "candidateGroup") and texts(args, "candidateGroups"):
        raise RestError(400, "Cannot set both 'candidateGroup' and 'candidateGroups'.")
    if text(args, "candidateUser") and (text(args, "candidateGroup") or texts(args, "candidateGroups")):
        raise RestError(400, "Cannot set both 'candidateUser' and 'candidateGroup(s)'.")
    groups = {g.strip() for g in [text(args, "candidateGroup") or "", *texts(args, "candidateGroups")] if g.strip()}
    if text(args, "candidateUser"):
        groups |= _candidate_user_groups(args["candidateUser"])
    like = text(args, "candidateGroupLike")
    with_groups, with_users = flag("withCandidateGroups", args), flag("withCandidateUsers", args)
    without_groups, without_users = flag("withoutCandidateGroups", args), flag("withoutCandidateUsers", args)
    include_assigned = flag("includeAssignedTasks", args)
    asked = [HumanTaskCandidate.group_id.in_(groups)] if groups else []
    if like:
        asked.append(and_(GROUP, HumanTaskCandidate.group_id.like(sql_like(like), escape="\\")))
    found = []
    if asked or with_groups or with_users:
        found.append(_candidate(and_(or_(*asked) if asked else true(), *([GROUP] if with_groups else []),
                                     *([USER] if with_users else []))))
    if without_groups:
        found.append(not_(_candidate(GROUP)))
    if without_users:
        found.append(not_(_candidate(USER)))
    if found and not include_assigned:
        found.append(HumanTask.assignee.is_(None))
    return found


def or_queries(args: dict[str, Any]) -> list[Any]:
    """Camunda's ``orQueries``: each nested query holds when one of its own parameters holds; the nested
    queries are AND-ed with the rest. Nested queries take the SQL-applied parameters only."""
    nested = args.get("orQueries")
    if nested is None:
        return []
    if not isinstance(nested, list) or not all(isinstance(q, dict) for q in nested):
        raise RestError(400, "'orQueries' must be a list of task query objects.")
    found = []
    for query in nested:
        refuse_unknown(query, FILTERS, {name: "not supported inside orQueries"
                                        for name in APPLIED - set(FILTERS)} | REFUSED, "orQueries")
        if set(query) & {"sortBy", "sortOrder", "firstResult", "maxResults"}:
            raise RestError(400, "orQueries: sorting and paging parameters are not allowed in a nested query.")
        conditions = sql_conditions(query, FILTERS)
        if conditions:
            found.append(or_(*conditions))
    return found


def task_conditions(args: dict[str, Any]) -> list[Any]:
    """Every SQL condition of a task query (the caller's visibility is added by the engine)."""
    refuse_unknown(args, APPLIED, REFUSED, "Task query")
    return [*sql_conditions(args, FILTERS), *candidates(args), *or_queries(args)]
