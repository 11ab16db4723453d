"""The parts of a directive around its body, laid out by Nghị định 30/2020/NĐ-CP.

Header: issuing body and «Số: …/…» on the left, the national motto and
«Bình Định, ngày … tháng … năm …» on the right, then the kind («THÔNG BÁO»)
with its title, or «V/v …» under the number for a công văn, then «Kính gửi:».
Closing: the signer's authority («KT. CHỦ TỊCH», «TL. CHỦ TỊCH» over «KT.
CHÁNH VĂN PHÒNG»), title and name, and «Nơi nhận:» with its lines down to
«Lưu: VT, …». Text pulled from a PDF keeps the two columns on one line with a
wide gap, or interleaves them; each piece is classified on its own, so
either order reads the same.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .cleanup import LOWER, UPPER, Line, is_upper
from .items import marker_of

COLUMN_GAP = re.compile(r"\s{2,}")
KINDS = {
    "THÔNG BÁO": "thong_bao", "KẾ HOẠCH": "ke_hoach", "QUYẾT ĐỊNH": "quyet_dinh", "CHỈ THỊ": "chi_thi",
    "CÔNG ĐIỆN": "cong_dien", "BÁO CÁO": "bao_cao", "TỜ TRÌNH": "to_trinh", "NGHỊ QUYẾT": "nghi_quyet",
    "HƯỚNG DẪN": "huong_dan", "CHƯƠNG TRÌNH": "chuong_trinh", "PHƯƠNG ÁN": "phuong_an", "ĐỀ ÁN": "de_an",
    "QUY CHẾ": "quy_che", "QUY ĐỊNH": "quy_dinh",
}
#: Kinds by the abbreviation in the notation («12/TB-UBND»).
NOTATION_KINDS = {"TB": "thong_bao", "KH": "ke_hoach", "QĐ": "quyet_dinh", "CT": "chi_thi", "CĐ": "cong_dien",
                  "BC": "bao_cao", "TTr": "to_trinh", "NQ": "nghi_quyet", "HD": "huong_dan"}
MOTTO = re.compile(r"CỘNG\s+HÒA|Độc\s+lập|Tự\s+do|Hạnh\s+phúc|^[-–_\s]+$", re.IGNORECASE)
NUMBER = re.compile(r"\bSố\s*:+\s*(?P<n>\d{1,6})?\s*/\s*(?:(?P<y>\d{4})/)?(?P<notation>[A-ZĐ][\wĐđ\-&.]*)")
_CAPITALISED = rf"[{UPPER}][{LOWER}]+"
PLACE_DATE = re.compile(rf"(?P<place>(?:TP\.\s*|Thành\s+phố\s+)?{_CAPITALISED}(?:\s+{_CAPITALISED}){{0,3}})\s*,\s*"
                        r"ngày\s+(?P<d>\d{1,2})?\s*tháng\s+(?P<m>\d{1,2})?\s*năm\s+(?P<y>\d{4})")
AUTHORITY = re.compile(r"^(?:TM|KT|TL|TUQ|UQ|Q)\.\s*\S")
_AUTHORITY_OF = (r"(?:ỦY\s+BAN\s+NHÂN\s+DÂN|CHỦ\s+TỊCH|CHÁNH\s+VĂN\s+PHÒNG|GIÁM\s+ĐỐC|TRƯỞNG\s+BAN|BỘ\s+TRƯỞNG|"
                 r"THỦ\s+TƯỚNG)")
ONE_AUTHORITY = re.compile(rf"(?:TM|KT|TL|TUQ|Q)\.\s*{_AUTHORITY_OF}")
MERGED_SIGNATURE = re.compile(rf"^(?P<authority>(?:(?:TM|KT|TL|TUQ|Q)\.\s*{_AUTHORITY_OF}\s*)+)"
                              rf"(?P<title>(?:PHÓ\s+)?[{UPPER}][{UPPER}\s]*?[{UPPER}])?\s*"
                              rf"(?P<name>[{UPPER}][{LOWER}]+(?:\s+[{UPPER}][{LOWER}]+){{1,4}})?\s*$")
RECEIVERS = re.compile(r"^N[ơo]i\s+nh[ậa]n\s*:?\s*", re.IGNORECASE)
#: «Kính gửi:», or a công điện's «CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH điện:».
TO = re.compile(r"^(?:Kính\s+gửi|(?:[A-ZĐÂĂÊÔƠƯÁÀẢÃẠẤẦẨẪẬẮẰẲẴẶÉÈẺẼẸẾỀỂỄỆÍÌỈĨỊÓÒỎÕỌỐỒỔỖỘỚỜỞỠỢÚÙỦŨỤỨỪỬỮỰÝỲỶỸỴ]+\s+)+điện)"
                r"\s*:*\s*")
#: The titles a signer signs under when no authority line precedes them.
SIGNER_TITLE = re.compile(r"^(?:PHÓ\s+)?(?:CHỦ\s+TỊCH|CHÁNH\s+VĂN\s+PHÒNG|GIÁM\s+ĐỐC|TRƯỞNG\s+BAN)$")
KEPT = re.compile(r"^Lưu\s*:")
NAME = re.compile(rf"^(?:[{UPPER}][{LOWER}]*\.?\s+){{1,5}}[{UPPER}][{LOWER}]+$")
BODY_OPENINGS = re.compile(r"^(?:Ngày\s+\d|Sáng|Chiều|Tối|Trưa|Vào\s+ngày|Căn\s+cứ|Thực\s+hiện|Xét|Theo|Để|Sau\s+khi|"
                           r"Vừa\s+qua|Hôm\s+nay|Nhằm|Trong\s+(?:thời\s+gian|những)|Tiếp\s+theo)")


def pieces(line: Line) -> list[Line]:
    """The parts of a line its column gaps separate, each a line of its own."""
    found, position = [], 0
    for part in COLUMN_GAP.split(line.text):
        at = line.text.index(part, position)
        if part.strip():
            found.append(Line(part.strip(), line.start + at + len(part) - len(part.lstrip())))
        position = at + len(part)
    return found


@dataclass
class Closing:
    """The signature block and the list of recipients."""

    authority: list[Line] = field(default_factory=list)
    title: Line | None = None
    name: Line | None = None
    copies: list[tuple[str, int, int]] = field(default_factory=list)


def closing_start(lines: list[Line], after: int) -> int:
    """The first line of the closing (an authority or «Nơi nhận»), or the end."""
    for i in range(after, len(lines)):
        for piece in pieces(lines[i]):
            if RECEIVERS.match(piece.text) or (AUTHORITY.match(piece.text) and is_upper(piece.text)):
                return i
    for i in range(max(after, len(lines) - 6), len(lines)):  # a signature with neither: «CHỦ TỊCH», the name
        if any(SIGNER_TITLE.match(piece.text) for piece in pieces(lines[i])):
            return i
    return len(lines)


#: The first line of what a decision issues with it: «(Ban hành kèm theo Quyết định số …)», «PHỤ LỤC».
ATTACHED = re.compile(r"\(?\s*(?:Ban\s+hành\s+)?kèm\s+theo\s+(?:Quyết\s+định|Kế\s+hoạch|Công\s+văn|Chỉ\s+thị|"
                      r"Thông\s+báo)|^PHỤ\s+LỤC\b", re.IGNORECASE)


def attachment_start(lines: list[Line], after: int) -> int:
    """The first line of an attachment after the signature (a plan, a programme issued with a decision)."""
    for i in range(after, len(lines)):
        if ATTACHED.search(lines[i].text):
            title = i
            while title > after and is_upper(lines[title - 1].text) and not AUTHORITY.match(lines[title - 1].text) \
                    and not SIGNER_TITLE.match(lines[title - 1].text):
                title -= 1
            return title
    return len(lines)


def attachment_body(lines: list[Line], start: int) -> int:
    """The first line of an attachment's body, past its title and «(Ban hành kèm theo …)»."""
    i = start
    while i < len(lines) and not (i > start and marker_of(lines[i].text)) and (
            is_upper(lines[i].text) or ATTACHED.search(lines[i].text) or lines[i].text.startswith("(") or i == start):
        i += 1
    return i


