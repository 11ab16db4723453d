"""Reading the tasks out of a directive's items: who leads, who coordinates, by when.

The lead of a task is found, in this order, in: the agencies written before a
colon («Sở Tư pháp: Tích cực phối hợp…»), an explicit assignment («Giao Ban
Quản lý Khu kinh tế tỉnh chủ trì…»), the agencies the item opens with («Các
sở, ban, ngành, địa phương theo chức năng…»), «X chủ trì» anywhere, the
section the item stands in («1. Sở Công Thương» over its bullets). Whoever
follows «phối hợp (với)» coordinates. The deadline is the first phrase that
names one («trong tháng 6/2025», «trước 15h00 thứ Ba hằng tuần»), read by the
same reader the draft form uses.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date

from ..deadlines import DeadlineError, DeadlineReader
from .catalogue import ISSUER_TITLES
from .cleanup import LOWER, Passage, join
from .found import INFERRED, LIKELY, SURE
from .items import Item, marker_of
from .names import Mention, NameReader
from .tables import Row

GIVEN = re.compile(r"(?:^|(?<=[.;:]\s)|(?<=,\s))(?:Giao|giao)\s+(?:cho\s+)?")
ASKED = re.compile(r"(?:^|\b)(?:Đề nghị|Yêu cầu|đề nghị|yêu cầu)\s+")
#: What an item may open with before naming who acts: a topic («Về quan điểm:»), a time or a basis («Hằng quý,»,
#: «Căn cứ Kế hoạch này,»).
TOPIC = re.compile(r"^Về\s+[^:]{1,80}:\s*|^(?:Hằng|Hàng|Định\s+kỳ|Trong|Trước|Từ|Đến|Sau|Ngay)\b[^,:;]{0,80},\s*|"
                   r"^(?:Căn\s+cứ|Trên\s+cơ\s+sở|Để)\b[^,:;]{0,120},\s*|^(?:Riêng|Đặc\s+biệt|Trong\s+đó)\s*,?\s*")
LEADS_VERB = re.compile(r"^\s*(?:chủ\s+trì|có\s+trách\s+nhiệm|khẩn\s+trương|thực\s+hiện|tiếp\s+tục)\b")
CHAIRS = re.compile(r"\s*chủ\s+trì\b")
WITH = re.compile(r"\bphối\s+hợp(?:\s+(?:chặt\s+chẽ|tích\s+cực|thường\s+xuyên))?(?:\s+(?:với|cùng))?\s*:?\s+",
                  re.IGNORECASE)
#: A plan's task written as labelled fields: «Cơ quan thực hiện: …», «Cơ quan phối hợp: …», «Thời gian thực hiện: …».
ATTRIBUTE = re.compile(r"^(?:(?:Cơ\s+quan|Đơn\s+vị)\s+(?:thực\s+hiện|chủ\s+trì|phối\s+hợp)|Thời\s+(?:gian|hạn)"
                       r"(?:\s+(?:thực\s+hiện|hoàn\s+thành))?|Sản\s+phẩm|Kết\s+quả\s+đầu\s+ra)\s*:", re.IGNORECASE)
LABELLED_LEAD = re.compile(r"(?:Cơ\s+quan|Đơn\s+vị)\s+(?:thực\s+hiện|chủ\s+trì)\s*:\s*", re.IGNORECASE)
#: Parts of a plan that state aims, not work («I. MỤC ĐÍCH, YÊU CẦU»), and parts that assign work.
STATEMENT_PART = re.compile(r"MỤC\s+ĐÍCH|YÊU\s+CẦU|QUAN\s+ĐIỂM|MỤC\s+TIÊU|TÌNH\s+HÌNH|KẾT\s+QUẢ|CĂN\s+CỨ",
                            re.IGNORECASE)
ACTION_PART = re.compile(r"NHIỆM\s+VỤ|GIẢI\s+PHÁP|TỔ\s+CHỨC\s+THỰC\s+HIỆN|PHÂN\s+CÔNG", re.IGNORECASE)
TRIGGER = re.compile(
    r"(?:định\s+kỳ|(?:hằng|hàng)\s+(?:tuần|tháng|quý|năm)|hoàn\s+thành\s+(?:trước|trong|xong|chậm)|xong\s+trước|"
    r"trước\s+(?:ngày\s+)?\d|trước\s+\d{1,2}\s*(?:h|giờ)|chậm\s+nhất|hạn\s+chót|"
    r"thời\s+hạn\s+(?=(?:hoàn\s+thành\s+|thực\s+hiện\s+|là\s+)?(?:trước|đến|chậm|trong|không\s+quá|\d|ngày|tháng))|"
    r"trong\s+(?:tháng|quý|năm|tuần)\s+(?:[IVX]{1,4}\s+năm\s+)?\S*\d|"
    r"(?:trước|cuối)\s+(?:tháng|quý|năm)\s+(?:[IVX]{1,4}\s+năm\s+)?\S*\d|trong\s+(?:ngày|hôm)\s+\d|"
    r"thời\s+(?:gian|hạn)(?:\s+(?:thực\s+hiện|hoàn\s+thành))?\s*:|"
    r"(?:trong|không\s+quá)\s+(?:\d+|một|hai|ba|bốn|năm|sáu|bảy|tám|chín|mười|mười\s+lăm|hai\s+mươi|ba\s+mươi)"
    r"\s+(?:ngày|tuần|tháng)|đến\s+hết\s+ngày)", re.IGNORECASE)
#: Points under an item, numbered by their place among its tasks («1.2» for the second, «a)» or «-» alike), as the
#: labels' «section.bullet» has it.
BULLETS = ("dash", "plus", "letter")
#: Where a later clause of an item may name another agency at work.
CLAUSE_OPENING = re.compile(r";\s+(?:(?:đồng\s+thời\s+)?(?:giao|Giao)\s+(?:cho\s+)?)?")
#: Words after an agency's name that are no action of its own.
NOT_ACTING = frozenset({"phối", "và", "của", "về", "tại", "trên", "theo", "với"})
#: Who answers for what happens, not what to do.
ACCOUNTABLE = re.compile(r"\s*(?:phải\s+)?chịu\s+trách\s+nhiệm\s+(?:cá\s+nhân\s+)?trước\b")
#: Words in parentheses after a name, saying whom it covers.
ASIDE = re.compile(r"\s*\([^()]{1,200}\)")
#: Items that state, agree or acknowledge rather than ask for work.
STATEMENT = re.compile(r"^(?:Về\s+quan\s+điểm|Đánh\s+giá|Ghi\s+nhận|Biểu\s+dương|Thống\s+nhất|Đồng\s+ý|Nhất\s+trí|"
                       r"Cơ\s+bản|Chấp\s+thuận|Không\s+(?:đồng\s+ý|chấp\s+thuận)|Ủy\s+ban\s+nhân\s+dân\s+tỉnh|UBND\s+tỉnh|"
                       r"Chủ\s+tịch|Trường\s+hợp|Lưu\s+ý|Đây\s+là)", re.IGNORECASE)
EXECUTION = re.compile(r"chịu\s+trách\s+nhiệm\s+thi\s+hành|có\s+hiệu\s+lực\s+(?:thi\s+hành\s+)?(?:kể\s+)?từ")
DONE = re.compile(r"\bđã\s+(?:\S+\s+){0,2}$")
#: Words before a time that say when something happens, not by when it is due.
OCCASION = re.compile(r"\b(?:dịp|đợt|kể\s+từ|bắt\s+đầu\s+từ|từ|những\s+tháng|các\s+tháng|thời\s+điểm)\s+$",
                      re.IGNORECASE)
#: The day of a period written before it: «vào thứ Năm», «trước 16 giờ ngày thứ Sáu», «trước ngày 20».
WHEN_IN_PERIOD = re.compile(r"(?:(?:vào|trước|chậm\s+nhất)\s+)?(?:\d{1,2}\s*(?:h|giờ)\s*\d{0,2}\s*(?:phút\s*)?,?\s*)?"
                            r"(?:(?:ngày\s+)?thứ\s+\S+|ngày\s+\d{1,2})\s+$", re.IGNORECASE)
#: Triggers that name a deadline by themselves.
EXPLICIT_DEADLINE = re.compile(r"trước|chậm\s+nhất|hạn\s+chót|thời\s+(?:hạn|gian)|hoàn\s+thành|xong|đến\s+hết|"
                               r"không\s+quá", re.IGNORECASE)
EVERY = re.compile(r"(?:hằng|hàng)\s", re.IGNORECASE)
REPORTING = re.compile(r"báo\s+cáo|gửi|tổng\s+hợp|định\s+kỳ|trước\s", re.IGNORECASE)
PHRASE_HEADS = re.compile(r"(?:hoàn\s+thành|hoàn\s+tất|báo\s+cáo|định\s+kỳ|trình|gửi)\b", re.IGNORECASE)
CLAUSE_END = re.compile(r";|\.(?=\s|$)")

#: How far after its first words a deadline phrase is read.
PHRASE_WINDOW = 200
EXPLICIT, SECTION, OPENING, GUESS = SURE, 0.9, LIKELY, INFERRED


@dataclass
class Reading:
    """A deadline read in an item: the date or rule, the words, where they stand, a note when unread; and a reading
    of the other kind beside it (a one-off deadline and a recurring report in one item)."""

    stated: date | None
    phrase: str
    rule: str | None
    span: tuple[int, int] | None
    note: str | None = None
    beside: Reading | None = None


@dataclass
class TaskRead:
    """A task proposed from one item, with where each part came from."""

    ref: str
    text: Passage
    lead: list[Mention]
    coordinate: list[Mention]
    confidence: float
    deadline: date | None = None
    deadline_phrase: str | None = None
    recurrence: str | None = None
    deadline_span: tuple[int, int] | None = None
    notes: list[str] = field(default_factory=list)
    part: str = ""
    also: Reading | None = None

    def take(self, reading: Reading) -> None:
        """Take ``reading`` as this task's deadline."""
        self.deadline, self.deadline_phrase, self.recurrence = reading.stated, reading.phrase, reading.rule
        self.deadline_span, self.also = reading.span, reading.beside
        if reading.note:
            self.notes.append(reading.note)


