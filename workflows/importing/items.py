"""The numbered structure of a directive's body: items, sections, bullets.

Vietnamese directives number what they ask for (Nghị định 30/2020/NĐ-CP):
«I.» parts, «1.» items or «Điều 1.», «1.1.» sub-items, «a)» points, «-» and
«+» bullets. ``build_items`` turns the body's lines into that tree; lines
without a marker continue the item above them. After the last marker, a
paragraph that assigns work on its own («Giao Sở Công Thương theo dõi, đôn
đốc…») becomes an item of its own, and the closing formula («Thủ trưởng các
cơ quan… thực hiện./.») ends the items.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .cleanup import UPPER, Line, is_upper, spaced

MARKERS = (
    ("part", re.compile(r"^(?P<m>[IVX]{1,4}|[A-H])\.\s+(?=\S)")),
    ("article", re.compile(r"^Điều\s+(?P<m>\d{1,3})\.?\s+(?=\S)")),
    ("nested", re.compile(r"^(?P<m>\d{1,3}(?:\.\d{1,3})+)\.?\s+(?=\S)")),
    ("arabic", re.compile(r"^(?P<m>\d{1,3})[.)]\s+(?=\S)")),
    ("letter", re.compile(r"^(?P<m>[a-zđ])\)\s+(?=\S)")),
    ("dash", re.compile(r"^[-–•]\s*(?=\S)")),
    ("plus", re.compile(r"^\+\s*(?=\S)")),
)
RANK = {"part": 0, "article": 1, "arabic": 2, "paragraph": 2, "nested": 3, "letter": 4, "dash": 5, "plus": 6}
#: Markers that count: «2.» follows «1.», «Điều 3.» follows «Điều 2.».
NUMBERED = ("arabic", "article")
SENTENCE_END = re.compile(r"(?:[.!?;:]|\./\.)[\"»)]?$")
CLOSING = re.compile(spaced(r"^(?:Thủ trưởng|Trên đây|Nhận được|Thừa lệnh|Thừa ủy quyền|Trong quá trình|"
                            r"Quá trình thực hiện|(?:Ủy ban nhân dân|UBND|Văn phòng)[^.]{0,40}\bthông báo|Đề nghị các|"
                            r"Yêu cầu các|Giao Văn phòng)"))

#: The closing formula: those addressed are to carry out this directive.
FORMULA = re.compile(spaced(r"(?:có|chịu) trách nhiệm (?:tổ chức )?(?:triển khai )?(?:thực hiện|thi hành)[^.;]{0,60}"
                            r"(?:Chỉ thị|Quyết định|Kế hoạch|Công văn|Thông báo|Công điện|Chương trình|văn bản) này"))
#: The closing request to the heads of those addressed: «Yêu cầu Giám đốc Sở … triển khai thực hiện./.».
CLOSING_REQUEST = re.compile(spaced(r"^(?:Yêu cầu|Đề nghị) (?:Giám đốc|Thủ trưởng|Chủ tịch|Lãnh đạo|Trưởng)"))
GENERIC_EXECUTION = re.compile(spaced(r"(?:triển khai|tổ chức|nghiêm túc|khẩn trương) thực hiện|thực hiện nghiêm|"
                                      r"biết,? (?:triển khai )?thực hiện"))


@dataclass
class Item:
    """One marked item: its marker, its lines, the items under it."""

    kind: str
    mark: str
    lines: list[Line]
    children: list[Item] = field(default_factory=list)

    @property
    def rank(self) -> int:
        return RANK[self.kind]


@dataclass
class Body:
    """The body split: the opening paragraphs, the items, the closing formula."""

    preamble: list[Line]
    items: list[Item]
    closing: list[Line]
    absorbed: list[Line] = field(default_factory=list)


def marker_of(text: str) -> tuple[str, str, int] | None:
    """(kind, mark, length) of the marker opening ``text``, or None. A part lettered «A.» must be a heading in
    capitals («A. NHIỆM VỤ CHUNG»), not a sentence that starts with an initial."""
    for kind, pattern in MARKERS:
        found = pattern.match(text)
        if found and not (kind == "part" and found["m"].isalpha() and found["m"] not in "IVX"
                          and not is_upper(text[found.end():])):
            return kind, found.groupdict().get("m") or "", found.end()
    return None


def _starts_paragraph(previous: Line, line: Line) -> bool:
    return bool(SENTENCE_END.search(previous.text)) and line.text[:1].isupper()


def _next_number(items: list[Item]) -> int:
    return max((int(item.mark) for item in items if item.mark.isdigit()), default=len(items)) + 1


def _paragraph_end(lines: list[Line], at: int) -> int:
    return next((i for i in range(at + 1, len(lines)) if _starts_paragraph(lines[i - 1], lines[i])), len(lines))


def _is_formula(lines: list[Line], at: int) -> bool:
    """Whether the paragraph at ``lines[at]`` opens with the closing formula: those addressed are to carry the
    directive out («Giám đốc các sở, … có trách nhiệm tổ chức thực hiện nghiêm túc Chỉ thị này.»)."""
    paragraph = " ".join(line.text for line in lines[at:_paragraph_end(lines, at)])
    first = re.split(rf"(?<=\.)\s+(?=[{UPPER}])", paragraph, maxsplit=1)[0]
    return bool(FORMULA.search(first))


def _given_in(lines: list[Line], assigns, number: int) -> list[Item]:
    """The work a closing paragraph still gives, one item per sentence that gives it («… Chỉ thị này. Giao Sở
    Nông nghiệp và Phát triển nông thôn theo dõi, đôn đốc …»)."""
    items: list[Item] = []
    for i, line in enumerate(lines):
        for sentence in re.finditer(r"(?:^|(?<=[.;]\s))(?=Giao\s)", line.text):
            if sentence.start() == 0 and i > 0 and not re.search(r"[.;]$", lines[i - 1].text):
                continue
            if assigns(line.text[sentence.start():]):
                first = Line(line.text[sentence.start():], line.start + sentence.start(),
                             line.indent + sentence.start())
                rest = lines[i + 1:_paragraph_end(lines, i)]
                items.append(Item("paragraph", str(number + len(items)), [first, *rest]))
    return items


def _closes(lines: list[Line], at: int) -> bool:
    """Whether the paragraph at ``lines[at]`` closes the directive: a closing formula, or a request to the heads
    of those addressed that asks nothing but to carry it out and ends the text («… triển khai thực hiện./.»)."""
    if CLOSING.match(lines[at].text):
        return True
    if not CLOSING_REQUEST.match(lines[at].text):
        return False
    paragraph = " ".join(line.text for line in lines[at:_paragraph_end(lines, at)])
    return paragraph.endswith("./.") and bool(GENERIC_EXECUTION.search(paragraph))


def build_items(lines: list[Line], assigns) -> Body:
    """The body of ``lines``; ``assigns(text)`` says whether an unmarked paragraph assigns work by itself.

    A numbered line out of sequence («3.» after «1.») is read as the text of the item above and said in
    ``Body.absorbed``; a body without any marker is read paragraph by paragraph.
    """
    first = _first_item(lines)
    if first is None:
        return _paragraphs(lines, assigns)
    last_marker = max(i for i, line in enumerate(lines) if i >= first and marker_of(line.text))
    body = Body(lines[:first], [], [])
    stack: list[Item] = []
    numbers: dict[int, int] = {}
    for i in range(first, len(lines)):
        line = lines[i]
        found = marker_of(line.text)
        if found and _in_sequence(found, numbers, stack):
            kind, mark, _length = found
            _attach(Item(kind, mark, [line]), body.items, stack)
            continue
        if found and found[0] in NUMBERED:
            body.absorbed.append(line)
        if i > last_marker and _starts_paragraph(lines[i - 1], line):
            if _is_formula(lines, i):
                body.closing = lines[i:]
                body.items.extend(_given_in(lines[i:], assigns, _next_number(body.items)))
                return body
            if assigns(line.text):
                _attach(Item("paragraph", str(_next_number(body.items)), [line]), body.items, stack)
                continue
            if _closes(lines, i):
                body.closing = lines[i:]
                return body
        if stack:
            stack[-1].lines.append(line)
    return body


def _paragraphs(lines: list[Line], assigns) -> Body:
    """A body without numbers: each paragraph that gives work to an agency is an item («Giao Sở …»)."""
    body = Body([], [], [])
    current: Item | None = None
    for i, line in enumerate(lines):
        starts = i == 0 or _starts_paragraph(lines[i - 1], line)
        if starts and current is not None and _is_formula(lines, i):
            body.closing = lines[i:]
            body.items.extend(_given_in(lines[i:], assigns, _next_number(body.items)))
            break
        if starts and assigns(line.text):
            current = Item("paragraph", str(len(body.items) + 1), [line])
            body.items.append(current)
        elif starts and current is not None and _closes(lines, i):
            body.closing = lines[i:]
            break
        elif current is not None:
            current.lines.append(line)
        else:
            body.preamble.append(line)
    return body


def _first_item(lines: list[Line]) -> int | None:
    """The first numbered line; failing that the first bulleted one."""
    for kinds in (("part", "article", "arabic", "nested"), ("letter", "dash", "plus")):
        for i, line in enumerate(lines):
            found = marker_of(line.text)
            if found and found[0] in kinds and (found[0] != "arabic" or found[1] == "1"):
                return i
    return None


def _in_sequence(found: tuple[str, str, int], numbers: dict[int, int], stack: list[Item]) -> bool:
    """An «n.» item only follows «n-1.» at its level (a wrapped line starting with «2.» is text)."""
    kind, mark, _length = found
    if kind not in NUMBERED:
        return True
    rank = RANK[kind]
    expected = numbers.get(rank, 0) + 1
    if int(mark) == expected or (int(mark) == 1 and any(s.rank < rank for s in stack)):
        numbers[rank] = int(mark)
        for deeper in [r for r in numbers if r > rank]:
            del numbers[deeper]
        return True
    return False


def _attach(item: Item, roots: list[Item], stack: list[Item]) -> None:
    while stack and stack[-1].rank >= item.rank:
        stack.pop()
    (stack[-1].children if stack else roots).append(item)
    stack.append(item)
