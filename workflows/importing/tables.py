"""Task tables: the grid a plan lists its work in, read row by row.

A plan or its appendix often gives its tasks as a table: «TT | Nội dung nhiệm
vụ | Cơ quan chủ trì | Cơ quan phối hợp | Thời gian hoàn thành». Text pulled
out of a PDF keeps such a table as lines laid out in columns, a cell wrapped
over several lines; a Word table arrives the same way (``extract`` lays it
out). The header names the columns (a heading may wrap, or span the two
below it). A column begins where rows start their cells, give or take the
drift of a PDF's layout; a centred column is placed by its heading. A row
starts where the number column holds a number, and every line until the next
one adds to its cells. The table ends at running text or «Nơi nhận».
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .cleanup import Line
from .layout import COLUMN_GAP

#: What a column's heading says it holds, tried in this order.
ROLES = (
    ("coordinate", re.compile(r"phối\s+hợp")),
    ("when", re.compile(r"thời\s+(?:gian|hạn|điểm)|tiến\s+độ|hoàn\s+thành|thời\s+hạn")),
    ("lead", re.compile(r"chủ\s+trì|thực\s+hiện|chịu\s+trách\s+nhiệm|(?:cơ\s+quan|đơn\s+vị)\s+(?:thực|chủ)")),
    ("number", re.compile(r"^(?:s[ốo]\s*)?tt\.?$|^stt\.?$|^số\s+thứ\s+tự$")),
    ("content", re.compile(r"nội\s+dung|nhiệm\s+vụ|công\s+việc|hoạt\s+động|giải\s+pháp|tên\s")),
)
#: The mark of a row: «1», «1.», «12», a part «I», «II.», a lettered point «a)».
ROW_MARK = re.compile(r"^(?P<m>\d{1,3}(?:\.\d{1,3})*|[IVX]{1,5}|[a-zđ])[.)]?$")
#: Lines that end a table whatever their layout.
STOPS = re.compile(r"^(?:Nơi\s+nhận|N[ơo]i\s+nh[ậa]n|(?:TM|KT|TL|TUQ)\.\s|PHỤ\s+LỤC|Trên\s+đây|Ghi\s+chú\s*:)",
                   re.IGNORECASE)
#: The body going on after a table: a part or an item, its mark and words together («IV. KINH PHÍ», «2. Sở …»);
#: a row's number stands apart from its cells.
BODY_ITEM = re.compile(r"^(?:[IVX]{1,5}|\d{1,3}|[A-H])\.\s\S|^Điều\s+\d")
HEADER_LINES = 4
HEADING_LENGTH = 40
#: Words a table's first header line has.
HEADING_WORDS = re.compile(r"^(?:S?TT|Số\s+TT)$|Nội\s+dung|Nhiệm\s+vụ|Cơ\s+quan|Đơn\s+vị|Thời\s+(?:gian|hạn)|Chủ\s+trì|"
                           r"Phối\s+hợp|Công\s+việc", re.IGNORECASE)
NUMBER_HEADING = re.compile(r"^(?:S?TT|Số\s+TT)\.?(?=\s)", re.IGNORECASE)
#: How far the same column may wander from line to line in a PDF's laid-out text.
DRIFT = 2


@dataclass
class Piece:
    """Words of one line between column gaps, at column ``x`` of the laid-out page."""

    text: str
    x: int
    line: Line
    offset: int  # in the line's text

    @property
    def end(self) -> int:
        return self.x + len(self.text)

    def cut(self, at: int) -> tuple[Piece, Piece]:
        """The piece cut at page column ``at`` (a space), both halves stripped."""
        i = at - self.x
        left, right = self.text[:i].rstrip(), self.text[i:]
        skipped = len(right) - len(right.lstrip())
        return (Piece(left, self.x, self.line, self.offset),
                Piece(right.lstrip(), at + skipped, self.line, self.offset + i + skipped))

    def as_line(self) -> Line:
        return Line(self.text, self.line.start + self.offset, self.x)


@dataclass
class Row:
    """One row: its mark and, per column role, the pieces of its cells in reading order."""

    mark: str
    cells: dict[str, list[Line]] = field(default_factory=dict)

    def text(self, role: str) -> str:
        return " ".join(line.text for line in self.cells.get(role, []))


@dataclass
class Table:
    """A task table found at ``lines[first:last]``."""

    first: int
    last: int
    rows: list[Row]


def pieces_of(line: Line) -> list[Piece]:
    """The gap-separated pieces of ``line`` with their page columns."""
    found, position = [], 0
    for text in COLUMN_GAP.split(line.text):
        if not text.strip():
            position += len(text)
            continue
        at = line.text.index(text, position)
        found.append(Piece(text.strip(), line.indent + at, line, at))
        position = at + len(text)
    return found


def find_tables(lines: list[Line]) -> list[Table]:
    """Every task table in ``lines``, in order."""
    tables, i = [], 0
    while i < len(lines):
        table = _table_at(lines, i)
        if table is None:
            i += 1
            continue
        tables.append(table)
        i = table.last
    return tables


def _role(heading: str) -> str:
    words = " ".join(heading.casefold().split())
    for role, pattern in ROLES:
        if pattern.search(words):
            return role
    return "other"


def is_task_header(headings: list[str]) -> bool:
    """True when a table's first row names the columns of a task table (who leads, and what or by when)."""
    roles = {_role(h) for h in headings}
    return "lead" in roles and bool({"content", "when"} & roles)