@dataclass
class Skipped:
    """An item that asks nothing of a named agency (a statement, a topic)."""

    ref: str
    text: Passage


@dataclass
class Context:
    """What an item inherits from the items above it."""

    lead: list[Mention] = field(default_factory=list)
    coordinate: list[Mention] = field(default_factory=list)
    deadline: Reading | None = None
    ref: str = ""


class TaskReader:
    """Reads tasks from items with one name reader and one deadline reader."""

    def __init__(self, names: NameReader, deadlines: DeadlineReader, base: date):
        self.names = names
        self.deadlines = deadlines
        self.base = base
        self._part = ""
        self._addressee: Mention | None = None

    def assigns(self, text: str) -> bool:
        """True when an unmarked paragraph gives work to a named agency by itself («Giao Sở … theo dõi»)."""
        given = GIVEN.match(text)
        if given:
            return bool(self._concrete(self.names.list_at(text, given.end())[0]))
        mentions, end = self.names.list_at(text, 0)
        return bool(self._concrete(mentions)) and bool(LEADS_VERB.match(text[end:]))

    def read(self, items: list[Item], addressee: Mention | None = None) -> tuple[list[TaskRead], list[Skipped]]:
        """The tasks of ``items`` and the items that are not tasks. An item that names nobody but asks for work
        falls to ``addressee``, the one body a công văn is addressed to («Kính gửi: Sở Giao thông vận tải»)."""
        tasks: list[TaskRead] = []
        skipped: list[Skipped] = []
        self._part = ""
        self._addressee = addressee
        self._walk(items, Context(), tasks, skipped)
        _name_parts(tasks)  # «1.» again under each «I.», «II.»
        return tasks, skipped

    def _walk(self, items: list[Item], context: Context, tasks: list[TaskRead], skipped: list[Skipped],
              counter: list[int] | None = None) -> None:
        """Read ``items``; bullets are numbered in ``counter`` (shared with a bulleted heading's bullets)."""
        counter = [0] if counter is None else counter
        for item in items:
            text, children = _with_attributes(item)
            bullet = item.kind in BULLETS
            if item.kind == "part":
                self._part = item.mark
                if STATEMENT_PART.search(text.text) and not ACTION_PART.search(text.text):
                    skipped.extend(Skipped(f"{item.mark}.{c.mark or i + 1}", _own_text(c))
                                   for i, c in enumerate(children))
                else:
                    introduced = self._introduced(text)
                    self._walk(children, replace(context, lead=introduced) if introduced else context, tasks, skipped)
                continue
            if children and _is_heading(text, self.names):
                own = self._context(text, context)
                if bullet:
                    own.ref = context.ref
                    self._walk(children, own, tasks, skipped, counter)
                else:
                    own.ref = _ref(context.ref, item, 0)
                    self._walk(children, own, tasks, skipped)
                continue
            ref = _ref(context.ref, item, counter[0] + 1)
            introduces = not children and text.text.endswith(":")  # «… các nhiệm vụ theo bảng sau:», the table read
            task = None if introduces else self._task(ref, text, context)
            if task is None:
                skipped.append(Skipped(f"{self._part}.{ref}" if self._part else ref, text))
            else:
                counter[0] += bullet
                tasks.append(task)
            if children:
                below = Context(task.lead if task else context.lead, task.coordinate if task else context.coordinate,
                                context.deadline, ref)
                self._walk(children, below, tasks, skipped)

    def read_rows(self, rows: list[Row]) -> tuple[list[TaskRead], list[Skipped]]:
        """The tasks of a task table's rows; a row that names no lead is a part's heading («I | Công tác kiểm
        tra») or, numbered, an item that is not a task."""
        tasks: list[TaskRead] = []
        skipped: list[Skipped] = []
        part = ""
        for row in rows:
            content, lead_cell = join(row.cells.get("content", [])), join(row.cells.get("lead", []))
            lead = self._cell_agencies(lead_cell)
            if not lead:
                if re.fullmatch(r"[IVX]+|[A-H]", row.mark):
                    part = row.mark
                elif content.text:
                    skipped.append(Skipped(f"{part}.{row.mark}" if part else row.mark, content))
                continue
            text = content if content.text else lead_cell
            coordinate = [m for m in self._cell_agencies(join(row.cells.get("coordinate", [])))
                          if m.name.casefold() not in {n.name.casefold() for n in lead}]
            task = TaskRead(row.mark, text, lead, coordinate, SECTION, part=part)
            when = join(row.cells.get("when", []))
            deadline = self._cell_deadline(when) if when.text else self._deadline(content)
            if deadline:
                task.take(deadline)
            tasks.append(task)
        _name_parts(tasks)
        return tasks, skipped

    def _cell_agencies(self, cell: Passage) -> list[Mention]:
        """The agencies and groups a table cell names: listed from its start, else wherever they stand in it."""
        mentions = self.names.list_at(cell.text, 0)[0] or self.names.find_all(cell.text)
        return [_placed(m, cell) for m in self._concrete(mentions, keep_vague=True)]

    def _cell_deadline(self, cell: Passage) -> Reading | None:
        """The deadline a table's time column gives («Tháng 01/2025», «Quý II/2025», «Trước 15/12/2025»); its
        words are kept even when they name no date («Thường xuyên»)."""
        span = cell.span(0, len(cell.text))
        try:
            found = self.deadlines.read(cell.text, self.base)
        except DeadlineError as exc:
            return self._deadline(cell) or Reading(None, cell.text, None, span,
                                                   exc.message if re.search(r"\d", cell.text) else None)
        return Reading(None if found.recurrence else found.stated, cell.text, found.recurrence, span)

    # -- one item -----------------------------------------------------------------
    def _introduced(self, text: Passage) -> list[Mention]:
        """Who the items of a part work for, named where its words lead into them («…; đồng thời, UBND huyện Bù Gia
        Mập tập trung thực hiện tốt một số nội dung sau:»)."""
        if not text.text.endswith(":"):
            return []
        sentence = max(text.text.rfind(". "), text.text.rfind("; ")) + 2
        for mention in self.names.find_all(text.text[sentence:]):
            listed, end = self.names.list_at(text.text, sentence + mention.start)
            if _acts(text.text, end):
                return [_placed(m, text) for m in self._concrete(listed)]
        return []

    def _context(self, text: Passage, above: Context) -> Context:
        """What a heading hands down: its agencies, its coordinators, its deadline. A heading that opens with
        agencies hands them down whatever qualifies them before its colon («Chủ tịch UBND các huyện, thị xã,
        thành phố, nhất là các huyện Lệ Thủy, Quảng Ninh:»)."""
        lead, _confidence = self._lead(text, Context())
        if not lead and text.text.endswith(":"):
            topic = TOPIC.match(text.text)
            opening = self.names.list_at(text.text, topic.end() if topic else 0)[0]
            lead = [_placed(m, text) for m in self._concrete(opening, keep_vague=True)]
        deadline = self._deadline(text)
        return Context(lead or above.lead, self._coordinate(text, lead) or above.coordinate,
                       deadline or above.deadline)

    def _task(self, ref: str, text: Passage, context: Context) -> TaskRead | None:
        if EXECUTION.search(text.text):  # «… chịu trách nhiệm thi hành Quyết định này»: the formula, not a task
            return None
        named, after = self.names.list_at(text.text, 0)
        if named and ACCOUNTABLE.match(text.text, after):  # «Chủ tịch UBND cấp huyện chịu trách nhiệm trước …»
            return None
        lead, confidence = self._lead(text, context)
        if not lead:
            return None
        coordinate = self._coordinate(text, lead) or [c for c in context.coordinate
                                                      if c.name not in {m.name for m in lead}]
        task = TaskRead(ref, text, lead, coordinate, confidence, part=self._part)
        deadline = self._deadline(text) or context.deadline
        if deadline:
            task.take(deadline)
        return task

    def _lead(self, passage: Passage, context: Context) -> tuple[list[Mention], float]:
        lead, confidence = self._lead_in(passage, context)
        if confidence >= OPENING:
            lead = lead + [m for m in self._clause_leads(passage.text) if m.name not in {n.name for n in lead}]
        return [_placed(m, passage) for m in lead], confidence

    def _clause_leads(self, text: str) -> list[Mention]:
        """Agencies that open a later clause of the item and act in it («…; Giám đốc Sở Giáo dục và Đào tạo chỉ
        đạo …», «…; giao Sở Tài chính bố trí …»), not those who only coordinate («…; Sở Y tế phối hợp»)."""
        found = []
        for clause in CLAUSE_OPENING.finditer(text):
            mentions, end = self.names.list_at(text, clause.end())
            if mentions and _acts(text, end):
                found.extend(self._concrete(mentions))
        return found

    def _lead_in(self, passage: Passage, context: Context) -> tuple[list[Mention], float]:
        text = passage.text
        topic = TOPIC.match(text)
        start = topic.end() if topic else 0
        mentions, end = self.names.list_at(text, start)
        aside = ASIDE.match(text, end)  # «Các chủ rừng (các công ty lâm nghiệp, …):»
        if mentions and text[aside.end() if aside else end:][:1] == ":" and self._concrete(mentions, keep_vague=True):
            return self._concrete(mentions, keep_vague=True), EXPLICIT
        for label in LABELLED_LEAD.finditer(text):
            listed = self._concrete(self.names.list_at(text, label.end())[0], keep_vague=True)
            if listed:
                return listed, EXPLICIT
        for given in GIVEN.finditer(text):
            listed = self._concrete(self.names.list_at(text, given.end())[0], keep_vague=True)
            if listed:
                return listed, EXPLICIT
        if mentions and self._concrete(mentions, keep_vague=True) and not text[end:end + 1] == ",":
            return self._concrete(mentions, keep_vague=True), OPENING
        for mention in self.names.find_all(text):
            if CHAIRS.match(text, mention.end) and self._concrete([mention]):
                return [mention], EXPLICIT
        if context.lead:
            return context.lead, SECTION
        for asked in ASKED.finditer(text):
            listed = self._concrete(self.names.list_at(text, asked.end())[0], keep_vague=True)
            if listed:
                return listed, GUESS
        if self._addressee is not None and not STATEMENT.match(text):
            note = "Mục này không nêu cơ quan thực hiện; đề xuất cơ quan được gửi văn bản («Kính gửi»)."
            return [replace(self._addressee, confidence=GUESS,
                            note=f"{note} {self._addressee.note}" if self._addressee.note else note)], GUESS
        return [], 0.0

    def _coordinate(self, passage: Passage, lead: list[Mention]) -> list[Mention]:
        text = passage.text
        found: dict[str, Mention] = {}
        leads = {m.name.casefold() for m in lead}
        for phrase in WITH.finditer(text):
            for mention in self.names.list_at(text, phrase.end())[0]:
                if mention.name.casefold() not in leads and not _is_issuer(mention):
                    found.setdefault(mention.name.casefold(), _placed(mention, passage))
        return list(found.values())

    @staticmethod
    def _concrete(mentions: list[Mention], keep_vague: bool = False) -> list[Mention]:
        """The mentions that can be asked to act: not the issuing body; vague groups only when kept."""
        kept = [m for m in mentions if not _is_issuer(m)]
        if not keep_vague:
            kept = [m for m in kept if not (m.group and m.code is None)]
        return kept

    def _deadline(self, passage: Passage) -> Reading | None:
        """The deadline the text names: of the phrases it can read, the
        first that a report or a completion introduces («…; báo cáo UBND tỉnh trước ngày 25/9/2025») or that is
        plainly a deadline («trước ngày …», «chậm nhất …»), else the first; a time that only says when something
        happens («dịp cuối năm 2025») is not one."""
        text = passage.text
        unread, found_any = None, []
        for trigger in TRIGGER.finditer(text):
            end_found = CLAUSE_END.search(text, trigger.end(), trigger.end() + PHRASE_WINDOW)
            end = end_found.start() if end_found else min(len(text), trigger.end() + PHRASE_WINDOW)
            clause = max(text.rfind(";", 0, trigger.start()), text.rfind(". ", 0, trigger.start())) + 1
            clause += len(text[clause:]) - len(text[clause:].lstrip(" ."))
            if EVERY.match(trigger.group(0)) and clause != trigger.start() and not REPORTING.search(text[clause:end]):
                continue
            before = text[max(0, trigger.start() - 25):trigger.start()]
            if DONE.search(before) or OCCASION.search(before):  # «(đã hoàn thành trong tháng 4)», «dịp cuối năm»
                continue
            headed = bool(PHRASE_HEADS.match(text, clause))
            read_from = trigger.start()
            day = WHEN_IN_PERIOD.search(text, clause, trigger.start()) if EVERY.match(trigger.group(0)) else None
            if day:  # «… vào thứ Năm hằng tuần»: the day stands before the period
                read_from = day.start()
            start = clause if headed else read_from
            try:
                found = self.deadlines.read(text[read_from:end], self.base)
            except DeadlineError as exc:
                if unread is None and re.search(r"\d", text[trigger.start():end]):
                    unread = Reading(None, text[start:end].strip(), None, passage.span(start, end), exc.message)
                continue
            phrase_end = read_from + found.span[1]
            if text.count("(", start, phrase_end) > text.count(")", start, phrase_end) and \
                    text[phrase_end:phrase_end + 1] == ")":
                phrase_end += 1  # «hằng quý (trước ngày 15 của tháng cuối quý)»
            if trigger.group(0).endswith(":"):  # «Thời gian hoàn thành: Quý IV/2024»: the words after the label
                start = trigger.end() + len(text[trigger.end():]) - len(text[trigger.end():].lstrip())
            plain = headed or found.recurrence is not None or bool(EXPLICIT_DEADLINE.match(trigger.group(0)))
            phrase, span = text[start:phrase_end].strip(), passage.span(start, phrase_end)
            reading = Reading(None if found.recurrence else found.stated, phrase, found.recurrence, span)
            found_any.append((not plain, len(found_any), reading, clause))
        if not found_any:
            return unread
        _plain, _i, chosen, chosen_clause = min(found_any, key=lambda f: f[:2])
        chosen.beside = next((r for _p, _i, r, c in found_any  # «…trước ngày 10/3/2025; báo cáo … hằng quý»
                              if c != chosen_clause and (r.rule is None) != (chosen.rule is None)), None)
        return chosen


