"""Demo data: users of every role and the four seed directives at realistic stages.

The seeds are real directives (``data/seeds``, text and labels). Their
drafts are filled from the labels: agencies resolved through the directory,
deadlines moved forward by whole years so that they lie ahead of today (a
directive is not signed with a deadline already past), and each is then
driven through the lifecycle with the engine, as the people would.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from importlib import resources
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import Actor, Engine, User
from engine.models import HumanTask
from engine.tasks import TaskFilter, list_tasks

from .agencies import Directory

DEMO_PASSWORD = "demo123"


@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    title: str
    org: str
    roles: tuple[str, ...]


OFFICE_AND_LEADERS = [
    DemoUser("cv.lan", "Trần Thị Lan", "Chuyên viên", "VPUBND", ("specialist",)),
    DemoUser("cv.binh", "Nguyễn Văn Bình", "Chuyên viên", "VPUBND", ("specialist",)),
    DemoUser("cvp", "Lê Văn Minh", "Chánh Văn phòng", "VPUBND", ("office_leader",)),
    DemoUser("pcvp.hai", "Phan Đình Hải", "Phó Chánh Văn phòng", "VPUBND", ("office_leader",)),
    DemoUser("pcvp.thuan", "Đỗ Văn Thuận", "Phó Chánh Văn phòng", "VPUBND", ("office_leader",)),
    DemoUser("vanthu", "Nguyễn Thị Hoa", "Văn thư", "VPUBND", ("clerk",)),
    DemoUser("ct", "Phạm Anh Tuấn", "Chủ tịch UBND tỉnh", "UBND", ("leader",)),
    DemoUser("pct.hoang", "Nguyễn Tự Công Hoàng", "Phó Chủ tịch UBND tỉnh", "UBND", ("leader",)),
    DemoUser("pct.tuan", "Phan Thế Tuấn", "Phó Chủ tịch UBND tỉnh", "UBND", ("leader",)),
    DemoUser("pct.son", "Nguyễn Cao Sơn", "Phó Chủ tịch UBND tỉnh", "UBND", ("leader",)),
    DemoUser("admin", "Quản trị quy trình", "Quản trị hệ thống", "VPUBND", ("admin",)),
    DemoUser("thanhtra", "Hoàng Văn Kiểm", "Thanh tra viên", "TTRA", ("auditor",)),
]

#: Agencies whose head also has an account (to show the agency_head role).
HEADS = {"SCT": "Giám đốc Sở", "BQLKKT": "Trưởng ban"}

#: Which user drafts and how far each seed is taken.
SEED_STAGES = {
    "000_4d45b63e93395a07": ("cv.lan", "draft"),
    "001_406948b0e7715172": ("cv.lan", "in_progress"),
    "003_09fc60a00c80ca95": ("cv.binh", "in_progress"),
    "004_3aa08d13fa6d828c": ("cv.binh", "sign"),
}

AUTHORITY_OF_LABEL = {"KT. CHỦ TỊCH": "KT_CT", "CHỦ TỊCH": "CT"}

#: The subject a specialist writes for a seed whose copy lost its header (and with it the «V/v …» line),
#: from what its opening paragraph says it carries out.
SUBJECTS_OF_HEADLESS_COPIES = {
    "003_09fc60a00c80ca95.txt": "V/v triển khai thực hiện Nghị định số 32/2024/NĐ-CP về quản lý, phát triển "
                                "cụm công nghiệp trên địa bàn tỉnh",
}


def agency_users(directory: Directory) -> list[DemoUser]:
    """One official (also the agency's clerk) per agency outside the Office, plus a few heads."""
    users = []
    for entry in directory.agencies():
        if entry.code in ("UBND", "VPUBND", "TTRA"):
            continue
        users.append(DemoUser(f"{entry.code.lower()}.cv", f"Chuyên viên {entry.name}", "Chuyên viên",
                              entry.code, ("official", "clerk")))
        if entry.code in HEADS:
            users.append(DemoUser(f"{entry.code.lower()}.td", f"Thủ trưởng {entry.name}", HEADS[entry.code],
                                  entry.code, ("agency_head",)))
    return users


def create_demo_users(session: Session, now) -> list[DemoUser]:
    """Add the demo users that do not exist yet; return every demo user."""
    everyone = OFFICE_AND_LEADERS + agency_users(Directory(session))
    for demo in everyone:
        if session.get(User, demo.username) is None:
            user = User(username=demo.username, full_name=demo.full_name, title=demo.title, org=demo.org,
                        roles=list(demo.roles), created_at=now, active=True)
            user.set_password(DEMO_PASSWORD)
            session.add(user)
    session.flush()
    return everyone


def seed_files() -> dict[str, tuple[str, dict[str, Any]]]:
    """Seed name → (text, label)."""
    folder = resources.files("workflows").joinpath("data/seeds")
    seeds = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            name = entry.name.removesuffix(".json")
            text = folder.joinpath(f"{name}.txt").read_text("utf-8")
            seeds[name] = (text, json.loads(entry.read_text("utf-8")))
    return seeds


def _shift(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _years_forward(deadlines: list[date], today: date) -> int:
    """Whole years to add so that the earliest deadline is at least a month ahead."""
    if not deadlines:
        return 0
    earliest, years = min(deadlines), 0
    while _shift(earliest, years) < today + timedelta(days=30):
        years += 1
    return years


def _codes(directory: Directory, names: list[str], lead: bool) -> list[str]:
    codes = [c for c in (directory.resolve(n) for n in names) if c]
    codes = list(dict.fromkeys(codes))
    if lead:
        concrete = [c for c in codes if not directory.is_vague(c)]
        codes = concrete or ["G_SBN_DP"]
    return codes


def draft_from_label(session: Session, label: dict[str, Any], text: str, today: date,
                     rebase: bool = True) -> dict[str, Any]:
    """The draft form data of a seed, as the specialist would fill it in.

    With ``rebase`` the seed's dates move forward by whole years to lie ahead of ``today``;
    recurring deadlines keep the phrase they were written with.
    """
    directory = Directory(session)
    deadlines = [date.fromisoformat(t["deadline"]) for t in label["tasks"] if t["deadline"]]
    years = _years_forward(deadlines, today) if rebase else 0
    authority = AUTHORITY_OF_LABEL.get(label["signer"]["authority"], "TL_CT")
    signer = session.scalars(select(User).where(User.full_name == label["signer"]["name"])).first()
    notation = label.get("notation") or ""
    return {
        "kind": label["kind"],
        "field_code": notation.split("-")[-1] if notation.startswith("UBND-") else "KT",
        "subject": label["subject"] or SUBJECTS_OF_HEADLESS_COPIES[label["source"]],
        "recipients": _codes(directory, label["recipients"], lead=False),
        "body": text.strip()[:20000],
        "signing_authority": authority,
        "signer": signer.username if signer else "cvp",
        "tasks": [
            {
                "ref": task["ref"],
                "summary": task["summary"],
                "lead": _codes(directory, task["lead"], lead=True),
                "coordinate": _codes(directory, task["coordinate"], lead=False),
                "deadline_phrase": task["deadline_phrase"] if task["recurrence"] else None,
                "deadline": _shift(date.fromisoformat(task["deadline"]), years).isoformat()
                if task["deadline"] else None,
            }
            for task in label["tasks"]
        ],
    }


def _actor(session: Session, username: str) -> Actor:
    return session.get(User, username).actor()


def _complete(engine: Engine, session: Session, instance_id: str, element_id: str, username: str,
              data: dict[str, Any]) -> None:
    task = session.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id,
                                                   HumanTask.element_id == element_id)).first()
    engine.complete_task(session, task.id, _actor(session, username), data)


