"""The chidao command line, run the way an administrator runs it."""
from __future__ import annotations

from alembic import command
from sqlalchemy import delete

from engine import User
from engine.models import HistoryEvent
from web.migrate import alembic_config


def _run(app, args, stdin=None):
    return app.test_cli_runner().invoke(args=args, input=stdin)


def test_users_add_reads_the_password_from_stdin_and_hashes_it(app, svc):
    result = _run(app, ["users", "add", "nguyen.van.a", "--agency", "SCT", "--role", "official",
                        "--role", "agency_head", "--name", "Nguyễn Văn A"], "mat-khau-manh\n")
    assert result.exit_code == 0, result.output
    assert "Đã tạo người dùng nguyen.van.a (SCT: official, agency_head)." in result.output
    with svc.db.reader() as s:
        user = s.get(User, "nguyen.van.a")
        assert user.roles == ["official", "agency_head"] and user.password_hash.startswith("$argon2")
        assert user.check_password("mat-khau-manh") and not user.check_password("sai")
    with svc.db.transaction() as s:
        s.delete(s.get(User, "nguyen.van.a"))


def test_users_add_refuses_an_unknown_agency_with_the_known_codes(app):
    result = _run(app, ["users", "add", "ai.do", "--agency", "SOMOI", "--role", "official"], "mat-khau-manh\n")
    assert result.exit_code != 0
    assert "Không có cơ quan mã «SOMOI». Các mã có: UBND, VPUBND, SCT" in result.output


def test_users_add_refuses_a_short_password(app):
    result = _run(app, ["users", "add", "ai.do", "--agency", "SCT", "--role", "official"], "ngan\n")
    assert result.exit_code != 0 and "ít nhất 8 ký tự" in result.output


def test_users_list_shows_agency_and_roles(app):
    result = _run(app, ["users", "list"])
    line = next(line for line in result.output.splitlines() if line.startswith("pct.hoang"))
    assert "Nguyễn Tự Công Hoàng" in line and "Lãnh đạo UBND tỉnh" in line and line.endswith("leader")


def test_the_migrations_describe_exactly_the_models(app, svc):
    command.check(alembic_config(svc.db))


def test_demo_prepares_a_fresh_database_with_seeds_at_their_stages(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    from sqlalchemy import select

    from engine import Database
    from engine.models import HumanTask
    from workflows.models import Directive

    url = f"sqlite:///{tmp_path / 'demo.db'}"
    chidao = Path(sys.executable).with_name("chidao")
    result = subprocess.run([str(chidao), "demo", "--no-serve"], cwd=tmp_path, capture_output=True, text=True,
                            env={**os.environ, "DATABASE_URL": url, "CHIDAO_INSTANCE": str(tmp_path)}, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "Tài khoản mẫu (mật khẩu chung: demo123):" in result.stdout
    assert any(line.startswith("cv.lan ") and "specialist" in line for line in result.stdout.splitlines())
    assert "Bắt đầu với tài khoản cv.lan (chuyên viên Văn phòng)" in result.stdout
    database = Database(url)
    with database.reader() as s:
        stages = {d.source[:3]: (d.stage, d.number_text) for d in s.scalars(select(Directive))}
        subjects = {d.source[:3]: d.subject for d in s.scalars(select(Directive))}
        signer = s.scalars(select(HumanTask.assignee).where(HumanTask.element_id == "sign")).all()
    database.dispose()
    assert signer == ["pcvp.thuan"]  # as the README says seed 004 waits
    assert subjects["003"].startswith("V/v triển khai thực hiện Nghị định số 32/2024/NĐ-CP")
    assert stages["000"] == ("Soạn dự thảo", None)
    assert stages["001"][1] == "01/TB-UBND"
    assert stages["004"] == ("Ký ban hành", None)
    assert stages["003"][1] == "02/UBND-KT"
    environment = {**os.environ, "DATABASE_URL": url, "CHIDAO_INSTANCE": str(tmp_path)}

    def chidao_run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(chidao), *args], cwd=tmp_path, capture_output=True, text=True, env=environment,
                              timeout=300)

    assert chidao_run("worker", "--once").returncode == 0  # the first anchor, copied to the witness
    assert (tmp_path / "anchor-witness.jsonl").read_text().count("\n") == 2
    assert chidao_run("verify", "--all").returncode == 0
    (tmp_path / "demo.db").unlink()  # the demo started again from nothing, on purpose
    again = chidao_run("demo", "--no-serve")
    assert again.returncode == 0 and "tệp đối chứng mốc của cơ sở dữ liệu trước được cất ở" in again.stdout
    assert len(list(tmp_path.glob("anchor-witness.*.jsonl.old"))) == 1
    verified = chidao_run("verify", "--all")
    assert verified.returncode == 0, verified.stdout
    assert "Chưa có mốc kiểm chứng nào" in verified.stdout  # no worker ran since: said, never silent
    mistyped = tmp_path / "demo-cu.db"
    environment["DATABASE_URL"] = f"sqlite:///{mistyped}"
    wrong = chidao_run("verify", "--all")
    assert wrong.returncode == 1 and f"Không có tệp cơ sở dữ liệu {mistyped}" in wrong.stdout
    assert not mistyped.exists()  # an inspection never creates the database it was pointed at
    environment["DATABASE_URL"] = "postgresql://postgres@127.0.0.1:5432/khong_co_csdl_nay"
    unreachable = chidao_run("verify", "--all")
    assert unreachable.returncode == 1 and "Không kết nối được cơ sở dữ liệu" in unreachable.stdout
    assert "Traceback" not in unreachable.stderr


