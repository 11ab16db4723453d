"""Reading directives into drafts: the seeds as labelled, and directives laid out otherwise."""
from __future__ import annotations

import io
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import docx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.calendar import BusinessCalendar
from workflows.agencies import Directory
from workflows.deadlines import DeadlineReader
from workflows.demo import seed_files
from workflows.importing import as_json, extract_text, parse_directive
from workflows.importing.cleanup import clean, join
from workflows.importing.names import NameReader
from workflows.importing.scoring import new_scores, score_document

SAMPLES = Path(__file__).parent / "import_samples"
ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2026, 11, 25)


@pytest.fixture(scope="module")
def directory() -> Directory:
    return Directory.from_data()


def read(text: str, directory: Directory, source: str = "") -> dict:
    return as_json(parse_directive(text, directory, DeadlineReader(BusinessCalendar()), TODAY, source))


def tasks_by_ref(result: dict) -> dict[str, dict]:
    return {t["ref"]: t for t in result["tasks"]}


@pytest.mark.parametrize("seed", sorted(seed_files()))
def test_each_seed_reads_as_its_label(seed, directory):
    text, label = seed_files()[seed]
    scores = new_scores()
    score_document(read(text, directory, label["source"]), label, scores)
    for name in ("task count", "lead", "coordinate", "deadline", "recurrence", "recipients", "signer.name"):
        assert (scores[name].fp, scores[name].fn) == (0, 0), name


def test_page_numbers_footnotes_and_split_words_are_taken_out_of_the_text():
    document = clean("Thực hiện theo quy định1, đến nay\n\n3590 30 4\n\n- 2 -\nNghị định số 32/2024/NĐ-\n"
                     "CP ngày 15/3/2024\n                   \n1 Nghị định số 68/2017/NĐ-CP ngày 25/5/2017.\n"
                     " tiếp tục thực hiện.")
    assert document.footnotes == ["Nghị định số 68/2017/NĐ-CP ngày 25/5/2017."]
    assert "3590" not in document.text and "- 2 -" not in document.text
    assert join(document.lines).text == ("Thực hiện theo quy định, đến nay Nghị định số 32/2024/NĐ-CP ngày 15/3/2024 "
                                         "tiếp tục thực hiện.")


def test_a_passage_remembers_where_each_word_came_from():
    document = clean("Giao Sở Công\nThương chủ trì")
    passage = join(document.lines)
    start = passage.text.index("Sở Công Thương")
    span = passage.span(start, start + len("Sở Công Thương"))
    assert document.text[span[0]:span[1]] == "Sở Công\nThương"


def test_abbreviations_are_expanded_and_groups_kept_as_written(directory):
    names = NameReader(directory)
    mentions, _end = names.list_at("Sở KH&ĐT, BQL KKT và các sở, ban, ngành, địa phương liên quan thực hiện", 0)
    assert [(m.name, m.code) for m in mentions] == [
        ("Sở Kế hoạch và Đầu tư", "SKHDT"), ("Ban Quản lý Khu kinh tế", "BQLKKT"),
        ("các sở, ban, ngành, địa phương liên quan", "G_SBN_DP_LQ")]
    mentions, _end = names.list_at("UBND cấp huyện chủ trì", 0)
    assert [(m.written, m.code, m.group) for m in mentions] == [("UBND cấp huyện", "G_HUYEN", True)]


def test_an_agency_the_directory_lacks_is_flagged_not_dropped(directory):
    mentions, _end = NameReader(directory).list_at("Sở Y tế, Sở Ngoại vụ phối hợp", 0)
    assert [(m.name, m.code) for m in mentions] == [("Sở Y tế", None), ("Sở Ngoại vụ", None)]
    assert all(m.note and "chưa có trong danh bạ" in m.note for m in mentions)


def test_a_cong_van_with_points_under_its_items(directory):
    result = read((SAMPLES / "cong_van_quang_ngai.txt").read_text("utf-8"), directory)
    assert (result["kind"], result["issuer"], result["number"], result["notation"], result["place"],
            result["date"]) == ("cong_van", "UBND tỉnh Quảng Ngãi", 1234, "UBND-VX", "Quảng Ngãi", "2025-12-05")
    assert result["subject"] == "V/v triển khai tiêm chủng mở rộng năm 2026"
    assert result["recipients"] == ["Sở Y tế"]
    assert result["signer"] == {"authority": "KT. CHỦ TỊCH", "title": "PHÓ CHỦ TỊCH", "name": "Trần Phước Hiền"}
    tasks = tasks_by_ref(result)
    assert list(tasks) == ["1.1", "1.2", "2", "3", "4"]  # points a), b) by their place, as bullets
    assert tasks["1.1"]["lead"] == ["Sở Y tế"]
    assert tasks["1.1"]["coordinate"] == ["Sở Tài chính", "UBND các huyện, thị xã, thành phố"]
    assert (tasks["1.1"]["deadline"], tasks["1.2"]["deadline"], tasks["2"]["deadline"]) == (
        "2025-12-20", "2026-03-31", "2025-12-31")
    assert tasks["3"]["lead"] == ["Sở Giáo dục và Đào tạo"] and tasks["3"]["coordinate"] == ["Sở Y tế"]
    assert tasks["4"]["lead"] == ["Báo Quảng Ngãi", "Đài Phát thanh và Truyền hình tỉnh"]
    assert any("«Sở Y tế» (nhiệm vụ 1.1, 1.2, 3)" in w for w in result["warnings"])


