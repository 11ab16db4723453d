"""Who may sign under which authority (thẩm quyền ký).

* ``CT``: the Chairman signs himself;
* ``KT_CT`` (KÝ THAY CHỦ TỊCH): a Vice-Chairman signs for the Chairman;
* ``TL_CT`` (THỪA LỆNH CHỦ TỊCH): the Office chief (or a deputy) signs by order.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import User

AUTHORITIES = {
    "CT": {"label": "CHỦ TỊCH", "org": "UBND", "role": "leader", "titles": ("Chủ tịch UBND tỉnh",)},
    "KT_CT": {"label": "KT. CHỦ TỊCH", "org": "UBND", "role": "leader", "titles": ("Phó Chủ tịch UBND tỉnh",)},
    "TL_CT": {"label": "TL. CHỦ TỊCH", "org": "VPUBND", "role": "office_leader",
              "titles": ("Chánh Văn phòng", "Phó Chánh Văn phòng")},
}


def signing_group(authority: str) -> str:
    """The candidate group of the signing step for ``authority`` (used in the BPMN)."""
    rule = AUTHORITIES[authority]
    return f"{rule['org']}:{rule['role']}"


def may_sign(user: User, authority: str) -> bool:
    """True when ``user`` may sign under ``authority``."""
    rule = AUTHORITIES.get(authority)
    return bool(
        rule and user.active and user.org == rule["org"] and rule["role"] in user.roles
        and (user.title or "") in rule["titles"]
    )


def signers(session: Session) -> list[tuple[User, list[str]]]:
    """Every user who may sign, with the authorities each may sign under."""
    users = session.scalars(select(User).where(User.org.in_(("UBND", "VPUBND"))).order_by(User.full_name))
    result = []
    for user in users:
        allowed = [code for code in AUTHORITIES if may_sign(user, code)]
        if allowed:
            result.append((user, allowed))
    return result
