"""Reading a request the way Camunda does: JSON bodies, paging, booleans, who is asking."""
from __future__ import annotations

from typing import Any

from flask import g, request

from engine import Actor
from workflows.queries import sees_province

from . import RestError

LARGEST = 2 ** 31 - 1  # what a database INTEGER holds


def body() -> dict[str, Any]:
    """The JSON object of the request body ({} when empty); 400 for a form, or when it is not JSON or not
    an object."""
    if request.form or request.files:
        raise RestError(400, "The request body must be JSON (Content-Type: application/json), not a form.")
    if not request.get_data():
        return {}
    data = request.get_json(silent=True)
    if data is None:
        raise RestError(400, "The request body is not valid JSON.")
    if not isinstance(data, dict):
        raise RestError(400, "The request body must be a JSON object.")
    return data


def text(source: dict, name: str) -> str | None:
    """A string parameter (query or JSON body); 400 naming it when it is something else."""
    value = source.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise RestError(400, f"Parameter '{name}' must be a string.")
    return value


def texts(source: dict, name: str) -> list[str]:
    """A list of strings, given as a JSON list or as comma-separated text."""
    value = source.get(name)
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [v for v in value.split(",") if v]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    raise RestError(400, f"Parameter '{name}' must be a list of strings.")


def integer(name: str, source: dict | None = None) -> int | None:
    value = (source if source is not None else request.args).get(name)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise RestError(400, f"Parameter '{name}' must be a number.")
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise RestError(400, f"Cannot set query parameter '{name}' to value '{value}': not a number.") from None
    if not 0 <= number <= LARGEST:
        raise RestError(400, f"Query parameter '{name}' must be a number from 0 to {LARGEST}.")
    return number


def flag(name: str, source: dict | None = None) -> bool:
    value = (source if source is not None else request.args).get(name)
    if isinstance(value, bool):
        return value
    if value is None or value == "":
        return False
    if str(value).lower() not in ("true", "false"):
        raise RestError(400, f"Cannot set query parameter '{name}' to value '{value}': expected true or false.")
    return str(value).lower() == "true"


def paged(rows: list, source: dict | None = None) -> list:
    """``firstResult``/``maxResults`` applied to a list."""
    first = integer("firstResult", source) or 0
    most = integer("maxResults", source)
    return rows[first:] if most is None else rows[first:first + most]


def sort_order(source: dict | None = None) -> bool:
    """True for descending; 400 on anything but asc/desc."""
    order = (source if source is not None else request.args).get("sortOrder")
    if order is None or order in ("", "asc"):
        return False
    if order == "desc":
        return True
    raise RestError(400, f"Cannot set query parameter 'sortOrder' to value '{order}': expected asc or desc.")


def me() -> Actor:
    """The authenticated caller."""
    return g.rest_user


def sees_everything(actor: Actor) -> bool:
    """Process admins, auditors and the provincial Office and leadership see every instance."""
    return sees_province(actor)


def found(session, model, key: str, message: str):
    """The row of ``model`` with primary key ``key``; 404 with ``message`` when there is none."""
    row = session.get(model, key)
    if row is None:
        raise RestError(404, message)
    return row


def retries_of(data: dict[str, Any]) -> int:
    """The ``retries`` of a request body: a number, 0 or more."""
    retries = data.get("retries")
    if retries is None:
        raise RestError(400, "'retries' is required.")
    if isinstance(retries, bool) or not isinstance(retries, int) or not 0 <= retries <= LARGEST:
        raise RestError(400, f"'retries' must be a number from 0 to {LARGEST}.")
    return retries


def admin() -> Actor:
    """The caller, who must be a process admin."""
    actor = me()
    require_admin(actor)
    return actor


def require_admin(actor: Actor) -> None:
    if actor.read_only:
        raise RestError(403, "Tài khoản kiểm tra chỉ được xem, không được thay đổi dữ liệu.")
    if "admin" not in actor.roles:
        raise RestError(403, "Chỉ quản trị quy trình được thực hiện thao tác này.")


def refuse_unsupported(data: dict, known: set[str], unsupported: dict[str, str], where: str) -> None:
    """400 naming a parameter of a body that is unknown, or asks for something this engine does not do."""
    for key, value in data.items():
        if key not in known:
            raise RestError(400, f"{where}: unknown parameter '{key}'.")
        if key in unsupported and value not in (None, False, [], {}, ""):
            raise RestError(400, f"{where}: '{key}' is not supported: {unsupported[key]}.")
