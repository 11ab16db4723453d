"""The header of a directive: issuing body, number, place and date, kind and title, addressees.

Nghị định 30/2020/NĐ-CP puts the issuing body and «Số: …/…» on the left, the
national motto and «Bình Định, ngày … tháng … năm …» on the right, then the
kind («THÔNG BÁO») with its title, or «V/v …» under the number for a công văn,
then «Kính gửi:». Text from a PDF keeps both columns on a line with a wide gap;
text from a web page or a Word table gives them one after the other and may
break a field across lines («Thanh Hoá, ngày» / «10 tháng 10 năm 2019»). So the
number and the date are looked for in the header read as one passage, and the
issuing body is what is written in capitals before them, the motto left out.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from datetime import date

from .cleanup import Line, Passage, join
from .found import LIKELY, SURE, Found
from .items import marker_of
from .layout import BODY_OPENINGS, KEPT, KINDS, MOTTO, NUMBER, PLACE_DATE, TO, is_upper, issuer_name, pieces
from .names import HEAD, Mention, NameReader

HEADER_LINES = 30
#: The years a directive's dates may name; «năm 0000» is a typing error, not a date.
YEARS = range(1900, 2201)
#: The issuing body is written in the first lines, above the number.
ISSUER_LINES = 8
#: The whole motto, or the part of it a line break left on a line.
MOTTO_WORDS = re.compile(r"CỘNG\s+HÒA(?:\s+XÃ\s+HỘI)?(?:\s+CHỦ\s+NGHĨA)?(?:\s+VIỆT\s+NAM)?|"
                         r"(?:XÃ\s+HỘI\s+)?CHỦ\s+NGHĨA\s+VIỆT\s+NAM|\bCỘNG\b")
#: Words an issuing body's name begins with.
ISSUING_HEADS = re.compile(r"ỦY\s+BAN|UBND|HỘI\s+ĐỒNG|VĂN\s+PHÒNG|SỞ|BAN|BỘ|CHÍNH\s+PHỦ|THỦ\s+TƯỚNG|CỤC|TỔNG\s+CỤC")
#: «Nơi nhận» lines that are the issuer's own office, not recipients.
OWN_OFFICE = re.compile(r"^(?:Như\s+(?:trên|điều|Điều)|(?:CVP|PCVP|PVP|LĐVP|CV|VP)\b|Văn\s+phòng\s+(?:UBND|Ủy\s+ban)|"
                        r"Chánh\s+(?:VP|Văn\s+phòng)|Phó\s+Chánh|"
                        r"(?:Các\s+)?(?:phòng|Phòng)\b|Trung\s+tâm\s+(?:Công\s+báo|Thông\s+tin)|Cổng\s+thông\s+tin)")
#: How urgent or secret a document is, marked above its header («HỎA TỐC», «KHẨN», «MẬT»).
URGENCY = re.compile(r"^\s*(?:HỎA\s+TỐC|THƯỢNG\s+KHẨN|KHẨN|TỐI\s+MẬT|TUYỆT\s+MẬT|MẬT)\s*$")
#: What a «Nơi nhận» line adds in parentheses: why it is sent («để b/c», «t/h»), how many copies («03b»).
REMARK = re.compile(r"\s*\((?:(?:để|đề)\s[^)]*|b/c|t/h|p/h|\d{1,3}\s*b(?:ản)?|[^)]*bản)\)")
SUBJECT_OPENINGS = ("V/v", "V/V", "Về việc", "về việc")
#: How a line of a title ends when the title goes on below it: a preposition, a conjunction, a comma or a dash.
GOES_ON = re.compile(r"(?:\b(?:của|và|với|tại|cho|đối|trên|về|theo|trong|từ|đến|giữa|các|những|số|ngày|năm|tháng|"
                     r"việc|về\s+việc)|[,\-–])\s*$", re.IGNORECASE)
#: A line under a title that is not part of it: who decides («CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH»), the body.
TITLE_STOPS = re.compile(r"^(?:CHỦ\s+TỊCH\s+ỦY\s+BAN|ỦY\s+BAN\s+NHÂN\s+DÂN|QUYẾT\s+ĐỊNH\s*:|"
                         r"(?:UBND|ỦY\s+BAN).*\s+điện)")


@dataclass
class Header:
    """What the header says, and where the body begins."""

    fields: dict[str, Found] = field(default_factory=dict)
    recipients: list[tuple[Found, list[Mention]]] = field(default_factory=list)
    body_start: int = 0


def read_header(lines: list[Line], names: NameReader) -> Header:
    """Read the header of ``lines``."""
    header = Header()
    end = _header_end(lines)
    head = join(lines[:end])
    starts = [line.start for line in lines]

    def line_of(offset: int) -> int:
        return bisect.bisect_right(starts, offset) - 1

    first_field = end
    number = NUMBER.search(head.text)
    if number:
        span = head.span(number.start(), number.end())
        header.fields["number"] = Found(int(number["n"]) if number["n"] else None, span, SURE)
        header.fields["notation"] = Found(number["notation"].rstrip(".-"), span, SURE)
        header.body_start = max(header.body_start, line_of(span[1] - 1) + 1)
        first_field = min(first_field, line_of(span[0]))
    when = PLACE_DATE.search(head.text)
    if when and int(when["y"]) in YEARS:
        place_start = _place_start(head, when, lines, line_of)
        span = head.span(place_start, when.end())
        day = day_of(when["y"], when["m"], when["d"])
        header.fields["place"] = Found(" ".join(head.text[place_start:when.end("place")].split()), span, SURE)
        header.fields["date"] = Found(day.isoformat() if day else None, span, SURE)
        header.fields["year"] = Found(int(when["y"]), span, SURE)
        header.body_start = max(header.body_start, line_of(span[1] - 1) + 1)
        first_field = min(first_field, line_of(span[0]))
    title_at = _kind(lines, header)
    if title_at is not None:
        first_field = min(first_field, title_at)
    _issuer(lines[:min(first_field + 1, ISSUER_LINES)], header)
    _subject_and_addressees(lines, title_at, header, names)
    return header


def _place_start(head: Passage, when: re.Match, lines: list[Line], line_of) -> int:
    """Where the place before the date begins: on a line of its own («Gia / Lai, ngày …» wrapped), not at the end
    of the line above («V/v … Công ty Thuận Phát Long An / Long An, ngày …»)."""
    start, end = when.start("place"), when.end("place")
    last_line = line_of(head.offsets[end - 1])
    while line_of(head.offsets[start]) < last_line and head.offsets[start] != lines[line_of(head.offsets[start])].start:
        following = line_of(head.offsets[start]) + 1
        start = next(i for i in range(start, end) if line_of(head.offsets[i]) >= following)
    return start


def _header_end(lines: list[Line]) -> int:
    """Where the header certainly ends: «Kính gửi», the body's first words, the first numbered item."""
    for i, line in enumerate(lines[:HEADER_LINES]):
        found = marker_of(line.text)
        if TO.match(line.text) or (i > 2 and BODY_OPENINGS.match(line.text)) or (found and found[0] != "dash"):
            return i
    return min(len(lines), HEADER_LINES)


