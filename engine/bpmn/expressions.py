"""Expressions in BPMN attributes: Camunda's ``${...}`` over process variables.

Camunda writes expressions in JUEL (``${decision == 'approve' && !late}``).
We translate the few JUEL operators that differ into their Python spelling,
so a model drawn in Camunda Modeler and one of ours read the same, and a bare
expression without ``${}`` reads as in SpiffWorkflow's own models. Nothing is
run as Python: the safe evaluator (``safe_eval``) interprets a small language
of literals, variables, operators and registered functions. Script tasks are
refused.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from .safe_eval import MAX_BUILT, ExpressionFailed, ExpressionRefused, SafeEvaluator, compile_script

_EXPR = re.compile(r"[$#]\{([^{}]*)\}")
_STRING = re.compile(r"('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")")
_JUEL_WORDS = [
    (re.compile(r"&&"), " and "),
    (re.compile(r"\|\|"), " or "),
    (re.compile(r"!(?!=)"), " not "),
    (re.compile(r"\beq\b"), "=="),
    (re.compile(r"\bne\b"), "!="),
    (re.compile(r"\blt\b"), "<"),
    (re.compile(r"\bgt\b"), ">"),
    (re.compile(r"\ble\b"), "<="),
    (re.compile(r"\bge\b"), ">="),
    (re.compile(r"\bempty\s+"), "not "),
    (re.compile(r"\bnull\b"), "None"),
    (re.compile(r"\btrue\b"), "True"),
    (re.compile(r"\bfalse\b"), "False"),
]


def juel_to_python(expression: str) -> str:
    """Translate a JUEL expression body (or a whole ``${...}``) into Python.

    String literals are left untouched; only operators outside them change.
    """
    text = expression.strip()
    whole = _EXPR.fullmatch(text)
    if whole:
        text = whole.group(1).strip()
    parts = _STRING.split(text)
    for i in range(0, len(parts), 2):  # even indexes are outside string literals
        for pattern, replacement in _JUEL_WORDS:
            parts[i] = pattern.sub(replacement, parts[i])
    return "".join(parts).strip()


def is_expression(text: str | None) -> bool:
    """True when ``text`` contains a ``${...}`` expression."""
    return bool(text) and _EXPR.search(text) is not None


def expression_bodies(text: str) -> list[str]:
    """The Python bodies of every ``${...}`` in ``text`` (for validation)."""
    return [juel_to_python(m.group(1)) for m in _EXPR.finditer(text)]


def data_objects(task) -> dict[str, Any]:
    """The data objects of the instance a task belongs to (process-wide variables)."""
    return dict(getattr(task.workflow.top_workflow, "data_objects", None) or {})


class SafeEnvironment(BasePythonScriptEngineEnvironment):
    """Where SpiffWorkflow evaluates expressions: the safe evaluator over the task's data, never eval."""

    def __init__(self, functions: dict[str, Callable[..., Any]] | None = None):
        super().__init__(dict(functions or {}))
        self.evaluator = SafeEvaluator(self.globals)

    def evaluate(self, expression, context, external_context=None):
        return self.evaluator.evaluate(juel_to_python(expression), {**(external_context or {}), **context})

    def execute(self, script, context, external_context=None):
        """A script task (one an administrator allowed at deployment): its assignments, in the safe
        language, set the task's variables; no Python is run."""
        context.update(self.evaluator.run_script(script, {**(external_context or {}), **context}))
        return True

    def call_service(self, context, **kwargs):
        raise ExpressionRefused("Tác vụ dịch vụ phải gọi một bộ xử lý đã đăng ký (chidao:handler).")


class ExpressionEngine(PythonScriptEngine):
    """SpiffWorkflow's script engine on the safe evaluator, reading Camunda expressions too.

    ``functions`` are the names every expression may call (a plugin's assignment rules, for example).
    """

    def __init__(self, functions: dict[str, Callable[..., Any]] | None = None):
        super().__init__(environment=SafeEnvironment(functions))

    def validate(self, expression):
        """Refuse (``ExpressionRefused``) what the safe evaluator would not run."""
        self.environment.evaluator.compile(juel_to_python(expression))

    def compile(self, expression: str) -> None:
        """Check one expression (JUEL or Python spelling) at deployment; raises ``ExpressionRefused``."""
        self.validate(expression)

    def compile_script(self, script: str) -> None:
        """Check a script task's script at deployment; raises ``ExpressionRefused`` naming the line."""
        compile_script(script, self.environment.evaluator.registered)

    def evaluate(self, task, expression, external_context=None):
        """Evaluate against the task's data; the instance's data objects are visible too."""
        scope = {**data_objects(task), **(external_context or {})}
        return super().evaluate(task, expression, scope)

    def evaluate_in(self, data: dict[str, Any], expression: str) -> Any:
        """Evaluate ``expression`` against ``data`` (a task's variables)."""
        return self.environment.evaluate(expression, dict(data))

    def render(self, template: str, data: dict[str, Any]) -> Any:
        """Resolve an attribute value that may hold expressions.

        A value that is exactly one ``${...}`` returns the expression's own
        value (a list stays a list); otherwise each ``${...}`` is replaced by
        its text, as in ``${lead}:official``.
        """
        text = template.strip()
        if _EXPR.fullmatch(text):
            return self.evaluate_in(data, text)
        pieces, length, end = [], 0, 0
        for match in _EXPR.finditer(text):
            value = str(self.evaluate_in(data, match.group(1)))
            pieces += [text[end:match.start()], value]
            length += match.start() - end + len(value)
            end = match.end()
            if length > MAX_BUILT:  # many pieces, each within bounds, must not add up to anything
                raise ExpressionFailed(f"kết quả quá dài (hơn {MAX_BUILT} ký tự)")
        return "".join(pieces) + text[end:]

    def render_list(self, template: str | None, data: dict[str, Any]) -> list[str]:
        """Resolve a comma-separated attribute (candidate groups) into a list of names."""
        if not template or not template.strip():
            return []
        names: list[str] = []
        for piece in _split_top_level(template):
            value = self.render(piece, data)
            if value is None:
                continue
            if isinstance(value, (list, tuple, set)):
                names.extend(str(v).strip() for v in value if v is not None and str(v).strip())
            else:
                names.extend(v.strip() for v in str(value).split(",") if v.strip())
        return list(dict.fromkeys(names))


def _split_top_level(text: str) -> list[str]:
    """Split on commas that are not inside ``${...}``."""
    pieces, depth, current = [], 0, []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch in "$#" and text[i + 1:i + 2] == "{":
            depth += 1
            current.append(text[i:i + 2])
            i += 2
            continue
        if ch == "}" and depth:
            depth -= 1
        if ch == "," and not depth:
            pieces.append("".join(current))
            current = []
        else:
            current.append(ch)
        i += 1
    pieces.append("".join(current))
    return [p.strip() for p in pieces if p.strip()]
