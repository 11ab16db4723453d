"""A directive's text read into the fields of a draft, each with its source and how sure the reading is."""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from ..agencies import Directory
from ..deadlines import DeadlineReader
from .cleanup import LOWER, UPPER, Document, Line, Passage, clean, join
from .found import INFERRED, LIKELY, SURE, Found
from .header import YEARS, day_of, read_header, recipients_from_copies
from .items import build_items
from .layout import NOTATION_KINDS, Closing, attachment_body, attachment_start, closing_start, read_closing
from .names import Mention, NameReader
from .tables import find_tables
from .tasks import Skipped, TaskRead, TaskReader

CITED = re.compile(r"(?:Nghị định|Thông tư|Quyết định|Chỉ thị|Nghị quyết|Công văn|Văn bản|Báo cáo|Thông báo|Kế hoạch|"
                   r"Tờ trình|Luật|Kết luận)\s+số\s+\d+[\w/\-.Đđ]*(?:\s+ngày\s+\d{1,2}/\d{1,2}/\d{4})?"
                   r"(?:\s+của\s+[^,;.()]+?(?=\s+(?:về|sửa|quy|hướng|ban)\b|[,;.()]|$))?")
DATES = re.compile(r"\b\d{1,2}/\d{1,2}/(\d{4})\b|ngày\s+\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+(\d{4})|"
                   r"tháng\s+\d{1,2}/(\d{4})")
MEETING = re.compile(r"(?:Ngày|Sáng ngày|Chiều ngày|Vào ngày)\s+(\d{1,2})(?:/|\s+tháng\s+)(\d{1,2})"
                     r"(?:/|\s+năm\s+)(\d{4})")
PRESIDED = re.compile(r"((?:Đồng chí|đồng chí)[^.;]{5,160}?|[^.;]{5,160}?)\s+chủ\s+trì\b")
PROVINCE = re.compile(rf"\btỉnh ((?:[{UPPER}][{LOWER}]+)(?: [{UPPER}][{LOWER}]+){{0,2}})\b(?! \d)")
#: «Chủ tịch UBND tỉnh Phạm Anh Tuấn»: a person after «tỉnh», not a province.
TITLED = re.compile(r"(?:Chủ\s+tịch|Giám\s+đốc|Trưởng\s+ban)\s+(?:UBND|Ủy\s+ban\s+nhân\s+dân)?\s*$")


@dataclass
class ParsedDirective:
    """Everything read from one directive."""

    source: str
    document: Document
    fields: dict[str, Found]
    recipients: list[tuple[Found, list[Mention]]]
    copies_to: list[Found]
    basis: list[Found]
    preamble: Found
    tasks: list[TaskRead]
    skipped: list[Skipped]
    warnings: list[str] = field(default_factory=list)

    def value(self, name: str) -> Any:
        """The value read for field ``name`` («issuer», «signer.name»…), or None."""
        found = self.fields.get(name)
        return found.value if found else None


def parse_directive(text: str, directory: Directory, reader: DeadlineReader, today: date,
                    source: str = "") -> ParsedDirective:
    """Read ``text`` (a directive as extracted from its file) against ``directory``."""
    document = clean(text)
    tables = find_tables(document.lines)
    in_tables = {i for table in tables for i in range(table.first, table.last)}
    lines = [line for i, line in enumerate(document.lines) if i not in in_tables]
    names = NameReader(directory)
    names.learn_short_names(join(lines).text)
    header = read_header(lines, names)
    fields, recipients, body_start = header.fields, header.recipients, header.body_start
    end = closing_start(lines, body_start)
    attached = attachment_start(lines, end)
    closing = read_closing(lines[end:attached])
    _signer(closing, fields)
    copies = [Found(text, (start, stop), SURE) for text, start, stop in closing.copies]
    body_lines = lines[body_start:end]
    preamble_lines = _preamble_lines(body_lines)
    preamble = join(preamble_lines)
    _meeting(preamble, fields)
    _infer_header(document, fields, preamble)
    if not recipients:
        recipients = recipients_from_copies(copies, names)
    base = _base_date(fields, today)
    task_reader = TaskReader(names, reader, base)
    body = build_items(body_lines, task_reader.assigns)
    tasks, skipped = task_reader.read(body.items, _sole_addressee(header.recipients, fields))
    absorbed = list(body.absorbed)
    if attached < len(lines):  # a plan issued with a decision: its tasks are the directive's
        start = attachment_body(lines, attached)
        appendix = build_items(lines[start:closing_start(lines, start)], task_reader.assigns)
        more, more_skipped = task_reader.read(appendix.items)
        tasks, skipped, absorbed = tasks + _appended(tasks, more), skipped + more_skipped, absorbed + appendix.absorbed
    for table in tables:  # a plan's tasks laid out as a table, in its body or its appendix
        more, more_skipped = task_reader.read_rows(table.rows)
        tasks, skipped = tasks + _appended(tasks, more), skipped + more_skipped
    parsed = ParsedDirective(source, document, fields, recipients, copies, _basis(preamble),
                             Found(preamble.text, preamble.span(0, len(preamble.text)) if preamble.text else None,
                                   LIKELY), tasks, skipped)
    parsed.warnings = _warnings(parsed) + [
        f"Dòng «{line.text[:60]}» không đúng thứ tự đánh số nên được đọc là phần tiếp theo của mục phía trên; "
        "hãy kiểm tra." for line in absorbed]
    return parsed


