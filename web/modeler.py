"""Process administration in the browser: versions, the BPMN modeler, validation, deployment,
migration, forms and the operation log. Only process admins change anything; auditors may look."""
from __future__ import annotations

import hashlib
import json
import re

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from lxml import etree
from sqlalchemy import delete, func, select

from engine import DefinitionError, EngineError, safe_xml
from engine.clock import LOCAL_TZ
from engine.form_catalogue import FormDefinition, deploy_form, form_keys
from engine.models import ProcessDefinition, ProcessDraft, ProcessInstance
from engine.oplog import search_operations
from engine.validation import camunda_extensions
from engine.versions import diff, migrate, plan_migration

from . import query_args
from .admin import admin_only, bp
from .services import services

FORM_KEY = re.compile(r"[A-Za-z0-9_-]{1,100}")  # what a new form may be called

MAX_BPMN = 5 * 1024 * 1024


def _bpmn_key(xml: bytes) -> str | None:
    """The id of the first executable process of a file (None when it cannot be read)."""
    try:
        root = safe_xml.parse(xml)
    except etree.XMLSyntaxError:
        return None
    ids = root.xpath("//*[local-name()='process' and @isExecutable='true']/@id")
    return ids[0] if ids else None


def _problems_json(problems) -> list[dict]:
    return [p.as_json() if hasattr(p, "as_json") else p for p in problems]


@bp.route("/processes")
@admin_only
def processes():
    with services().db.reader() as s:
        definitions = s.scalars(select(ProcessDefinition).order_by(ProcessDefinition.key,
                                                                   ProcessDefinition.version.desc())).all()
        running = dict(s.execute(select(ProcessInstance.definition_id, func.count())
                                 .where(ProcessInstance.status == "running")
                                 .group_by(ProcessInstance.definition_id)).all())
        drafts = {d.key: d for d in s.scalars(select(ProcessDraft))}
    keys: dict[str, list[ProcessDefinition]] = {}
    for definition in definitions:
        keys.setdefault(definition.key, []).append(definition)
    return render_template("admin/processes.html", keys=keys, running=running, drafts=drafts)


def _definition_or_404(session, definition_id: str) -> ProcessDefinition:
    definition = session.get(ProcessDefinition, definition_id)
    if definition is None:
        abort(404, _("Không tìm thấy phiên bản quy trình này."))
    return definition


@bp.route("/processes/<definition_id>")
@admin_only
def version(definition_id: str):
    engine = services().engine
    with services().db.reader() as s:
        definition = _definition_or_404(s, definition_id)
        previous = s.scalars(select(ProcessDefinition).where(ProcessDefinition.key == definition.key,
                                                             ProcessDefinition.version < definition.version)
                             .order_by(ProcessDefinition.version.desc()).limit(1)).first()
        newest = engine.latest_definition(s, definition.key)
        instances = s.scalars(select(ProcessInstance).where(ProcessInstance.definition_id == definition.id,
                                                            ProcessInstance.status == "running")
                              .order_by(ProcessInstance.started_at.desc()).limit(200)).all()
        try:
            changes = diff(previous.bpmn_xml if previous else None, definition.bpmn_xml)
            extensions = camunda_extensions(safe_xml.parse(definition.bpmn_xml))
            plans = [plan_migration(engine, s, i, newest) for i in instances] if newest.id != definition.id else []
            unreadable = None
        except (etree.XMLSyntaxError, DefinitionError) as exc:  # stored before the upload checks refused it
            changes, extensions, plans = None, [], []
            unreadable = safe_xml.doctype_problem(definition.bpmn_xml.encode("utf-8")) or str(exc)
    return render_template("admin/version.html", definition=definition, previous=previous, newest=newest,
                           changes=changes, plans=plans, extensions=extensions, unreadable=unreadable)


@bp.route("/processes/<definition_id>/edit")
@admin_only
def edit(definition_id: str):
    engine = services().engine
    with services().db.reader() as s:
        definition = _definition_or_404(s, definition_id)
        draft = s.get(ProcessDraft, definition.key) if request.args.get("draft") else None
        forms = sorted(form_keys(s, engine.plugin.forms))
    return render_template("admin/modeler.html", definition=definition, filename=definition.resource_name,
                           xml=draft.bpmn_xml if draft else None, draft=draft, forms=forms,
                           handlers=sorted(engine.plugin.handlers), extensions=[])