def _work_of(engine: Engine, session: Session, username: str, element_id: str) -> list[HumanTask]:
    return list_tasks(session, TaskFilter(actor=_actor(session, username), element_id=element_id), 0, 1000)


def load_seed(engine: Engine, session: Session, name: str, text: str, label: dict[str, Any]) -> str:
    """Start one seed directive and take it to its demo stage; return the instance id."""
    drafter, stage = SEED_STAGES[name]
    draft = draft_from_label(session, label, text, engine.clock.today())
    instance = engine.start(session, "directive", _actor(session, drafter), draft,
                            business_key=f"VB-SEED-{name[:3]}", provenance={"seed_source": name})
    if stage == "draft":
        return instance.id
    _complete(engine, session, instance.id, "draft", drafter, draft)
    if stage == "review":
        return instance.id
    _complete(engine, session, instance.id, "review", "cvp", {"review_decision": "approve"})
    if stage == "sign":
        return instance.id
    _complete(engine, session, instance.id, "sign", draft["signer"], {"sign_decision": "approve"})
    _complete(engine, session, instance.id, "register", "vanthu", {"format_checked": True, "copies": 30})
    _progress_some(engine, session)
    return instance.id


def _progress_some(engine: Engine, session: Session) -> None:
    """Agencies at work: the first agencies acknowledge receipt, accept their tasks, one reports."""
    for agency in ("sct", "skhdt", "stc", "sxd"):
        username = f"{agency}.cv"
        for task in _work_of(engine, session, username, "acknowledge"):
            engine.complete_task(session, task.id, _actor(session, username), {"received": True})
        for task in _work_of(engine, session, username, "accept"):
            engine.complete_task(session, task.id, _actor(session, username),
                                 {"handler_name": f"Chuyên viên phụ trách ({agency.upper()})"})
    for task in _work_of(engine, session, "sct.cv", "report")[:2]:
        engine.complete_task(session, task.id, _actor(session, "sct.cv"),
                             {"report_text": "Sở Công Thương đã triển khai, kết quả chi tiết tại báo cáo kèm theo."})