def _sole_addressee(recipients: list[tuple[Found, list[Mention]]], fields: dict[str, Found]) -> Mention | None:
    """The one body a công văn is addressed to («Kính gửi: Sở Giao thông vận tải.»), placed at its words there."""
    if fields.get("kind") is None or fields["kind"].value != "cong_van" or len(recipients) != 1:
        return None
    found, mentions = recipients[0]
    if len(mentions) != 1 or mentions[0].group or found.span is None:
        return None
    start = found.span[0] + mentions[0].start
    return replace(mentions[0], span=(start, start + mentions[0].end - mentions[0].start))


def _appended(tasks: list[TaskRead], more: list[TaskRead]) -> list[TaskRead]:
    """``more`` (an appendix's or a table's tasks) beside ``tasks``. When their numbers repeat, or the appended ones
    are named by their parts («I.1», «II.3»), the body's tasks are named by theirs («IV.1») if they all stand in
    one; numbers that still repeat name the appended ones «PL.1»."""
    by_part = any(re.match(r"[IVX]+\.", t.ref) for t in more)
    if {t.ref for t in tasks} & {t.ref for t in more} or by_part:
        if all(t.part for t in tasks):
            for task in tasks:
                task.ref = task.ref if task.ref.startswith(f"{task.part}.") else f"{task.part}.{task.ref}"
        if {t.ref for t in tasks} & {t.ref for t in more}:
            for task in more:
                task.ref = f"PL.{task.ref}"
    return more


# -- closing -------------------------------------------------------------------------
def _signer(closing: Closing, fields: dict[str, Found]) -> None:
    if closing.authority:
        authority = " / ".join(p.text for p in closing.authority)
        fields["signer.authority"] = Found(authority, (closing.authority[0].start, closing.authority[-1].end), SURE)
    if closing.title:
        fields["signer.title"] = Found(closing.title.text, (closing.title.start, closing.title.end), SURE)
    if closing.name:
        fields["signer.name"] = Found(closing.name.text, (closing.name.start, closing.name.end), LIKELY)


# -- body ---------------------------------------------------------------------------
def _preamble_lines(lines: list[Line]) -> list[Line]:
    body = build_items(lines, lambda _text: False)
    return body.preamble


def _meeting(preamble: Passage, fields: dict[str, Found]) -> None:
    if not str(fields.get("kind", Found("", None, 0)).value).startswith("thong_bao"):
        return
    subject = str(fields.get("subject", Found("", None, 0)).value)
    if "kết luận" in subject.casefold() or "kết luận" in preamble.text[:2000].casefold():
        fields["kind"] = Found("thong_bao_ket_luan", fields["kind"].span, fields["kind"].confidence)
    when = MEETING.search(preamble.text)
    if when:
        day = day_of(when[3], when[2], when[1])
        if day:
            fields["meeting_date"] = Found(day.isoformat(), preamble.span(when.start(), when.end()), LIKELY)
    chaired = PRESIDED.search(preamble.text)
    if chaired:
        fields["presided_by"] = Found(_presider(chaired.group(1)), preamble.span(chaired.start(1), chaired.end(1)),
                                      INFERRED)


