"""Starting a directive from its text: upload or paste, review what was read, then start.

The Office specialist uploads a .txt, .docx or .pdf (or pastes the text); the
page shows the text with every proposed field highlighted where it came from,
beside the draft form filled in, each field with how sure the reading is and
what to check. Nothing starts until the specialist presses «Tạo dự thảo»; the
form is then checked like the draft step's own form.
"""
from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from itsdangerous import BadSignature, Signer
from markupsafe import Markup, escape
from sqlalchemy import select

from engine import InvalidInput
from engine.models import HumanTask
from workflows.agencies import Directory
from workflows.importing import MAX_BYTES, ImportRefused, ParsedDirective, extract_text, parse_directive
from workflows.importing.draft import Proposal, draft_proposal

from .formschema import build_fields, read_form, walk_fields
from .services import services
from .settings import deadline_reader
from .tasks import options_provider

bp = Blueprint("importing", __name__)

FORM_KEY = "directive_draft"
#: How a confidence reads to the specialist.
LEVELS = ((0.9, "high", _l("cao")), (0.7, "medium", _l("trung bình")), (0.0, "low", _l("thấp")))
#: The fields the form has no input for, shown as read from the text.
ORIGINAL_FIELDS = (("issuer", _l("Cơ quan ban hành")), ("notation", _l("Số, ký hiệu")), ("place", _l("Địa danh")),
                   ("date", _l("Ngày ban hành")), ("meeting_date", _l("Ngày họp")),
                   ("presided_by", _l("Chủ trì cuộc họp")), ("signer.authority", _l("Thẩm quyền ký")),
                   ("signer.title", _l("Chức vụ người ký")), ("signer.name", _l("Người ký")))


@dataclass(frozen=True)
class Mark:
    """A highlighted span of the source text."""

    start: int
    end: int
    id: str
    kind: str
    label: str


def level(confidence: float | None) -> tuple[str, str]:
    """(css class, word in the reader's language) of a confidence."""
    for bound, css, word in LEVELS:
        if confidence is not None and confidence >= bound:
            return css, word
    return LEVELS[-1][1], LEVELS[-1][2]


def highlight(text: str, marks: list[Mark]) -> Markup:
    """``text`` with each mark wrapped in ``<mark>``; overlapping marks nest, the first piece carries the id.

    One sweep over the boundaries: the marks open at a piece are kept as the sweep passes their start and end.
    """
    starts: dict[int, list[Mark]] = {}
    for mark in marks:
        starts.setdefault(mark.start, []).append(mark)
    bounds = sorted({0, len(text), *(m.start for m in marks), *(m.end for m in marks)})
    pieces, opened, active = [], set(), {}
    for start, end in zip(bounds, bounds[1:], strict=False):
        for mark in starts.get(start, []):
            active[mark.id] = mark
        for mark_id in [i for i, m in active.items() if m.end <= start]:
            del active[mark_id]
        piece = str(escape(text[start:end]))
        for mark in sorted(active.values(), key=lambda m: (m.start - m.end, m.id), reverse=True):
            anchor = f' id="{mark.id}"' if mark.id not in opened else ""
            opened.add(mark.id)
            piece = (f'<mark class="src src-{mark.kind}" data-src="{mark.id}"{anchor} '
                     f'title="{escape(mark.label)}">{piece}</mark>')
        pieces.append(piece)
    return Markup("".join(pieces))


def _digest(text: str, name: str) -> str:
    """The text's fingerprint, whatever its line ends and the blank lines around it: a browser sends a form's text
    back with «\\r\\n» and without the line break that opens it."""
    canonical = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    return hashlib.sha256(f"{name}\0{canonical}".encode()).hexdigest()


def _signer() -> Signer:
    return Signer(current_app.secret_key, salt="chidao-import")


def source_token(text: str, name: str) -> str:
    """A signature of the text read and its file name, so that starting uses exactly what was reviewed."""
    return _signer().sign(_digest(text, name)).decode()


def _reviewed(text: str, name: str, token: str) -> bool:
    try:
        return _signer().unsign(token).decode() == _digest(text, name)
    except BadSignature:
        return False


def _mark_kind(path: str) -> str:
    if path.endswith(".summary"):
        return "task"
    if path.endswith(("lead", "coordinate", "recipients")):
        return "agency"
    return "deadline" if "deadline" in path else "field"


def _marks(parsed: ParsedDirective, proposal: Proposal) -> tuple[list[Mark], dict[str, list[str]]]:
    """Marks for every source span, and the mark ids of each form path."""
    marks: list[Mark] = []
    ids: dict[str, list[str]] = {}
    for path, source in proposal.sources.items():
        kind = _mark_kind(path)
        for start, end in source.spans:
            if end <= start:
                continue
            mark = Mark(start, end, f"src-{len(marks)}", kind, path)
            marks.append(mark)
            ids.setdefault(path, []).append(mark.id)
    for name, _title in ORIGINAL_FIELDS:
        found = parsed.fields.get(name)
        if found and found.span and not any(m.start == found.span[0] and m.end == found.span[1] for m in marks):
            marks.append(Mark(found.span[0], found.span[1], f"src-{len(marks)}", "field", name))
            ids.setdefault(name, []).append(marks[-1].id)
    for copy in parsed.copies_to:
        marks.append(Mark(copy.span[0], copy.span[1], f"src-{len(marks)}", "copy", "copies_to"))
        ids.setdefault("copies_to", []).append(marks[-1].id)
    return marks, ids