def _posted_xml() -> bytes:
    xml = request.get_data()
    if not xml:
        abort(400, _("Chưa có nội dung BPMN."))
    if len(xml) > MAX_BPMN:
        abort(413)
    return xml


@bp.route("/processes/validate", methods=["POST"])
@admin_only
def validate():
    xml = _posted_xml()
    with services().db.reader() as s:
        problems = services().engine.validate(s, xml, "modeler.bpmn")
    return jsonify({"deployable": not problems, "problems": _problems_json(problems)})


@bp.route("/processes/drafts", methods=["POST"])
@admin_only
def save_draft():
    xml = _posted_xml()
    key = _bpmn_key(xml)
    if key is None:
        return jsonify({"error": _("Không tìm thấy quy trình thực thi được trong mô hình.")}), 400
    now = services().clock.now()
    with services().db.transaction() as s:
        draft = s.get(ProcessDraft, key) or ProcessDraft(key=key)
        draft.bpmn_xml, draft.saved_by, draft.saved_at = xml.decode("utf-8"), current_user.username, now
        draft.base_definition_id = request.args.get("base")
        s.add(draft)
        problems = services().engine.validate(s, xml, f"{key}.bpmn")
    return jsonify({"saved_at": now.astimezone(LOCAL_TZ).strftime("%H:%M %d/%m/%Y"),
                    "problems": _problems_json(problems)})


@bp.route("/processes/deploy", methods=["POST"])
@admin_only
def deploy():
    xml = _posted_xml()
    key = _bpmn_key(xml) or "process"
    try:
        with services().db.transaction() as s:
            if _is_newest_version(s, key, xml):
                definitions = []
            else:
                definitions = services().engine.deploy(
                    s, request.args.get("name") or _("Triển khai từ trình thiết kế"), {f"{key}.bpmn": xml},
                    current_user.actor(), source="modeler").definitions
                s.execute(delete(ProcessDraft).where(ProcessDraft.key == key))
    except DefinitionError as exc:
        return jsonify({"error": exc.message, "problems": exc.problems}), 400
    if not definitions:
        return jsonify({"error": _("Mô hình giống hệt phiên bản mới nhất; không tạo phiên bản mới.")}), 409
    first = definitions[0]
    return jsonify({"definition_id": first.id, "version": first.version,
                    "url": url_for("admin.version", definition_id=first.id)})


def _is_newest_version(session, key: str, xml: bytes) -> bool:
    """Whether ``xml`` is exactly the newest version of ``key`` (deploying it would change nothing)."""
    latest = services().engine.latest_definition(session, key, required=False)
    return latest is not None and latest.sha256 == hashlib.sha256(xml).hexdigest()


