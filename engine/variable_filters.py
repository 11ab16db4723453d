"""Camunda's variable conditions (``name operator value``) checked against an instance's variables.

Variables live in the workflow's state, not in columns, so the conditions are checked in Python
against the variables the engine reads for an instance. A condition holds only for a variable of
that name whose value is of a comparable kind (text with text, a number with a number, a boolean
with a boolean, null with eq/neq), as Camunda compares a typed value with the stored value of the
same type.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

OPERATORS = ("eq", "neq", "gt", "gteq", "lt", "lteq", "like", "notLike")
ORDERED = {"gt": lambda a, b: a > b, "gteq": lambda a, b: a >= b, "lt": lambda a, b: a < b,
           "lteq": lambda a, b: a <= b}


@dataclass(frozen=True)
class VariableCondition:
    """One condition: the variable ``name`` compared with ``value`` by ``operator`` (one of OPERATORS)."""

    name: str
    operator: str
    value: Any


def sql_like(pattern: Any) -> Any:
    """A LIKE pattern every database accepts: a trailing ``\\`` that escapes nothing stands for itself
    (PostgreSQL refuses a pattern ending in its escape character). Anything but text is left as it is."""
    if not isinstance(pattern, str):
        return pattern
    trailing = len(pattern) - len(pattern.rstrip("\\"))
    return pattern + "\\" if trailing % 2 else pattern


def like_pattern(pattern: str, ignore_case: bool = False) -> re.Pattern:
    """A SQL LIKE pattern (``%`` any text, ``_`` one character, ``\\`` escapes) as a regular expression."""
    parts, escaped = [], False
    for char in pattern:
        if escaped:
            parts.append(re.escape(char))
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "%":
            parts.append(".*")
        elif char == "_":
            parts.append(".")
        else:
            parts.append(re.escape(char))
    if escaped:  # a trailing escape stands for itself, as in ``sql_like``
        parts.append(re.escape("\\"))
    return re.compile("".join(parts), re.DOTALL | (re.IGNORECASE if ignore_case else 0))


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "text"
    return "other"


def _holds(condition: VariableCondition, actual: Any, values_ignore_case: bool) -> bool:
    wanted, op = condition.value, condition.operator
    if _kind(wanted) == "null":
        return (actual is None) if op == "eq" else (actual is not None) if op == "neq" else False
    if _kind(actual) != _kind(wanted) or _kind(wanted) == "other":
        return False
    if isinstance(wanted, str) and values_ignore_case:
        wanted, actual = wanted.lower(), actual.lower()
    if op in ("like", "notLike"):
        if not isinstance(wanted, str):
            return False
        found = like_pattern(wanted).fullmatch(actual) is not None
        return found if op == "like" else not found
    if op in ORDERED:
        return _kind(wanted) != "boolean" and ORDERED[op](actual, wanted)
    return (actual == wanted) if op == "eq" else (actual != wanted)


def variables_match(variables: Mapping[str, Any], conditions: Iterable[VariableCondition],
                    names_ignore_case: bool = False, values_ignore_case: bool = False) -> bool:
    """Whether every condition holds for some variable of its name (all conditions AND-ed, as Camunda does)."""
    for condition in conditions:
        if names_ignore_case:
            candidates = [v for k, v in variables.items() if k.lower() == condition.name.lower()]
        else:
            candidates = [variables[condition.name]] if condition.name in variables else []
        if not any(_holds(condition, actual, values_ignore_case) for actual in candidates):
            return False
    return True
