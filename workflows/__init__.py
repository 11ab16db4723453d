"""The document-routing plugin: directives of a provincial People's Committee.

It gives the engine the forms, the service handlers, the assignment rules
and the read model of the directive lifecycle drawn in ``bpmn/``.
"""
from __future__ import annotations

import json
from importlib import resources

from engine import Plugin

from .checks import form_checks
from .email_delivery import send_email
from .handlers import lifecycle_handlers
from .notifications import EMAIL
from .projections import on_instance_changed
from .signing import signing_group
from .tracking import REQUEST_MESSAGES, Tracking, TrackingSettings


def load_forms() -> dict[str, dict]:
    """The JSON Schemas shipped in ``workflows/forms``, by form key (the file name)."""
    folder = resources.files("workflows").joinpath("forms")
    return {
        entry.name.removesuffix(".json"): json.loads(entry.read_text("utf-8"))
        for entry in folder.iterdir() if entry.name.endswith(".json")
    }


def directive_plugin(settings: TrackingSettings | None = None) -> Plugin:
    """The plugin instance the application registers with the engine."""
    tracking = Tracking(settings or TrackingSettings())
    return Plugin(
        name="directive",
        handlers={**lifecycle_handlers(tracking), **tracking.handlers()},
        forms=load_forms(),
        form_checks=form_checks(tracking),
        functions={"signing_group": signing_group},
        messages=REQUEST_MESSAGES,
        identity_variables=frozenset({"initiator", "tracker"}),
        listeners=[on_instance_changed],
        job_handlers={EMAIL: send_email(tracking.settings.mailer)},
    )