def _uploaded_bpmn() -> tuple[str, bytes] | None:
    """The uploaded file's name and content (None when no file was chosen); 413 over the size limit."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return None
    xml = upload.read(MAX_BPMN + 1)
    if len(xml) > MAX_BPMN:
        abort(413)
    return upload.filename, xml


@bp.route("/processes/upload", methods=["POST"])
@admin_only
def upload():
    uploaded = _uploaded_bpmn()
    if uploaded is None:
        flash(_("Hãy chọn một tệp .bpmn."), "error")
        return redirect(url_for("admin.processes"), 303)
    filename, xml = uploaded
    try:
        with services().db.transaction() as s:
            key = _bpmn_key(xml)
            definitions = [] if key and _is_newest_version(s, key, xml) else services().engine.deploy(
                s, filename, {filename: xml}, current_user.actor(), source="upload",
                scripts_enabled=request.form.get("scripts") == "1").definitions
    except DefinitionError as exc:
        return render_template("admin/upload_result.html", filename=filename, problems=exc.problems,
                               extensions=_extensions_of(xml)), 400
    if not definitions:
        flash(_("Tệp giống hệt phiên bản mới nhất; không tạo phiên bản mới."), "info")
        return redirect(url_for("admin.processes"), 303)
    flash(_("Đã triển khai %(key)s phiên bản %(version)s.", key=definitions[0].key, version=definitions[0].version),
          "success")
    return redirect(url_for("admin.version", definition_id=definitions[0].id), 303)


def _extensions_of(xml: bytes) -> list[dict]:
    try:
        return camunda_extensions(safe_xml.parse(xml))
    except etree.XMLSyntaxError:
        return []


@bp.route("/processes/open", methods=["POST"])
@admin_only
def open_file():
    """Open an uploaded file in the modeler without deploying it."""
    uploaded = _uploaded_bpmn()
    if uploaded is None:
        flash(_("Hãy chọn một tệp .bpmn."), "error")
        return redirect(url_for("admin.processes"), 303)
    filename, xml = uploaded
    with services().db.reader() as s:
        forms = sorted(form_keys(s, services().engine.plugin.forms))
    return render_template("admin/modeler.html", definition=None, filename=filename,
                           xml=xml.decode("utf-8", "replace"), forms=forms,
                           handlers=sorted(services().engine.plugin.handlers), extensions=_extensions_of(xml))


@bp.route("/processes/<definition_id>/migrate", methods=["POST"])
@admin_only
def migrate_instances(definition_id: str):
    chosen = request.form.getlist("instance")
    target = request.form.get("target", "")
    if not chosen:
        flash(_("Hãy chọn ít nhất một phiên để chuyển."), "error")
        return redirect(url_for("admin.version", definition_id=definition_id), 303)
    try:
        with services().db.transaction() as s:
            plans = migrate(services().engine, s, chosen, target, current_user.actor())
    except EngineError as exc:
        flash(exc.message, "error")
        return redirect(url_for("admin.version", definition_id=definition_id), 303)
    flash(_("Đã chuyển %(n)s phiên sang phiên bản mới.", n=len(plans)), "success")
    return redirect(url_for("admin.version", definition_id=target), 303)


# -- forms --------------------------------------------------------------------------------
@bp.route("/forms")
@admin_only
def forms():
    new_key = request.args.get("key", "").strip()
    if new_key:  # «Biểu mẫu mới»: open the editor of that key
        if not FORM_KEY.fullmatch(new_key):
            abort(400, _("Mã biểu mẫu «%(key)s» chỉ gồm chữ không dấu, số, «_» và «-».", key=new_key[:60]))
        return redirect(url_for("admin.form", key=new_key), 303)
    engine = services().engine
    with services().db.reader() as s:
        versions = dict(s.execute(select(FormDefinition.key, func.max(FormDefinition.version))
                                  .group_by(FormDefinition.key)).all())
        keys = sorted(form_keys(s, engine.plugin.forms))
    return render_template("admin/forms.html", keys=keys, versions=versions)


@bp.route("/forms/<key>", methods=["GET", "POST"])
@admin_only
def form(key: str):
    engine = services().engine
    problems: list[dict] = []
    text = request.form.get("schema", "")
    if request.method == "POST":
        if request.files.get("file") and request.files["file"].filename:
            text = request.files["file"].read(MAX_BPMN).decode("utf-8", "replace")
        try:
            schema = json.loads(text)
        except json.JSONDecodeError as exc:
            problems = [{"element_id": "schema", "element_name": None,
                         "message": _("JSON không hợp lệ ở dòng %(line)s, cột %(col)s: %(msg)s",
                                      line=exc.lineno, col=exc.colno, msg=exc.msg)}]
        else:
            try:
                with services().db.transaction() as s:
                    row = deploy_form(s, key, schema, current_user.actor(), services().clock.now(),
                                      request.form.get("note") or None)
                if row is None:
                    flash(_("Biểu mẫu giống hệt phiên bản mới nhất; không tạo phiên bản mới."), "info")
                else:
                    flash(_("Đã lưu biểu mẫu %(key)s phiên bản %(version)s.", key=key, version=row.version),
                          "success")
                return redirect(url_for("admin.form", key=key), 303)
            except DefinitionError as exc:
                problems = exc.problems
    with services().db.reader() as s:
        history = s.scalars(select(FormDefinition).where(FormDefinition.key == key)
                            .order_by(FormDefinition.version.desc())).all()
        current = engine.form(s, key)
    if current is None and request.method == "GET" and not FORM_KEY.fullmatch(key):
        abort(404)
    if not text:
        text = json.dumps(current or {"title": "", "type": "object", "properties": {}, "required": []},
                          ensure_ascii=False, indent=2)
    return render_template("admin/form.html", key=key, text=text, problems=problems, history=history,
                           shipped=key in engine.plugin.forms), (400 if problems else 200)


# -- the operation log ------------------------------------------------------------------------
@bp.route("/operations")
@admin_only
def operations():
    with services().db.reader() as s:
        rows = search_operations(s, request.args.get("q"), request.args.get("action") or None,
                                 query_args.day("since"), query_args.day("until", end=True))
    return render_template("admin/operations.html", rows=rows)
