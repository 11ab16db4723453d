"""Form checks a JSON Schema cannot express: the directory, the signer, the dates."""
from __future__ import annotations

from datetime import date
from typing import Any

from engine import FormContext, User

from .agencies import Directory
from .signing import AUTHORITIES, may_sign


def _dmy(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def _unknown(directory: Directory, codes: list[str]) -> list[str]:
    return [code for code in codes if code not in directory]


def check_draft(ctx: FormContext, data: dict[str, Any]) -> dict[str, str]:
    """Agencies exist and leads are concrete; refs are unique; deadlines are ahead; the signer fits."""
    errors: dict[str, str] = {}
    directory = Directory(ctx.session)
    today = ctx.now.date()
    unknown = _unknown(directory, data.get("recipients", []))
    if unknown:
        errors["recipients"] = f"Không có cơ quan mã «{', '.join(unknown)}» trong danh bạ."
    seen_refs: set[str] = set()
    for i, task in enumerate(data.get("tasks", [])):
        label = f"Nhiệm vụ {task.get('ref') or i + 1}"
        if task["ref"] in seen_refs:
            errors[f"tasks.{i}.ref"] = f"{label}: mục «{task['ref']}» bị trùng với một nhiệm vụ khác."
        seen_refs.add(task["ref"])
        unknown = _unknown(directory, task.get("lead", []))
        vague = [directory.name(c) for c in task.get("lead", []) if c in directory and directory.is_vague(c)]
        if unknown:
            errors[f"tasks.{i}.lead"] = f"{label}: không có cơ quan mã «{', '.join(unknown)}» trong danh bạ."
        elif vague:
            errors[f"tasks.{i}.lead"] = (f"{label}: «{'; '.join(vague)}» không chỉ rõ cơ quan nào nên không thể "
                                         "chủ trì; hãy chọn cơ quan hoặc nhóm cụ thể.")
        unknown = _unknown(directory, task.get("coordinate", []))
        if unknown:
            errors[f"tasks.{i}.coordinate"] = f"{label}: không có cơ quan mã «{', '.join(unknown)}» trong danh bạ."
        deadline = task.get("deadline")
        if deadline and date.fromisoformat(deadline) < today:
            errors[f"tasks.{i}.deadline"] = (f"{label}: hạn xử lý {_dmy(date.fromisoformat(deadline))} "
                                             f"đã qua (hôm nay là {_dmy(today)}).")
    signer = ctx.session.get(User, data.get("signer", ""))
    authority = data.get("signing_authority")
    if signer is None:
        errors["signer"] = f"Không có người ký «{data.get('signer')}» trong danh sách người dùng."
    elif authority in AUTHORITIES and not may_sign(signer, authority):
        errors["signer"] = (f"{signer.full_name} ({signer.title}) không ký được với thẩm quyền "
                            f"«{AUTHORITIES[authority]['label']}».")
    return errors


def check_sign(ctx: FormContext, data: dict[str, Any]) -> dict[str, str]:
    """A directive is not signed with a task deadline before the signing date."""
    if data.get("sign_decision") != "approve":
        return {}
    today = ctx.now.date()
    errors = {}
    for i, task in enumerate(ctx.variables.get("tasks", [])):
        deadline = task.get("deadline")
        if deadline and date.fromisoformat(deadline) < today:
            errors[f"tasks.{i}.deadline"] = (
                f"Nhiệm vụ {task['ref']}: hạn xử lý {_dmy(date.fromisoformat(deadline))} trước ngày ký "
                f"{_dmy(today)}; hãy trả lại dự thảo để sửa hạn.")
    return errors


FORM_CHECKS = {"directive_draft": check_draft, "directive_sign": check_sign}
