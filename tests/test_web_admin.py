"""Process administration over HTTP: only admins change things, uploads are checked, everything is logged."""
from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from engine.models import ProcessDefinition
from engine.oplog import Operation

from .conftest import login
from .test_versions import DIRECTIVE, with_legal_check

C_1_0 = (Path(__file__).parent / "conformance" / "C.1.0.bpmn").read_bytes()
ADMIN_PAGES = ["/admin/processes", "/admin/forms", "/admin/forms/directive_review", "/admin/calendar",
               "/admin/incidents", "/admin/operations"]
ADMIN_POSTS = ["/admin/processes/validate", "/admin/processes/deploy", "/admin/processes/drafts",
               "/admin/processes/upload", "/admin/forms/directive_review", "/admin/calendar"]


@pytest.mark.parametrize("username", ["cv.lan", "sct.cv", "pct.hoang"])
def test_only_process_admins_reach_the_admin_pages_and_endpoints(client, username):
    login(client, username)
    for url in ADMIN_PAGES:
        assert client.get(url).status_code == 403, url
    for url in ADMIN_POSTS:
        assert client.post(url, data=b"<x/>").status_code == 403, url


def test_an_auditor_may_look_but_not_change(client):
    login(client, "thanhtra")
    assert client.get("/admin/processes").status_code == 200
    response = client.post("/admin/processes/deploy", data=DIRECTIVE.encode(), content_type="application/xml")
    assert response.status_code == 403


def test_the_modeler_endpoints_validate_and_deploy_with_a_diff(client, svc):
    login(client, "admin")
    answer = client.post("/admin/processes/validate", data=with_legal_check().encode(),
                         content_type="application/xml").get_json()
    assert answer == {"deployable": True, "problems": []}
    deployed = client.post("/admin/processes/deploy", data=with_legal_check().encode(),
                           content_type="application/xml").get_json()
    assert deployed["version"] == 2
    page = client.get(deployed["url"]).get_data(as_text=True)
    assert re.search(r'data-change="added".*?legal_check.*?Kiểm tra pháp lý', page, re.S)
    again = client.post("/admin/processes/deploy", data=with_legal_check().encode(), content_type="application/xml")
    assert again.status_code == 409


def test_an_uploaded_camunda_model_with_problems_is_refused_with_its_extensions_listed(client, svc):
    login(client, "admin")
    response = client.post("/admin/processes/upload", data={"file": (io.BytesIO(C_1_0), "C.1.0.bpmn")},
                           content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "activiti:assignee" in page and "thuộc tính Activiti không được đọc" in page
    assert 'id="problems"' in page and 'id="camunda-extensions"' in page
    with svc.db.reader() as s:
        assert s.scalars(select(ProcessDefinition).where(ProcessDefinition.resource_name == "C.1.0.bpmn")).all() == []


def test_an_uploaded_model_becomes_the_next_version_and_is_logged(client, svc):
    login(client, "admin")
    response = client.post("/admin/processes/upload",
                           data={"file": (io.BytesIO(with_legal_check().encode()), "directive.bpmn")},
                           content_type="multipart/form-data")
    assert response.status_code == 303
    with svc.db.reader() as s:
        newest = s.scalars(select(ProcessDefinition).where(ProcessDefinition.key == "directive")
                           .order_by(ProcessDefinition.version.desc())).first()
        logged = s.scalars(select(Operation).where(Operation.action == "deploy", Operation.actor == "admin")).one()
    assert newest.version == 2 and (logged.target, logged.sha256) == (newest.id, newest.sha256)
    page = client.get(f"/admin/operations?q={newest.sha256[:12]}").get_data(as_text=True)
    assert newest.id in page


def test_a_draft_is_saved_and_reopened_in_the_modeler(client, svc):
    login(client, "admin")
    answer = client.post("/admin/processes/drafts", data=with_legal_check().encode(),
                         content_type="application/xml").get_json()
    assert answer["problems"] == []
    page = client.get("/admin/processes").get_data(as_text=True)
    link = re.search(r'href="(/admin/processes/[^"]+/edit\?draft=1)"', page).group(1)
    assert "Kiểm tra pháp lý" in client.get(link).get_data(as_text=True)


def test_a_form_gets_a_new_version_from_the_admin_page_and_bad_json_is_named(client, svc):
    login(client, "admin")
    schema = json.dumps({"type": "object", "title": "Thẩm định", "properties": {
        "review_decision": {"type": "string", "enum": ["approve", "return"]}}, "required": ["review_decision"]})
    assert client.post("/admin/forms/directive_review", data={"schema": schema}).status_code == 303
    with svc.db.reader() as s:
        assert svc.engine.form(s, "directive_review")["title"] == "Thẩm định"
    bad = client.post("/admin/forms/directive_review", data={"schema": '{"type": "object",'})
    assert bad.status_code == 400 and "JSON không hợp lệ ở dòng 1" in bad.get_data(as_text=True)


def test_a_malformed_date_in_the_operation_log_search_is_named_not_a_crash(client):
    login(client, "admin")
    response = client.get("/admin/operations?since=11/08/2025")
    assert response.status_code == 400
    assert "Ngày «11/08/2025» không đúng dạng" in response.get_data(as_text=True)
