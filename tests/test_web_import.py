"""The import pages over HTTP: who may use them, what is refused, what the review shows, what starting does."""
from __future__ import annotations

import io
from pathlib import Path

import lxml.html
from sqlalchemy import func, select

from engine.models import HumanTask, ProcessInstance
from workflows.demo import seed_files

from .conftest import login

PASTED = """ỦY BAN NHÂN DÂN
TỈNH BÌNH ĐỊNH
Số: 88/UBND-KT
V/v rà soát các cụm công nghiệp
Bình Định, ngày 10 tháng 12 năm 2026
Kính gửi:
- Sở Công Thương;
- Sở Y tế.
Chủ tịch UBND tỉnh có ý kiến như sau:
1. Giao Sở Công Thương chủ trì, phối hợp với Sở Y tế và các cơ quan, đơn vị liên quan rà soát các cụm công
nghiệp; báo cáo UBND tỉnh trước ngày 25/12/2026.
2. Sở Xây dựng và các cơ quan, đơn vị liên quan hướng dẫn quy hoạch chi tiết.
Nơi nhận:
- Như trên;
- Lưu: VT, KT.
KT. CHỦ TỊCH
PHÓ CHỦ TỊCH
Nguyễn Tự Công Hoàng
"""


def _count(svc, model) -> int:
    with svc.db.reader() as s:
        return s.scalar(select(func.count()).select_from(model))


def _review_values(response) -> list[tuple[str, str]]:
    form = lxml.html.fromstring(response.get_data(as_text=True)).get_element_by_id("import-review-form")
    return [(k, v) for k, v in form.form_values() if "__index__" not in k]


def _post(client, values: list[tuple[str, str]], changes: dict[str, list[str]]):
    form: dict[str, list[str]] = {}
    for key, value in values:
        if key not in changes:
            form.setdefault(key, []).append(value)
    form.update(changes)
    return client.post("/directives/import/start", data=form)


def test_only_office_specialists_import(client):
    login(client, "sct.cv")
    assert client.get("/directives/import").status_code == 403
    assert client.post("/directives/import", data={"text": PASTED}).status_code == 403


def test_nothing_to_read_is_refused_with_a_sentence(client):
    login(client, "cv.lan")
    response = client.post("/directives/import", data={"text": "  "})
    assert response.status_code == 400
    assert "Hãy chọn tệp văn bản (.txt, .docx, .pdf) hoặc dán nội dung văn bản." in response.get_data(as_text=True)
    response = client.post("/directives/import", data={"file": (io.BytesIO(b"\x00\x01binary"), "a.txt")},
                           content_type="multipart/form-data")
    assert response.status_code == 400 and "không phải văn bản thuần" in response.get_data(as_text=True)


def test_the_review_shows_each_proposal_with_its_source_and_flags_what_the_directory_lacks(client, svc):
    login(client, "cv.lan")
    response = client.post("/directives/import", data={"text": PASTED})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    html = lxml.html.fromstring(page)
    values = dict(_review_values(response))
    assert values["subject"] == "V/v rà soát các cụm công nghiệp" and values["signer"] == "pct.hoang"
    assert values["signing_authority"] == "KT_CT" and values["field_code"] == "KT"
    assert values["tasks.0.deadline_phrase"] == "báo cáo UBND tỉnh trước ngày 25/12/2026"
    assert values["tasks.0.deadline"] == "2026-12-25"
    lead = html.xpath("//*[@data-field='tasks.0.lead']")[0].text_content()
    assert "Độ tin cậy: cao (95%)" in lead
    coordinate = html.xpath("//*[@data-field='tasks.0.coordinate']")[0].text_content()
    assert "«Sở Y tế» chưa có trong danh bạ" in coordinate
    second = html.xpath("//*[@data-field='tasks.1.lead']")[0].text_content()
    assert "được đưa sang phối hợp" in second
    marks = html.xpath("//pre[@id='source-text']//mark[@data-src]")
    assert any(m.text_content() == "Sở Công Thương" for m in marks)
    assert _count(svc, ProcessInstance) == 0


def test_starting_checks_the_draft_like_its_form_and_leaves_nothing_half_made(client, svc):
    login(client, "cv.lan")
    values = _review_values(client.post("/directives/import", data={"text": PASTED}))
    response = _post(client, values, {"tasks.0.lead": []})
    assert response.status_code == 400
    error = lxml.html.fromstring(response.get_data(as_text=True)).xpath("//*[@data-error-for='tasks.0.lead']")
    assert error and "Cơ quan chủ trì" in error[0].text_content()
    assert _count(svc, ProcessInstance) == 0 and _count(svc, HumanTask) == 0