def read_closing(lines: list[Line]) -> Closing:
    """Signer and «Nơi nhận» from the closing lines, whatever their order."""
    closing = Closing()
    entries: list[list] = []
    open_entry = kept = False
    candidates: list[Line] = []
    for piece in (part for line in lines for whole in pieces(line) for part in _signature_parts(whole)):
        text = piece.text
        receivers = RECEIVERS.match(text)
        if receivers:
            piece = Line(text[receivers.end():], piece.start + receivers.end())
            text, open_entry = piece.text, False
            if not text:
                continue
        if AUTHORITY.match(text) and is_upper(text):
            closing.authority.append(piece)
        elif text[0] in "-+•":
            if kept:  # «Lưu» ends «Nơi nhận»; bullets after it belong to something else
                continue
            body = text[1:].strip()
            entries.append([text[0], body, piece.start + len(text) - len(body), piece.end])
            kept = bool(KEPT.match(body))
            open_entry = not (re.search(r"[;.]$", body) or kept)
        elif is_upper(text) and closing.title is None and (closing.authority or SIGNER_TITLE.match(text)):
            closing.title = piece
        elif NAME.match(text):
            candidates.append(piece)
        elif open_entry and entries:
            entries[-1][1] += " " + text
            entries[-1][3] = piece.end
            open_entry = not re.search(r"[;.]$", text)
    if candidates:
        closing.name = candidates[-1]
    closing.copies = _copies(entries)
    return closing


