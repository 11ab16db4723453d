"""Read-model queries the pages need: directives, their assignments and receipts, who may see them."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Integer, Select, Text, exists, func, or_, select, type_coerce
from sqlalchemy.orm import Session

from engine import Actor

from .agencies import ISSUING_SIDE
from .models import Assignment, Directive, Receipt
from .roles import PROVINCE_WIDE


def sees_province(actor: Actor) -> bool:
    """True for the issuing side (the Office, the leaders), admins and auditors."""
    return actor.org in ISSUING_SIDE or any(role in PROVINCE_WIDE for role in actor.roles)


def list_contains(column, code: str):
    """``column`` (a JSON list kept as text) names ``code``."""
    return type_coerce(column, Text).like(f'%"{code}"%')


def _concerns_agency(agency: str):
    return or_(
        exists().where(Assignment.directive_id == Directive.id, Assignment.lead == agency),
        exists().where(Assignment.directive_id == Directive.id, list_contains(Assignment.coordinators, agency)),
        exists().where(Receipt.directive_id == Directive.id, Receipt.agency == agency),
    )


def visible_directives(actor: Actor) -> Select:
    """Directives the actor may open: all for province-wide roles, else those sent or assigned to their agency."""
    query = select(Directive)
    if not sees_province(actor):
        query = query.where(_concerns_agency(actor.org or ""))
    return query


def can_view(session: Session, actor: Actor, directive_id: str) -> bool:
    """True when the actor may open the directive."""
    return session.scalar(
        select(func.count()).select_from(visible_directives(actor).where(Directive.id == directive_id).subquery())
    ) > 0


def search_directives(session: Session, actor: Actor, text: str | None, status: str | None,
                      offset: int, limit: int) -> tuple[list[Directive], int]:
    """A page of visible directives matching ``text`` (subject or number) and ``status``."""
    query = visible_directives(actor)
    if text:
        words = text.strip()
        query = query.where(or_(Directive.subject.icontains(words, autoescape=True),
                                Directive.number_text.icontains(words, autoescape=True)))
    if status:
        query = query.where(Directive.status == status)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.scalars(query.order_by(Directive.updated_at.desc()).offset(offset).limit(limit)).all()
    return list(rows), total


@dataclass
class Progress:
    done: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def progress(session: Session, model, directive_ids: list[str], agency: str | None = None) -> dict[str, Progress]:
    """Completed/total assignments (or receipts) per directive; only the agency's own when ``agency`` is given
    (the tasks it leads or coordinates, its own receipt)."""
    query = select(model.directive_id, func.count(), func.sum((model.status == "completed").cast(Integer))) \
        .where(model.directive_id.in_(directive_ids))
    if agency:
        query = query.where(_of_agency(model, agency))
    rows = session.execute(query.group_by(model.directive_id))
    return {directive_id: Progress(int(done or 0), total) for directive_id, total, done in rows}


def _of_agency(model, agency: str):
    """The rows that are an agency's: the tasks it leads or coordinates, or its own receipts."""
    if model is Assignment:
        return or_(Assignment.lead == agency, list_contains(Assignment.coordinators, agency))
    return model.agency == agency


def directive_by_business_key(session: Session, business_key: str | None) -> Directive | None:
    if not business_key:
        return None
    return session.scalars(select(Directive).where(Directive.business_key == business_key)).first()


def assignments_of(session: Session, directive_id: str, agency: str | None = None) -> list[Assignment]:
    """A directive's assignments in task order; only the agency's own when ``agency`` is given."""
    query = select(Assignment).where(Assignment.directive_id == directive_id)
    if agency:
        query = query.where(_of_agency(Assignment, agency))
    rows = list(session.scalars(query))
    return sorted(rows, key=lambda a: (_ref_key(a.ref), a.lead))


def receipts_of(session: Session, directive_id: str, agency: str | None = None) -> list[Receipt]:
    query = select(Receipt).where(Receipt.directive_id == directive_id)
    if agency:
        query = query.where(Receipt.agency == agency)
    return list(session.scalars(query.order_by(Receipt.agency)))


def _ref_key(ref: str) -> tuple:
    """Item numbers in reading order: 1, 1.2, 1.10, 2, then lettered items."""
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in ref.replace("-", ".").split("."))


def may_open_attachment(session: Session, actor: Actor, attachment) -> bool:
    """Its uploader, the issuing side, and the agencies of the task or receipt it was sent with."""
    if attachment.uploaded_by == actor.username or sees_province(actor):
        return True
    assignment = session.get(Assignment, attachment.instance_id) if attachment.instance_id else None
    if assignment is not None:
        return actor.org == assignment.lead or actor.org in assignment.coordinators
    receipt = session.get(Receipt, attachment.instance_id) if attachment.instance_id else None
    return receipt is not None and receipt.agency == actor.org
