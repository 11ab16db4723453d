"""The Camunda query parameters of list and count endpoints: which an endpoint applies, which it refuses
by name, and applying the simple ones (a column or a field compared with the parameter's value).

Rule: a parameter an endpoint accepts is applied as Camunda's reference says; a Camunda parameter it
cannot honour is refused with a 400 naming it; an unknown parameter is refused with a 400 naming it.
No filter that was asked for is ever dropped.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import request
from sqlalchemy import false, func, true

from engine.variable_filters import like_pattern, sql_like

from . import RestError
from .params import body, flag, integer, text, texts
from .values import parse_date

PAGING = frozenset({"firstResult", "maxResults"})
SORTING = frozenset({"sortBy", "sortOrder"})
NOT_ASKED = (None, "", False, "false", [])


def query_args() -> dict[str, Any]:
    """The parameters of a query: the query string of a GET, the JSON body of a POST (whose paging
    stays in the query string, as in Camunda)."""
    if request.method == "POST":
        unknown = set(request.args) - PAGING
        if unknown:
            raise RestError(400, f"Unknown query string parameter '{sorted(unknown)[0]}': a POST query takes "
                                 "only firstResult and maxResults in its query string.")
        return body()
    return dict(request.args)


def refuse_unknown(args: Mapping[str, Any], applied: Iterable[str], refused: Mapping[str, str], where: str) -> None:
    """400 naming the first parameter that ``where`` refuses (a Camunda parameter it cannot honour,
    with the reason) or does not know; paging and sorting parameters are always known."""
    posted = request.method == "POST"
    known = set(applied) | SORTING | ({"sorting"} if posted else PAGING)
    for key, value in args.items():
        if posted and key in PAGING:
            raise RestError(400, f"{where}: '{key}' goes in the query string of a POST query, not in its body.")
        if key in refused:
            if value not in NOT_ASKED:
                raise RestError(400, f"{where}: query parameter '{key}' is not supported: {refused[key]}.")
        elif key not in known:
            raise RestError(400, f"{where}: unknown query parameter '{key}'.")


@dataclass(frozen=True)
class Filter:
    """How one parameter narrows rows.

    ``op`` compares ``field`` (a column, or a key of a row dict) with the value: eq, neq, in, notIn,
    like, notLike, lt, gt, lteq, gteq; eqCi, neqCi, likeCi, notLikeCi compare upper-cased. With a
    true flag, ``null``/``notNull`` keep rows whose field is (not) null. ``none``: when asked for,
    no row matches (what no row here can have: a tenant, a case, suspension); ``all``: every row
    matches (checked, then nothing to narrow). ``where``: ``field`` is a function of the value
    giving the SQL condition, or the row predicate.
    ``kind`` says how the value is read: text, list (comma-separated), date, int or flag.
    """

    op: str
    field: Any = None
    kind: str = "text"


def _value(args: Mapping[str, Any], name: str, kind: str) -> Any:
    """The parameter's value read as ``kind``; None when it was not asked for."""
    if kind == "list":
        if name in args and not texts(args, name):
            raise RestError(400, f"Query parameter '{name}' names no value: give one or more, or leave it out.")
        return texts(args, name) or None
    if kind == "date":
        value = text(args, name)
        return parse_date(value, name) if value else None
    if kind == "int":
        return integer(name, args)
    if kind == "flag":
        return True if flag(name, args) else None
    return text(args, name)


SQL_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "eq": lambda c, v: c == v, "neq": lambda c, v: c != v, "in": lambda c, v: c.in_(v),
    "notIn": lambda c, v: c.not_in(v), "like": lambda c, v: c.like(sql_like(v), escape="\\"),
    "notLike": lambda c, v: c.not_like(sql_like(v), escape="\\"), "lt": lambda c, v: c < v, "gt": lambda c, v: c > v,
    "lteq": lambda c, v: c <= v, "gteq": lambda c, v: c >= v,
    "eqCi": lambda c, v: func.upper(c) == func.upper(v), "neqCi": lambda c, v: func.upper(c) != func.upper(v),
    "likeCi": lambda c, v: func.upper(c).like(func.upper(sql_like(v)), escape="\\"),
    "notLikeCi": lambda c, v: func.upper(c).not_like(func.upper(sql_like(v)), escape="\\"),
    "null": lambda c, v: c.is_(None), "notNull": lambda c, v: c.is_not(None),
    "none": lambda c, v: false(), "all": lambda c, v: true(), "where": lambda c, v: c(v),
}


def sql_conditions(args: Mapping[str, Any], filters: Mapping[str, Filter]) -> list[Any]:
    """The SQL conditions of the parameters asked for (to be AND-ed)."""
    found = []
    for name, f in filters.items():
        value = _value(args, name, f.kind)
        if value is not None:
            found.append(SQL_OPS[f.op](f.field, value))
    return found