def _signature_parts(piece: Line) -> list[Line]:
    """A signature written on one line («TM. ỦY BAN NHÂN DÂN KT. CHỦ TỊCH PHÓ CHỦ TỊCH Nguyễn Hữu Tháp»)
    as its authorities, its title and the name; any other piece as it is."""
    found = MERGED_SIGNATURE.match(piece.text)
    if not found or is_upper(piece.text):
        return [piece]
    parts = [Line(m.group(0).strip(), piece.start + m.start()) for m in ONE_AUTHORITY.finditer(found["authority"])]
    for name in ("title", "name"):
        if found[name]:
            parts.append(Line(found[name], piece.start + found.start(name)))
    return parts


def _copies(entries: list[list]) -> list[tuple[str, int, int]]:
    """«Nơi nhận» lines; «+» lines join the line above them («Văn phòng UBND tỉnh: LĐVP, TH…»), «Lưu» stands alone."""
    copies: list[list] = []
    for bullet, text, start, end in entries:
        text = " ".join(text.split()).rstrip(" ;.,")
        if bullet == "+" and copies and not KEPT.match(text):
            parent = copies[-1]
            joint = " " if parent[0].endswith(":") else "; "
            parent[0] = parent[0] + joint + text
            parent[2] = end
            continue
        copies.append([text, start, end])
    return [(text.rstrip(":").strip(), start, end) for text, start, end in copies]


def issuer_name(words: list[str]) -> str:
    """«ỦY BAN NHÂN DÂN» «TỈNH BÌNH ĐỊNH» → «UBND tỉnh Bình Định»."""
    text = " ".join(" ".join(words).split())
    text = re.sub(r"ỦY BAN NHÂN DÂN|UỶ BAN NHÂN DÂN", "UBND", text)
    level = re.search(r"\b(TỈNH|THÀNH PHỐ|HUYỆN|THỊ XÃ|QUẬN|XÃ|PHƯỜNG|THỊ TRẤN)\b\s+(.+)$", text)
    if level:
        head = text[:level.start()].strip()
        head = " ".join(w if w in ("UBND", "HĐND") else w.capitalize() if i == 0 else w.lower()
                        for i, w in enumerate(head.split()))
        place = " ".join(w.capitalize() for w in level.group(2).split())
        return f"{head} {level.group(1).lower()} {place}".strip()
    return text if not is_upper(text) else text.capitalize()
