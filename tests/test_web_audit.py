"""The audit pages: find an instance, walk its history, verify it, export it; only inspectors and admins."""
from __future__ import annotations

import html
import io
import json
import re
import unicodedata

import pytest
from pypdf import PdfReader
from sqlalchemy import update

from engine.models import HistoryEvent
from engine.replay import instance_events

from .conftest import draft_data, login


@pytest.fixture
def reviewed(lifecycle) -> str:
    directive = lifecycle.start(subject="Khu công nghiệp")
    lifecycle.complete("cv.lan", "draft", draft_data(), directive)
    lifecycle.complete("cvp", "review", {"review_decision": "return", "review_reason": "Bổ sung căn cứ."}, directive)
    return directive


@pytest.mark.parametrize("username", ["cv.lan", "sct.cv", "pct.hoang", "vanthu"])
def test_only_inspectors_and_admins_open_the_audit_pages(client, reviewed, username):
    login(client, username)
    for url in ["/audit/", f"/audit/instances/{reviewed}", f"/audit/instances/{reviewed}/history.json",
                f"/audit/instances/{reviewed}/report", f"/audit/instances/{reviewed}/report.pdf"]:
        assert client.get(url).status_code == 403, url


def test_an_auditor_finds_an_instance_by_subject_user_and_status(client, reviewed):
    login(client, "thanhtra")
    page = client.get("/audit/?q=sinh thái&user=cvp&status=running").get_data(as_text=True)
    assert reviewed[:8] in page
    assert reviewed[:8] not in client.get("/audit/?user=pct.hoang").get_data(as_text=True)
    bad = client.get("/audit/?since=30/11/2026")
    assert bad.status_code == 400 and "không đúng dạng" in bad.get_data(as_text=True)


def test_the_history_page_walks_every_event_and_says_it_verified(client, reviewed):
    login(client, "thanhtra")
    page = client.get(f"/audit/instances/{reviewed}?step=3").get_data(as_text=True)
    assert 'data-verified="true"' in page and "Đã kiểm chứng" in page and 'data-start="3"' in page
    steps = json.loads(html.unescape(re.search(r"data-steps='([^']*)'", page).group(1)))
    returned = next(s for s in steps if s["event_type"] == "task_completed" and s["element_id"] == "review")
    assert returned["actor"] == "cvp" and returned["changes"]["review_reason"] == [None, "Bổ sung căn cứ."]
    assert [s["seq"] for s in steps] == list(range(1, len(steps) + 1)) and "draft" in steps[-1]["active"]


def test_the_json_export_carries_every_hash_and_the_verdict(client, reviewed, svc):
    login(client, "thanhtra")
    document = json.loads(client.get(f"/audit/instances/{reviewed}/history.json").get_data(as_text=True))
    with svc.db.reader() as s:
        hashes = [e.hash for e in instance_events(s, reviewed)]
    assert [e["hash"] for e in document["events"]] == hashes
    assert document["verification"]["verified"] is True


def test_the_printed_report_carries_a_failed_verification(client, reviewed, svc):
    with svc.db.transaction() as s:
        first = instance_events(s, reviewed)[0]
        s.execute(update(HistoryEvent).where(HistoryEvent.id == first.id).values(actor="nguoi.khac"))
    login(client, "thanhtra")
    page = client.get(f"/audit/instances/{reviewed}/report").get_data(as_text=True)
    assert 'data-verified="false"' in page and "Nội dung sự kiện số 1 đã bị sửa." in page


def test_the_pdf_report_is_a_pdf_that_states_the_verdict_in_vietnamese(client, reviewed):
    login(client, "thanhtra")
    response = client.get(f"/audit/instances/{reviewed}/report.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert "Đã kiểm chứng" in unicodedata.normalize("NFC", text) and reviewed in text.replace("\n", "")
