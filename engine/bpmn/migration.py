"""Moving a workflow onto another version of its process, as Camunda's migration does.

A stored task tree holds, below each waiting step, the steps predicted from the version it
ran on. Loaded under a new version, those predictions would still be followed: a receipt
moved to a version with a new step after «acknowledge» went on to «register» as before.
``repredict`` recomputes what follows every step still waiting, ready or started from the
new version's graph, so the instance runs the new flow from where it waits. A step that
has already begun and that the new version no longer leads to makes the move impossible.
"""
from __future__ import annotations

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import WorkflowException
from SpiffWorkflow.util.task import TaskState

from ..errors import Conflict

LIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED
PREDICTED = TaskState.FUTURE | TaskState.LIKELY | TaskState.MAYBE


def _has_live(task) -> bool:
    return task.has_state(LIVE) or any(_has_live(child) for child in task.children)


def repredict(workflow: BpmnWorkflow) -> None:
    """Re-derive the predicted branches below every unfinished definite step from the workflow's spec."""
    for task in list(workflow.get_tasks(state=LIVE)):
        if task.id not in task.workflow.tasks:  # removed with an earlier branch
            continue
        for child in list(task.children):  # what the old version predicted after it, nothing begun
            if child.has_state(PREDICTED) and not child.triggered and not _has_live(child):
                task.workflow._remove_task(child.id)
        try:
            task.task_spec._predict(task, mask=LIVE)
        except WorkflowException as exc:
            spec = task.task_spec
            name = getattr(spec, "bpmn_name", None) or getattr(spec, "bpmn_id", None) or spec.name
            raise Conflict(f"Không chuyển được: ở phiên bản mới, bước «{name}» không còn dẫn tới bước đã bắt đầu "
                           f"sau nó ({exc}).") from None