def test_a_ke_hoach_with_parts_columns_and_a_page_number(directory):
    result = read((SAMPLES / "ke_hoach_ninh_binh.txt").read_text("utf-8"), directory)
    assert (result["kind"], result["number"], result["notation"], result["date"]) == (
        "ke_hoach", 215, "KH-UBND", "2025-11-18")
    assert result["subject"] == "Triển khai thực hiện chuyển đổi số năm 2026"
    assert result["signer"] == {"authority": "TM. ỦY BAN NHÂN DÂN", "title": "CHỦ TỊCH", "name": "Phạm Quang Ngọc"}
    assert result["recipients"] == ["Bộ Khoa học và Công nghệ", "TT Tỉnh ủy, TT HĐND tỉnh", "Các sở, ban, ngành",
                                    "UBND các xã, phường"]
    tasks = tasks_by_ref(result)
    assert list(tasks) == ["1.1", "1.2", "2", "3"]  # only part III gives work: no part needed in the refs
    assert tasks["1.1"]["recurrence"] == "FREQ=MONTHLY;BYMONTHDAY=25" and tasks["1.1"]["deadline"] is None
    assert tasks["1.2"]["deadline"] == "2026-12-15"
    assert tasks["3"]["lead"] == ["UBND cấp xã"] and tasks["3"]["deadline"] == "2026-06-30"
    assert [s["ref"] for s in result["not_tasks"]] == ["I.1", "I.2", "II.1", "II.2"]


def test_a_word_file_with_its_header_and_signature_in_tables_reads_like_its_text(directory):
    document = docx.Document()
    header = document.add_table(rows=1, cols=2)
    header.cell(0, 0).text = "ỦY BAN NHÂN DÂN\nTỈNH BÌNH ĐỊNH\nSố: 57/UBND-KT\nV/v đẩy nhanh giải ngân vốn đầu tư công"
    header.cell(0, 1).text = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\nBình Định, ngày 03 " \
                             "tháng 3 năm 2026"
    document.add_paragraph("Kính gửi:")
    document.add_paragraph("- Sở Tài chính;")
    document.add_paragraph("- UBND các huyện, thị xã, thành phố.")
    document.add_paragraph("Chủ tịch UBND tỉnh yêu cầu:")
    document.add_paragraph("Sở Tài chính chủ trì, phối hợp với Sở KH&ĐT rà soát kế hoạch vốn; báo cáo UBND tỉnh "
                           "trước ngày 20/3/2026.", style="List Number")
    document.add_paragraph("UBND các huyện, thị xã, thành phố đẩy nhanh giải phóng mặt bằng; báo cáo kết quả trước "
                           "16 giờ thứ Sáu hằng tuần.", style="List Number")
    signature = document.add_table(rows=1, cols=2)
    signature.cell(0, 0).text = "Nơi nhận:\n- Như trên;\n- Lưu: VT, KT."
    signature.cell(0, 1).text = "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\nLâm Hải Giang"
    content = io.BytesIO()
    document.save(content)
    result = read(extract_text(content.getvalue(), "57-UBND-KT.docx"), directory)
    assert (result["issuer"], result["number"], result["date"]) == ("UBND tỉnh Bình Định", 57, "2026-03-03")
    assert result["subject"] == "V/v đẩy nhanh giải ngân vốn đầu tư công"
    tasks = tasks_by_ref(result)
    assert tasks["1"]["lead"] == ["Sở Tài chính"] and tasks["1"]["coordinate"] == ["Sở Kế hoạch và Đầu tư"]
    assert tasks["1"]["deadline"] == "2026-03-20"
    assert tasks["2"]["lead"] == ["UBND các huyện, thị xã, thành phố"]
    assert tasks["2"]["recurrence"] == "FREQ=WEEKLY;BYDAY=FR;BYHOUR=16;BYMINUTE=0"
    assert result["signer"]["name"] == "Lâm Hải Giang"


