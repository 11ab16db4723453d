"""Every response carries the security headers; a served model or attachment can never run as a page;
no template holds a script the Content-Security-Policy would refuse."""
from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from engine.models import ProcessDefinition

from .conftest import fresh_app, login

TEMPLATES = Path(__file__).resolve().parents[1] / "web" / "templates"
BPMN = Path(__file__).resolve().parents[1] / "bpmn"


def csp(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return dict((part.strip().split(" ", 1) + [""])[:2] for part in policy.split(";") if part.strip())


@pytest.mark.parametrize("path", ["/login", "/tasks", "/directives", "/audit/", "/admin/processes",
                                  "/engine-rest/task"])
def test_every_answer_carries_a_policy_without_inline_script_and_refuses_framing(client, path):
    login(client, "admin")
    response = client.get(path)
    policy = csp(response)
    assert policy["script-src"] == "'self'" and "unsafe" not in policy["script-src"]
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP: no HSTS promise


def test_a_signed_in_users_pages_are_never_stored_and_static_files_are(client):
    assert "no-store" not in client.get("/login").headers.get("Cache-Control", "")
    login(client, "cv.lan")
    assert client.get("/tasks").headers["Cache-Control"] == "no-store"
    assert "no-store" not in client.get("/static/app.css").headers.get("Cache-Control", "")


def test_https_answers_carry_hsts_and_cookies_are_secure_when_configured(database_url, clock):
    app = fresh_app(database_url, clock, WTF_CSRF_ENABLED=False, SECURE_COOKIES="1")
    try:
        client = app.test_client()
        response = client.post("/login", data={"username": "cv.lan", "password": "demo123", "remember": "y"},
                               base_url="https://chidao.example")
        assert response.headers["Strict-Transport-Security"].startswith("max-age=")
        cookies = response.headers.getlist("Set-Cookie")
        assert cookies and all("Secure" in cookie for cookie in cookies)
    finally:
        app.extensions["chidao"].db.dispose()


def test_a_model_with_markup_inside_is_served_as_a_file_to_save_under_a_policy_that_runs_nothing(client, svc):
    login(client, "admin")
    xml = (BPMN / "directive_receipt.bpmn").read_text(encoding="utf-8").replace(
        "</bpmn:definitions>",
        '<html:script xmlns:html="http://www.w3.org/1999/xhtml">fetch("/tasks")</html:script></bpmn:definitions>')
    client.post("/admin/processes/upload", data={"file": (io.BytesIO(xml.encode()), "directive_receipt.bpmn")},
                content_type="multipart/form-data")
    with svc.db.reader() as s:
        newest = s.scalars(select(ProcessDefinition).where(ProcessDefinition.key == "directive_receipt")
                           .order_by(ProcessDefinition.version.desc())).first()
    response = client.get(f"/definitions/{newest.id}.bpmn")
    assert response.status_code == 200 and response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    policy = csp(response)
    assert policy["default-src"] == "'none'" and "sandbox" in policy and "script-src" not in policy


def test_the_new_form_box_opens_the_editor_without_a_script_and_refuses_an_odd_key(client):
    login(client, "admin")
    response = client.get("/admin/forms", query_string={"key": "directive_feedback"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/admin/forms/directive_feedback")
    refused = client.get("/admin/forms", query_string={"key": "../x"})
    assert refused.status_code == 400 and "Mã biểu mẫu «../x»" in refused.get_data(as_text=True)


@pytest.mark.parametrize("template", sorted(p.relative_to(TEMPLATES).as_posix() for p in TEMPLATES.rglob("*.html")))
def test_no_template_holds_a_script_the_policy_would_refuse(template):
    text = (TEMPLATES / template).read_text(encoding="utf-8")
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), "an inline <script> block"
    assert not re.search(r"\son[a-z]+\s*=", text), "an inline event handler"
    assert "javascript:" not in text, "a javascript: link"
