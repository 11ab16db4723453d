"""Finding the agencies a sentence names, and matching them to the directory.

``NameReader.list_at`` reads a list such as «Sở Tài chính, Sở Công Thương và
các cơ quan, đơn vị liên quan» from a given position: names the directory
knows (by name or alias), the standard names of ``catalogue``, groups written
the way directives write them («các sở, ban, ngành, địa phương liên quan»,
«UBND các huyện, thị xã, thành phố»), and names known only by their shape
(«Sở …» followed by capitalised words). Each mention keeps the words as
written, the full name where the text abbreviates, the directory code when
there is one, and how sure the reader is.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ..agencies import Directory, normalize_name
from ..spelling import either_tones
from .catalogue import ABBREVIATIONS, BODY_HEADS, CENTRAL_BODIES, CITY_BODIES, PROVINCIAL_BODIES
from .cleanup import UPPER
from .found import GUESSED, LIKELY, SURE

_KIND = (r"(?:sở|ban|ngành|địa\s+phương|cơ\s+quan|đơn\s+vị|tổ\s+chức(?:\s+chính\s+trị\s*-\s*xã\s+hội)?|"
         r"doanh\s+nghiệp|phòng|đoàn\s+thể|lực\s+lượng|chủ\s+đầu\s+tư|nhà\s+đầu\s+tư|hội|chủ\s+rừng|"
         r"cơ\s+sở\s+(?:giáo\s+dục|y\s+tế)|trường(?:\s+học)?|ngân\s+hàng(?:\s+thương\s+mại)?|"
         r"hiệp\s+hội(?:\s+(?:doanh\s+nghiệp|ngành\s+hàng))?|tổ\s+chức\s+tín\s+dụng)")
_KINDS = rf"{_KIND}(?:\s*,\s*{_KIND})*"
#: What may follow a group's kinds: «chức năng», «có liên quan», «khác», «trực thuộc», «tỉnh», «các cấp».
_QUALIFIER = (r"(?:chức\s+năng|(?:có\s+)?liên\s+quan|khác|trực\s+thuộc|điều\s+tra|báo\s+chí|tỉnh|các\s+cấp|"
              r"viễn\s+thông|nhà\s+nước|vận\s+tải|thi\s+công|trên\s+địa\s+bàn(?:\s+tỉnh)?|thông\s+tin\s+đại\s+chúng|"
              r"truyền\s+thông|"
              r"cấp\s+(?:tỉnh|huyện|xã)|thuộc\s+(?:UBND|Ủy\s+ban\s+nhân\s+dân)\s+tỉnh)")
GROUP = re.compile(rf"(?:các\s+)?{_KINDS}(?:\s+và\s+(?:các\s+)?{_KINDS})?(?:\s+{_QUALIFIER})*", re.IGNORECASE)
#: Forces named by their branch: «lực lượng Công an», «Công an các cấp».
FORCES = re.compile(r"lực\s+lượng\s+(?:Công\s+an|Quân\s+sự|Biên\s+phòng|vũ\s+trang)|"
                    r"(?:Công\s+an|Quân\s+sự)\s+các\s+cấp|(?:Công\s+an|Ban\s+Chỉ\s+huy\s+Quân\s+sự)\s+(?:các\s+)?"
                    r"(?:huyện|quận|xã|phường)(?:\s*,\s*(?:thị\s+xã|thành\s+phố|phường|thị\s+trấn|xã))*", re.IGNORECASE)
#: A body's name in capitals joined by «&», «-», «,» or «và» («Sở KH&ĐT», «Sở NN và PTNT», «Sở VH-TT&DL»).
ABBREVIATED = re.compile(r"(?:Sở|Ban|Bộ|BQL|Đài|Cục|BCH)\s+[A-ZĐ]{1,6}(?:\s*(?:&|-|,|\s+và\s+)\s*[A-ZĐ]{1,6}){0,4}"
                         r"(?:\s+tỉnh)?(?![\wĐđ&])")
_LEVEL = r"(?:huyện|thị\s+xã|thành\s+phố|quận|xã|phường|thị\s+trấn|đặc\s+khu|TX|TP)"
LOCAL_GROUP = re.compile(rf"(?:UBND|Ủy\s+ban\s+nhân\s+dân)\s+(?:các\s+)?(?:(?:cấp\s+{_LEVEL})|{_LEVEL}"
                         rf"(?:\s*[,-]\s*{_LEVEL})*(?:\s+và\s+{_LEVEL})?|địa\s+phương)(?:\s+(?:có\s+)?liên\s+quan|"
                         r"\s+có\s+(?:rừng|đê|biển|biên\s+giới|dự\s+án)|\s+ven\s+biển|\s+biên\s+giới|\s+miền\s+núi|"
                         r"\s+vùng\s+(?:cao|sâu|ven\s+biển))?",
                         re.IGNORECASE)
#: Standing bodies whose names run in lower case, so that neither the directory's spelling nor the shape of
#: capitalised words finds them: the disaster-response command and its office, project boards, steering committees.
STANDING_BODIES = re.compile(
    r"(?:Văn\s+phòng\s+thường\s+trực\s+)?Ban\s+[Cc]hỉ\s+huy\s+[Pp]hòng,?\s+chống\s+thiên\s+tai(?:\s*,\s*|\s+và\s+)"
    r"[Tt]ìm\s+kiếm\s+[Cc]ứu\s+nạn(?:(?:\s*,\s*|\s+và\s+|\s+kiêm\s+)[Pp]hòng\s+thủ\s+dân\s+sự)?|"
    r"(?:Văn\s+phòng\s+thường\s+trực\s+)?(?:Ban\s+Chỉ\s+huy|BCH)\s+PCTT\s*(?:,|&|và)\s*TKCN(?:\s*(?:,|&|và|kiêm)\s*PTDS)?|"
    r"(?:Các\s+|các\s+)?Ban\s+Quản\s+lý\s+(?:các\s+)?dự\s+án(?:\s+(?!tỉnh\b|thành\s+phố\b)[^\W\d_]+){0,12}?"
    r"(?=\s+(?:tỉnh|thành\s+phố)\b)|"
    r"Ban\s+Chỉ\s+đạo(?:\s+(?!tỉnh\b|thành\s+phố\b)[^\W\d_]+){1,12}?(?=\s+(?:tỉnh|thành\s+phố)\b)")
#: The others of a level after one named: «UBND thành phố Thủ Đức và các quận, huyện».
AND_THE_OTHERS = re.compile(rf"\s+và\s+các\s+{_LEVEL}(?:\s*,\s*{_LEVEL})*(?![\wĐđ])", re.IGNORECASE)
LOCAL_ONE = re.compile(rf"(?:UBND|Ủy\s+ban\s+nhân\s+dân)\s+(?:{_LEVEL}|H\.)\s+", re.IGNORECASE)
#: The head of a body, named before it: «Giám đốc Sở Y tế», «Chủ tịch UBND các huyện».
HEAD = re.compile(r"(?:Giám\s+đốc|Thủ\s+trưởng|Chủ\s+tịch|Trưởng\s+ban|Chỉ\s+huy\s+trưởng|Chánh\s+Thanh\s+tra|"
                  r"Tổng\s+Biên\s+tập|Trưởng)\s+")
#: Words that never continue a proper name («Khu vực IV địa bàn…», «Sở Y tế chủ trì»).
FUNCTION_WORDS = frozenset({"và", "trên", "của", "về", "tại", "theo", "với", "cho", "để", "trong", "các", "những",
                            "đã", "đang", "sẽ", "được", "có", "là", "địa", "này", "đó", "chủ", "phối", "thực", "tổ",
                            "triển", "chỉ", "hướng", "khẩn", "tiếp", "tăng", "rà", "báo", "nghiên", "tham", "căn",
                            "kịp", "đôn", "kiểm", "xây", "phụ", "quản", "giao", "đề", "yêu", "trình",
                            # verbs an agency named as the subject goes on with («… Hà Tĩnh bảo đảm», «… bố trí»)
                            "bảo", "bố", "nghiêm", "tập", "thường", "ban", "sớm", "cung", "lập", "đánh", "cập", "tuyên",
                            "vận", "đẩy", "nâng", "khắc", "xử", "mua", "ứng", "chuẩn", "huy", "giải", "tiến", "phát",
                            "duy", "lựa", "cử", "gửi", "nộp", "thu", "chấp", "phổ", "tổng", "làm", "hoàn", "nắm",
                            "giám", "quyết", "chịu", "theo", "ngay", "cần", "phải", "tích", "chủ", "dừng", "cấm"})
#: A kind named once for several bodies: «các Sở: Xây dựng, Tài chính», «UBND các huyện: Tuy Phước, Phù Cát».
COLLECTIVE = re.compile(r"(?:(?:các|Các)\s+(?P<kind>[Ss]ở|Ban|Bộ)(?:\s*,\s*(?:ban|ngành))*|"
                        r"(?P<local>UBND|Ủy\s+ban\s+nhân\s+dân)\s+(?:các\s+)?"
                        r"(?P<level>huyện|thị\s+xã|thành\s+phố|xã|phường|quận))"
                        rf"\s*(?P<colon>:)?\s*(?=[{UPPER}])")
#: A short name the text gives a body it has just named: «… (sau đây viết tắt là Ban QLDA giao thông)».
SHORT_NAME = re.compile(r"\(\s*(?:sau\s+đây\s+)?(?:gọi\s+tắt\s+là|viết\s+tắt\s+là|gọi\s+chung\s+là|gọi\s+là)\s*:?\s*"
                        r"[«\"“]?(?P<alias>[^()«»\"“”;,]{2,60}?)[»\"”]?\s*\)", re.IGNORECASE)
SEPARATOR = re.compile(r"\s*,\s*(?:và\s+)?|\s+và\s+|\s*;\s*")
WORD = re.compile(r"[^\W_]+", re.UNICODE)


@dataclass(frozen=True)
class Mention:
    """An agency or group named in the text."""

    written: str
    name: str
    code: str | None
    group: bool
    start: int
    end: int
    confidence: float
    note: str | None = None
    span: tuple[int, int] | None = None  # in the cleaned document, once the passage is known


def _pattern(name: str) -> str:
    """A name as a regular expression: any spacing, «UBND» and «Ủy ban nhân dân» alike, tones placed either way."""
    text = r"\s+".join(re.escape(w) for w in name.split())
    text = re.sub(r"UBND|Ủy\\s\+ban\\s\+nhân\\s\+dân", lambda _m: r"(?:UBND|Ủy\s+ban\s+nhân\s+dân)", text)
    return either_tones(text)


class NameReader:
    """Reads agency names against one directory."""

    def __init__(self, directory: Directory):
        self.directory = directory
        known: dict[str, str] = {}
        for entry in directory.entries.values():
            for text in (entry.name, *entry.aliases):
                known[text] = "directory"
        for text in (*PROVINCIAL_BODIES, *CITY_BODIES, *CENTRAL_BODIES):
            known.setdefault(text, "catalogue")
        for text in ABBREVIATIONS:
            known.setdefault(text, "catalogue")
        ordered = sorted(known, key=len, reverse=True)
        self.known = re.compile("|".join(f"(?:{_pattern(n)})" for n in ordered), re.IGNORECASE)
        self.heads = re.compile("|".join(re.escape(h) for h in sorted(BODY_HEADS, key=len, reverse=True)))
        self.abbreviations = {abbreviation_key(k): v for k, v in ABBREVIATIONS.items()}
        self.short_names: re.Pattern | None = None
        self.tails = {kind: re.compile("|".join(f"(?:{_pattern(n[len(kind) + 1:])})" for n in ordered
                                                if n.startswith(kind + " ")), re.IGNORECASE)
                      for kind in ("Sở", "Ban", "Bộ")}

    # -- one name ---------------------------------------------------------------
    def at(self, text: str, pos: int) -> Mention | None:
        """The agency or group named at ``pos``, its head's title allowed before it («Giám đốc Sở Y tế»)."""
        found = self._name_at(text, pos)
        head = HEAD.match(text, pos) if found is None else None
        if head:
            inner = self._name_at(text, head.end())
            return replace(inner, start=pos) if inner else None
        return found

    def learn_short_names(self, text: str) -> dict[str, str]:
        """The short names ``text`` gives the bodies it names («Ban Quản lý dự án … tỉnh (sau đây viết tắt là Ban
        QLDA giao thông)»), read from then on as those bodies; short name → full name."""
        learnt: dict[str, str] = {}
        for found in SHORT_NAME.finditer(text):
            named = [m for m in self.find_all(text[max(0, found.start() - 200):found.start()])
                     if m.end >= min(found.start(), 200) - 2]
            if named and not named[-1].group:
                learnt[" ".join(found["alias"].split())] = named[-1].name
        if learnt:
            self.abbreviations.update({abbreviation_key(k): v for k, v in learnt.items()})
            self.short_names = re.compile("|".join(f"(?:{_pattern(k)})" for k in sorted(learnt, key=len, reverse=True)))
        return learnt

    def _short_name(self, text: str, pos: int) -> tuple[int, bool] | None:
        found = self.short_names.match(text, pos) if self.short_names else None
        return (found.end(), False) if found and _ends_word(text, found.end()) else None

    @staticmethod
    def _standing(text: str, pos: int) -> tuple[int, bool] | None:
        found = STANDING_BODIES.match(text, pos)
        if not found:
            return None
        end = found.end()
        tail = re.match(r"\s+(?:tỉnh|[Tt]hành\s+phố|huyện(?:\s+[A-ZĐ]\w*)+)(?![\wĐđ])", text[end:])
        return end + (tail.end() if tail else 0), found.group(0).lower().startswith("các")

    def _name_at(self, text: str, pos: int) -> Mention | None:
        """The longest agency or group name starting exactly at ``pos``."""
        candidates = [found for finder in (self._known, self._group, self._local, self._abbreviated, self._short_name,
                                           self._standing)
                      if (found := finder(text, pos))]
        if not candidates:
            shaped = self._shaped(text, pos)
            if shaped is None:
                return None
            candidates = [shaped]
        end, group = max(candidates, key=lambda c: c[0])
        return self._mention(text[pos:end], pos, end, group)

    def _known(self, text: str, pos: int) -> tuple[int, bool] | None:
        found = self.known.match(text, pos)
        if not found or not _ends_word(text, found.end()):
            return None
        end = found.end()
        tail = re.match(r"\s+(?:tỉnh|[Tt]hành\s+phố)(?=[\s,.;:)]|$)", text[end:])
        if tail and not found.group(0).endswith(("tỉnh", "phố")):
            end += tail.end()
        if not found.group(0).startswith(("các", "Các")):  # «Báo và Phát thanh, Truyền hình Hưng Yên»
            end = _place_name(text, end + 1) if text[end:end + 1] == " " and _place_name(text, end + 1) > end + 1 \
                else end
        written = " ".join(found.group(0).casefold().split()).replace("ủy ban nhân dân", "ubnd")
        return end, bool(written.startswith(("các ", "ubnd các", "ubnd cấp")) or "liên quan" in written)

    @staticmethod
    def _group(text: str, pos: int) -> tuple[int, bool] | None:
        forces = FORCES.match(text, pos)
        if forces:
            return forces.end(), True
        found = GROUP.match(text, pos)
        if not found or not _ends_word(text, found.end()):
            return None
        written = found.group(0).casefold()
        if not (written.startswith("các") or "," in written or written.endswith("liên quan")):
            return None
        return found.end(), True

    @staticmethod
    def _local(text: str, pos: int) -> tuple[int, bool] | None:
        """A local People's Committee: one («UBND huyện Tuy Phước», «… thành phố Thủ Đức và các quận, huyện»), or a
        level of them («UBND các huyện, thành phố Cà Mau», «UBND các huyện có rừng»)."""
        one = LOCAL_ONE.match(text, pos)
        if one:
            end = _place_name(text, one.end())
            if end > one.end():
                more = AND_THE_OTHERS.match(text, end)
                return (more.end(), True) if more else (end, False)
        group = LOCAL_GROUP.match(text, pos)
        if group and _ends_word(text, group.end()):
            end = group.end()
            if re.search(r"(?:thành\s+phố|thị\s+xã)$", group.group(0)) and text[end:end + 1] == " ":
                end = max(end, _place_name(text, end + 1))  # «UBND các huyện, thành phố Cà Mau»
            return end, True
        return None

    def _shaped(self, text: str, pos: int) -> tuple[int, bool] | None:
        head = self.heads.match(text, pos)
        if not head:
            return None
        end = _capitalised_run(text, head.end() + 1) if text[head.end():head.end() + 1] == " " else head.end()
        for joint in SEPARATOR.finditer(text, head.end(), end):  # «Báo Quảng Ngãi, Đài …»: two names
            following = joint.end()
            if self.heads.match(text, following) or self.known.match(text, following) or \
                    self._local(text, following) or HEAD.match(text, following):
                end = joint.start()
                break
        return (end, False) if end > head.end() + 1 else None

    def _expanded(self, written: str) -> str | None:
        """The full name an abbreviation stands for, what follows it kept («BQL KKT tỉnh»: «Ban Quản lý Khu kinh
        tế tỉnh», «Đài PT-TH Hải Phòng»: «Đài Phát thanh và Truyền hình Hải Phòng»)."""
        if found := self.abbreviations.get(abbreviation_key(written)):
            return found
        words = written.split()
        for cut in range(len(words) - 1, max(1, len(words) - 4), -1):
            head, tail = " ".join(words[:cut]), " ".join(words[cut:])
            base = self.abbreviations.get(abbreviation_key(head)) or \
                self.abbreviations.get(abbreviation_key(f"{head} tỉnh"))
            if base and (tail == "tỉnh" or tail[:1].isupper()):
                return f"{base.removesuffix(' tỉnh')} {tail}"
        return None

    def _abbreviated(self, text: str, pos: int) -> tuple[int, bool] | None:
        """An abbreviation spelt another way than the catalogue's («Sở NN và PTNT» for «Sở NN&PTNT»), with the
        place it is of («Đài PT&TH Hải Phòng»)."""
        found = ABBREVIATED.match(text, pos)
        if not found or not {abbreviation_key(found.group(0)), abbreviation_key(f"{found.group(0)} tỉnh")} & \
                self.abbreviations.keys():
            return None
        end = found.end()
        place = _place_name(text, end + 1) if text[end:end + 1] == " " else end
        return (place if place > end + 1 else end), False

    def _mention(self, written: str, start: int, end: int, group: bool) -> Mention:
        written = " ".join(written.split())
        expanded = self._expanded(written)
        code = self.directory.resolve(written) or (self.directory.resolve(expanded) if expanded else None)
        if code is not None:
            entry = self.directory.entries[code]
            group = entry.is_group
            name = expanded or written
            return Mention(written, name, code, group, start, end, SURE)
        in_catalogue = self.known.fullmatch(written) is not None
        if group:
            return Mention(written, written, None, True, start, end, LIKELY,
                           "Nhóm cơ quan chưa có trong danh bạ; hãy chọn nhóm hoặc cơ quan tương ứng.")
        return Mention(written, expanded or written, None, False, start, end, LIKELY if in_catalogue else GUESSED,
                       "Cơ quan chưa có trong danh bạ; hãy chọn cơ quan tương ứng hoặc bổ sung danh bạ.")

    # -- lists ------------------------------------------------------------------
    def list_at(self, text: str, pos: int) -> tuple[list[Mention], int]:
        """The names listed from ``pos`` («A, B và C», «các Sở: A, B»); the position after the last one."""
        mentions, end = self._one_or_members(text, pos)
        if not mentions:
            return [], pos
        while True:
            separator = SEPARATOR.match(text, end)
            if not separator:
                break
            following, after = self._one_or_members(text, separator.end())
            if not following:
                break
            mentions.extend(following)
            end = after
        return mentions, end

    def _one_or_members(self, text: str, pos: int) -> tuple[list[Mention], int]:
        head = HEAD.match(text, pos)  # «Chủ tịch UBND các huyện Thái Thụy, Tiền Hải»
        members, end = self.members_at(text, head.end() if head else pos)
        if members:
            return [replace(members[0], start=pos), *members[1:]], end
        found = self.at(text, pos)
        return ([found], found.end) if found else ([], pos)

    def members_at(self, text: str, pos: int) -> tuple[list[Mention], int]:
        """The bodies of a kind named once at ``pos``: «các Sở: Xây dựng, Tài chính và Kế hoạch và Đầu tư» is three
        departments, each named in full («Sở Xây dựng»), with its own span."""
        collective = COLLECTIVE.match(text, pos)
        if not collective:
            return [], pos
        if collective["kind"]:
            prefix = collective["kind"].capitalize()
            tails = self.tails[prefix]
        else:
            prefix, tails = f"UBND {' '.join(collective['level'].split())}", None
        mentions, at = [], collective.end()
        if not collective["colon"] and tails and not tails.match(text, at):  # «các Sở Xây dựng, …» names them
            return [], pos
        while True:
            known = tails.match(text, at) if tails else None
            end = known.end() if known and _ends_word(text, known.end()) else (
                _capitalised_run(text, at) if tails else _place_name(text, at))
            if end <= at:
                break
            written = " ".join(text[at:end].split())
            mentions.append(replace(self._mention(f"{prefix} {written}", at, end, False),
                                    start=pos if not mentions else at))
            separator = SEPARATOR.match(text, end)
            if not separator or not text[separator.end():separator.end() + 1].isupper() or \
                    self.at(text, separator.end()) is not None:
                at = end
                break
            at = separator.end()
        if not collective["colon"] and len(mentions) < 2:  # «Các Ban Quản lý dự án …»: one plural name, not a list
            return [], pos
        return mentions, at

    def find_all(self, text: str) -> list[Mention]:
        """Every name in ``text``, left to right, not overlapping."""
        found, pos = [], 0
        while pos < len(text):
            if pos == 0 or not text[pos - 1].isalnum():
                mention = self.at(text, pos)
                if mention:
                    found.append(mention)
                    pos = mention.end
                    continue
            pos += 1
        return found


