"""A parsed directive as the draft form's values, each field with where it came from.

The draft form takes directory codes; what the text names and the directory
does not know is not dropped but said beside the field, for the specialist
to choose. A vague group («các cơ quan, đơn vị liên quan») cannot lead a
task: beside named leads it is proposed as coordinating, and said so.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import User
from engine.clock import to_local

from ..agencies import ISSUING_SIDE, Directory
from ..deadlines import DeadlineError, DeadlineReader
from .export import as_json
from .found import GUESSED, SURE, Found
from .names import Mention
from .parser import ParsedDirective
from .tasks import TaskRead

#: The kinds the draft form offers.
FORM_KINDS = ("cong_van", "thong_bao_ket_luan", "thong_bao", "ke_hoach", "quyet_dinh", "chi_thi", "cong_dien")
FIELD_CODES = ("KT", "TH", "NC", "VX", "XD", "NN", "KTN", "KTTH")
PHRASE_LIMIT = 300


@dataclass
class Source:
    """Where a form field's proposal came from: spans of the cleaned text, how sure, what to check."""

    spans: list[tuple[int, int]] = field(default_factory=list)
    confidence: float | None = None
    notes: list[str] = field(default_factory=list)

    def take(self, found: Found | None) -> Source:
        """Add ``found``'s span and note; the confidence is the lowest of those taken."""
        if found is not None:
            if found.span:
                self.spans.append(found.span)
            self.confidence = found.confidence if self.confidence is None else min(self.confidence, found.confidence)
            if found.note:
                self.notes.append(found.note)
        return self


@dataclass
class Proposal:
    """The draft form's values, their sources by form path, and what the form has no field for."""

    values: dict[str, Any]
    sources: dict[str, Source]
    imported: dict[str, Any]


def authority_code(authority: str | None, title: str | None) -> str | None:
    """«KT. CHỦ TỊCH» → KT_CT; «TL. CHỦ TỊCH / KT. CHÁNH VĂN PHÒNG» → TL_CT; «TM. ỦY BAN NHÂN DÂN» + «CHỦ TỊCH» → CT."""
    text = (authority or "").upper()
    if text.startswith("TL.") or text.startswith("TUQ."):
        return "TL_CT"
    if text.startswith("KT."):
        return "KT_CT"
    if (title or "").upper().strip() == "CHỦ TỊCH":
        return "CT"
    return None


def _field_code(parsed: ParsedDirective) -> tuple[str | None, Found | None]:
    notation = parsed.fields.get("notation")
    if notation and notation.value and str(notation.value).startswith("UBND-"):
        code = str(notation.value).split("-")[-1]
        if code in FIELD_CODES:
            return code, notation
    for copy in parsed.copies_to:
        if copy.value.startswith("Lưu"):
            for word in re.split(r"[\s,.:]+", copy.value):
                if word in FIELD_CODES:
                    return word, copy
    return None, None


def _signer(session: Session, name: str | None) -> User | None:
    if not name:
        return None
    return session.scalars(select(User).where(func.lower(User.full_name) == name.lower(), User.active)).first()


def _codes(mentions: list[Mention], source: Source) -> list[str]:
    codes = []
    for mention in mentions:
        if mention.span:
            source.spans.append(mention.span)
        if mention.code is None:
            source.notes.append(f"«{mention.written}» chưa có trong danh bạ; hãy chọn cơ quan tương ứng.")
        elif mention.code not in codes:
            codes.append(mention.code)
    source.confidence = min((m.confidence for m in mentions), default=None)
    return codes


