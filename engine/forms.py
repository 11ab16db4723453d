"""Validation of submitted form data against a task's JSON Schema.

Every error is keyed by the field's dotted path (``tasks.0.deadline``) and
says in a sentence, using the field's title, what is wrong. ``readOnly``
fields are shown to the user but never taken from a submission: a value that
differs from the stored one is reported as tampering.
"""
from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError

_FORMAT_CHECKER = FormatChecker()


def field_path(parts) -> str:
    """Dotted path of a field from jsonschema's path parts."""
    return ".".join(str(p) for p in parts)


def _title(schema: dict[str, Any], path: list[Any]) -> str:
    node, label = schema, None
    for part in path:
        if isinstance(part, int):
            node = node.get("items", {})
            continue
        node = node.get("properties", {}).get(part, {})
        label = node.get("title", part)
    return label or "Biểu mẫu"


def _sentence(error: ValidationError, schema: dict[str, Any]) -> tuple[str, str]:
    path = list(error.absolute_path)
    v = error.validator
    if v == "required":
        missing = error.message.split("'")[1]
        path = path + [missing]
        return field_path(path), f"Trường «{_title(schema, path)}» là bắt buộc."
    title = _title(schema, path)
    if v == "additionalProperties":
        extra = ", ".join(sorted(set(error.instance) - set(error.schema.get("properties", {}))))
        return field_path(path) or extra, f"Biểu mẫu có trường không được phép: {extra}."
    messages = {
        "minLength": f"Trường «{title}» không được để trống." if error.validator_value == 1
        else f"Trường «{title}» cần ít nhất {error.validator_value} ký tự.",
        "maxLength": f"Trường «{title}» dài quá {error.validator_value} ký tự.",
        "minItems": f"Trường «{title}» cần ít nhất {error.validator_value} mục.",
        "maxItems": f"Trường «{title}» có quá {error.validator_value} mục.",
        "enum": f"Giá trị của «{title}» không nằm trong danh sách cho phép.",
        "const": f"Giá trị của «{title}» không được phép.",
        "type": f"Trường «{title}» có kiểu dữ liệu không đúng.",
        "format": f"Trường «{title}» không phải một ngày có thật (ví dụ 15/04/2027)."
        if error.validator_value == "date" else f"Trường «{title}» không đúng định dạng.",
        "pattern": f"Trường «{title}» không đúng mẫu quy định.",
        "minimum": f"Trường «{title}» phải từ {error.validator_value} trở lên.",
        "maximum": f"Trường «{title}» không được vượt quá {error.validator_value}.",
        "uniqueItems": f"Trường «{title}» có mục bị trùng.",
    }
    return field_path(path), messages.get(v, f"Trường «{title}»: {error.message}")


def read_only_paths(schema: dict[str, Any], prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Paths of the properties marked ``readOnly``, looking into nested objects."""
    paths = []
    for name, prop in schema.get("properties", {}).items():
        if prop.get("readOnly"):
            paths.append(prefix + (name,))
        elif prop.get("type") == "object":
            paths.extend(read_only_paths(prop, prefix + (name,)))
    return paths


_MISSING = object()


def _get(data: Any, path: tuple[str, ...]) -> Any:
    for part in path:
        if not isinstance(data, dict) or part not in data:
            return _MISSING
        data = data[part]
    return data


def validate_submission(schema: dict[str, Any], data: dict[str, Any],
                        current: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Check ``data`` against ``schema``; return (data to apply, errors by field path).

    ``current`` holds the task's variables. A ``readOnly`` field keeps its
    stored value whatever was submitted; a submitted value that differs is
    reported as an error on that field.
    """
    errors: dict[str, str] = {}
    to_apply = copy.deepcopy(data)
    for path in read_only_paths(schema):
        submitted, stored = _get(data, path), _get(current, path)
        if submitted is not _MISSING and submitted != (None if stored is _MISSING else stored):
            errors[".".join(path)] = (f"Trường «{_title(schema, list(path))}» chỉ để xem và không được sửa; "
                                      "giá trị gửi lên đã bị thay đổi.")
        parent = _get(to_apply, path[:-1])
        if isinstance(parent, dict):
            if stored is _MISSING:
                parent.pop(path[-1], None)
            else:
                parent[path[-1]] = copy.deepcopy(stored)
    _add_schema_errors(errors, schema, schema, to_apply)
    return to_apply, errors


def _add_schema_errors(errors: dict[str, str], schema: dict[str, Any], checked_by: dict[str, Any],
                       data: dict[str, Any], skip: Callable[[ValidationError], bool] = lambda _: False) -> None:
    """Add to ``errors`` a sentence per field ``data`` breaks under ``checked_by`` (titles from ``schema``)."""
    validator = Draft202012Validator(checked_by, format_checker=_FORMAT_CHECKER)
    for error in sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path)):
        if not skip(error):
            path, message = _sentence(error, schema)
            errors.setdefault(path, message)


def validate_start(schema: dict[str, Any], data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Check the variables a start carries against the process's start form.

    A start only fills the form in ahead (its ``required`` fields are asked
    when the form is submitted at its step), so each variable must be one of
    the form's fields, must not be ``readOnly`` and must be valid by its own
    rules. Fields left out take their ``default``. Returns (variables, errors).
    """
    properties = schema.get("properties", {})
    errors = {name: f"«{name}» không phải một trường của biểu mẫu khởi tạo; không khởi tạo phiên với biến này."
              for name in data if name not in properties}
    errors.update({name: f"Trường «{_title(schema, [name])}» do quy trình đặt, không nhận từ người khởi tạo."
                   for name in data if properties.get(name, {}).get("readOnly")})
    prefill = {key: value for key, value in schema.items() if key != "required"}
    _add_schema_errors(errors, schema, prefill, data,  # unknown fields are named one by one above
                       skip=lambda e: e.validator == "additionalProperties" and not e.absolute_path)
    defaults = {name: copy.deepcopy(prop["default"]) for name, prop in properties.items()
                if name not in data and "default" in prop and not prop.get("readOnly")}
    return {**defaults, **copy.deepcopy(data)}, errors
