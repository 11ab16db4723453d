"""Storing a workflow's state without its spec.

SpiffWorkflow serializes the process spec inside every workflow. Definitions
are immutable and stored once, so the instance row keeps only the task tree
and data; on load the spec comes from the engine's cache of parsed
definitions (a ``SpecRef`` placeholder in the dictionary points to it).
"""
from __future__ import annotations

import json
import threading
from collections.abc import Callable

from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.camunda.serializer.config import CAMUNDA_CONFIG
from SpiffWorkflow.camunda.specs.event_definitions import MessageEventDefinition as CamundaMessage

from .events import CLOCK_TIMERS, VariablesMessage

SPEC_REF = "ChidaoSpecRef"


class _SpeclessWorkflowConverter(BpmnWorkflowConverter):
    def to_dict(self, workflow):
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct


class StateSerializer:
    """Dumps and loads workflow state.

    ``spec_for(definition_id, name)`` resolves a definition's main spec (``name`` None) or one of
    its embedded subprocesses.
    """

    def __init__(self, spec_for: Callable[[str, str | None], BpmnProcessSpec]):
        config = dict(CAMUNDA_CONFIG)
        config[BpmnWorkflow] = _SpeclessWorkflowConverter
        for theirs, ours in {**CLOCK_TIMERS, CamundaMessage: VariablesMessage}.items():
            config[ours] = config[theirs]  # our event definitions serialize as the ones they extend
        registry = BpmnWorkflowSerializer.configure(config)
        registry.convert_from_dict[SPEC_REF] = lambda dct, **_: spec_for(dct["definition_id"], dct.get("name"))
        self._serializer = BpmnWorkflowSerializer(registry)
        self._encoding = threading.Lock()

    def dump(self, workflow: BpmnWorkflow) -> str:
        """The JSON text of the workflow's state, stamped with SpiffWorkflow's serializer version."""
        registry = self._serializer.registry
        with self._encoding:  # the encoder mode is a flag on the shared registry
            registry._encoder_mode = True
            try:
                dct = self._serializer.to_dict(workflow)
                dct[self._serializer.VERSION_KEY] = self._serializer.VERSION
                return json.dumps(dct, cls=self._serializer._encoder_cls, ensure_ascii=False)
            finally:
                registry._encoder_mode = False

    def load(self, text: str, definition_id: str, subprocesses: list[str]) -> BpmnWorkflow:
        """Rebuild a workflow from ``dump`` output (migrated if an older SpiffWorkflow wrote it)."""
        dct = json.loads(text)
        self._serializer.migrate(dct)
        dct["spec"] = {"typename": SPEC_REF, "definition_id": definition_id}
        dct["subprocess_specs"] = {name: {"typename": SPEC_REF, "definition_id": definition_id, "name": name}
                                   for name in subprocesses}
        return self._serializer.from_dict(dct)
