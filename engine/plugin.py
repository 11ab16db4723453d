"""The one small interface through which a plugin extends the engine.

The engine knows no document types. A plugin gives it:

* ``handlers``: service-task handlers by name (``chidao:handler="name"``);
* ``forms``: JSON Schemas by form key, validated on every completion;
* ``form_checks``: extra checks a schema cannot express (cross-field rules);
* ``functions``: callables available in expressions (assignment rules);
* ``messages``: what a message its processes catch must carry, and who sent it;
* ``identity_variables``: variables that say who did something, never taken from a request;
* ``on_instance_changed``: called once per changed instance at the end of a
  command, so the plugin can keep its own read model in step.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from .calendar import BusinessCalendar
    from .identity import Actor
    from .models import ProcessInstance


@dataclass
class ServiceContext:
    """What a service-task handler may use: the session, the variables, who and when."""

    session: Session
    instance: ProcessInstance
    element_id: str
    variables: dict[str, Any]
    actor: Actor
    now: datetime
    calendar: BusinessCalendar
    properties: dict[str, str] = field(default_factory=dict)  # the element's camunda:properties


@dataclass
class FormContext:
    """What a form check may look at: the task, the instance's variables, who and when."""

    session: Session
    form_key: str
    element_id: str
    variables: dict[str, Any]
    actor: Actor
    now: datetime


@dataclass(frozen=True)
class MessageForm:
    """The form a message's variables are checked against, and where the engine notes its sender.

    The engine sets ``{sender}_by`` (the caller) and ``{sender}_at`` (now) itself; a message that
    carries either is refused, whoever sends it."""

    form_key: str
    sender: str

    def sender_variables(self) -> tuple[str, str]:
        """The two variable names the engine owns for this message."""
        return f"{self.sender}_by", f"{self.sender}_at"


Handler = Callable[[ServiceContext], "dict[str, Any] | None"]
FormCheck = Callable[[FormContext, dict[str, Any]], "dict[str, str]"]


class InstanceListener(Protocol):
    def __call__(self, session: Session, instance: ProcessInstance, variables: dict[str, Any]) -> None: ...


@dataclass
class Plugin:
    """A bundle of what one document type adds to the engine."""

    name: str
    handlers: dict[str, Handler] = field(default_factory=dict)
    forms: dict[str, dict[str, Any]] = field(default_factory=dict)
    form_checks: dict[str, FormCheck] = field(default_factory=dict)
    functions: dict[str, Callable[..., Any]] = field(default_factory=dict)
    messages: dict[str, MessageForm] = field(default_factory=dict)
    #: Variables that record who did something (the drafter, the tracker): only the engine and the plugin's
    #: handlers set them; a request that names one is refused.
    identity_variables: frozenset[str] = frozenset()
    listeners: list[InstanceListener] = field(default_factory=list)
    #: By job kind; a handler may return work to do after its job's commit (``engine.jobs.AfterCommit``).
    job_handlers: dict[str, Callable[[Session, Any], Any]] = field(default_factory=dict)

    def on_instance_changed(self, session: Session, instance: ProcessInstance, variables: dict[str, Any]) -> None:
        """Tell every listener that ``instance`` changed in this command."""
        for listener in self.listeners:
            listener(session, instance, variables)
