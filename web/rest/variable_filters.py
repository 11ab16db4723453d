"""Camunda's variable query parameters (``variables``, ``processVariables``): read from a request and
applied to rows through the variables of their process instances.

In a query string a parameter is a comma-separated list of ``name_operator_value`` (name and value
may hold neither ``_`` nor ``,``; the value is text, as Camunda treats it); in a JSON body it is a
list of ``{"name", "operator", "value"}`` objects with typed values.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from engine.models import ProcessInstance
from engine.variable_filters import OPERATORS, VariableCondition, variables_match

from ..services import services
from . import RestError
from .params import flag

Row = TypeVar("Row")


def _operator(name: str, operator: Any, value: Any) -> str:
    if operator not in OPERATORS:
        raise RestError(400, f"Invalid variable comparison operator '{operator}' in parameter '{name}' "
                             f"(value '{value}'); expected one of {', '.join(OPERATORS)}.")
    return operator


def variable_conditions(args: dict[str, Any], name: str) -> list[VariableCondition]:
    """The conditions of parameter ``name``; 400 naming it and the value when one is malformed."""
    value = args.get(name)
    if value is None or value == "":
        return []
    if isinstance(value, str):
        found = []
        for expression in value.split(","):
            parts = expression.split("_")
            if len(parts) != 3 or not all(parts):
                raise RestError(400, f"Cannot set query parameter '{name}' to value '{expression}': a variable "
                                     "query parameter has to have the format KEY_OPERATOR_VALUE.")
            found.append(VariableCondition(parts[0], _operator(name, parts[1], expression), parts[2]))
        return found
    if isinstance(value, list) and all(isinstance(item, dict) for item in value):
        found = []
        for item in value:
            if set(item) - {"name", "operator", "value"} or not isinstance(item.get("name"), str) \
                    or not item["name"]:
                raise RestError(400, f"Parameter '{name}' must be a list of {{name, operator, value}} objects; "
                                     f"got {item}.")
            if isinstance(item.get("value"), dict | list):
                raise RestError(400, f"Parameter '{name}': the value of variable '{item['name']}' must be text, "
                                     "a number, a boolean or null.")
            found.append(VariableCondition(item["name"], _operator(name, item.get("operator"), item),
                                           item.get("value")))
        return found
    raise RestError(400, f"Parameter '{name}' must be KEY_OPERATOR_VALUE text or a list of "
                         "{name, operator, value} objects.")


def matching_variables(session, rows: Iterable[Row], instance_of: Callable[[Row], str | None],
                       conditions: list[VariableCondition], args: dict[str, Any]) -> list[Row]:
    """The rows whose process instance's variables meet every condition (all rows when there are none),
    honouring ``variableNamesIgnoreCase`` and ``variableValuesIgnoreCase``."""
    rows = list(rows)
    if not conditions:
        return rows
    names, values = flag("variableNamesIgnoreCase", args), flag("variableValuesIgnoreCase", args)
    engine, verdicts = services().engine, {}
    kept = []
    for row in rows:
        instance_id = instance_of(row)
        if instance_id not in verdicts:
            instance = session.get(ProcessInstance, instance_id) if instance_id else None
            verdicts[instance_id] = instance is not None and variables_match(
                engine.variables(session, instance), conditions, names, values)
        if verdicts[instance_id]:
            kept.append(row)
    return kept
