"""A small BPMN engine on SpiffWorkflow: versioned definitions, persisted instances,
human tasks, timers and jobs, history. It knows no document types; plugins add those."""
from .calendar import BusinessCalendar, CalendarDay, load_calendar
from .clock import Clock
from .db import Base, Database
from .errors import Conflict, DefinitionError, EngineError, ExecutionError, Forbidden, InvalidInput, NotFound
from .identity import SYSTEM, Actor, User
from .jobs import Job, Worker
from .plugin import FormContext, MessageForm, Plugin, ServiceContext
from .runtime import Engine

__all__ = [
    "Actor", "Base", "BusinessCalendar", "CalendarDay", "Clock", "Conflict", "Database", "DefinitionError",
    "Engine", "EngineError", "ExecutionError", "Forbidden", "FormContext", "InvalidInput", "Job", "MessageForm",
    "NotFound", "Plugin", "SYSTEM", "ServiceContext", "User", "Worker", "load_calendar",
]