def _header(lines: list[Line], at: int) -> tuple[list[tuple[int, int, str]], int] | None:
    """The columns a header starting at ``lines[at]`` names, as (x from, x to, heading), and the line after it.
    A heading wrapped over several lines is one heading; one spanning two below («Cơ quan thực hiện» over «Chủ
    trì», «Phối hợp») gives each of them its words."""
    first = _headings(pieces_of(lines[at]))
    if len(first) < 3 or not any(HEADING_WORDS.search(p.text) for p in first) or not all(map(_is_heading, first)):
        return None
    groups = [(p.x, p.end, p.text) for p in first]
    end = at + 1
    while end < min(len(lines), at + HEADER_LINES):
        more = pieces_of(lines[end])
        if not more or _starts_row(more, groups[0][1] + 2) or STOPS.match(lines[end].text):
            break
        groups = _stack(groups, _headings(more))
        end += 1
    if not is_task_header([heading for _s, _e, heading in groups]):
        return None
    return groups, end


def _is_heading(piece: Piece) -> bool:
    """A column's heading is a few words, no sentence: not «1. Giao Sở» or «chính chủ trì,» of a justified line whose
    words a PDF spread apart."""
    return len(piece.text) <= HEADING_LENGTH and not re.search(r"[,;]|\.$|^\d+\.\s", piece.text) or \
        bool(NUMBER_HEADING.match(piece.text))


def _headings(pieces: list[Piece]) -> list[Piece]:
    """Header pieces, the number column's «STT» taken apart from a heading it ran into («STT Nhiệm vụ»)."""
    found = []
    for piece in pieces:
        number = NUMBER_HEADING.match(piece.text)
        if number and number.end() < len(piece.text):
            found.extend(piece.cut(piece.x + number.end()))
        else:
            found.append(piece)
    return found


def _stack(groups: list[tuple[int, int, str]], pieces: list[Piece]) -> list[tuple[int, int, str]]:
    """The headings once the header line of ``pieces`` is read under ``groups``."""
    stacked = []
    taken: set[int] = set()
    for start, stop, heading in groups:
        under = [p for p in pieces if p.x < stop + 2 and start - 2 < p.end and id(p) not in taken]
        taken.update(id(p) for p in under)
        if len(under) > 1:
            stacked.extend((p.x, p.end, f"{heading} {p.text}") for p in under)
        elif under:
            stacked.append((min(start, under[0].x), max(stop, under[0].end), f"{heading} {under[0].text}"))
        else:
            stacked.append((start, stop, heading))
    stacked.extend((p.x, p.end, p.text) for p in pieces if id(p) not in taken)
    return sorted(stacked)


def _starts_row(pieces: list[Piece], first_column_end: int) -> bool:
    return bool(pieces) and pieces[0].x < first_column_end and ROW_MARK.match(pieces[0].text) is not None


def _column_starts(body: list[list[Piece]], headings: list[tuple[int, int, str]]) -> list[int]:
    """Where the columns begin: the places two or more rows start a cell at (give or take ``DRIFT``, since a PDF's
    text is laid out by average letter widths), and, for a heading over a column whose cells are centred, the
    heading's own place."""
    counts: dict[int, int] = {}
    for pieces in body:
        for piece in pieces:
            counts[piece.x] = counts.get(piece.x, 0) + 1
    clusters: list[list[int]] = []
    for x in sorted(counts):
        if clusters and x - clusters[-1][-1] <= DRIFT:
            clusters[-1].append(x)
        else:
            clusters.append([x])
    starts = [min(c) for c in clusters if sum(counts[x] for x in c) >= min(2, len(body))]
    before = -1
    for start, stop, heading in headings:  # a heading stands inside its column, centred: its cells start after
        if _role(heading) != "other" and not any(before < x <= stop for x in starts):  # the heading to the left
            starts.append(start)
        before = stop
    return sorted(set(starts))


def _nearest(x: int, starts: list[int]) -> int:
    """The column whose start is nearest ``x``, the earlier one when two are as near."""
    return min(range(len(starts)), key=lambda i: (abs(starts[i] - x), i))


def _fit(pieces: list[Piece], starts: list[int]) -> list[tuple[int, Piece]]:
    """Each piece with its column; a piece running into the next column (a single space between two cells) is cut
    at the space there."""
    placed = []
    for piece in pieces:
        while True:
            column = _nearest(piece.x, starts)
            following = next((b for b in starts[column + 1:] if piece.x < b - DRIFT < piece.end - 1), None)
            space = None if following is None else next(
                (x for x in range(following - DRIFT, following + DRIFT + 1)
                 if piece.x < x < piece.end and piece.text[x - piece.x] == " "), None)
            if space is None:
                break
            left, piece = piece.cut(space + 1)
            placed.append((column, left))
        placed.append((_nearest(piece.x, starts), piece))
    return placed


