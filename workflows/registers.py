"""Numbering registers (sổ đăng ký): gap-free, never duplicated, restarting every year.

A number is taken by incrementing the register's counter row inside the
registering transaction: the row lock serializes concurrent registrations
(on SQLite the write transaction itself does), and a rollback gives the
number back, so the sequence has no gaps. A unique constraint on the
register rows is the last guard against duplicates.
"""
from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from .models import RegisterCounter

_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def outgoing_register(issuer: str) -> str:
    """The name of an issuing body's outgoing register."""
    return f"di:{issuer}"


def incoming_register(agency: str) -> str:
    """The name of an agency's incoming register."""
    return f"den:{agency}"


def take_number(session: Session, register: str, year: int) -> int:
    """The next number of ``register`` in ``year`` (1 for the first of the year)."""
    insert = _INSERTS[session.get_bind().dialect.name]
    session.execute(
        insert(RegisterCounter).values(register=register, year=year, last_number=0)
        .on_conflict_do_nothing(index_elements=["register", "year"])
    )
    return session.execute(
        update(RegisterCounter)
        .where(RegisterCounter.register == register, RegisterCounter.year == year)
        .values(last_number=RegisterCounter.last_number + 1)
        .returning(RegisterCounter.last_number)
    ).scalar_one()


def format_number(number: int, notation: str) -> str:
    """``07/UBND-KT``: the number with a leading zero below 10, then the notation."""
    return f"{number:02d}/{notation}"


def notation_for(kind: str, issuer: str, field_code: str | None) -> str:
    """The notation of a document by its kind (Nghị định 30/2020/NĐ-CP, Phụ lục I).

    A công văn carries the issuer and the drafting unit's field ("UBND-KT");
    other kinds carry their own abbreviation first ("TB-UBND").
    """
    if kind == "cong_van":
        return f"{issuer}-{field_code}" if field_code else issuer
    prefix = {"thong_bao_ket_luan": "TB", "thong_bao": "TB", "ke_hoach": "KH", "quyet_dinh": "QĐ", "chi_thi": "CT",
              "cong_dien": "CĐ"}.get(kind, "TB")
    return f"{prefix}-{issuer}"