def _acts(text: str, at: int) -> bool:
    """Whether the words at ``at``, after agencies, say they act («… chỉ đạo», «… có trách nhiệm rà soát»), not that
    they only coordinate or that the name goes on («… phối hợp», «… của tỉnh»)."""
    verb = re.match(rf"\s+(?:có\s+trách\s+nhiệm\s+|chủ\s+động\s+)?([{LOWER}]+)", text[at:])
    return bool(verb) and verb.group(1) not in NOT_ACTING and not WITH.match(text, at + verb.start(1))


def _name_parts(tasks: list[TaskRead]) -> None:
    """Name each task by its part («III.1») when numbering starts again in another part."""
    if _restarts(tasks):
        for task in tasks:
            task.ref = f"{task.part}.{task.ref}" if task.part else task.ref


def _restarts(tasks: list[TaskRead]) -> bool:
    """Whether the numbering starts again in another part («III. … 1.» and «IV. … 1.»), so refs need their part."""
    if len({t.ref for t in tasks}) < len(tasks):
        return True
    parts: dict[str, str] = {}
    for task in tasks:
        number = task.ref.split(".")[0]
        if parts.setdefault(number, task.part) != task.part:
            return True
    return False


def _placed(mention: Mention, passage: Passage) -> Mention:
    """The mention with its span in the document (it was read in ``passage``)."""
    return mention if mention.span else replace(mention, span=passage.span(mention.start, mention.end))