def test_words_that_only_describe_a_yearly_plan_are_not_a_recurring_deadline(directory):
    text = ("1. Giao Sở Tài chính chủ trì tích hợp các chỉ tiêu vào kế hoạch phát triển hằng năm của tỉnh.\n"
            "2. Hằng quý, Sở Tài chính báo cáo UBND tỉnh kết quả thực hiện.")
    tasks = tasks_by_ref(read(text, directory))
    assert tasks["1"]["recurrence"] is None
    assert tasks["2"]["recurrence"] == "FREQ=YEARLY;BYMONTH=3,6,9,12;BYMONTHDAY=-1"


def test_the_accuracy_bench_meets_its_goal_on_the_seeds():
    run = subprocess.run([sys.executable, str(ROOT / "bench" / "import_accuracy.py"), "--min-f1", "0.95"],
                         capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "lead" in run.stdout and "deadline" in run.stdout


def test_the_json_has_the_label_keys(directory):
    text, label = seed_files()["004_3aa08d13fa6d828c"]
    result = read(text, directory, label["source"])
    assert set(label) - {"notes"} <= set(result)
    assert set(label["tasks"][0]) <= set(result["tasks"][0])
    json.dumps(result)


def test_a_cong_dien_to_the_heads_of_agencies_with_a_daily_report(directory):
    result = read((SAMPLES / "cong_dien_bao.txt").read_text("utf-8"), directory)
    assert (result["kind"], result["notation"], result["subject"]) == ("cong_dien", "CĐ-UBND",
                                                                       "Về việc ứng phó với bão số 13")
    assert result["recipients"] == ["các sở", "các ban, ngành", "UBND các huyện, thị xã, thành phố"]  # not their heads
    assert result["signer"] == {"authority": None, "title": "CHỦ TỊCH", "name": "Phạm Anh Tuấn"}
    tasks = tasks_by_ref(result)
    assert tasks["1"]["lead"] == ["UBND các huyện, thị xã, thành phố"] and tasks["1"]["deadline"] == "2026-11-03"
    assert tasks["2"]["lead"] == ["Sở Nông nghiệp và Môi trường"]
    assert tasks["2"]["recurrence"] == "FREQ=DAILY;BYHOUR=8;BYMINUTE=0"
    assert tasks["3"]["lead"] == ["Công an tỉnh", "Bộ Chỉ huy Quân sự tỉnh"]


def test_a_decision_from_a_web_page_with_its_programme_attached(directory):
    result = read((SAMPLES / "quyet_dinh_kem_chuong_trinh.txt").read_text("utf-8"), directory)
    assert (result["kind"], result["issuer"], result["number"], result["place"], result["date"]) == (
        "quyet_dinh", "UBND tỉnh Gia Lai", 412, "Gia Lai", "2026-03-12")
    assert result["subject"] == "Về việc ban hành Chương trình hành động phát triển du lịch năm 2026"
    assert result["signer"] == {"authority": "TM. ỦY BAN NHÂN DÂN / KT. CHỦ TỊCH", "title": "PHÓ CHỦ TỊCH",
                                "name": "Nguyễn Hữu Tháp"}
    assert result["copies_to"] == ["Như Điều 3", "Bộ Văn hóa, Thể thao và Du lịch (b/c)", "Lưu: VT, KGVX"]
    assert result["recipients"] == ["Bộ Văn hóa, Thể thao và Du lịch"]
    tasks = tasks_by_ref(result)
    assert list(tasks) == ["1", "2"]
    assert tasks["1"]["lead"] == ["Sở Văn hóa, Thể thao và Du lịch"]
    assert tasks["1"]["coordinate"] == ["Sở Tài chính", "UBND các huyện, thị xã, thành phố"]
    assert tasks["1"]["deadline"] == "2026-06-30"
    assert tasks["2"]["lead"] == ["Trung tâm Xúc tiến Đầu tư, Thương mại và Du lịch"]
    assert tasks["2"]["coordinate"] == ["lực lượng Công an"]
    assert tasks["2"]["recurrence"] == "FREQ=YEARLY;BYMONTH=3,6,9,12;BYMONTHDAY=-1"
    assert {s["ref"] for s in result["not_tasks"]} >= {"I.1", "I.2"}


def test_work_already_done_is_not_a_deadline(directory):
    text = "1. Giao Sở Tư pháp chủ trì ban hành Đề án (đã hoàn thành trong tháng 4/2026); báo cáo trước ngày 30/6/2026."
    assert tasks_by_ref(read(text, directory))["1"]["deadline"] == "2026-06-30"


def test_names_stop_where_the_sentence_goes_on(directory):
    names = NameReader(directory)
    mentions, _end = names.list_at("Chi cục Hải quan Khu vực IV địa bàn tỉnh phối hợp", 0)
    assert [m.name for m in mentions] == ["Chi cục Hải quan Khu vực IV"]
    mentions, _end = names.list_at("Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh và các tổ chức chính trị - xã hội tỉnh chủ "
                                   "trì", 0)
    assert [m.name for m in mentions] == ["Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh",
                                          "các tổ chức chính trị - xã hội tỉnh"]
    text = clean("Sở Lao động – Thương binh và Xã hội, các đơn vị chức năng có liên quan thực hiện").text
    mentions, _end = names.list_at(text, 0)
    assert [m.name for m in mentions] == ["Sở Lao động - Thương binh và Xã hội", "các đơn vị chức năng có liên quan"]


def test_an_addressee_without_a_full_stop_does_not_swallow_the_body(directory):
    text = ("Kính gửi: Sở Công Thương\nCăn cứ tình hình, Chủ tịch UBND tỉnh có ý kiến như sau:\n"
            "1. Sở Công Thương chủ trì kiểm tra thị trường, hỗ trợ mỗi hộ\n1 triệu đồng, hoàn thành trước ngày "
            "30/4/2025.\n2. Sở Tài chính bố trí kinh phí phòng dịch cúm A/H5N1.\n")
    result = read(text, directory)
    assert result["recipients"] == ["Sở Công Thương"]
    tasks = tasks_by_ref(result)
    assert tasks["1"]["deadline"] == "2025-04-30"  # «1 triệu đồng» is no footnote, «A/H5N1» no marker
    assert tasks["2"]["summary"].endswith("cúm A/H5N1.")


def test_numbering_beyond_ninety_nine_clauses_under_articles_and_lettered_parts(directory):
    many = "\n".join(f"{n}. Sở Tài chính thực hiện việc số {n}." for n in range(1, 106))
    assert len(read(many, directory)["tasks"]) == 105
    articles = ("Điều 1. Giao nhiệm vụ như sau:\n1. Sở Xây dựng rà soát quy hoạch.\n2. Sở Tài chính bố trí vốn.\n"
                "Điều 2. Quyết định này có hiệu lực kể từ ngày ký.")
    assert [(t["ref"], t["lead"]) for t in read(articles, directory)["tasks"]] == [
        ("1", ["Sở Xây dựng"]), ("2", ["Sở Tài chính"])]
    parts = ("A. NHIỆM VỤ CHUNG\n1. Sở Tư pháp rà soát văn bản.\n2. Sở Nội vụ kiện toàn bộ máy.\n"
             "B. NHIỆM VỤ CỤ THỂ\n1. Sở Y tế kiểm tra an toàn thực phẩm.")
    assert [t["ref"] for t in read(parts, directory)["tasks"]] == ["A.1", "A.2", "B.1"]


def test_a_number_out_of_sequence_is_read_as_text_and_said(directory):
    result = read("1. Sở Tư pháp rà soát văn bản.\n1. Sở Nội vụ kiện toàn bộ máy.", directory)
    assert [t["ref"] for t in result["tasks"]] == ["1"]
    assert any("không đúng thứ tự đánh số" in w for w in result["warnings"])


def test_a_directive_without_numbers_is_read_paragraph_by_paragraph(directory):
    text = ("Thực hiện chỉ đạo của Thủ tướng Chính phủ, Chủ tịch UBND tỉnh có ý kiến như sau:\n"
            "Giao Sở Công Thương chủ trì kiểm tra thị trường; báo cáo trước ngày 15/12/2026.\n"
            "Giao Sở Tài chính bố trí kinh phí thực hiện.\n"
            "Thủ trưởng các cơ quan, đơn vị liên quan triển khai thực hiện./.")
    tasks = tasks_by_ref(read(text, directory))
    assert [(ref, t["lead"]) for ref, t in tasks.items()] == [("1", ["Sở Công Thương"]), ("2", ["Sở Tài chính"])]
    assert tasks["1"]["deadline"] == "2026-12-15"


def test_without_a_header_no_issuer_is_taken_from_the_body(directory):
    result = read("I. NHIỆM VỤ TRỌNG TÂM\n1. Sở Tư pháp rà soát văn bản.\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\nLê Văn A",
                  directory)
    assert result["issuer"] == "UBND tỉnh"  # inferred from the signature, not read from «I. NHIỆM VỤ…»


def test_a_year_off_the_calendar_is_said_not_raised(directory):
    result = read("Hà Nội, ngày 01 tháng 01 năm 0000\n1. Sở Tài chính báo cáo trong năm 0000.", directory)
    assert result["date"] is None and result["tasks"][0]["deadline"] is None


def test_a_kind_named_once_for_several_bodies_gives_each_body(directory):
    text = ("Kính gửi:\n- Các Sở: Xây dựng, Tài chính, Kế hoạch và Đầu tư;\n- UBND thành phố Quy Nhơn.\n"
            "Chủ tịch UBND tỉnh có ý kiến như sau:\n"
            "1. Giao các Sở: Kế hoạch và Đầu tư, Tài chính phối hợp với UBND thành phố Quy Nhơn rà soát hồ sơ.\n"
            "2. UBND các huyện: Tuy Phước, Phù Cát kiểm tra hiện trường.")
    result = read(text, directory)
    assert result["recipients"] == ["Sở Xây dựng", "Sở Tài chính", "Sở Kế hoạch và Đầu tư", "UBND thành phố Quy Nhơn"]
    tasks = tasks_by_ref(result)
    assert tasks["1"]["lead"] == ["Sở Kế hoạch và Đầu tư", "Sở Tài chính"]
    assert tasks["1"]["coordinate"] == ["UBND thành phố Quy Nhơn"]
    assert tasks["2"]["lead"] == ["UBND huyện Tuy Phước", "UBND huyện Phù Cát"]


def test_a_title_in_ordinary_case_stops_where_the_body_begins(directory):
    text = ("CHỈ THỊ\nVề việc tăng cường công tác phòng, chống đuối nước cho trẻ em trên\nđịa bàn tỉnh\n"
            "Thời gian qua, tình trạng đuối nước vẫn diễn biến phức tạp, Chủ tịch UBND tỉnh yêu cầu:\n"
            "1. Sở Giáo dục và Đào tạo dạy kỹ năng an toàn cho học sinh.")
    assert read(text, directory)["subject"] == ("Về việc tăng cường công tác phòng, chống đuối nước cho trẻ em trên "
                                                 "địa bàn tỉnh")


def test_reports_whose_day_follows_the_period_and_periods_counted_from_an_unknown_day(directory):
    text = ("1. Sở Giao thông vận tải đôn đốc nhà thầu; định kỳ hằng tuần báo cáo tiến độ vào thứ Sáu.\n"
            "2. Sở Nội vụ tổng hợp, báo cáo định kỳ hằng quý (trước ngày 15 của tháng cuối quý).\n"
            "3. Sở Tài chính thẩm định phương án trong thời hạn 10 ngày làm việc kể từ ngày nhận đủ hồ sơ.")
    tasks = tasks_by_ref(read(text, directory))
    assert tasks["1"]["recurrence"] == "FREQ=WEEKLY;BYDAY=FR"
    assert tasks["2"]["recurrence"] == "FREQ=YEARLY;BYMONTH=3,6,9,12;BYMONTHDAY=15"
    assert tasks["3"]["deadline"] is None and "nhận đủ hồ sơ" in tasks["3"]["deadline_phrase"]


def test_a_task_table_gives_a_task_per_row_and_the_line_that_introduces_it_is_not_one(directory):
    result = read((SAMPLES / "ke_hoach_bang_nhiem_vu.txt").read_text("utf-8"), directory)
    tasks = tasks_by_ref(result)
    assert [(ref, t["lead"], t["coordinate"]) for ref, t in tasks.items()] == [
        ("III.2", ["Sở Tài chính"], []),  # the body's items named by their part, the table's rows by their number
        ("1", ["Sở Thông tin và Truyền thông"], ["Các sở, ban, ngành"]),
        ("2", ["Văn phòng UBND tỉnh"], ["Sở Thông tin và Truyền thông", "Công an tỉnh"]),
        ("3", ["Công an tỉnh"], ["Sở Thông tin và Truyền thông"]),
    ]
    assert (tasks["1"]["deadline"], tasks["2"]["deadline"]) == ("2025-03-30", "2025-09-30")
    assert tasks["3"]["recurrence"] == "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=31"
    assert tasks["1"]["summary"] == "Xây dựng kế hoạch chuyển đổi số của ngành"
    assert [s["ref"] for s in result["not_tasks"]] == ["III.1"]


def test_a_table_pasted_from_word_with_tabs_is_read_by_its_columns(directory):
    text = ("I. NHIỆM VỤ\nTT\tNội dung\tCơ quan chủ trì\tCơ quan phối hợp\tThời gian hoàn thành\n"
            "1\tRà soát thủ tục hành chính\tSở Tư pháp\tVăn phòng UBND tỉnh\tQuý I/2025\n"
            "2\tKiểm tra công vụ\tSở Nội vụ\t\tTrước 30/6/2025\n")
    tasks = tasks_by_ref(read(text, directory))
    assert [(ref, t["lead"], t["coordinate"], t["deadline"]) for ref, t in tasks.items()] == [
        ("1", ["Sở Tư pháp"], ["Văn phòng UBND tỉnh"], "2025-03-31"), ("2", ["Sở Nội vụ"], [], "2025-06-30")]


def test_items_naming_nobody_fall_to_the_one_body_addressed_and_the_closing_request_is_not_a_task(directory):
    text = ("Số: 1234/UBND-KTTH\nV/v thực hiện kết luận thanh tra\nKính gửi: Sở Giao thông vận tải.\n"
            "Chủ tịch Ủy ban nhân dân tỉnh có ý kiến như sau:\n"
            "1. Đồng ý chủ trương điều chỉnh tiến độ dự án.\n"
            "2. Khẩn trương rà soát các kiến nghị; báo cáo trước ngày 15/5/2024.\n"
            "3. Phối hợp với Thanh tra tỉnh theo dõi, đôn đốc việc thực hiện.\n"
            "Yêu cầu Giám đốc Sở Giao thông vận tải triển khai thực hiện./.")
    result = read(text, directory)
    tasks = tasks_by_ref(result)
    assert [(ref, t["lead"], t["coordinate"]) for ref, t in tasks.items()] == [
        ("2", ["Sở Giao thông vận tải"], []), ("3", ["Sở Giao thông vận tải"], ["Thanh tra tỉnh"])]
    assert tasks["2"]["deadline"] == "2024-05-15" and tasks["2"]["confidence"] < 0.8
    assert "Yêu cầu Giám đốc" not in tasks["3"]["summary"]
    assert [s["ref"] for s in result["not_tasks"]] == ["1"]


def test_a_labelled_time_gives_the_words_after_its_label(directory):
    text = ("II. NHIỆM VỤ\n1. Hoàn thiện cơ sở dữ liệu dân cư.\n- Cơ quan chủ trì: Công an tỉnh.\n"
            "- Thời gian hoàn thành: Quý IV/2024.")
    task = read(text, directory)["tasks"][0]
    assert (task["lead"], task["deadline"], task["deadline_phrase"]) == (["Công an tỉnh"], "2024-12-31", "Quý IV/2024")


@pytest.mark.parametrize("written, names", [
    ("Sở NN và PTNT, Sở KH-ĐT và Sở VH-TT&DL", ["Sở Nông nghiệp và Phát triển nông thôn", "Sở Kế hoạch và Đầu tư",
                                               "Sở Văn hóa, Thể thao và Du lịch"]),
    ("Ủy ban MTTQ Việt Nam tỉnh và các đoàn thể", ["Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh", "các đoàn thể"]),
    ("Bộ CHQS tỉnh, BĐBP tỉnh, Công an tỉnh", ["Bộ Chỉ huy Quân sự tỉnh", "Bộ Chỉ huy Bộ đội Biên phòng tỉnh",
                                             "Công an tỉnh"]),
    ("Công an các huyện, thị xã, thành phố", ["Công an các huyện, thị xã, thành phố"]),
    ("các Sở, ngành: Y tế, Giáo dục và Đào tạo", ["Sở Y tế", "Sở Giáo dục và Đào tạo"]),
])
def test_abbreviations_spelt_any_way_and_lists_of_bodies_are_named_in_full(directory, written, names):
    mentions, end = NameReader(directory).list_at(written, 0)
    assert [m.name for m in mentions] == names and end == len(written)


def test_names_spelt_with_the_older_tone_marks_are_found_and_kept_as_written(directory):
    text = ("UỶ BAN NHÂN DÂN\nTỈNH BÌNH ĐỊNH\nSố: 15/UBND-VX\nV/v tổ chức Tết Nguyên đán\n"
            "Kính gửi: Sở Văn hoá, Thể thao và Du lịch.\n1. Sở Văn hoá, Thể thao và Du lịch chủ trì, phối hợp với "
            "Uỷ ban nhân dân các huyện tổ chức các hoạt động văn hoá; hoàn thành trước ngày 20/01/2026.")
    result = read(text, directory)
    task = result["tasks"][0]
    assert result["issuer"] == "UBND tỉnh Bình Định"
    assert task["lead"] == ["Sở Văn hoá, Thể thao và Du lịch"]
    assert "Sở Văn hoá, Thể thao và Du lịch" not in task["unknown"]  # the directory's «Văn hóa»
    assert task["coordinate"] == ["Ủy ban nhân dân các huyện"]


LINES = st.sampled_from([
    "ỦY BAN NHÂN DÂN", "TỈNH BÌNH ĐỊNH", "Số: 12/UBND-KT", "Bình Định, ngày 05 tháng 5 năm 2025", "V/v rà soát",
    "Kính gửi:", "- Sở Tài chính;", "Các Sở: Xây dựng, Tài chính;", "THÔNG BÁO", "I. NHIỆM VỤ", "1. Sở Y tế:",
    "2. Giao Sở Công Thương chủ trì, phối hợp với", "các Sở: Tài chính, Xây dựng; hằng tháng (trước ngày 25).",
    "a) Khẩn trương rà soát; báo cáo trước ngày 31/2/2025.", "+ định kỳ hằng quý (trước ngày 40 của tháng cuối quý)",
    "TT    Nội dung    Cơ quan chủ trì    Cơ quan phối hợp    Thời gian",
    "1     Rà soát     Sở Tư pháp     Công an tỉnh",
    "      tiếp    Sở", "II", "  Cơ quan  chủ trì  ", "Nơi nhận:", "- Lưu: VT, KT.", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH",
    "Nguyễn Văn A", "3590 30 4", "1 Nghị định số 1/2020/NĐ-CP.", "quy định1", "Điều 1.", ":", "|", "-", "./.",
    "STT Nhiệm vụ  Chủ trì  Phối hợp", "Yêu cầu Giám đốc Sở Tài chính triển khai thực hiện./.", "\t\tSở\tX\t",
])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(LINES, max_size=25), st.lists(st.integers(0, 12), max_size=25))
def test_any_arrangement_of_directive_lines_is_read_without_failing(directory, lines, indents):
    text = "\n".join(" " * (indents[i] if i < len(indents) else 0) + line for i, line in enumerate(lines))
    result = read(text, directory)
    assert all(t["lead"] for t in result["tasks"])


