"""Loops with an upper bound: a model or the data it reads can never make one step run without end.

SpiffWorkflow's multi-instance and standard-loop specs create as many instances as the cardinality or
the input collection says, and a standard loop without ``loopMaximum`` over a step that does not wait
repeats until its condition holds, all inside one transaction. These subclasses refuse, with a sentence
naming the step, more than ``MAX_INSTANCES`` instances or iterations. The parser uses them for every
element, Camunda's multi-instance included (``use_bounded_loops``).
"""
from __future__ import annotations

import SpiffWorkflow.camunda.parser.task_spec as camunda_task_parser
from SpiffWorkflow.bpmn.parser.TaskParser import TaskParser
from SpiffWorkflow.bpmn.specs.defaults import ParallelMultiInstanceTask, SequentialMultiInstanceTask, StandardLoopTask
from SpiffWorkflow.camunda.specs.multiinstance_task import ParallelMultiInstanceTask as CamundaParallelMultiInstanceTask
from SpiffWorkflow.camunda.specs.multiinstance_task import (
    SequentialMultiInstanceTask as CamundaSequentialMultiInstanceTask,
)

from ..errors import ExecutionError

#: The most instances one multi-instance step, or iterations one loop, may run.
MAX_INSTANCES = 1000


def _refuse(spec, wanted: int | str) -> None:
    inner = getattr(spec, "task_spec", None)
    if isinstance(inner, str):  # the wrapped step, by name
        inner = spec._wf_spec.task_specs.get(inner)
    name = next((n for n in (getattr(spec, "bpmn_name", None), getattr(inner, "bpmn_name", None),
                             getattr(spec, "bpmn_id", None)) if n), spec.name)
    raise ExecutionError(f"Bước «{name}» đòi chạy {wanted} lượt, quá giới hạn {MAX_INSTANCES} lượt; hãy kiểm tra "
                         "danh sách hoặc số lần lặp.")


def _count(spec, my_task) -> int:
    if spec.data_input is not None:
        return len(spec.data_input.get(my_task))
    return int(my_task.workflow.script_engine.evaluate(my_task, spec.cardinality))


class _BoundedParallel:
    """Refuses more than ``MAX_INSTANCES`` parallel instances before creating any."""

    def create_children(self, my_task):
        count = _count(self, my_task)
        if count > MAX_INSTANCES:
            _refuse(self, count)
        return super().create_children(my_task)


class _BoundedSequential:
    """Refuses more than ``MAX_INSTANCES`` sequential instances before the first."""

    def add_next_child(self, my_task):
        data = my_task.internal_data
        planned = data.get("cardinality")
        if planned is None:
            planned = len(data.get("remaining", [])) + len(data.get("merged", []))
        if int(planned) > MAX_INSTANCES:
            _refuse(self, planned)
        return super().add_next_child(my_task)


class BoundedParallelMultiInstanceTask(_BoundedParallel, ParallelMultiInstanceTask):
    """BPMN parallel multi-instance, bounded."""


class BoundedSequentialMultiInstanceTask(_BoundedSequential, SequentialMultiInstanceTask):
    """BPMN sequential multi-instance, bounded."""


class BoundedCamundaParallelMultiInstanceTask(_BoundedParallel, CamundaParallelMultiInstanceTask):
    """Camunda's parallel multi-instance (``camunda:collection``), bounded."""


class BoundedCamundaSequentialMultiInstanceTask(_BoundedSequential, CamundaSequentialMultiInstanceTask):
    """Camunda's sequential multi-instance (``camunda:collection``), bounded."""


class BoundedStandardLoopTask(StandardLoopTask):
    """Standard loop that stops with a sentence after ``MAX_INSTANCES`` iterations."""

    def loop_complete(self, my_task):
        if len(self._merged_children(my_task)) >= MAX_INSTANCES:
            _refuse(self, f"hơn {MAX_INSTANCES}")
        return super().loop_complete(my_task)


def use_bounded_loops() -> None:
    """Make SpiffWorkflow's BPMN and Camunda task parsers build the bounded loop specs."""
    TaskParser.PARALLEL_MI_CLASS = BoundedParallelMultiInstanceTask
    TaskParser.SEQUENTIAL_MI_CLASS = BoundedSequentialMultiInstanceTask
    TaskParser.STANDARD_LOOP_CLASS = BoundedStandardLoopTask
    camunda_task_parser.ParallelMultiInstanceTask = BoundedCamundaParallelMultiInstanceTask
    camunda_task_parser.SequentialMultiInstanceTask = BoundedCamundaSequentialMultiInstanceTask