def abbreviation_key(text: str) -> str:
    """An abbreviation without its joints: «Sở KH&ĐT», «Sở KH và ĐT», «Sở KH-ĐT» are one key."""
    return re.sub(r"\s+và\s+|[\s&,\-]", "", normalize_name(text))


def _ends_word(text: str, end: int) -> bool:
    return end >= len(text) or not (text[end].isalnum() or text[end] == "&")


def _capitalised_run(text: str, pos: int) -> int:
    """The end of a proper name from ``pos``: capitalised words, each with at most one lower-case word after it,
    joined by «,», «-» or «và» («Giáo dục và Đào tạo», «Văn hóa, Thể thao và Du lịch», «Y tế»)."""
    end, i = pos, pos
    while True:
        word = WORD.match(text, i)
        if not word or not word.group(0)[0].isupper():
            return end
        end = word.end()
        lower = re.match(r" ([^\W\d_]+)", text[end:])
        if lower and lower.group(1).islower() and lower.group(1) not in FUNCTION_WORDS:
            end += lower.end()
        joint = re.match(r"\s*(?:,|-|–)\s*|\s+và\s+|\s+", text[end:])
        if not joint:
            return end
        i = end + joint.end()


def _place_name(text: str, pos: int) -> int:
    """The end of a place name from ``pos``: capitalised words separated by single spaces («Tuy Phước»)."""
    found = re.match(r"[^\W\d_][^\W_]*(?: [^\W\d_][^\W_]*)*", text[pos:])
    if not found:
        return pos
    words = found.group(0).split(" ")
    taken = 0
    for word in words:
        if not word[0].isupper():
            break
        taken += 1
    return pos + len(" ".join(words[:taken]))
