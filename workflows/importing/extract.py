"""The plain text of an uploaded directive: a ``.txt``, a ``.docx`` or a ``.pdf`` with a text layer.

:func:`extract_text` is the only entry point. What it cannot read it refuses with
:class:`ImportRefused`, whose ``message`` is one Vietnamese sentence naming the file, fit to show
the user as it is. The text comes back in Unicode NFC with ``"\\n"`` newlines, laid out the way
the seed texts are: a Word document's header and signature tables cell after cell, Word's automatic
list numbers written out, a PDF's columns kept apart with spaces.
"""
from __future__ import annotations

import io
import os
import re
import unicodedata
import zipfile
from functools import cache
from typing import NamedTuple

from docx import Document
from docx.oxml.ns import nsmap, qn
from lxml import etree
from pypdf import PasswordType, PdfReader
from pypdf.errors import DependencyError

from engine.characters import printable

from .cleanup import lay_out
from .tables import is_task_header

MAX_BYTES = 10 * 1024 * 1024
#: What a Word package may really unpack to (its images included, then its XML alone), and how long an
#: imported text may be. Reading Word's XML costs about half a second of CPU per MB.
MAX_UNPACKED = 50 * 1024 * 1024
MAX_XML_UNPACKED = 15 * 1024 * 1024
MAX_CHARACTERS = 1_000_000

#: Below this many letters per page on average a PDF is taken for a scan without a text layer.
MIN_LETTERS_PER_PAGE = 20

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

#: Runs of a paragraph, in document order, including those inside links, fields, content controls
#: and tracked insertions (tracked deletions are left out).
RUNS = "./w:r | ./w:hyperlink/w:r | ./w:ins/w:r | ./w:smartTag/w:r | ./w:fldSimple/w:r | ./w:sdt/w:sdtContent/w:r"

#: The marker of a numbered level whose ``lvlText`` has no ``%n`` placeholder to fill in.
DEFAULT_MARKERS = {"lowerLetter": "{})", "upperLetter": "{})"}


class ImportRefused(ValueError):
    """Input that cannot be imported; ``message`` is one Vietnamese sentence for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def extract_text(content: bytes, filename: str, max_bytes: int = MAX_BYTES) -> str:
    """The plain text of an uploaded directive (.txt, .docx or .pdf with a text layer).

    The format is recognised from the content when it can be (``%PDF-``, a Word package), else
    from the extension; a file of unknown extension is read as text if it is UTF-8 text. Raises
    :class:`ImportRefused` for an empty, oversized, unsupported, damaged, password-protected or
    scanned file. Page breaks become line breaks and other control characters are left out.
    """
    check_size(len(content), filename, max_bytes)
    text = printable(_extract(content, filename)) if content.strip() else ""
    if not text.strip():
        raise ImportRefused(f"Tệp «{filename}» không có nội dung.")
    if len(text) > MAX_CHARACTERS:
        raise ImportRefused(f"Văn bản trong tệp «{filename}» dài {_thousands(len(text))} ký tự, quá giới hạn "
                            f"{_thousands(MAX_CHARACTERS)} ký tự của một văn bản chỉ đạo; hãy tách phần phụ lục ra.")
    return text


def check_size(size: int, filename: str, max_bytes: int = MAX_BYTES) -> None:
    """Refuse a file of ``size`` bytes over ``max_bytes``, before it is read."""
    if size > max_bytes:
        raise ImportRefused(f"Tệp «{filename}» ({_megabytes(size)} MB) vượt quá dung lượng "
                            f"tối đa cho phép là {_megabytes(max_bytes)} MB.")


def _thousands(count: int) -> str:
    """``count`` with Vietnamese thousands separators: 1.000.000."""
    return f"{count:,}".replace(",", ".")


def _megabytes(size: int) -> str:
    """``size`` bytes in MB, with at most two decimals and a Vietnamese decimal comma."""
    return f"{size / 2 ** 20:.2f}".rstrip("0").rstrip(".").replace(".", ",")


def _extract(content: bytes, filename: str) -> str:
    """The text of a non-blank file, read as what its content is or, failing that, as what its name says."""
    extension = os.path.splitext(filename.lower())[1]
    if content.lstrip()[:5] == b"%PDF-":
        return _pdf_text(content, filename)
    if _is_word_package(content):
        return _docx_text(content, filename)
    if extension == ".doc" or (extension == ".docx" and content.startswith(OLE_MAGIC)):
        raise ImportRefused(f"Tệp «{filename}» là tài liệu Word định dạng cũ (.doc); hãy mở tệp bằng Word, "
                            f"lưu lại dưới dạng .docx rồi tải lên lại.")
    if extension == ".pdf":
        return _pdf_text(content, filename)
    if extension == ".docx":
        return _docx_text(content, filename)
    if extension != ".txt" and _decoded(content) is None:
        raise ImportRefused(f"Tệp «{filename}» không thuộc định dạng được hỗ trợ; "
                            f"chỉ nhận văn bản dạng .txt, .docx hoặc .pdf.")
    return _txt_text(content, filename)


def _is_word_package(content: bytes) -> bool:
    """Whether ``content`` is a zip holding ``word/document.xml``, i.e. a Word 2007+ document."""
    if not content.startswith(b"PK"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as package:
            return "word/document.xml" in package.namelist()
    except Exception:  # a damaged zip directory raises more than BadZipFile (NotImplementedError, OSError, ...)
        return False


def _decoded(content: bytes) -> str | None:
    """``content`` as text (UTF-8, UTF-8 with BOM, UTF-16 with BOM), or None when it is binary."""
    encoding = "utf-16" if content.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8-sig"
    try:
        text = content.decode(encoding)
    except UnicodeDecodeError:
        return None
    return None if "\x00" in text else text


def _txt_text(content: bytes, filename: str) -> str:
    """A text file's text, newlines normalised to ``"\\n"``, in NFC."""
    text = _decoded(content)
    if text is None:
        raise ImportRefused(f"Tệp «{filename}» không phải văn bản thuần đọc được (có dữ liệu nhị phân hoặc "
                            f"không mã hóa UTF-8/UTF-16); hãy lưu lại với bảng mã UTF-8.")
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))


