"""Making a parsed process spec immutable, so that one parsed version serves every run.

SpiffWorkflow completes a spec's graph while a workflow runs: the first time an
event sub-process is triggered, ``BpmnStartTask.trigger_wf`` connects it to the
process's start and end, a loop or multi-instance task hooks its merge onto
its child's completion, and a Camunda multi-instance sets the collection it
reads when it starts. A spec shared by several instances (and by replay)
would then differ with what ran before: a directive started after someone
asked for an extension got the extension sub-process as a child of its start,
and a replay in the same process no longer matched the record.

``settle`` makes those connections once, right after parsing, in the form a
run would leave them, except that the start does not list a triggered
sub-process among its outputs (only the sub-process names the start as an
input, which is all ``trigger_wf`` looks at: listing it as an output would make
every new instance start it at once). ``freeze`` then turns every task spec's
inputs and outputs and the spec's table of task specs into read-only
containers, so that any other change SpiffWorkflow may try at run time fails
loudly instead of leaking into the next instance.
"""
from __future__ import annotations

from types import MappingProxyType

from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.bpmn.specs.data_spec import TaskDataReference
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.camunda.specs.multiinstance_task import ParallelMultiInstanceTask, SequentialMultiInstanceTask

CAMUNDA_MULTI_INSTANCE = (ParallelMultiInstanceTask, SequentialMultiInstanceTask)


def settle(spec: BpmnProcessSpec) -> None:
    """Make the connections a run would make, so that running makes none."""
    start, end = spec.start, spec.end
    for name in start.trigger_specs:
        triggered = spec.task_specs[name]
        if start.name not in triggered._inputs:
            triggered._inputs.append(start.name)
        if end.name not in triggered._outputs:
            triggered.connect(end)
    for task_spec in spec.task_specs.values():
        if isinstance(task_spec, LoopTask):
            child = spec.task_specs[task_spec.task_spec]
            if not child.completed_event.is_connected(task_spec.merge_child):
                child.completed_event.connect(task_spec.merge_child)
        if isinstance(task_spec, CAMUNDA_MULTI_INSTANCE):
            settle_camunda_references(task_spec)


def settle_camunda_references(task_spec) -> None:
    """The data references SpiffWorkflow's Camunda multi-instance sets when a loop starts: a
    ``camunda:collection`` is read and written in place, each item read and written as the element
    variable. Set once here, so that a process that resumes a loop begun by another process (after a
    restart) merges its items exactly as the process that began it: in place, not appended."""
    if task_spec.cardinality is None and task_spec.data_output is not None:
        task_spec.data_input = TaskDataReference(task_spec.data_output.bpmn_id)
    if task_spec.output_item is not None:
        task_spec.input_item = TaskDataReference(task_spec.output_item.bpmn_id)


def freeze(spec: BpmnProcessSpec) -> None:
    """Make the spec's graph read-only: a change at run time raises instead of being shared."""
    for task_spec in spec.task_specs.values():
        task_spec._inputs = tuple(task_spec._inputs)
        task_spec._outputs = tuple(task_spec._outputs)
    spec.task_specs = MappingProxyType(dict(spec.task_specs))


def settled(spec: BpmnProcessSpec) -> BpmnProcessSpec:
    """``spec`` settled and frozen (the same object)."""
    settle(spec)
    freeze(spec)
    return spec