def _presider(words: str) -> str:
    """«Đồng chí Nguyễn Cao Sơn, Tỉnh ủy viên, Phó Chủ tịch Ủy ban nhân dân tỉnh» → «Phó Chủ tịch UBND tỉnh Nguyễn
    Cao Sơn»; «…, Chủ tịch UBND tỉnh Phạm Anh Tuấn đã» → «Chủ tịch UBND tỉnh Phạm Anh Tuấn»."""
    parts = [p.strip() for p in re.split(r",\s*", words) if p.strip()]
    title = re.sub(r"\s+đã$", "", parts[-1]) if parts else words
    comrade = next((re.sub(r"^(?:Đồng chí|đồng chí)\s+", "", p) for p in parts
                    if re.match(r"(?:Đồng chí|đồng chí)\s", p)), None)
    if comrade and comrade not in title:
        title = f"{title} {comrade}"
    return re.sub(r"Ủy ban nhân dân", "UBND", title)


def _infer_header(document: Document, fields: dict[str, Found], preamble: Passage) -> None:
    """Without a header: the issuer from who signs, the province from the text, the year from the dates cited."""
    if "notation" in fields:
        kind = NOTATION_KINDS.get(str(fields["notation"].value).split("-")[0])
        if kind and "kind" not in fields:
            fields["kind"] = Found(kind, fields["notation"].span, LIKELY)
    if "issuer" not in fields:
        authority = str(fields.get("signer.authority", Found("", None, 0)).value)
        if "CHỦ TỊCH" in authority or "ỦY BAN NHÂN DÂN" in authority or "UBND tỉnh" in document.text:
            provinces = {m.group(1) for m in PROVINCE.finditer(document.text)
                         if not TITLED.search(document.text, max(0, m.start() - 40), m.start())}
            issuer = "UBND tỉnh" + (f" {provinces.pop()}" if len(provinces) == 1 else "")
            fields["issuer"] = Found(issuer, None, INFERRED, "Văn bản không có phần đầu; cơ quan ban hành được suy ra.")
            if issuer != "UBND tỉnh" and "place" not in fields:
                fields["place"] = Found(issuer.removeprefix("UBND tỉnh "), None, INFERRED)
    if "year" not in fields:
        years = [year for m in DATES.finditer(preamble.text or document.text)
                 if (year := int(next(g for g in m.groups() if g))) in YEARS]
        if fields.get("meeting_date"):
            years = [int(fields["meeting_date"].value[:4])]
        if years:
            fields["year"] = Found(max(years), None, INFERRED, "Năm suy ra từ các ngày được nêu trong văn bản.")


def _basis(preamble: Passage) -> list[Found]:
    """The documents the opening cites, each once (by its number)."""
    found: dict[str, Found] = {}
    for cited in CITED.finditer(preamble.text):
        number = re.search(r"số\s+(\S+)", cited.group(0)).group(1)
        found.setdefault(number, Found(cited.group(0).strip(), preamble.span(cited.start(), cited.end()), LIKELY))
    return list(found.values())


def _base_date(fields: dict[str, Found], today: date) -> date:
    """The day periods are counted from: the signing date, else the meeting's, else today."""
    for name in ("date", "meeting_date"):
        if fields.get(name) and fields[name].value:
            return date.fromisoformat(fields[name].value)
    if fields.get("year"):
        return date(fields["year"].value, 1, 1)
    return today


def _warnings(parsed: ParsedDirective) -> list[str]:
    warnings = []
    if not parsed.tasks:
        warnings.append("Không tìm thấy nhiệm vụ nào (các mục đánh số giao cho cơ quan); hãy nhập nhiệm vụ.")
    for skipped in parsed.skipped:
        warnings.append(f"Mục {skipped.ref} không nêu cơ quan thực hiện nên không được đề xuất thành nhiệm vụ.")
    unknown: dict[str, list[str]] = {}
    for task in parsed.tasks:
        for mention in (*task.lead, *task.coordinate):
            if mention.code is None:
                unknown.setdefault(mention.written, []).append(task.ref)
    for written, refs in unknown.items():
        warnings.append(f"«{written}» (nhiệm vụ {', '.join(dict.fromkeys(refs))}) chưa có trong danh bạ cơ quan; "
                        "hãy chọn cơ quan tương ứng hoặc bổ sung danh bạ.")
    if "signer.name" not in parsed.fields:
        warnings.append("Không tìm thấy người ký.")
    return warnings