def _with_attributes(item: Item) -> tuple[Passage, list[Item]]:
    """The item's words with its labelled fields («- Cơ quan thực hiện: …») read as part of them, and the items
    under it that are items of their own."""
    attributes = [c for c in item.children if not c.children and ATTRIBUTE.match(_own_text(c).text)]
    if not attributes:
        return _own_text(item), item.children
    whole = Item(item.kind, item.mark, item.lines + [line for a in attributes for line in a.lines])
    return _own_text(whole), [c for c in item.children if c not in attributes]


def _own_text(item: Item) -> Passage:
    """The item's own words, its marker left out."""
    passage = join(item.lines)
    found = marker_of(passage.text)
    if found and item.kind != "paragraph":
        passage = passage.sub(found[2], len(passage.text))
    return passage.strip()


def _is_heading(text: Passage, names: NameReader) -> bool:
    """An item whose words only introduce those under it: «Sở Công Thương», «Về công tác quy hoạch:»."""
    words = text.text.rstrip(" :")
    if text.text.endswith(":"):
        return True
    mentions, end = names.list_at(words, 0)
    return bool(mentions) and end >= len(words)


def _is_issuer(mention: Mention) -> bool:
    titles = {t.casefold() for t in ISSUER_TITLES}
    return mention.written.casefold() in titles or mention.code in ("UBND",)


def _ref(parent: str, item: Item, position: int) -> str:
    """«1», «1.2» (the second task under item 1), «Điều 2» (an article that is a task itself)."""
    mark = str(position) if item.kind in BULLETS else f"Điều {item.mark}" if item.kind == "article" else item.mark
    if item.kind in ("nested", "arabic", "article", "paragraph") or not parent:
        return mark
    return f"{parent}.{mark}"