def test_starting_opens_the_draft_filled_in_with_what_was_reviewed(client, svc):
    login(client, "cv.lan")
    values = _review_values(client.post("/directives/import", data={"text": PASTED}))
    response = _post(client, values, {"subject": ["V/v rà soát, đánh giá các cụm công nghiệp"]})
    assert response.status_code == 303, response.get_data(as_text=True)[-2000:]
    with svc.db.reader() as s:
        task = s.scalars(select(HumanTask)).one()
        variables = svc.engine.task_variables(s, task.id)
    assert task.element_id == "draft" and response.headers["Location"].endswith(f"/tasks/{task.id}")
    assert variables["subject"] == "V/v rà soát, đánh giá các cụm công nghiệp"
    assert [t["lead"] for t in variables["tasks"]] == [["SCT"], ["SXD"]]
    assert variables["imported"]["number"] == 88 and variables["imported"]["notation"] == "UBND-KT"
    assert variables["imported"]["copies_to"] == ["Như trên", "Lưu: VT, KT"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Đã tạo dự thảo từ «văn bản dán vào» với 2 nhiệm vụ." in page


def test_a_seed_uploaded_as_a_file_proposes_all_its_tasks(client):
    login(client, "cv.binh")
    text, label = seed_files()["004_3aa08d13fa6d828c"]
    response = client.post("/directives/import", data={"file": (io.BytesIO(text.encode()), "004.txt")},
                           content_type="multipart/form-data")
    values = _review_values(response)
    refs = [v for k, v in values if k.endswith(".ref")]
    assert refs == [t["ref"] for t in label["tasks"]]
    assert dict(values)["kind"] == "thong_bao_ket_luan" and dict(values)["signing_authority"] == "TL_CT"


def test_a_text_changed_after_review_is_refused(client, svc):
    login(client, "cv.lan")
    values = _review_values(client.post("/directives/import", data={"text": PASTED}))
    tampered = [(k, v.replace("Số: 88/UBND-KT", "Số: 999/UBND-TH") if k == "source_text" else v) for k, v in values]
    response = _post(client, tampered, {})
    assert response.status_code == 400
    assert "đã bị thay đổi sau khi đọc" in response.get_data(as_text=True)
    assert _count(svc, ProcessInstance) == 0


def test_a_long_pasted_directive_is_read(client):
    login(client, "cv.binh")
    text, label = seed_files()["003_09fc60a00c80ca95"]
    long_text = text + "\n" + "Ghi chú thêm cho chuyên viên theo dõi. " * 16000  # over 600 KB pasted
    response = client.post("/directives/import", data={"text": long_text})
    assert response.status_code == 200
    assert len([k for k, _v in _review_values(response) if k.endswith(".ref")]) == len(label["tasks"])


def test_after_an_error_each_field_still_shows_where_it_came_from(client):
    login(client, "cv.lan")
    values = _review_values(client.post("/directives/import", data={"text": PASTED}))
    response = _post(client, values, {"subject": [""]})
    assert response.status_code == 400
    html = lxml.html.fromstring(response.get_data(as_text=True))
    lead = html.xpath("//*[@data-field='tasks.0.lead']")[0].text_content()
    assert "Độ tin cậy: cao (95%)" in lead


def test_the_reviewed_text_sent_back_by_a_browser_with_other_line_ends_is_accepted(client, svc):
    login(client, "cv.lan")
    values = _review_values(client.post("/directives/import", data={"text": PASTED}))
    as_browsers_send = [(k, v.lstrip("\n").replace("\n", "\r\n") if k == "source_text" else v) for k, v in values]
    response = _post(client, as_browsers_send, {})
    assert response.status_code == 303
    assert _count(svc, ProcessInstance) == 1


def test_a_plan_with_a_task_table_is_reviewed_row_by_row_with_each_cell_highlighted(client):
    login(client, "cv.lan")
    text = (Path(__file__).parent / "import_samples" / "ke_hoach_bang_nhiem_vu.txt").read_text("utf-8")
    response = client.post("/directives/import", data={"file": (io.BytesIO(text.encode()), "ke-hoach.txt")},
                           content_type="multipart/form-data")
    assert response.status_code == 200
    values = dict(_review_values(response))
    assert [values[f"tasks.{i}.ref"] for i in range(4)] == ["III.2", "1", "2", "3"]
    html = lxml.html.fromstring(response.get_data(as_text=True))
    marked = " ".join(m.text_content() for m in html.xpath("//pre[@id='source-text']//mark"))
    assert "Văn phòng" in marked and "Quý III/" in marked


def test_a_text_assigning_more_tasks_than_a_draft_takes_is_refused_with_a_sentence(client):
    login(client, "cv.lan")
    lines = ["ỦY BAN NHÂN DÂN TỈNH QUẢNG NINH", "Số: 12/UBND-KT", "V/v triển khai các nhiệm vụ",
             "Kính gửi: Sở Công Thương"]
    lines += [f"{i}. Giao Sở Công Thương chủ trì thực hiện nhiệm vụ số {i}, hoàn thành trước ngày 30/6/2027."
              for i in range(1, 321)]
    response = client.post("/directives/import", data={"text": "\n".join(lines)})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "quá 300 nhiệm vụ một dự thảo nhận được" in page
    assert 'id="import-review-form"' not in page
