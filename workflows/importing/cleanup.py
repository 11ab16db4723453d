"""From extracted text to the lines a reader sees.

Text pulled out of a PDF carries what the eye skips: blank lines between
every line, page numbers ("3590 30 4", "- 2 -", "Trang 2"), footnotes at the
bottom of a page whose markers stick to words ("quy định1"). ``clean`` drops
them and keeps every other line, stripped, so that what the parser reads and
what the reviewer sees highlighted are the same text. ``join`` reads lines as
one passage (words split across lines rejoined) and remembers where each
character came from.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

#: The letters of Vietnamese, small and capital, for character classes (a range such as «à-ỹ» takes capitals too).
LOWER = "a-zàáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ"
UPPER = "A-ZÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴĐ"
PAGE_NOISE = re.compile(r"^(?:-\s*)?\d{1,4}(?:\s+\d{1,4}){0,3}(?:\s*-)?$|^trang\s+\d+(?:\s*/\s*\d+)?$|"
                        r"^[_=\-.·…|]{3,}$|^\|$", re.IGNORECASE)
FOOTNOTE_START = re.compile(r"^(\d{1,2})\s+(?=\S)")
TERMINAL = re.compile(r"[.…;:!?)\"»]$")


@dataclass(frozen=True)
class Line:
    """One line as shown: its text, where it starts in the cleaned document, and how far the extracted line was
    indented (the column a table's cell starts in)."""

    text: str
    start: int
    indent: int = 0

    @property
    def end(self) -> int:
        return self.start + len(self.text)


@dataclass
class Document:
    """The cleaned text, its lines and the footnotes taken out of it."""

    text: str
    lines: list[Line]
    footnotes: list[str] = field(default_factory=list)


@dataclass
class Passage:
    """Lines read as running text; ``offsets[i]`` is where character ``i`` sits in the document."""

    text: str
    offsets: list[int]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The document span of ``text[start:end]``."""
        if not self.offsets or end <= start:
            return (0, 0)
        return (self.offsets[start], self.offsets[end - 1] + 1)

    def sub(self, start: int, end: int) -> Passage:
        """The part ``text[start:end]`` as a passage of its own."""
        return Passage(self.text[start:end], self.offsets[start:end])

    def strip(self, chars: str = " ") -> Passage:
        """Without leading and trailing ``chars``."""
        left = len(self.text) - len(self.text.lstrip(chars))
        right = len(self.text.rstrip(chars))
        return self.sub(left, max(left, right))


def spaced(pattern: str) -> str:
    """``pattern`` with each space matching any run of spaces: a justified line a PDF spread apart reads «Yêu cầu  các
    cơ  quan»."""
    return pattern.replace(" ", r"\s+")


def is_upper(text: str) -> bool:
    """True when every letter of ``text`` is a capital (and it has letters): «KT. CHỦ TỊCH»."""
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def normalize_text(raw: str) -> str:
    """Composed accents, Unix newlines, no tabs or non-breaking spaces, one kind of dash, one spelling of «Ủy»."""
    text = _tab_tables(unicodedata.normalize("NFC", raw).replace("\r\n", "\n").replace("\r", "\n"))
    text = text.replace("\t", "    ").replace("\u00a0", " ").replace("\u200b", "").replace("\ufeff", "")
    text = text.replace("\u2013", "-").replace("\u2014", "-").replace("\u2011", "-")
    return text.replace("Uỷ", "Ủy").replace("uỷ", "ủy").replace("UỶ", "ỦY")


def lay_out(rows: list[list[tuple[int, int, str]]], gap: int = 4) -> list[str]:
    """Rows of (column, span, text) as lines with every column starting at the same place, as a PDF's text shows
    a table."""
    count = max(column + span for row in rows for column, span, _text in row)
    widths = [1] * count
    for row in rows:
        for column, span, text in row:
            if span == 1:
                widths[column] = max(widths[column], len(text))
    for row in rows:
        for column, span, text in row:
            room = sum(widths[column:column + span]) + gap * (span - 1)
            if len(text) > room:
                widths[column + span - 1] += len(text) - room
    lines = []
    for row in rows:
        line = ""
        for column, _span, text in row:
            if text:
                line = line.ljust(sum(widths[:column]) + gap * column) + text
        lines.append(line.rstrip())
    return lines


def _tab_tables(text: str) -> str:
    """Rows of a table pasted from Word (cells separated by tabs, three cells or more) laid out in columns."""
    lines = text.split("\n")
    out, run = [], []
    for line in [*lines, ""]:
        if line.count("\t") >= 2:
            run.append([(i, 1, " ".join(cell.split())) for i, cell in enumerate(line.split("\t"))])
            continue
        if len(run) > 1:
            out.extend(lay_out(run))
        else:
            out.extend("    ".join(cell for _i, _s, cell in row) for row in run)
        run = []
        out.append(line)
    return "\n".join(out[:-1])


def _marker(number: int) -> re.Pattern:
    """A footnote number stuck to the end of a lower-case word: «định1», «tỉnh3,» (not «A/H5N1», «CO2»)."""
    return re.compile(rf"(?<=[{LOWER}]{{2}}){number}(?=[\s,.;:)]|$)")


def _split_footnotes(lines: list[tuple[str, int]]) -> tuple[list[tuple[str, int]], list[str]]:
    """Body lines (text, indent) and footnotes: a footnote starts «n text» once the body holds marker n."""
    body: list[tuple[str, int]] = []
    notes: list[str] = []
    expected, current = 1, None
    for text, indent in lines:
        start = FOOTNOTE_START.match(text)
        opens = bool(start and int(start.group(1)) == expected
                     and any(_marker(expected).search(b) for b, _indent in body))
        if opens:
            notes.append(text[start.end():])
            current, expected = len(notes) - 1, expected + 1
        elif current is not None and not TERMINAL.search(notes[current]):
            notes[current] += " " + text
        else:
            current = None
            body.append((text, indent))
    for number in range(1, len(notes) + 1):
        pattern = _marker(number)
        for i, (text, indent) in enumerate(body):
            if pattern.search(text):
                body[i] = (pattern.sub("", text, count=1), indent)
                break
    return body, notes


def clean(raw: str) -> Document:
    """The document a reader sees in ``raw``: noise lines and footnotes out, blank lines and trailing spaces gone,
    each line indented as it was (a table's columns stay in place); its ``Line`` starts after the indent."""
    kept = [(line.strip(), len(line) - len(line.lstrip())) for line in normalize_text(raw).split("\n")]
    body, notes = _split_footnotes([(text, indent) for text, indent in kept if text and not PAGE_NOISE.match(text)])
    lines, shown, offset = [], [], 0
    for text, indent in body:
        lines.append(Line(text, offset + indent, indent))
        shown.append(" " * indent + text)
        offset += indent + len(text) + 1
    return Document("\n".join(shown), lines, notes)


def join(lines: list[Line]) -> Passage:
    """``lines`` as one passage: spaces collapsed, a word split by a hyphen at a line end rejoined."""
    chars: list[str] = []
    offsets: list[int] = []
    for line in lines:
        split_word = len(chars) > 1 and chars[-1] == "-" and chars[-2] != " "
        if chars and not split_word:
            chars.append(" ")
            offsets.append(offsets[-1])
        previous_space = True
        for i, char in enumerate(line.text):
            if char.isspace():
                if previous_space:
                    continue
                char, previous_space = " ", True
            else:
                previous_space = False
            chars.append(char)
            offsets.append(line.start + i)
    while chars and chars[-1] == " ":
        chars.pop()
        offsets.pop()
    return Passage("".join(chars), offsets)