def test_a_table_whose_numbers_stand_in_the_middle_of_their_rows(directory):
    text = ("                                      Cơ quan chủ       Cơ quan phối      Thời gian\n"
            " STT            Nội dung                 trì               hợp          hoàn thành\n"
            "  I    HOÀN THIỆN THỂ CHẾ\n"
            "       Rà soát, đề xuất sửa đổi các                     Sở Tư pháp, Sở Tài\n"
            " 1     cơ chế, chính sách của tỉnh   Sở Khoa học và     chính            Quý II/2025\n"
            "       về khoa học, công nghệ        Công nghệ\n"
            "       Xây dựng Đề án phát triển\n"
            " 2     nguồn nhân lực chất lượng     Sở Nội vụ          Sở Giáo dục và   Tháng 9/2025\n"
            "       cao                                              Đào tạo\n")
    tasks = tasks_by_ref(read(text, directory))
    assert [(ref, t["lead"], t["coordinate"], t["deadline"]) for ref, t in tasks.items()] == [
        ("1", ["Sở Khoa học và Công nghệ"], ["Sở Tư pháp", "Sở Tài chính"], "2025-06-30"),
        ("2", ["Sở Nội vụ"], ["Sở Giáo dục và Đào tạo"], "2025-09-30")]
    assert tasks["1"]["summary"] == "Rà soát, đề xuất sửa đổi các cơ chế, chính sách của tỉnh về khoa học, công nghệ"