def _parse(text: str, name: str) -> tuple[ParsedDirective, Proposal]:
    with services().db.reader() as s:
        reader = deadline_reader(s, current_app.config)
        today = services().clock.today()
        parsed = parse_directive(text, Directory(s), reader, today, name)
        most = services().engine.form(s, FORM_KEY)["properties"]["tasks"].get("maxItems")
        if most is not None and len(parsed.tasks) > most:
            raise ImportRefused(_("Văn bản «%(name)s» giao %(count)s nhiệm vụ, quá %(most)s nhiệm vụ một dự thảo nhận "
                                  "được; hãy tách thành nhiều văn bản hoặc nhập phần nhiệm vụ ở phụ lục riêng.",
                                  name=name, count=len(parsed.tasks), most=most))
        return parsed, draft_proposal(parsed, s, reader, today)


def _review(text: str, name: str, values: dict | None = None, errors: dict | None = None,
            message: str | None = None, status: int = 200):
    parsed, proposal = _parse(text, name)
    errors = errors or {}
    with services().db.reader() as s:
        schema = services().engine.form(s, FORM_KEY)
        fields = build_fields(schema, values if values is not None else proposal.values, errors, options_provider(s))
    marks, ids = _marks(parsed, proposal)
    paths = _source_paths(proposal, values)
    for f in walk_fields(fields):
        path = paths.get(f.path, f.path)
        source = proposal.sources.get(path)
        if source is not None:
            css, word = level(source.confidence)
            f.source = {"ids": ids.get(path, []), "confidence": source.confidence, "level": css, "word": word,
                        "notes": source.notes}
    shown = {f.path for f in walk_fields(fields)}
    original = [(title, parsed.value(key), ids.get(key, [])) for key, title in ORIGINAL_FIELDS if parsed.value(key)]
    return render_template(
        "directives/import_review.html", parsed=parsed, proposal=proposal, fields=fields, errors=errors,
        other_errors=[m for p, m in errors.items() if p not in shown], message=message, original=original,
        source_html=highlight(parsed.document.text, marks), source_text=text, source_name=name,
        source_token=source_token(text, name),
        copies_ids=ids.get("copies_to", []), level=level), status


def _source_paths(proposal: Proposal, values: dict | None) -> dict[str, str]:
    """For a form sent back with errors, the proposal path each task row's fields came from (rows are matched by
    their «Mục», since the specialist may have added, removed or reordered rows)."""
    if values is None:
        return {}
    proposed = {row["ref"]: i for i, row in enumerate(proposal.values["tasks"])}
    paths = {}
    for j, row in enumerate(values.get("tasks", [])):
        i = proposed.get(row.get("ref"))
        for key in ("summary", "lead", "coordinate", "deadline_phrase"):
            paths[f"tasks.{j}.{key}"] = f"tasks.{i}.{key}" if i is not None else ""
    return paths


def _require_specialist() -> None:
    if not current_user.has_role("specialist"):
        abort(403, _("Chỉ chuyên viên Văn phòng được nhập văn bản chỉ đạo."))


@bp.route("/directives/import")
@login_required
def form():
    """The upload and paste page."""
    _require_specialist()
    return render_template("directives/import.html", error=None, pasted="", limit=MAX_BYTES // 2 ** 20)


@bp.route("/directives/import", methods=["POST"])
@login_required
def read():
    """Read the uploaded file or the pasted text; show the proposed draft for review, or the refusal."""
    _require_specialist()
    upload = request.files.get("file")
    pasted = request.form.get("text", "")
    try:
        if upload and upload.filename:
            name = upload.filename
            text = extract_text(upload.read(), name)
        elif pasted.strip():
            name = _("văn bản dán vào")
            text = extract_text(pasted.encode("utf-8"), "van-ban.txt")
        else:
            raise ImportRefused(_("Hãy chọn tệp văn bản (.txt, .docx, .pdf) hoặc dán nội dung văn bản."))
        return _review(text, name)
    except ImportRefused as exc:
        return render_template("directives/import.html", error=exc.message, pasted=pasted,
                               limit=MAX_BYTES // 2 ** 20), 400


@bp.route("/directives/import/start", methods=["POST"])
@login_required
def start():
    """Check the reviewed draft like the draft form and start the directive with it; open its draft step."""
    _require_specialist()
    text = request.form.get("source_text", "")
    name = request.form.get("source_name", "")
    if not text.strip():
        abort(400, _("Thiếu nội dung văn bản nhập; hãy tải tệp lên lại."))
    if not _reviewed(text, name, request.form.get("source_token", "")):
        abort(400, _("Nội dung văn bản nhập đã bị thay đổi sau khi đọc; hãy tải tệp lên lại."))
    engine = services().engine
    with services().db.reader() as s:
        schema = engine.form(s, FORM_KEY)
    data = read_form(schema, request.form, request.files, None, set())
    _parsed, proposal = _parse(text, name)
    actor = current_user.actor()
    try:
        with services().db.transaction() as s:
            checked = engine.check_form(s, FORM_KEY, {}, actor, data)
            instance = engine.start(s, "directive", actor, checked, f"VB-{uuid.uuid4().hex[:12].upper()}",
                                    provenance={"imported": {**proposal.imported, "source": name}})
            task = s.scalars(select(HumanTask).where(HumanTask.instance_id == instance.id)).first()
    except InvalidInput as exc:
        return _review(text, name, values=data, errors=exc.errors, message=exc.message, status=400)
    flash(_("Đã tạo dự thảo từ «%(name)s» với %(count)s nhiệm vụ. Kiểm tra lần cuối rồi trình duyệt.",
            name=name, count=len(checked.get("tasks", []))), "success")
    return redirect(url_for("tasks.show", task_id=task.id), 303)
