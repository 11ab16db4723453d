"""Form checks a JSON Schema cannot express: the directory, the signer, the dates."""
from __future__ import annotations

from datetime import date
from typing import Any

from engine import FormContext, User, load_calendar
from engine.clock import to_local

from .agencies import Directory
from .deadlines import DeadlineError, DeadlineReader, far_sentence, too_far
from .signing import AUTHORITIES, may_sign
from .tracking import Tracking


def _dmy(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def _unknown(directory: Directory, codes: list[str]) -> list[str]:
    return [code for code in codes if code not in directory]


def _check_deadline(reader: DeadlineReader, task: dict[str, Any], i: int, label: str,
                    today: date) -> dict[str, str]:
    """The phrase can be read, agrees with the date typed beside it, and the deadline is ahead."""
    phrase = (task.get("deadline_phrase") or "").strip()
    typed = task.get("deadline")
    if phrase:
        try:
            found = reader.read(phrase, today)
        except DeadlineError as exc:
            return {f"tasks.{i}.deadline_phrase": f"{label}: {exc.message}"}
        if found.recurrence:
            return {}
        read = to_local(found.due).date()
        if typed and date.fromisoformat(typed) != read:
            return {f"tasks.{i}.deadline": (f"{label}: hạn {_dmy(date.fromisoformat(typed))} khác với thời hạn "
                                            f"«{phrase}» (đọc ra {_dmy(read)}); hãy sửa một trong hai.")}
        typed = read.isoformat()
    if typed and date.fromisoformat(typed) < today:
        return {f"tasks.{i}.deadline": f"{label}: hạn xử lý {_dmy(date.fromisoformat(typed))} "
                                       f"đã qua (hôm nay là {_dmy(today)})."}
    if typed and too_far(date.fromisoformat(typed), today):
        return {f"tasks.{i}.deadline": f"{label}: {far_sentence(date.fromisoformat(typed))}"}
    return {}


def check_draft(ctx: FormContext, data: dict[str, Any], reader: DeadlineReader) -> dict[str, str]:
    """Agencies exist and leads are concrete; refs are unique; deadlines read and ahead; the signer fits."""
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
        errors.update(_check_deadline(reader, task, i, label, today))
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


def check_extension_request(ctx: FormContext, data: dict[str, Any], tracking: Tracking) -> dict[str, str]:
    """The new date lies after the current deadline (and the task has one)."""
    problem = tracking.request_checks(ctx.variables, data.get("extension_new_deadline", ""))
    return {"extension_new_deadline": problem} if problem else {}


def check_extension_review(ctx: FormContext, data: dict[str, Any]) -> dict[str, str]:
    """Nobody decides on an extension they asked for themselves (separation of duties)."""
    if ctx.variables.get("extension_requested_by") == ctx.actor.username:
        return {"extension_decision": "Người gửi đề nghị gia hạn không tự quyết định đề nghị của mình; "
                                      "một Lãnh đạo Văn phòng khác cần xem xét."}
    return {}


def form_checks(tracking: Tracking) -> dict[str, Any]:
    """The checks by form key, bound to the tracking settings."""
    return {
        "directive_draft": lambda ctx, data: check_draft(ctx, data, tracking.reader(load_calendar(ctx.session))),
        "directive_sign": check_sign,
        "directive_extension_request": lambda ctx, data: check_extension_request(ctx, data, tracking),
        "directive_extension_review": check_extension_review,
    }