def _compare(actual: Any, value: Any, test: Callable[[Any, Any], bool]) -> bool:
    return actual is not None and test(actual, value)


ROW_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda a, v: a is not None and a == v, "neq": lambda a, v: a is not None and a != v,
    "in": lambda a, v: a in v, "notIn": lambda a, v: a is not None and a not in v,
    "like": lambda a, v: isinstance(a, str) and like_pattern(v).fullmatch(a) is not None,
    "notLike": lambda a, v: isinstance(a, str) and like_pattern(v).fullmatch(a) is None,
    "lt": lambda a, v: _compare(a, v, lambda x, y: x < y), "gt": lambda a, v: _compare(a, v, lambda x, y: x > y),
    "lteq": lambda a, v: _compare(a, v, lambda x, y: x <= y),
    "gteq": lambda a, v: _compare(a, v, lambda x, y: x >= y),
    "eqCi": lambda a, v: isinstance(a, str) and a.upper() == v.upper(),
    "neqCi": lambda a, v: isinstance(a, str) and a.upper() != v.upper(),
    "likeCi": lambda a, v: isinstance(a, str) and like_pattern(v, True).fullmatch(a) is not None,
    "notLikeCi": lambda a, v: isinstance(a, str) and like_pattern(v, True).fullmatch(a) is None,
    "null": lambda a, v: a is None, "notNull": lambda a, v: a is not None,
    "none": lambda a, v: False, "all": lambda a, v: True,
}


def row_filter(args: Mapping[str, Any], filters: Mapping[str, Filter]) -> Callable[[Mapping[str, Any]], bool]:
    """A predicate on row dicts: whether a row meets every parameter asked for."""
    tests = []
    for name, f in filters.items():
        value = _value(args, name, f.kind)
        if value is None:
            continue
        if f.op == "where":
            tests.append(f.field(value))
        else:
            tests.append(lambda row, f=f, value=value: ROW_OPS[f.op](row.get(f.field), value))
    return lambda row: all(test(row) for test in tests)


def sort_keys(args: Mapping[str, Any], sorts: Mapping[str, Any], default: str | None,
              refused: Mapping[str, str] | None = None) -> list[tuple[Any, bool]]:
    """The (sort key, descending) pairs asked for: ``sortBy``/``sortOrder``, or a POST body's ``sorting``
    list; 400 naming a sortBy value that is unknown or refused, or a sortOrder other than asc/desc. With
    no ``default``, nothing asked for is no sort key."""
    asked = args.get("sorting")
    if bool(args.get("sortBy")) != bool(args.get("sortOrder")):
        raise RestError(400, "Only a single sorting parameter specified: sortBy and sortOrder are required together.")
    if asked is None and default is None and not args.get("sortBy"):
        return []  # the natural order (oldest first) stands
    if asked is None:
        asked = [{"sortBy": args.get("sortBy") or default, "sortOrder": args.get("sortOrder") or "asc"}]
    if not isinstance(asked, list) or not all(isinstance(item, dict) for item in asked):
        raise RestError(400, "'sorting' must be a list of {sortBy, sortOrder} objects.")
    if not asked and default is None:
        return []
    keys = []
    if args.get("sorting") is not None and not all(item.get("sortBy") and item.get("sortOrder") for item in asked):
        raise RestError(400, "Each entry of 'sorting' needs both sortBy and sortOrder.")
    for item in asked or [{"sortBy": default}]:
        by, order = item.get("sortBy") or default, item.get("sortOrder") or "asc"
        if not isinstance(by, str):
            raise RestError(400, "'sortBy' must be a string.")
        if refused and by in refused:
            raise RestError(400, f"Cannot set query parameter 'sortBy' to value '{by}': {refused[by]}.")
        if by not in sorts:
            raise RestError(400, f"Cannot set query parameter 'sortBy' to value '{by}'.")
        if order not in ("asc", "desc"):
            raise RestError(400, f"Cannot set query parameter 'sortOrder' to value '{order}': expected asc or desc.")
        keys.append((sorts[by], order == "desc"))
    return keys


def sql_order(keys: list[tuple[Any, bool]]) -> list[Any]:
    """ORDER BY terms for sort keys that are columns."""
    return [column.desc() if descending else column.asc() for column, descending in keys]


def sort_rows(rows: list[dict[str, Any]], keys: list[tuple[str, bool]]) -> list[dict[str, Any]]:
    """Row dicts sorted by fields, the first key first; nulls last ascending, first descending
    (PostgreSQL's order)."""
    for field, descending in reversed(keys):
        rows = sorted(rows, key=lambda row: (row.get(field) is None, _sortable(row.get(field))),
                      reverse=descending)
    return rows


def _sortable(value: Any) -> Any:
    if value is None:
        return 0
    if isinstance(value, datetime):
        return value.timestamp()
    return value