def _task(i: int, task: TaskRead, directory: Directory, reader: DeadlineReader, today: date,
          sources: dict[str, Source]) -> dict[str, Any]:
    summary = Source([task.text.span(0, len(task.text.text))], task.confidence, list(task.notes))
    lead_source, coordinate_source = Source(), Source()
    lead = _codes(task.lead, lead_source)
    coordinate = _codes(task.coordinate, coordinate_source)
    vague = [c for c in lead if directory.is_vague(c)]
    if vague and len(vague) < len(lead):
        lead = [c for c in lead if c not in vague]
        coordinate = list(dict.fromkeys(coordinate + vague))
        lead_source.notes.append(f"«{'; '.join(directory.name(c) for c in vague)}» không chỉ rõ cơ quan nên được "
                                 "đưa sang phối hợp.")
    elif vague:
        lead = [c for c in lead if c not in vague]
        lead_source.notes.append(f"«{'; '.join(directory.name(c) for c in vague)}» không chỉ rõ cơ quan nào; hãy chọn "
                                 "cơ quan hoặc nhóm chủ trì.")
    sources[f"tasks.{i}.summary"] = summary
    sources[f"tasks.{i}.lead"] = lead_source
    sources[f"tasks.{i}.coordinate"] = coordinate_source
    row: dict[str, Any] = {"ref": task.ref, "summary": task.text.text[:4000], "lead": lead, "coordinate": coordinate,
                           "deadline_phrase": None, "deadline": None}
    if task.deadline_phrase:
        phrase = task.deadline_phrase[-PHRASE_LIMIT:]
        deadline = Source([task.deadline_span] if task.deadline_span else [], SURE if not task.notes else GUESSED,
                          list(task.notes))
        row["deadline_phrase"] = phrase
        if not task.recurrence:
            try:
                row["deadline"] = to_local(reader.read(phrase, today).due).date().isoformat()
            except DeadlineError as exc:
                deadline.notes.append(exc.message)
        if task.also:
            kind = "báo cáo định kỳ" if task.also.rule else "thời hạn"
            deadline.notes.append(f"Mục này còn nêu {kind} «{task.also.phrase}»; hãy tách thành nhiệm vụ riêng nếu "
                                  "cần theo dõi cả hai.")
            if task.also.span:
                deadline.spans.append(task.also.span)
        sources[f"tasks.{i}.deadline_phrase"] = deadline
    return row


def draft_proposal(parsed: ParsedDirective, session: Session, reader: DeadlineReader, today: date) -> Proposal:
    """The draft form filled from ``parsed``, and the source of every field."""
    directory = Directory(session)
    sources: dict[str, Source] = {}
    value = parsed.value
    kind = value("kind")
    sources["kind"] = Source().take(parsed.fields.get("kind"))
    if kind not in FORM_KINDS:
        sources["kind"].notes.append("Không nhận ra loại văn bản; hãy chọn.")
        kind = None
    code, code_source = _field_code(parsed)
    sources["field_code"] = Source().take(code_source)
    if code is None:
        sources["field_code"].notes.append("Văn bản không ghi lĩnh vực quen biết; hãy chọn.")
    sources["subject"] = Source().take(parsed.fields.get("subject"))
    if not value("subject"):
        sources["subject"].notes.append("Không tìm thấy trích yếu; hãy nhập.")
    recipients: list[str] = []
    sources["recipients"] = Source()
    for found, mentions in parsed.recipients:
        sources["recipients"].take(found)
        for mention in mentions:
            if mention.code is None:
                sources["recipients"].notes.append(f"«{mention.written}» chưa có trong danh bạ; hãy chọn cơ quan "
                                                   "tương ứng.")
            elif mention.code in ISSUING_SIDE:
                sources["recipients"].notes.append(f"«{found.value}» thuộc cơ quan ban hành nên không cần gửi nhận.")
            elif mention.code not in recipients:
                recipients.append(mention.code)
        if not mentions:
            sources["recipients"].notes.append(f"«{found.value}»: không nhận ra cơ quan; hãy chọn trong danh bạ.")
    sources["body"] = Source().take(parsed.preamble)
    authority = authority_code(value("signer.authority"), value("signer.title"))
    sources["signing_authority"] = Source().take(parsed.fields.get("signer.authority")).take(
        parsed.fields.get("signer.title"))
    signer = _signer(session, value("signer.name"))
    sources["signer"] = Source().take(parsed.fields.get("signer.name"))
    if value("signer.name") and signer is None:
        sources["signer"].notes.append(f"Không có người dùng tên «{value('signer.name')}»; hãy chọn người ký.")
    tasks = [_task(i, t, directory, reader, today, sources) for i, t in enumerate(parsed.tasks)]
    values = {
        "kind": kind, "field_code": code, "subject": value("subject") or "", "recipients": recipients,
        "body": (parsed.preamble.value or "")[:20000], "signing_authority": authority,
        "signer": signer.username if signer else None, "send_edxml": False, "tasks": tasks,
    }
    imported = {key: item for key, item in as_json(parsed).items() if key not in ("tasks", "not_tasks")}
    return Proposal(values, sources, imported)
