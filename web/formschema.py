"""Rendering a task's JSON Schema as an HTML form, and reading the form back as JSON.

Inputs are named by the field's dotted path (``tasks.0.deadline``), the same
path the engine uses for its error messages, so each error lands beside its
field. Widgets come from the schema (``enum``, ``format: date``, ``boolean``)
and from ``x-widget`` hints: ``textarea``, ``radio``, ``agencies`` (a picker
over the agency directory), ``signers``, ``files``, ``table`` (an array of
objects edited as rows), ``hidden``.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from werkzeug.datastructures import FileStorage, MultiDict

Options = list[tuple[str, list[tuple[str, str]]]]


@dataclass
class Field:
    """One input of a rendered form."""

    path: str
    title: str
    widget: str
    value: Any = None
    description: str | None = None
    required: bool = False
    read_only: bool = False
    error: str | None = None
    options: Options = field(default_factory=list)
    children: list[Field] = field(default_factory=list)
    rows: list[list[Field]] = field(default_factory=list)
    template: list[Field] = field(default_factory=list)
    source: Any = None


def _types(prop: dict[str, Any]) -> set[str]:
    kind = prop.get("type", "string")
    return set(kind) if isinstance(kind, list) else {kind}


def widget_of(prop: dict[str, Any]) -> str:
    """The widget a property is edited with."""
    if prop.get("x-widget"):
        return prop["x-widget"]
    types = _types(prop)
    if "object" in types:
        return "object"
    if "boolean" in types:
        return "checkbox"
    if "integer" in types or "number" in types:
        return "number"
    if "enum" in prop:
        return "select"
    if prop.get("format") == "date":
        return "date"
    return "text"


def _enum_options(prop: dict[str, Any]) -> Options:
    names = prop.get("x-enumNames") or prop["enum"]
    return [("", list(zip(prop["enum"], names, strict=True)))]


def build_fields(schema: dict[str, Any], values: dict[str, Any], errors: dict[str, str],
                 options_for: Callable[[str], Options], prefix: str = "") -> list[Field]:
    """The fields of ``schema`` filled with ``values`` and ``errors`` (by dotted path)."""
    required = set(schema.get("required", []))
    fields = []
    for name, prop in schema.get("properties", {}).items():
        path = f"{prefix}{name}"
        widget = widget_of(prop)
        f = Field(path=path, title=prop.get("title", name), widget=widget, value=values.get(name),
                  description=prop.get("description"), required=name in required,
                  read_only=bool(prop.get("readOnly")), error=errors.get(path))
        if widget == "object":
            f.children = build_fields(prop, values.get(name) or {}, errors, options_for, f"{path}.")
        elif widget == "table":
            item = prop["items"]
            rows = values.get(name) or [{}]
            f.rows = [build_fields(item, row or {}, errors, options_for, f"{path}.{i}.")
                      for i, row in enumerate(rows)]
            f.template = build_fields(item, {}, {}, options_for, f"{path}.__index__.")
        elif "enum" in prop:
            f.options = _enum_options(prop)
        elif widget in ("agencies", "signers"):
            f.options = options_for(widget)
        fields.append(f)
    return fields


def walk_fields(fields: list[Field]):
    """Every field of a form, depth first: children and table cells included."""
    for f in fields:
        yield f
        yield from walk_fields(f.children)
        for row in f.rows:
            yield from walk_fields(row)


def _row_indexes(form: MultiDict, path: str) -> list[int]:
    pattern = re.compile(rf"^{re.escape(path)}\.(\d+)\.")
    return sorted({int(m.group(1)) for key in form.keys() if (m := pattern.match(key))})


def _scalar(prop: dict[str, Any], raw: str) -> Any:
    types = _types(prop)
    raw = raw.strip()
    if raw == "":
        return None
    if "integer" in types:
        try:
            return int(raw)
        except ValueError:
            return raw  # the schema reports the wrong type with the field's title
    if "number" in types:
        try:
            return float(raw)
        except ValueError:
            return raw
    return raw


def file_ids(schema: dict[str, Any], values: dict[str, Any]) -> set[str]:
    """The attachment ids ``values`` holds in the ``files`` fields of ``schema``."""
    found: set[str] = set()
    for name, prop in schema.get("properties", {}).items():
        value = values.get(name)
        if widget_of(prop) == "files" and isinstance(value, list):
            found.update(v for v in value if isinstance(v, str))
        elif widget_of(prop) == "object" and isinstance(value, dict):
            found |= file_ids(prop, value)
    return found


def read_form(schema: dict[str, Any], form: MultiDict, files: MultiDict,
              store_file: Callable[[FileStorage], str] | None, known_files: set[str],
              prefix: str = "") -> dict[str, Any]:
    """Turn a submitted form back into JSON data shaped by ``schema``.

    Empty inputs are left out (so ``required`` reports them), unless the
    property is nullable, in which case they become ``null``. A ``files``
    field keeps only attachments the task already had (``known_files``)
    and stores new uploads with ``store_file`` (None: new uploads are ignored).
    A table reads at most one row past its ``maxItems``: enough to refuse it,
    without reading and showing again thousands of rows nobody typed.
    """
    data: dict[str, Any] = {}
    for name, prop in schema.get("properties", {}).items():
        path = f"{prefix}{name}"
        widget = widget_of(prop)
        types = _types(prop)
        if widget == "object":
            if any(key.startswith(f"{path}.") for key in form.keys()):
                data[name] = read_form(prop, form, files, store_file, known_files, f"{path}.")
        elif widget == "table":
            rows = []
            indexes = _row_indexes(form, path)
            if "maxItems" in prop:  # one row past the limit is enough for the form to say «too many»
                indexes = indexes[:prop["maxItems"] + 1]
            for index in indexes:
                row = read_form(prop["items"], form, files, store_file, known_files, f"{path}.{index}.")
                if any(v not in (None, "", []) for v in row.values()):
                    rows.append(row)
            data[name] = rows
        elif widget == "files":
            kept = [v for v in form.getlist(path) if v in known_files]
            uploaded = [store_file(f) for f in files.getlist(path) if f and f.filename] if store_file else []
            if kept or uploaded or path in form:
                data[name] = kept + uploaded
        elif "array" in types:
            if path in form or widget == "agencies":
                data[name] = [v.strip() for v in form.getlist(path) if v.strip()]
        elif widget == "checkbox":
            if path in form or not prop.get("readOnly"):
                data[name] = form.get(path) in ("on", "true", "1")
        elif path in form:
            value = _scalar(prop, form.get(path, ""))
            if value is not None or "null" in types:
                data[name] = value
    return data