def _is_prose(pieces: list[Piece], headings: list[tuple[int, int, str]]) -> bool:
    """Running text after the table: one piece running across two headings' places or more."""
    if len(pieces) != 1:
        return False
    piece = pieces[0]
    return sum(1 for start, _stop, _h in headings[1:] if piece.x < start - DRIFT and piece.end > start + DRIFT) >= 2


def _repeats_header(pieces: list[Piece], headings: list[tuple[int, int, str]]) -> bool:
    """The header again at the top of the next page, or the row of column numbers under it («1 2 3 4 5»)."""
    if all(re.fullmatch(r"\(?\d{1,2}\)?", p.text) for p in pieces) and len(pieces) >= 3:
        return True
    words = {p.text.casefold() for p in pieces}
    return len(words) >= 2 and words <= {w.casefold() for _s, _e, h in headings for w in _header_words(h)}


def _header_words(heading: str) -> list[str]:
    words = heading.split()
    return [" ".join(words[i:j]) for i in range(len(words)) for j in range(i + 1, len(words) + 1)]


def _table_at(lines: list[Line], at: int) -> Table | None:
    header = _header(lines, at)
    if header is None:
        return None
    headings, start = header
    body: list[tuple[int, list[Piece]]] = []
    for i in range(start, len(lines)):
        pieces = pieces_of(lines[i])
        if STOPS.match(lines[i].text) or _is_prose(pieces, headings) or BODY_ITEM.match(lines[i].text):
            break
        body.append((i, pieces))
    rows_only = [pieces for _i, pieces in body if not _repeats_header(pieces, headings)]
    starts = _column_starts([p for p in rows_only if len(p) > 1], headings)
    if not starts:
        return None
    roles = _roles(starts, headings)
    number = roles.index("number") if "number" in roles else None
    lines_placed = [(i, _fit(pieces, starts)) for i, pieces in body if not _repeats_header(pieces, headings)]
    rows = _rows(lines_placed, roles, number)
    if not rows:
        return None
    return Table(at, body[-1][0] + 1 if body else start, rows)


def _rows(placed_lines: list[tuple[int, list[tuple[int, Piece]]]], roles: list[str], number: int | None) -> list[Row]:
    """The rows of a table's lines. A row's number may stand on its first line or, centred, lower down: the row
    then begins at the nearest line above it whose cell opens with a capital («Rà soát, đề xuất…» over «1 chế,
    chính sách…»)."""
    marks = {}
    for k, (_i, placed) in enumerate(placed_lines):
        found = [p for column, p in placed if column == number] if number is not None else []
        mark = ROW_MARK.match(found[0].text) if found else None
        if mark:
            marks[k] = mark["m"]
    starts: dict[int, str] = {}
    if number is None:
        opened = 0
        for k, (_i, placed) in enumerate(placed_lines):
            if k == 0 or _opens_row(placed, roles):
                opened += 1
                starts[k] = str(opened)
    else:
        previous = -1
        for k, mark in sorted(marks.items()):
            start = next((j for j in range(k, previous, -1) if _opens_cell(placed_lines[j][1], roles, number)), k)
            starts[start] = mark
            previous = k
    rows: list[Row] = []
    for k, (_i, placed) in enumerate(placed_lines):
        if k in starts:
            rows.append(Row(starts[k]))
        if not rows:
            continue
        for column, piece in placed:
            if column != number:
                rows[-1].cells.setdefault(roles[column], []).append(piece.as_line())
    return rows


def _opens_cell(placed: list[tuple[int, Piece]], roles: list[str], number: int) -> bool:
    """The line begins a cell: its content (or, without content, its lead) opens with a capital."""
    cells = {roles[column]: piece for column, piece in placed if column != number}
    first = cells.get("content") or cells.get("lead")
    return first is not None and first.text[:1].isupper()


def _roles(starts: list[int], headings: list[tuple[int, int, str]]) -> list[str]:
    """The role of each column: that of the heading standing over most of it, or, that column named already, over
    the next most (a heading drifts into its neighbour's place)."""
    roles = ["other"] * len(starts)
    ends = starts[1:] + [10 ** 6]
    for start, stop, heading in headings:
        role = _role(heading)
        if role == "other":
            continue
        overlap = [(min(stop, ends[i]) - max(start, starts[i]), -abs(starts[i] - start), i) for i in range(len(starts))]
        free = [i for _o, _d, i in sorted(overlap, reverse=True) if roles[i] == "other"]
        if free:
            roles[free[0]] = role
    return roles


def _opens_row(placed: list[tuple[int, Piece]], roles: list[str]) -> bool:
    """Without a number column, a row opens where the content and the lead both begin with a capital."""
    starts = {roles[column] for column, piece in placed if piece.text[:1].isupper()}
    return {"content", "lead"} <= starts
