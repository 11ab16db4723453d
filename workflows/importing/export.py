"""A parsed directive as JSON with the keys of the seed labels (``chidao import FILE --json``)."""
from __future__ import annotations

from typing import Any

from .parser import ParsedDirective
from .tasks import TaskRead


def _names(mentions) -> list[str]:
    return [m.name for m in mentions]


def _task(task: TaskRead) -> dict[str, Any]:
    return {
        "ref": task.ref,
        "lead": _names(task.lead),
        "coordinate": _names(task.coordinate),
        "deadline": next((d.isoformat() for d in (task.deadline, task.also and task.also.stated) if d), None),
        "deadline_phrase": task.deadline_phrase,
        "recurrence": task.recurrence or (task.also.rule if task.also else None),
        "summary": task.text.text,
        "confidence": task.confidence,
        "unknown": [m.written for m in (*task.lead, *task.coordinate) if m.code is None],
    }


def as_json(parsed: ParsedDirective) -> dict[str, Any]:
    """The label keys (source, kind, issuer, number, notation, …, tasks) plus what helps a reviewer."""
    value = parsed.value
    result: dict[str, Any] = {
        "source": parsed.source,
        "kind": value("kind"),
        "issuer": value("issuer"),
        "number": value("number"),
        "notation": value("notation"),
        "place": value("place"),
        "date": value("date"),
        "year": value("year"),
    }
    if str(value("kind") or "").startswith("thong_bao"):  # a meeting's conclusions say when and who chaired
        result["meeting_date"] = value("meeting_date")
        result["presided_by"] = value("presided_by")
    result.update({
        "subject": value("subject"),
        "recipients": [found.value for found, _mentions in parsed.recipients],
        "signer": {"authority": value("signer.authority"), "title": value("signer.title"),
                   "name": value("signer.name")},
        "copies_to": [found.value for found in parsed.copies_to],
        "basis": [found.value for found in parsed.basis],
        "tasks": [_task(task) for task in parsed.tasks],
        "not_tasks": [{"ref": s.ref, "text": s.text.text} for s in parsed.skipped],
        "warnings": parsed.warnings,
    })
    return result