def test_heads_of_named_districts_companies_and_project_boards_are_read_as_their_bodies(directory):
    text = ("1. Chủ tịch UBND các huyện Thái Thụy, Tiền Hải: tổ chức sơ tán dân; hoàn thành trước ngày 06/9/2024.\n"
            "2. Giám đốc Công ty Điện lực Thái Bình bố trí lực lượng bảo đảm an toàn hệ thống điện.\n"
            "3. Các Ban Quản lý dự án đầu tư xây dựng tỉnh, các chủ đầu tư đẩy nhanh giải ngân.\n"
            "4. Trưởng BQL KKT tỉnh chủ trì, phối hợp với UBND các địa phương liên quan giải phóng mặt bằng.")
    tasks = tasks_by_ref(read(text, directory))
    assert tasks["1"]["lead"] == ["UBND huyện Thái Thụy", "UBND huyện Tiền Hải"]
    assert tasks["2"]["lead"] == ["Công ty Điện lực Thái Bình"]
    assert tasks["3"]["lead"] == ["Các Ban Quản lý dự án đầu tư xây dựng tỉnh", "các chủ đầu tư"]
    assert tasks["4"]["lead"] == ["Ban Quản lý Khu kinh tế tỉnh"]
    assert tasks["4"]["coordinate"] == ["UBND các địa phương liên quan"]