def _docx_text(content: bytes, filename: str) -> str:
    """A Word document's body in document order: one line per paragraph, tables cell after cell."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as package:
            _refuse_oversized_package(package, filename)
    except ImportRefused:
        raise
    except Exception as error:  # not a zip, or a damaged directory (BadZipFile, NotImplementedError, OSError, ...)
        raise ImportRefused(f"Tệp «{filename}» bị hỏng hoặc không phải tài liệu Word (.docx) hợp lệ.") from error
    try:
        document = Document(io.BytesIO(content))
    except Exception as error:  # python-docx lets zip, XML and package errors of a damaged file through
        raise ImportRefused(f"Tệp «{filename}» bị hỏng hoặc không phải tài liệu Word (.docx) hợp lệ.") from error
    numbering = _ListNumbering(document)
    lines = _block_lines(document.element.body, numbering)
    return unicodedata.normalize("NFC", "\n".join(lines))


def _refuse_oversized_package(package: zipfile.ZipFile, filename: str) -> None:
    """Refuse a Word package whose parts really unpack to more than ``MAX_UNPACKED`` (its XML to more than
    ``MAX_XML_UNPACKED``), counting the bytes as they inflate: the sizes its directory declares may lie,
    and the check stops at the limit instead of inflating the rest."""
    total = xml = 0
    for info in package.infolist():
        with package.open(info) as part:
            while chunk := part.read(1 << 20):
                total += len(chunk)
                xml += len(chunk) if info.filename.endswith(".xml") else 0
                if total > MAX_UNPACKED or xml > MAX_XML_UNPACKED:  # a small file that unpacks into gigabytes
                    what = "phần văn bản (XML) giải nén ra hơn" if xml > MAX_XML_UNPACKED else "giải nén ra hơn"
                    limit = MAX_XML_UNPACKED if xml > MAX_XML_UNPACKED else MAX_UNPACKED
                    raise ImportRefused(f"Tệp «{filename}» có {what} {_megabytes(limit)} MB, quá lớn đối với một "
                                        "văn bản; hãy kiểm tra lại tệp.")


def _block_lines(container, numbering: _ListNumbering) -> list[str]:
    """The lines of the paragraphs and tables directly in ``container`` (a body, a cell or a content
    control's content), in document order."""
    lines: list[str] = []
    for child in container.iterchildren():
        if child.tag == qn("w:p"):
            text = "".join(run.text for run in _xpath(child, RUNS))
            lines.append(" ".join(part for part in (numbering.marker(child), text) if part))
        elif child.tag == qn("w:tbl"):
            lines.extend(_table_lines(child, numbering))
        elif child.tag == qn("w:sdt"):
            for content in _xpath(child, "./w:sdtContent"):
                lines.extend(_block_lines(content, numbering))
    return lines


def _table_lines(table, numbering: _ListNumbering) -> list[str]:
    """A task table («Nội dung | Cơ quan chủ trì | …») laid out in columns, one line per row, as a PDF's text
    shows it; any other table (the header, the signature) cell after cell."""
    rows: list[list[tuple[int, int, str]]] = []
    above: dict[int, str] = {}
    for row in _xpath(table, "./w:tr"):
        cells, column = [], 0
        for cell in _xpath(row, "./w:tc"):
            span = max(1, _int(_val(cell, "./w:tcPr/w:gridSpan"), 1))
            text = " ".join(" ".join(line.split()) for line in _block_lines(cell, numbering) if line.strip())
            merged = _xpath(cell, "./w:tcPr/w:vMerge")
            if merged and merged[0].get(qn("w:val")) != "restart":  # the cell goes on from the row above
                text = above.get(column, "")
            above[column] = text
            cells.append((column, span, text))
            column += span
        rows.append(cells)
    if not rows or not is_task_header([text for _column, _span, text in rows[0]]):
        return [line for row in _xpath(table, "./w:tr/w:tc") for line in _block_lines(row, numbering)]
    return lay_out(rows)


def _xpath(element, path: str, **variables) -> list:
    """The elements at ``path`` (prefix ``w:``, variables ``$name``) under ``element``, which may be a
    plain lxml element: python-docx has no classes for the numbering part's insides."""
    return _compiled(path)(element, **variables)


@cache
def _compiled(path: str) -> etree.XPath:
    """``path`` compiled, with WordprocessingML's namespace bound to ``w:``."""
    return etree.XPath(path, namespaces={"w": nsmap["w"]})


def _val(element, path: str) -> str | None:
    """The ``w:val`` of the first element at ``path`` under ``element``, or None."""
    found = _xpath(element, path)
    return found[0].get(qn("w:val")) if found else None


def _int(value: str | None, default: int) -> int:
    """``value`` as an integer, ``default`` when it is missing or malformed."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


class _Level(NamedTuple):
    """One level of a Word list: number format, marker template and first number."""
    fmt: str
    text: str | None
    start: int


class _ListNumbering:
    """Word's automatic list markers, which are not in the paragraph text: computed from the
    numbering part, counting per list (``numId``) and level, deeper levels restarting whenever a
    shallower one advances."""

    def __init__(self, document):
        try:
            numbering = document.part.numbering_part.element
        except NotImplementedError:  # no numbering part: python-docx cannot make one, and there are no lists
            numbering = None
        self._nums = {num.get(qn("w:numId")): num for num in _xpath(numbering, "./w:num")} if numbering is not None \
            else {}
        self._abstracts = {abstract.get(qn("w:abstractNumId")): abstract
                           for abstract in _xpath(numbering, "./w:abstractNum")} if numbering is not None else {}
        styles = document.styles.element
        self._styles = {style.get(qn("w:styleId")): style for style in _xpath(styles, "./w:style")}
        defaults = _xpath(styles, './w:style[@w:type="paragraph" and @w:default="1"]')
        self._default_style = defaults[0] if defaults else None
        self._counters: dict[str, dict[int, int]] = {}

    def marker(self, paragraph) -> str:
        """The list marker of ``paragraph`` ("1.", "a)", "-", ...), "" when it is not a list item.
        Advances the list's counters, so call it once per paragraph, in document order."""
        num_id, ilvl = self._list_item(paragraph)
        level = self._level(num_id, ilvl)
        if level is None:
            return ""
        if level.fmt == "bullet":
            return "-"
        if level.fmt == "none":
            return ""
        counters = self._counters.setdefault(num_id, {})
        counters[ilvl] = counters[ilvl] + 1 if ilvl in counters else level.start
        for deeper in [key for key in counters if key > ilvl]:
            del counters[deeper]
        if level.text and re.search(r"%[1-9]", level.text):
            return re.sub(r"%([1-9])", lambda match: self._number(num_id, int(match[1]) - 1), level.text)
        return DEFAULT_MARKERS.get(level.fmt, "{}.").format(_format_number(counters[ilvl], level.fmt))

    def _number(self, num_id: str, ilvl: int) -> str:
        """The current number of level ``ilvl`` of list ``num_id``, in that level's format."""
        level = self._level(num_id, ilvl)
        if level is None:
            return ""
        return _format_number(self._counters[num_id].get(ilvl, level.start), level.fmt)

    def _list_item(self, paragraph) -> tuple[str | None, int]:
        """The list (``numId``) and level of ``paragraph``, set on it or inherited from its style."""
        num_prs = _xpath(paragraph, "./w:pPr/w:numPr")
        style_id = _val(paragraph, "./w:pPr/w:pStyle")
        style = self._styles.get(style_id) if style_id else self._default_style
        seen = set()
        while style is not None and style_id not in seen:
            seen.add(style_id)
            num_prs.extend(_xpath(style, "./w:pPr/w:numPr"))
            style_id = _val(style, "./w:basedOn")
            style = self._styles.get(style_id)
        num_id = next((value for value in (_val(pr, "./w:numId") for pr in num_prs) if value is not None), None)
        ilvl = next((value for value in (_val(pr, "./w:ilvl") for pr in num_prs) if value is not None), None)
        return num_id, _int(ilvl, 0)

    def _level(self, num_id: str | None, ilvl: int) -> _Level | None:
        """Level ``ilvl`` of list ``num_id`` with the list's overrides, None when there is none."""
        num = self._nums.get(num_id)
        if num is None:
            return None
        override = _xpath(num, "./w:lvlOverride[@w:ilvl = $ilvl]", ilvl=str(ilvl))
        levels = _xpath(override[0], "./w:lvl") if override else []
        abstract = self._abstracts.get(_val(num, "./w:abstractNumId"))
        if not levels and abstract is not None:
            levels = _xpath(abstract, "./w:lvl[@w:ilvl = $ilvl]", ilvl=str(ilvl))
        if not levels:
            return None
        start = _val(override[0], "./w:startOverride") if override else None
        return _Level(fmt=_val(levels[0], "./w:numFmt") or "decimal", text=_val(levels[0], "./w:lvlText"),
                      start=_int(start or _val(levels[0], "./w:start"), 0))


def _format_number(number: int, fmt: str) -> str:
    """``number`` written in Word number format ``fmt`` (decimal for formats not listed here)."""
    if number < 1 or fmt not in ("lowerLetter", "upperLetter", "lowerRoman", "upperRoman", "decimalZero"):
        return str(number)
    if fmt == "decimalZero":
        return f"{number:02d}"
    if fmt.endswith("Letter"):
        text = chr(ord("a") + (number - 1) % 26) * ((number - 1) // 26 + 1)
    else:
        text = _roman(number)
    return text.upper() if fmt.startswith("upper") else text


def _roman(number: int) -> str:
    """``number`` in lower-case Roman numerals."""
    text = ""
    for value, letters in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
                           (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
        count, number = divmod(number, value)
        text += letters * count
    return text


def _pdf_text(content: bytes, filename: str) -> str:
    """A PDF's text layer, page after page, columns kept apart with spaces (pypdf's layout mode)."""
    try:
        reader = PdfReader(io.BytesIO(content))
        locked = reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED
        pages = [] if locked else [_page_text(page) for page in reader.pages]
    except DependencyError:  # AES encryption, and no cryptography library to undo it
        locked = True
    except Exception as error:  # pypdf raises a whole zoo of exceptions on a damaged file
        raise ImportRefused(f"Tệp «{filename}» bị hỏng hoặc không phải tệp PDF hợp lệ.") from error
    if locked:
        raise ImportRefused(f"Tệp «{filename}» là PDF được bảo vệ bằng mật khẩu; hãy gỡ mật khẩu rồi tải lên lại.")
    text = unicodedata.normalize("NFC", "\n".join(pages))
    if sum(character.isalpha() for character in text) < MIN_LETTERS_PER_PAGE * len(pages):
        raise ImportRefused(f"Tệp «{filename}» là PDF không có lớp văn bản (có thể là bản quét); hãy nhận dạng "
                            f"chữ (OCR) trước khi tải lên hoặc dán trực tiếp nội dung văn bản.")
    return text


def _page_text(page) -> str:
    """One page's text in layout mode (plain mode if layout mode fails), trailing spaces stripped."""
    try:
        text = page.extract_text(extraction_mode="layout")
    except Exception:  # layout mode gives up on some fonts and operators that plain mode gets through
        text = page.extract_text()
    return "\n".join(line.rstrip() for line in text.splitlines())
