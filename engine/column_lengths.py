"""Text longer than its column is refused before it reaches the database, naming the field.

PostgreSQL answers an over-long value with an error in the middle of a flush (a 500 far from where
the text was typed); SQLite stores it and a later copy to PostgreSQL breaks. One check at flush
time covers every table, the engine's and its plugins'.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import String, event, inspect
from sqlalchemy.orm import Session, sessionmaker

from .errors import InvalidInput


def over_long(row: Any) -> tuple[str, int, int] | None:
    """The first text attribute of ``row`` longer than its column: (name, length, limit)."""
    mapper = inspect(row).mapper
    for attribute in mapper.column_attrs:
        column = attribute.columns[0]
        limit = getattr(column.type, "length", None) if isinstance(column.type, String) else None
        value = getattr(row, attribute.key, None)
        if limit and isinstance(value, str) and len(value) > limit:
            return attribute.key, len(value), limit
    return None


def _refuse_over_long(session: Session, _context: Any, _instances: Any) -> None:
    for row in list(session.new) + list(session.dirty):
        found = over_long(row)
        if found is not None:
            name, length, limit = found
            sentence = f"Trường «{name}» dài {length:,} ký tự, quá giới hạn {limit:,} ký tự.".replace(",", ".")
            raise InvalidInput(sentence, {name: sentence})


def refuse_over_long_text(maker: sessionmaker) -> None:
    """Check every row a session of ``maker`` writes."""
    event.listen(maker, "before_flush", _refuse_over_long)
