"""Input no field may hold, refused at the edge: a 400 naming the field, before any view or database
sees it. NUL and the other control characters (``engine.characters``) would otherwise surface far
from where they were typed: a 500 on PostgreSQL, a registration that fails on the XML it writes."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask import Flask, abort, request
from flask_babel import gettext as _

from engine.characters import code_point, first_forbidden

NUL = "\x00"


#: How deep a JSON body may nest: Camunda's bodies need four or five levels.
MAX_JSON_DEPTH = 32


class _TooDeep(Exception):
    """A JSON body nested deeper than ``MAX_JSON_DEPTH``, at ``where``."""

    def __init__(self, where: str):
        super().__init__(where)
        self.where = where


def _json_texts(value: Any, where: str, depth: int = 0) -> Iterator[tuple[str, str]]:
    """Every key and string of a JSON document, with the dotted path that names it."""
    if depth > MAX_JSON_DEPTH:
        raise _TooDeep(where)
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for key, item in value.items():
            name = f"{where}.{key}" if where else str(key)
            yield name, str(key)
            yield from _json_texts(item, name, depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _json_texts(item, f"{where}[{index}]", depth + 1)


def decoded_json_problem(value: Any, name: str) -> str | None:
    """Why a JSON value decoded inside a request (a ``Json`` variable's text) cannot be kept: nested too deep
    or holding a forbidden character; None when it can."""
    try:
        for where, text in _json_texts(value, name):
            found = first_forbidden(text)
            if found is not None:
                return f"'{where}' holds a control character that cannot be stored ({code_point(found)})."
    except _TooDeep as deep:
        return f"'{deep.where}' nests more than {MAX_JSON_DEPTH} levels deep."
    return None


def _json_body() -> Any:
    """The request's JSON document (None when it has none or it is not JSON), refusing one too deep to read."""
    try:
        return request.get_json(silent=True)
    except RecursionError:
        raise _TooDeep("body") from None


def _request_texts() -> Iterator[tuple[str, str]]:
    """Every text of the request a view could store or query with, named as the user knows it."""
    yield "URL", request.path
    if request.authorization is not None:
        yield "Authorization", request.authorization.username or ""
        yield "Authorization", request.authorization.password or ""
    for source in (request.args, request.form):
        for key, value in source.items(multi=True):
            yield key, key
            yield key, value
    for key, upload in request.files.items(multi=True):
        yield key, upload.filename or ""
    if request.is_json:
        yield from _json_texts(_json_body(), "")


def forbidden_character() -> tuple[str, str] | None:
    """The first field of the current request holding a forbidden character, and that character."""
    for field, text in _request_texts():
        found = first_forbidden(text) if isinstance(text, str) else None
        if found is not None:
            return field or "body", found
    return None


#: The longest text a query parameter or a ``…Like`` filter may hold (SQLite refuses LIKE patterns over 50,000
#: bytes; nobody searches with a page of text).
MAX_SEARCH_TEXT = 2000


#: Query parameters that carry text searched with LIKE: the pages' ``q`` and Camunda's variable filters.
SEARCHES = {"q", "variables", "processVariables", "taskVariables", "caseInstanceVariables"}


def _searched(key: str) -> bool:
    return key in SEARCHES or key.endswith("Like")


def overlong_search() -> str | None:
    """The first search (``q``, a ``…Like`` filter, a variable filter) of the query or of a JSON body longer
    than ``MAX_SEARCH_TEXT``."""
    for key, value in request.args.items(multi=True):
        if _searched(key) and len(value) > MAX_SEARCH_TEXT:
            return key
    data = _json_body() if request.is_json else None
    if isinstance(data, dict):
        for key, value in data.items():
            if str(key).endswith("Like") and isinstance(value, str) and len(value) > MAX_SEARCH_TEXT:
                return str(key)
            liked = [item for item in value if isinstance(item, dict) and "like" in str(item.get("operator")).lower()
                     and isinstance(item.get("value"), str)] if isinstance(value, list) else []
            if any(len(item["value"]) > MAX_SEARCH_TEXT for item in liked):
                return str(key)
    return None


def register(app: Flask) -> None:
    """Refuse every request holding a NUL or another control character, naming the field, and every search
    longer than ``MAX_SEARCH_TEXT``."""

    @app.before_request
    def _refuse_control_characters() -> None:
        try:
            found = forbidden_character()
        except _TooDeep as deep:
            abort(400, _("Nội dung JSON lồng nhau quá %(depth)d tầng ở «%(field)s»; không đọc được.",
                         depth=MAX_JSON_DEPTH, field=deep.where or "body"))
        if found is None:
            return
        field, character = found
        if character == NUL:
            abort(400, _("Trường «%(field)s» chứa ký tự NUL (mã 0), không lưu hay tìm được; hãy xóa ký tự đó "
                         "rồi gửi lại.", field=field))
        abort(400, _("Trường «%(field)s» chứa ký tự điều khiển không in được (%(code)s), không lưu được; hãy xóa "
                     "ký tự đó (thường do sao chép từ tệp khác) rồi gửi lại.", field=field, code=code_point(character)))

    @app.before_request
    def _refuse_overlong_searches() -> None:
        field = overlong_search()
        if field is not None:
            abort(400, _("Tham số «%(field)s» dài quá %(limit)s ký tự; hãy tìm bằng ít chữ hơn.", field=field,
                         limit=MAX_SEARCH_TEXT))
