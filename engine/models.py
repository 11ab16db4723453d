"""The engine's tables: deployments, definitions, instances, human tasks, history, attachments."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .db import Base, JSONText, UTCDateTime


class Deployment(Base):
    """One upload of one or more BPMN files."""

    __tablename__ = "deployment"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    source: Mapped[str | None] = mapped_column(String(200))
    deployed_by: Mapped[str] = mapped_column(String(80))
    deployed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: The administrator allowed the script tasks of its files (run in the safe expression language).
    scripts_enabled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    definitions: Mapped[list[ProcessDefinition]] = relationship(back_populates="deployment")


class ProcessDefinition(Base):
    """An immutable, numbered version of one executable process of a BPMN file."""

    __tablename__ = "process_definition"
    __table_args__ = (UniqueConstraint("key", "version", name="uq_definition_key_version"),)

    id: Mapped[str] = mapped_column(String(120), primary_key=True)
    key: Mapped[str] = mapped_column(String(100), index=True)
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str | None] = mapped_column(String(200))
    resource_name: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    bpmn_xml: Mapped[str] = mapped_column(Text)
    deployment_id: Mapped[str] = mapped_column(ForeignKey("deployment.id"))
    deployed_by: Mapped[str] = mapped_column(String(80))
    deployed_at: Mapped[datetime] = mapped_column(UTCDateTime)

    deployment: Mapped[Deployment] = relationship(back_populates="definitions")


class ProcessInstance(Base):
    """A running or ended instance: SpiffWorkflow's state plus what queries need.

    ``row_version`` is the optimistic lock: an update that read an older
    version fails instead of overwriting a concurrent step.
    """

    __tablename__ = "process_instance"
    __table_args__ = (
        Index("ix_instance_parent", "parent_instance_id", "parent_task_id", "status"),
        Index("ix_instance_business_key", "business_key"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    definition_id: Mapped[str] = mapped_column(ForeignKey("process_definition.id"), index=True)
    definition_key: Mapped[str] = mapped_column(String(100), index=True)
    business_key: Mapped[str | None] = mapped_column(String(120))
    parent_instance_id: Mapped[str | None] = mapped_column(String(36))
    parent_task_id: Mapped[str | None] = mapped_column(String(36))
    loop_counter: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="running")
    active_elements: Mapped[list[dict[str, Any]]] = mapped_column(JSONText, default=list)
    state: Mapped[str] = mapped_column(Text)
    started_by: Mapped[str | None] = mapped_column(String(80))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    row_version: Mapped[int] = mapped_column(Integer, nullable=False)

    definition: Mapped[ProcessDefinition] = relationship()

    __mapper_args__ = {"version_id_col": row_version}


class HumanTask(Base):
    """A READY user task, mirrored from the workflow after every step for task lists."""

    __tablename__ = "human_task"
    __table_args__ = (
        Index("ix_human_task_instance", "instance_id"),
        Index("ix_human_task_assignee", "assignee"),
        Index("ix_human_task_due", "due_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    instance_id: Mapped[str] = mapped_column(ForeignKey("process_instance.id", ondelete="CASCADE"))
    definition_id: Mapped[str] = mapped_column(String(120))
    definition_key: Mapped[str] = mapped_column(String(100))
    business_key: Mapped[str | None] = mapped_column(String(120))
    element_id: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(300))
    lane: Mapped[str | None] = mapped_column(String(200))
    form_key: Mapped[str | None] = mapped_column(String(200))
    assignee: Mapped[str | None] = mapped_column(String(80))
    #: The process named the assignee (``camunda:assignee``: the signer, a named person): the task is
    #: that person's and cannot be released to the candidate groups.
    assigned_by_process: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    owner: Mapped[str | None] = mapped_column(String(80))
    candidate_groups_text: Mapped[str] = mapped_column(String(1000), default="")
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    follow_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    priority: Mapped[int] = mapped_column(Integer, default=50)
    label: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    candidates: Mapped[list[HumanTaskCandidate]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, lazy="selectin"
    )

    @property
    def candidate_groups(self) -> list[str]:
        return [c.group_id for c in self.candidates]

    @property
    def releasable(self) -> bool:
        """Whether its assignee took it from its candidate groups and may give it back to them."""
        return bool(self.assignee) and not self.assigned_by_process and bool(self.candidate_groups)


class HumanTaskCandidate(Base):
    """One candidate group of a human task; indexed so task lists filter by group."""

    __tablename__ = "human_task_candidate"
    __table_args__ = (Index("ix_candidate_group", "group_id", "task_id"),)

    task_id: Mapped[str] = mapped_column(ForeignKey("human_task.id", ondelete="CASCADE"), primary_key=True)
    group_id: Mapped[str] = mapped_column(String(120), primary_key=True)


class HistoryEvent(Base):
    """One append-only entry of an instance's history, chained by hashes."""

    __tablename__ = "history_event"
    __table_args__ = (UniqueConstraint("instance_id", "seq", name="uq_history_instance_seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    instance_id: Mapped[str] = mapped_column(String(36), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    event_type: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str | None] = mapped_column(String(80))
    actor_org: Mapped[str | None] = mapped_column(String(40))
    definition_id: Mapped[str] = mapped_column(String(120))
    element_id: Mapped[str | None] = mapped_column(String(200))
    element_name: Mapped[str | None] = mapped_column(String(300))
    task_id: Mapped[str | None] = mapped_column(String(36), index=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSONText, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class Attachment(Base):
    """A file submitted with a form, kept in the database with the rest of the step."""

    __tablename__ = "attachment"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    business_key: Mapped[str | None] = mapped_column(String(120), index=True)
    instance_id: Mapped[str | None] = mapped_column(String(36), index=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by: Mapped[str] = mapped_column(String(80))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ProcessDraft(Base):
    """An administrator's unsaved work on a process: kept until deployed or replaced."""

    __tablename__ = "process_draft"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    bpmn_xml: Mapped[str] = mapped_column(Text)
    base_definition_id: Mapped[str | None] = mapped_column(String(120))
    saved_by: Mapped[str] = mapped_column(String(80))
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime)
