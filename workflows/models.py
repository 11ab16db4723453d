"""The directive plugin's tables: the agency directory, registers and the read model.

The read model (directive, assignment, receipt rows) is a projection of the
process instances, refreshed after every command that changes them, so that
lists and pages never deserialize workflows.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, JSONText, UTCDateTime


class Agency(Base):
    """An agency (Sở, Ban, UBND huyện…) or a named group of agencies."""

    __tablename__ = "agency"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    aliases: Mapped[list[str]] = mapped_column(JSONText, default=list)
    is_group: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(Integer, default=0)


class AgencyGroupMember(Base):
    """Membership of an agency (or a nested group) in a group."""

    __tablename__ = "agency_group_member"

    group_code: Mapped[str] = mapped_column(ForeignKey("agency.code"), primary_key=True)
    member_code: Mapped[str] = mapped_column(ForeignKey("agency.code"), primary_key=True)


class RegisterCounter(Base):
    """The last number used in one register of one body in one year."""

    __tablename__ = "register_counter"

    register: Mapped[str] = mapped_column(String(60), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer, default=0)


class OutgoingEntry(Base):
    """A row of the outgoing register (sổ văn bản đi)."""

    __tablename__ = "outgoing_entry"
    __table_args__ = (UniqueConstraint("issuer", "year", "number", name="uq_outgoing_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    issuer: Mapped[str] = mapped_column(String(40))
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    notation: Mapped[str] = mapped_column(String(60))
    directive_id: Mapped[str] = mapped_column(String(36), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(Text)
    issued_on: Mapped[date] = mapped_column(Date)
    signer: Mapped[str | None] = mapped_column(String(200))
    recipients: Mapped[str] = mapped_column(Text)
    copies: Mapped[int | None] = mapped_column(Integer)
    registered_by: Mapped[str] = mapped_column(String(80))
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime)


class IncomingEntry(Base):
    """A row of an agency's incoming register (sổ văn bản đến)."""

    __tablename__ = "incoming_entry"
    __table_args__ = (UniqueConstraint("agency", "year", "number", name="uq_incoming_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    agency: Mapped[str] = mapped_column(String(40), index=True)
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    directive_id: Mapped[str] = mapped_column(String(36), index=True)
    sender_number: Mapped[str | None] = mapped_column(String(80))
    subject: Mapped[str] = mapped_column(Text)
    received_by: Mapped[str] = mapped_column(String(80))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Directive(Base):
    """Read model of a directive instance (id = the process instance id)."""

    __tablename__ = "directive"
    __table_args__ = (Index("ix_directive_updated", "updated_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    business_key: Mapped[str | None] = mapped_column(String(120), index=True)
    kind: Mapped[str | None] = mapped_column(String(40))
    field_code: Mapped[str | None] = mapped_column(String(20))
    subject: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str | None] = mapped_column(Text)
    recipients: Mapped[list[str]] = mapped_column(JSONText, default=list)
    signing_authority: Mapped[str | None] = mapped_column(String(20))
    signer: Mapped[str | None] = mapped_column(String(80))
    drafter: Mapped[str | None] = mapped_column(String(80), index=True)
    number: Mapped[int | None] = mapped_column(Integer)
    number_text: Mapped[str | None] = mapped_column(String(80), index=True)
    issued_on: Mapped[date | None] = mapped_column(Date)
    tasks: Mapped[list[dict[str, Any]]] = mapped_column(JSONText, default=list)
    status: Mapped[str] = mapped_column(String(20), default="running")
    stage: Mapped[str | None] = mapped_column(String(300))
    last_reason: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Assignment(Base):
    """Read model of one task for one lead agency (a directive_task instance)."""

    __tablename__ = "assignment"
    __table_args__ = (Index("ix_assignment_directive", "directive_id"), Index("ix_assignment_lead", "lead"))

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    directive_id: Mapped[str] = mapped_column(String(36))
    ref: Mapped[str] = mapped_column(String(20))
    summary: Mapped[str] = mapped_column(Text)
    lead: Mapped[str] = mapped_column(String(40))
    coordinators: Mapped[list[str]] = mapped_column(JSONText, default=list)
    deadline: Mapped[date | None] = mapped_column(Date)
    deadline_phrase: Mapped[str | None] = mapped_column(String(300))
    recurrence: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="running")
    stage: Mapped[str | None] = mapped_column(String(300))
    report_text: Mapped[str | None] = mapped_column(Text)
    last_reason: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    original_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    extensions: Mapped[list[dict[str, Any]]] = mapped_column(JSONText, default=list)
    facts: Mapped[dict[str, Any]] = mapped_column(JSONText, default=dict)
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    on_time: Mapped[bool | None] = mapped_column(Boolean)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ReportPeriod(Base):
    """Read model of one period of a recurring report (a directive_report_period instance)."""

    __tablename__ = "report_period"
    __table_args__ = (Index("ix_report_period_assignment", "assignment_id", "period_no"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    assignment_id: Mapped[str] = mapped_column(String(36))
    directive_id: Mapped[str] = mapped_column(String(36), index=True)
    lead: Mapped[str] = mapped_column(String(40), index=True)
    period_no: Mapped[int] = mapped_column(Integer)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(20), default="running")
    stage: Mapped[str | None] = mapped_column(String(300))
    report_text: Mapped[str | None] = mapped_column(Text)
    facts: Mapped[dict[str, Any]] = mapped_column(JSONText, default=dict)
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    on_time: Mapped[bool | None] = mapped_column(Boolean)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Receipt(Base):
    """Read model of one recipient agency's receipt (a directive_receipt instance)."""

    __tablename__ = "receipt"
    __table_args__ = (Index("ix_receipt_directive", "directive_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    directive_id: Mapped[str] = mapped_column(String(36))
    agency: Mapped[str] = mapped_column(String(40), index=True)
    status: Mapped[str] = mapped_column(String(20), default="running")
    incoming_number: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
