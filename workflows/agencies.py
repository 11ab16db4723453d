"""The agency directory: agencies, groups of agencies, and their expansion.

A group such as "UBND các huyện, thị xã, thành phố" names its members (and
may nest other groups); distributing to it or assigning a task to it fans
out to every member. A group without members ("các cơ quan, đơn vị liên
quan") is kept as written: it can be a coordinating party or a recipient
line, but never the lead of a task.
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from .models import Agency, AgencyGroupMember
from .spelling import modern_tones

#: Kinds of agency, in the order the directory lists them.
KIND_LABELS = {
    "lanh_dao": "Lãnh đạo UBND tỉnh",
    "van_phong": "Văn phòng",
    "so": "Sở",
    "ban": "Ban",
    "nganh": "Ngành",
    "bao": "Báo chí",
    "huyen": "UBND cấp huyện",
    "xa": "UBND cấp xã",
    "nhom": "Nhóm cơ quan",
}

#: The bodies on the issuing side: they issue directives, they are not sent receipts.
ISSUING_SIDE = ("UBND", "VPUBND")


def normalize_name(text: str) -> str:
    """A comparable form of an agency name: case, spacing, tone placement, «Ủy ban nhân dân», a leading «các»."""
    text = " ".join(modern_tones(text).split()).casefold().strip(" .;,")
    text = text.replace("ủy ban nhân dân", "ubnd")
    return text.removeprefix("các ")


def directory_data() -> dict:
    """The demo province's directory shipped with the plugin."""
    return json.loads(resources.files("workflows").joinpath("data/agencies.json").read_text("utf-8"))


def load_directory(session: Session, data: dict | None = None) -> int:
    """Replace the directory with ``data`` (default: the shipped one); return the number of entries."""
    data = data or directory_data()
    session.execute(delete(AgencyGroupMember))
    existing = {a.code: a for a in session.scalars(select(Agency))}
    position = 0
    for entry in data["agencies"]:
        position += 1
        agency = existing.get(entry["code"]) or Agency(code=entry["code"])
        agency.name, agency.kind, agency.aliases = entry["name"], entry["kind"], entry.get("aliases", [])
        agency.is_group, agency.position = False, position
        session.add(agency)
    for entry in data["groups"]:
        position += 1
        group = existing.get(entry["code"]) or Agency(code=entry["code"])
        group.name, group.kind, group.aliases = entry["name"], "nhom", entry.get("aliases", [])
        group.is_group, group.position = True, position
        session.add(group)
    session.flush()
    for entry in data["groups"]:
        for member in entry["members"]:
            session.add(AgencyGroupMember(group_code=entry["code"], member_code=member))
    session.flush()
    return position


@dataclass(frozen=True)
class Entry:
    code: str
    name: str
    kind: str
    is_group: bool
    aliases: tuple[str, ...]


class Directory:
    """A snapshot of the directory read in one session."""

    def __init__(self, session: Session):
        self.entries = {
            a.code: Entry(a.code, a.name, a.kind, a.is_group, tuple(a.aliases or ()))
            for a in session.scalars(select(Agency).order_by(Agency.position))
        }
        self.members: dict[str, list[str]] = {}
        for row in session.scalars(select(AgencyGroupMember)):
            self.members.setdefault(row.group_code, []).append(row.member_code)

    @classmethod
    def from_data(cls, data: dict | None = None) -> Directory:
        """A directory read from ``data`` (default: the shipped one) without a database."""
        data = data or directory_data()
        directory = cls.__new__(cls)
        directory.entries = {e["code"]: Entry(e["code"], e["name"], e["kind"], False, tuple(e.get("aliases", [])))
                             for e in data["agencies"]}
        directory.entries.update({g["code"]: Entry(g["code"], g["name"], "nhom", True, tuple(g.get("aliases", [])))
                                  for g in data["groups"]})
        directory.members = {g["code"]: list(g["members"]) for g in data["groups"]}
        return directory

    def __contains__(self, code: str) -> bool:
        return code in self.entries

    def name(self, code: str) -> str:
        """The display name of an agency or group (the code itself when unknown)."""
        entry = self.entries.get(code)
        return entry.name if entry else code

    def names(self, codes: Iterable[str]) -> list[str]:
        return [self.name(c) for c in codes]

    def resolve(self, text: str) -> str | None:
        """The code of the agency or group ``text`` names (by name or alias), or None."""
        wanted = normalize_name(text)
        for entry in self.entries.values():
            if wanted in {normalize_name(n) for n in (entry.name, entry.code, *entry.aliases)}:
                return entry.code
        return None

    def is_vague(self, code: str) -> bool:
        """A group that names no members ("… liên quan")."""
        entry = self.entries.get(code)
        return bool(entry and entry.is_group and not self.expand([code]))

    def expand(self, codes: Iterable[str]) -> list[str]:
        """The agencies ``codes`` stand for, groups fanned out, in directory order, without repeats."""
        found: dict[str, None] = {}

        def visit(code: str, seen: frozenset[str]) -> None:
            entry = self.entries.get(code)
            if entry is None or code in seen:
                return
            if entry.is_group:
                for member in self.members.get(code, []):
                    visit(member, seen | {code})
            else:
                found[code] = None

        for code in codes:
            visit(code, frozenset())
        order = list(self.entries)
        return sorted(found, key=order.index)

    def agencies(self) -> list[Entry]:
        """Every single agency, in directory order."""
        return [e for e in self.entries.values() if not e.is_group]

    def groups(self) -> list[Entry]:
        return [e for e in self.entries.values() if e.is_group]

    def options(self) -> list[tuple[str, list[Entry]]]:
        """Entries grouped by kind for a picker: groups first, then each kind of agency."""
        grouped: dict[str, list[Entry]] = {}
        for entry in self.groups() + self.agencies():
            grouped.setdefault(KIND_LABELS.get(entry.kind, entry.kind), []).append(entry)
        return list(grouped.items())
