"""Camunda's typed variables and dates, both ways.

A variable travels as ``{"value": ..., "type": "String", "valueInfo": {}}``; dates as
``2026-11-25T09:00:00.000+0700``. Values are kept here as JSON values: a ``Json`` or JSON
``Object`` variable is stored parsed, a ``Date`` as ISO 8601 text.
"""
from __future__ import annotations

import json
import math
from datetime import date, datetime
from typing import Any

from engine.clock import LOCAL_TZ, STORABLE_YEARS, to_local

from ..input_guard import MAX_JSON_DEPTH, decoded_json_problem
from . import RestError

INT_MIN, INT_MAX = -(2 ** 31), 2 ** 31 - 1
CAMUNDA_DATE = "%Y-%m-%dT%H:%M:%S.%f%z"


def camunda_date(moment: datetime | None) -> str | None:
    """A moment as Camunda writes it: milliseconds and a ``+0700`` offset."""
    if moment is None:
        return None
    local = to_local(moment)
    return local.strftime("%Y-%m-%dT%H:%M:%S.") + f"{local.microsecond // 1000:03d}" + local.strftime("%z")


def parse_date(text: str, name: str) -> datetime:
    """A date parameter in Camunda's format (or ISO 8601); 400 naming the parameter otherwise."""
    for attempt in (lambda: datetime.strptime(text, CAMUNDA_DATE), lambda: datetime.fromisoformat(text)):
        try:
            moment = attempt()
        except ValueError:
            continue
        moment = moment if moment.tzinfo else moment.replace(tzinfo=LOCAL_TZ)
        if not STORABLE_YEARS[0] <= moment.year <= STORABLE_YEARS[1]:
            raise RestError(400, f"Cannot use value '{text}' of parameter '{name}': the year must be between "
                                 f"{STORABLE_YEARS[0]} and {STORABLE_YEARS[1]}.")
        return moment
    raise RestError(400, f"Cannot convert value '{text}' of parameter '{name}' to a date "
                         "(expected yyyy-MM-dd'T'HH:mm:ss.SSSZ).")


def typed(value: Any) -> dict[str, Any]:
    """A value as a Camunda typed variable."""
    if value is None:
        return {"value": None, "type": "Null", "valueInfo": {}}
    if isinstance(value, bool):
        return {"value": value, "type": "Boolean", "valueInfo": {}}
    if isinstance(value, int):
        return {"value": value, "type": "Integer" if INT_MIN <= value <= INT_MAX else "Long", "valueInfo": {}}
    if isinstance(value, float):
        return {"value": value, "type": "Double", "valueInfo": {}}
    if isinstance(value, str):
        return {"value": value, "type": "String", "valueInfo": {}}
    if isinstance(value, datetime | date):
        return {"value": camunda_date(value if isinstance(value, datetime)
                                      else datetime(value.year, value.month, value.day, tzinfo=LOCAL_TZ)),
                "type": "Date", "valueInfo": {}}
    return {"value": json.dumps(value, ensure_ascii=False, default=str), "type": "Json", "valueInfo": {}}


def typed_all(variables: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: typed(value) for name, value in variables.items()}


def _number(name: str, value: Any, kind: str, low: float, high: float) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise RestError(400, f"Cannot convert value '{value}' of variable '{name}' to type {kind}.")
    try:
        number = int(value)
    except ValueError:
        raise RestError(400, f"Cannot convert value '{value}' of variable '{name}' to type {kind}.") from None
    if not low <= number <= high:
        raise RestError(400, f"Value '{value}' of variable '{name}' is out of range for type {kind}.")
    return number


def untyped(name: str, variable: Any) -> Any:
    """A value from a Camunda typed variable; 400 naming the variable when it does not fit its type."""
    if not isinstance(variable, dict):
        raise RestError(400, f"Variable '{name}' must be an object with 'value' and 'type'.")
    value, kind = variable.get("value"), variable.get("type") or ""
    if not isinstance(kind, str):
        raise RestError(400, f"The 'type' of variable '{name}' must be a string such as \"String\".")
    kind = kind.strip()
    if not kind:
        return value  # Camunda infers the type from the JSON value
    key = kind.lower()
    if value is None or key == "null":
        return None
    if key == "string":
        if not isinstance(value, str):
            raise RestError(400, f"Cannot convert value '{value}' of variable '{name}' to type String.")
        return value
    if key == "boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise RestError(400, f"Cannot convert value '{value}' of variable '{name}' to type Boolean.")
    if key in ("integer", "short"):
        return _number(name, value, kind, INT_MIN if key == "integer" else -(2 ** 15),
                       INT_MAX if key == "integer" else 2 ** 15 - 1)
    if key == "long":
        return _number(name, value, kind, -(2 ** 63), 2 ** 63 - 1)
    if key == "double":
        if isinstance(value, bool):
            raise RestError(400, f"Cannot convert value '{value}' of variable '{name}' to type Double.")
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise RestError(400, f"Cannot convert value '{value}' of variable '{name}' to type Double.") from None
        if not math.isfinite(number):
            raise RestError(400, f"Value '{value}' of variable '{name}' is not a finite number.")
        return number
    if key == "date":
        return parse_date(str(value), name).isoformat()
    if key in ("json", "object"):
        info = variable.get("valueInfo") or {}
        if not isinstance(info, dict):
            raise RestError(400, f"The 'valueInfo' of variable '{name}' must be an object.")
        if key == "object" and info.get("serializationDataFormat", "application/json") != "application/json":
            raise RestError(400, f"Variable '{name}': only JSON-serialized objects are supported.")
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except json.JSONDecodeError as exc:
                raise RestError(400, f"Variable '{name}' is not valid JSON: {exc.msg}.") from None
            except RecursionError:  # deeper than Python's own parser goes
                raise RestError(400, f"Variable '{name}' cannot be kept: '{name}' nests more than "
                                     f"{MAX_JSON_DEPTH} levels deep.") from None
            problem = decoded_json_problem(value, name)
            if problem:
                raise RestError(400, f"Variable '{name}' cannot be kept: {problem}")
        return value
    raise RestError(400, f"Unsupported value type '{kind}' of variable '{name}'.")


def untyped_all(variables: Any) -> dict[str, Any]:
    """Every variable of a request body's ``variables`` object."""
    if variables is None:
        return {}
    if not isinstance(variables, dict):
        raise RestError(400, "'variables' must be an object of typed variables.")
    return {name: untyped(name, variable) for name, variable in variables.items()}