def test_replay_prints_each_step_and_exits_zero_when_the_history_verifies(app, lifecycle):
    directive = lifecycle.signed()
    result = _run(app, ["replay", directive])
    assert result.exit_code == 0, result.output
    assert "Hoàn thành việc «Soạn dự thảo»" in result.output and "→ chờ: register" in result.output
    assert result.output.rstrip().endswith("thực thi lại cho đúng trạng thái đã lưu.")


def test_verify_all_exits_non_zero_with_the_first_finding(app, lifecycle, svc):
    directive = lifecycle.signed()
    assert _run(app, ["verify", "--all"]).exit_code == 0
    with svc.db.transaction() as s:
        s.execute(delete(HistoryEvent).where(HistoryEvent.instance_id == directive, HistoryEvent.seq == 2))
    result = _run(app, ["verify", "--all"])
    assert result.exit_code == 1
    assert f"Phiên {directive}: Chuỗi băm bị đứt: Thiếu sự kiện số 2 (gặp số 3)." in result.output
    assert _run(app, ["replay", directive, "--verify"]).exit_code == 1
    unknown = _run(app, ["replay", "99/UBND-KT"])
    assert unknown.exit_code == 1 and "Không tìm thấy phiên quy trình hay văn bản «99/UBND-KT»." in unknown.output


def test_import_json_prints_the_label_keys_of_a_seed(app, tmp_path):
    import json

    from workflows.demo import seed_files

    text, label = seed_files()["003_09fc60a00c80ca95"]
    path = tmp_path / "003.txt"
    path.write_text(text, "utf-8")
    result = _run(app, ["import", str(path), "--json"])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.output)
    assert set(label) - {"notes"} <= set(printed)
    assert [t["ref"] for t in printed["tasks"]] == [t["ref"] for t in label["tasks"]]
    assert printed["signer"] == label["signer"]


def test_import_without_json_prints_a_summary_a_reader_can_skim(app, tmp_path):
    from workflows.demo import seed_files

    path = tmp_path / "001.txt"
    path.write_text(seed_files()["001_406948b0e7715172"][0], "utf-8")
    result = _run(app, ["import", str(path)])
    assert result.exit_code == 0, result.output
    assert "3 nhiệm vụ:" in result.output and "Ban Quản lý Khu kinh tế tỉnh (phối hợp: Sở Công Thương)" in result.output
    assert "Mục 1 không nêu cơ quan thực hiện" in result.output


def test_import_refuses_unreadable_input_with_a_sentence_and_a_non_zero_exit(app, tmp_path):
    binary = tmp_path / "anh.txt"
    binary.write_bytes(b"\x00\x01\x02\xff\xfe")
    result = _run(app, ["import", str(binary), "--json"])
    assert result.exit_code != 0 and "không phải văn bản thuần" in result.output
    empty = tmp_path / "trong.pdf"
    empty.write_bytes(b"")
    result = _run(app, ["import", str(empty), "--json"])
    assert result.exit_code != 0 and "không có nội dung" in result.output
    result = _run(app, ["import", str(tmp_path / "khong-co.docx"), "--json"])
    assert result.exit_code != 0 and "Không có tệp" in result.output
