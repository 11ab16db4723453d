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

from .cleanup import Line

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
PLACE_DATE = re.compile(r"(?P<place>[A-ZĐ][^\W\d_]*(?: [^\W\d_]+){0,4})\s*,\s*ngày\s+(?P<d>\d{1,2})?\s*"
                        r"tháng\s+(?P<m>\d{1,2})?"
                        r"\s*năm\s+(?P<y>\d{4})")
AUTHORITY = re.compile(r"^(?:TM|KT|TL|TUQ|UQ|Q)\.\s*\S")
RECEIVERS = re.compile(r"^N[ơo]i\s+nh[ậa]n\s*:?\s*", re.IGNORECASE)
#: «Kính gửi:», or a công điện's «CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH điện:».
TO = re.compile(r"^(?:Kính\s+gửi|(?:[A-ZĐÂĂÊÔƠƯÁÀẢÃẠẤẦẨẪẬẮẰẲẴẶÉÈẺẼẸẾỀỂỄỆÍÌỈĨỊÓÒỎÕỌỐỒỔỖỘỚỜỞỠỢÚÙỦŨỤỨỪỬỮỰÝỲỶỸỴ]+\s+)+điện)"
                r"\s*:*\s*")
#: The titles a signer signs under when no authority line precedes them.
SIGNER_TITLE = re.compile(r"^(?:PHÓ\s+)?(?:CHỦ\s+TỊCH|CHÁNH\s+VĂN\s+PHÒNG|GIÁM\s+ĐỐC|TRƯỞNG\s+BAN)$")
KEPT = re.compile(r"^Lưu\s*:")
NAME = re.compile(r"^(?:[A-ZĐÀ-Ỹ][a-zà-ỹđ]*\.?\s+){1,5}[A-ZĐÀ-Ỹ][a-zà-ỹđ]+$")
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


def is_upper(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


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


def read_closing(lines: list[Line]) -> Closing:
    """Signer and «Nơi nhận» from the closing lines, whatever their order."""
    closing = Closing()
    entries: list[list] = []
    open_entry = False
    candidates: list[Line] = []
    for line in lines:
        for piece in pieces(line):
            text = piece.text
            receivers = RECEIVERS.match(text)
            if receivers:
                text = text[receivers.end():]
                piece = Line(text, piece.start + receivers.end())
                open_entry = False
                if not text:
                    continue
            if AUTHORITY.match(text) and is_upper(text):
                closing.authority.append(piece)
            elif text[0] in "-+•":
                bullet = text[0]
                body = text[1:].strip()
                entries.append([bullet, body, piece.start + len(text) - len(body), piece.end])
                open_entry = not (re.search(r"[;.]$", body) or KEPT.match(body))
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
