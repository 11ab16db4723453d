"""Errors the engine raises; each carries a sentence a person can act on.

The web layer and the REST API map them to HTTP statuses: ``status`` is the
suggested code and ``camunda_type`` the exception name Camunda 7 would report.
"""
from __future__ import annotations


class EngineError(Exception):
    """Base class: ``message`` is shown to the user as it is."""

    status = 500
    camunda_type = "ProcessEngineException"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotFound(EngineError):
    status = 404
    camunda_type = "InvalidRequestException"


class Forbidden(EngineError):
    status = 403
    camunda_type = "AuthorizationException"


class Conflict(EngineError):
    """Another user changed the same thing first (optimistic locking)."""

    status = 409
    camunda_type = "OptimisticLockingException"


class InvalidInput(EngineError):
    """Submitted data is wrong; ``errors`` maps field paths to sentences."""

    status = 400
    camunda_type = "InvalidRequestException"

    def __init__(self, message: str, errors: dict[str, str] | None = None):
        super().__init__(message)
        self.errors = errors or {}


class DefinitionError(EngineError):
    """A file cannot be deployed; ``problems`` are dicts of element_id, element_name, message."""

    status = 400
    camunda_type = "ParseException"

    def __init__(self, message: str, problems: list[dict] | None = None):
        super().__init__(message)
        self.problems = problems or []


class ExecutionError(EngineError):
    """A step of the process failed (an expression or a service handler)."""

    status = 422
    camunda_type = "ProcessEngineException"