def _kind(lines: list[Line], header: Header) -> int | None:
    """The line naming the kind («THÔNG BÁO», «KẾ HOẠCH»), if any; the kind goes in ``header``."""
    for i, line in enumerate(lines[:HEADER_LINES]):
        for piece in pieces(line):
            words = piece.text.strip()
            if words in KINDS and is_upper(words):  # «QUYẾT ĐỊNH:» with a colon is the decision's formula
                header.fields["kind"] = Found(KINDS[words], (piece.start, piece.end), SURE)
                header.body_start = max(header.body_start, i + 1)
                return i
    return None


def _issuer(lines: list[Line], header: Header) -> None:
    """The capitals before the number, the date or the kind, the motto left out («UBND tỉnh Bình Định»)."""
    words = [piece for line in lines for piece in pieces(line)
             if is_upper(piece.text) and not re.search(r"[\d/]", piece.text) and piece.text.strip() not in KINDS
             and not TO.match(piece.text) and not URGENCY.match(piece.text)]
    text = MOTTO_WORDS.sub(" ", " ".join(p.text for p in words))
    text = " ".join(text.split())
    if words and ISSUING_HEADS.match(text):
        header.fields["issuer"] = Found(issuer_name([text]), (words[0].start, words[-1].end), SURE)


def _subject_and_addressees(lines: list[Line], title_at: int | None, header: Header, names: NameReader) -> None:
    limit = min(len(lines), HEADER_LINES)
    subject_at = next((i for i in range(limit) if lines[i].text.startswith(SUBJECT_OPENINGS)), None)
    to_at = next((i for i in range(limit) if TO.match(lines[i].text)), None)
    if to_at is not None:
        header.recipients, after = _addressees(lines, to_at, names)
        header.body_start = max(header.body_start, after)
    fields = header.fields
    if subject_at is not None and (title_at is None or subject_at > title_at):
        stop = _title_end(lines, subject_at)
        if to_at is not None and subject_at < to_at < stop:
            stop = to_at
        _subject(lines[subject_at:stop], fields)
        if to_at is None or to_at < subject_at:
            header.body_start = max(header.body_start, stop)
        fields.setdefault("kind", Found("cong_van", fields["subject"].span, LIKELY))
    elif title_at is not None:
        stop = _title_end(lines, title_at + 1)
        if stop > title_at + 1:
            _subject(lines[title_at + 1:stop], fields)
        header.body_start = max(header.body_start, stop)
    elif to_at is not None:
        fields["kind"] = Found("cong_van", (lines[to_at].start, lines[to_at].end), LIKELY)