def test_a_justified_text_spread_apart_by_its_pdf_is_read_like_any_other(directory):
    text = ("Chủ tịch UBND tỉnh kết luận như sau:\n"
            "       1. Giao Sở  Tài  chính chủ trì,  phối hợp với các sở, ngành và UBND các\n"
            "  xã, phường rà soát danh mục dự án; báo cáo UBND tỉnh trong tháng 10 năm 2025.\n"
            "       2. Sở Xây dựng tổng hợp, báo cáo UBND tỉnh vào  thứ Năm hằng tuần.\n"
            "       Yêu cầu  các cơ  quan, đơn vị,  địa phương nghiêm túc triển  khai  thực\n"
            "  hiện./.")
    tasks = tasks_by_ref(read(text, directory))
    assert [(ref, t["lead"]) for ref, t in tasks.items()] == [("1", ["Sở Tài chính"]), ("2", ["Sở Xây dựng"])]
    assert tasks["1"]["deadline"] == "2025-10-31"
    assert tasks["2"]["recurrence"] == "FREQ=WEEKLY;BYDAY=TH" and "Yêu cầu" not in tasks["2"]["summary"]


def test_the_closing_formula_is_no_task_but_the_work_it_still_gives_is(directory):
    text = ("1. Sở Tài chính bố trí kinh phí.\n"
            "Giám đốc các sở; Chủ tịch UBND các huyện, thị xã, thành phố có trách nhiệm tổ chức thực hiện nghiêm "
            "túc Chỉ thị này. Giao Sở Nội vụ theo dõi, đôn đốc việc thực hiện; định kỳ báo cáo UBND tỉnh./.")
    tasks = tasks_by_ref(read(text, directory))
    assert [(ref, t["lead"]) for ref, t in tasks.items()] == [("1", ["Sở Tài chính"]), ("2", ["Sở Nội vụ"])]
    assert tasks["2"]["summary"].startswith("Giao Sở Nội vụ theo dõi")


