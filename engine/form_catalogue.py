"""Forms as versioned JSON Schemas: a plugin ships defaults, admins upload and edit new versions.

A task names its form by key; it is rendered and validated with the newest
version of that key (the plugin's own schema until an admin deploys one).
"""
from __future__ import annotations

import hashlib
import json
import uuid
from datetime import datetime
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from sqlalchemy import Integer, String, Text, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from .db import Base, JSONText, UTCDateTime
from .errors import DefinitionError
from .identity import Actor
from .oplog import log_operation


class FormDefinition(Base):
    """An immutable, numbered version of one form."""

    __tablename__ = "form_definition"
    __table_args__ = (UniqueConstraint("key", "version", name="uq_form_key_version"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), index=True)
    version: Mapped[int] = mapped_column(Integer)
    schema: Mapped[dict[str, Any]] = mapped_column(JSONText)
    sha256: Mapped[str] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)
    deployed_by: Mapped[str] = mapped_column(String(80))
    deployed_at: Mapped[datetime] = mapped_column(UTCDateTime)


def canonical(schema: dict[str, Any]) -> str:
    return json.dumps(schema, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def latest_form(session: Session, key: str) -> FormDefinition | None:
    return session.scalars(select(FormDefinition).where(FormDefinition.key == key)
                           .order_by(FormDefinition.version.desc()).limit(1)).first()


def form_schema(session: Session, defaults: dict[str, dict], key: str | None) -> dict[str, Any] | None:
    """The schema a task with form ``key`` uses now."""
    if not key:
        return None
    row = latest_form(session, key)
    return row.schema if row is not None else defaults.get(key)


def form_keys(session: Session, defaults: dict[str, dict]) -> set[str]:
    """Every form key a model may name."""
    return set(defaults) | set(session.scalars(select(FormDefinition.key).distinct()))


def form_problems(schema: Any) -> list[str]:
    """Why a schema cannot serve as a form (an empty list when it can)."""
    if not isinstance(schema, dict):
        return ["Biểu mẫu phải là một đối tượng JSON Schema."]
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        return [f"JSON Schema không hợp lệ ở «{'/'.join(map(str, exc.absolute_path)) or 'gốc'}»: {exc.message}"]
    if schema.get("type") != "object" or not isinstance(schema.get("properties"), dict):
        return ["Biểu mẫu phải có \"type\": \"object\" và danh sách \"properties\"."]
    return []


def deploy_form(session: Session, key: str, schema: Any, actor: Actor, now: datetime,
                note: str | None = None) -> FormDefinition | None:
    """Store ``schema`` as the next version of ``key``; None when it equals the newest version."""
    if not key or not key.replace("_", "").replace("-", "").isalnum():
        raise DefinitionError("Mã biểu mẫu chỉ gồm chữ, số, «_» và «-».",
                              [{"element_id": "key", "element_name": None, "message": "Mã biểu mẫu không hợp lệ."}])
    problems = form_problems(schema)
    if problems:
        raise DefinitionError(problems[0], [{"element_id": key, "element_name": None, "message": p} for p in problems])
    sha = hashlib.sha256(canonical(schema).encode("utf-8")).hexdigest()
    latest = latest_form(session, key)
    if latest is not None and latest.sha256 == sha:
        return None
    version = (session.scalar(select(func.max(FormDefinition.version)).where(FormDefinition.key == key)) or 0) + 1
    row = FormDefinition(id=str(uuid.uuid4()), key=key, version=version, schema=schema, sha256=sha, note=note,
                         deployed_by=actor.username, deployed_at=now)
    session.add(row)
    log_operation(session, actor, now, "deploy_form", f"{key}:{version}", sha, note=note)
    session.flush()
    return row