def _title_end(lines: list[Line], start: int) -> int:
    """The line after a title. A title in capitals runs while the capitals do; one in ordinary case stops at a
    line in capitals, and at a line opening with a capital unless the line above breaks off mid-phrase («… của» /
    «HĐND tỉnh»). Either stops where the body opens («Ngày 17/3/2025, …», «Căn cứ…») or another header field
    begins."""
    capitals = start < len(lines) and is_upper(lines[start].text)
    for i in range(start + 1, min(len(lines), start + 8)):
        text = lines[i].text
        if (BODY_OPENINGS.match(text) or TO.match(text) or MOTTO.search(text) or PLACE_DATE.search(text)
                or NUMBER.search(text) or TITLE_STOPS.match(text) or is_upper(text) != capitals
                or (marker_of(text) and not capitals)
                or (not capitals and text[:1].isupper() and not GOES_ON.search(lines[i - 1].text))):
            return i
    return min(len(lines), start + 1) if not capitals else min(len(lines), start + 8)


def _subject(lines: list[Line], fields: dict[str, Found]) -> None:
    passage = join([pieces(line)[0] for line in lines if pieces(line)])
    fields["subject"] = Found(passage.text.strip(), passage.span(0, len(passage.text)), SURE)


def _addressees(lines: list[Line], at: int, names: NameReader) -> tuple[list, int]:
    """«Kính gửi: A» or «Kính gửi:» with «- A;» lines; each with the agencies it names."""
    first = lines[at]
    rest = TO.match(first.text)
    entries: list[Line] = []
    if first.text[rest.end():].strip():
        entries.append(Line(first.text[rest.end():], first.start + rest.end()))
    i, wrapped = at + 1, 0
    while i < len(lines):
        text = lines[i].text
        if text.startswith(("-", "+", "•")):
            entries.append(lines[i])
            wrapped = 0
        elif entries and not re.search(r"[;.]$", entries[-1].text) and wrapped < 2 and (
                text[:1].islower() or re.search(r"[,:\-]$", entries[-1].text)
                or (len(text) <= 60 and not BODY_OPENINGS.match(text) and not text.endswith(":"))):
            entries[-1] = Line(entries[-1].text + " " + text, entries[-1].start)  # a name broken across lines
            wrapped += 1
        else:
            break
        i += 1
    found = []
    for entry in entries:
        text = entry.text.lstrip("-+• ").rstrip(" ;.,")
        offset = entry.start + len(entry.text) - len(entry.text.lstrip("-+• "))
        found.extend(recipients_in(text, offset, names))
    return found, i


def recipients_in(text: str, offset: int, names: NameReader) -> list[tuple[Found, list[Mention]]]:
    """The addressees of one line: the line itself, or each body of a line naming a kind once for several
    («- Các Sở: Xây dựng, Tài chính;» is two addressees, «Sở Xây dựng» and «Sở Tài chính»)."""
    members, end = names.members_at(text, 0)
    head = HEAD.match(text)  # «Giám đốc các sở, Thủ trưởng các ban, ngành», «Chủ tịch UBND các huyện»: the bodies
    if not members and head and names.at(text, head.end()) is not None:
        members, end = names.list_at(text, 0)
        return [(Found(m.written, (offset + m.end - len(m.written), offset + m.end), m.confidence, m.note), [m])
                for m in members] if members and not text[end:].strip(" ;.,") else [recipient(text, offset, names)]
    if not members or text[end:].strip(" ;.,"):
        return [recipient(text, offset, names)]
    return [(Found(m.name, (offset + m.start, offset + m.end), m.confidence, m.note), [m]) for m in members]


def recipient(text: str, offset: int, names: NameReader) -> tuple[Found, list[Mention]]:
    """One addressee line with the agencies it names and how sure that reading is."""
    mentions, _end = names.list_at(text, 0)
    confidence = min((m.confidence for m in mentions), default=0.5)
    note = next((m.note for m in mentions if m.note), None) if mentions else \
        "Không nhận ra cơ quan nào trong dòng này; hãy chọn trong danh bạ."
    return Found(text, (offset, offset + len(text)), confidence, note), mentions


def recipients_from_copies(copies: list[Found], names: NameReader) -> list[tuple[Found, list[Mention]]]:
    """Without «Kính gửi» (a thông báo, a kế hoạch) a directive goes to its «Nơi nhận»: every line but «Như
    trên», «Lưu» and the Office's own people («CVP, PVPKT», «Văn phòng UBND tỉnh: …»); a line naming no known
    body is kept and flagged."""
    found = []
    for copy in copies:
        text = REMARK.sub("", copy.value).strip()
        if KEPT.match(text) or OWN_OFFICE.match(text):
            continue
        mentions, _end = names.list_at(text, 0)
        if any(m.code == "VPUBND" for m in mentions):
            continue
        found.extend(recipients_in(text, copy.span[0], names))
    return found


def day_of(year: str | None, month: str | None, day: str | None) -> date | None:
    """The date written as day, month and year, or None when a part is blank or it is not on the calendar."""
    if not (year and month and day) or int(year) not in YEARS:
        return None
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None