def test_a_short_name_the_text_gives_a_body_is_read_as_that_body(directory):
    text = ("Tham dự có Ban Quản lý dự án đầu tư xây dựng công trình giao thông tỉnh (sau đây viết tắt là Ban QLDA "
            "giao thông).\n1. Ban QLDA giao thông: đẩy nhanh thi công; hoàn thành trong tháng 12/2024.")
    task = read(text, directory)["tasks"][0]
    assert task["lead"] == ["Ban Quản lý dự án đầu tư xây dựng công trình giao thông tỉnh"]


def test_the_place_is_read_on_the_dates_line_not_from_the_subject_above_it(directory):
    text = ("ỦY BAN NHÂN DÂN\nTỈNH LONG AN\nSố: 9318/UBND-KT\nV/v đề nghị của Công ty TNHH Bao bì Thuận Phát Long An\n"
            "Long An, ngày 28 tháng 10 năm 2024\nKính gửi: Sở Tài chính.\n1. Sở Tài chính rà soát hồ sơ.")
    assert read(text, directory)["place"] == "Long An"


def test_an_item_with_a_deadline_and_a_recurring_report_gives_both(directory):
    text = ("1. UBND các huyện, thị xã, thành phố xây dựng kế hoạch thực hiện tại địa phương, gửi về Sở Tài chính "
            "trước ngày 10/3/2025; báo cáo tình hình thực hiện hằng quý.")
    task = read(text, directory)["tasks"][0]
    assert (task["deadline"], task["recurrence"]) == ("2025-03-10", "FREQ=YEARLY;BYMONTH=3,6,9,12;BYMONTHDAY=-1")
    assert task["deadline_phrase"] == "trước ngày 10/3/2025"


def test_the_directives_written_apart_from_the_parser_are_read_as_labelled(directory):
    folder = SAMPLES / "written_apart"
    scores = new_scores()
    for path in sorted((folder / "labels").glob("*.json")):
        label = json.loads(path.read_text("utf-8"))
        score_document(read((folder / label["source"]).read_text("utf-8"), directory, label["source"]), label, scores)
    assert scores["task count"].tp >= 280
    for name in ("task count", "lead", "coordinate", "deadline"):
        assert scores[name].f1 >= 0.95, (name, scores[name])


def test_the_body_goes_on_after_a_table_with_its_next_part(directory):
    text = ("III. NHIỆM VỤ\n"
            "TT    Nội dung              Cơ quan chủ trì     Cơ quan phối hợp    Thời gian\n"
            "1     Rà soát thủ tục       Sở Tư pháp          Công an tỉnh        Quý I/2025\n"
            "IV. KINH PHÍ\n"
            "1. Sở Tài chính bố trí kinh phí thực hiện.")
    result = read(text, directory)
    assert [(t["ref"], t["lead"]) for t in result["tasks"]] == [
        ("IV.1", ["Sở Tài chính"]), ("1", ["Sở Tư pháp"])]
