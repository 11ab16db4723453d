"""The ``chidao`` command: demo, serve, users, db. Every command honours ``DATABASE_URL``."""
from __future__ import annotations

import getpass
import json
import os
import sys
import urllib.error
from datetime import date, datetime
from pathlib import Path

import click
from flask import Flask
from flask.cli import FlaskGroup
from sqlalchemy import func, select

from engine import SYSTEM, EngineError, User
from engine.anchor import check_anchors, latest_anchor
from engine.anchor_witness import AnchorWitness, WitnessRefused
from engine.audit import verify_all, verify_instance
from engine.clock import LOCAL_TZ
from engine.oplog import log_operation
from engine.replay import instance_events
from engine.simulated_time import follow, travel_to
from workflows.agencies import Directory, load_directory
from workflows.deadlines import DeadlineError
from workflows.demo import DEMO_PASSWORD, create_demo_users, load_seed, seed_files
from workflows.exchange_worker import ExchangeWorker
from workflows.importing import ImportRefused, as_json, check_size, extract_text, parse_directive
from workflows.models import Directive
from workflows.roles import ROLES

from . import login_throttle, user_sessions
from .audit import resolve_instance, step_line
from .catalogue import UNCHANGED, deploy_catalogue
from .migrate import schema_problem, upgrade
from .services import services
from .settings import deadline_reader, setting


def ready() -> None:
    """What every command that writes does first: bring the schema to the newest revision and follow the
    database's simulated time, as the web app and the worker do (a deployment is dated as they date it)."""
    upgrade(services().db)
    with services().db.reader() as s:
        follow(s, services().clock)


def inspectable() -> None:
    """What an inspection (``replay``, ``verify``) needs: the database as it is, never created or changed;
    exit 1 with the reason when it is missing or has no (or an older) schema."""
    problem = schema_problem(services().db)
    if problem:
        click.echo(problem)
        sys.exit(1)
    with services().db.reader() as s:
        follow(s, services().clock)


def prepare_database() -> None:
    """Migrate the schema, load the agency directory and deploy the catalogue's changed files."""
    ready()
    with services().db.transaction() as s:
        load_directory(s)
    for line in deploy_catalogue():
        if line.outcome != UNCHANGED:
            click.echo(line.sentence())


def load_demo() -> None:
    """Demo users and, on an empty database, the four seed directives at their stages."""
    with services().db.transaction() as s:
        create_demo_users(s, services().clock.now())
    with services().db.reader() as s:
        has_directives = s.scalar(select(func.count()).select_from(Directive)) > 0
    if not has_directives:
        set_aside = services().engine.witness.set_aside_if_unborn(services().db, services().clock.now())
        if set_aside is not None:
            click.echo(f"Cơ sở dữ liệu mới: tệp đối chứng mốc của cơ sở dữ liệu trước được cất ở {set_aside}.")
        for name, (text, label) in seed_files().items():
            with services().db.transaction() as s:
                load_seed(services().engine, s, name, text, label)


def print_users() -> None:
    with services().db.reader() as s:
        users = s.scalars(select(User).order_by(User.org, User.username)).all()
        directory = Directory(s)
    click.echo(f"{'Tên đăng nhập':<16} {'Họ tên':<44} {'Đơn vị':<36} Vai trò")
    for user in users:
        click.echo(f"{user.username:<16} {user.full_name[:43]:<44} {directory.name(user.org)[:35]:<36} "
                   f"{', '.join(user.roles)}")


def serve_app(app: Flask, host: str, port: int) -> None:
    """Serve with waitress and, unless WORKER_INTERVAL is 0, one embedded worker thread."""
    from waitress import serve

    interval = float(setting(app.config, "WORKER_INTERVAL"))
    if interval > 0:
        services().worker.start(interval)
        click.echo(f"Bộ xử lý việc hẹn giờ chạy mỗi {interval:g} giây.")
    click.echo(f"Chỉ đạo đang chạy tại http://{host}:{port}/  (Ctrl+C để dừng)")
    serve(app, host=host, port=port, threads=8)


def import_summary(result: dict) -> str:
    """A directive read by ``chidao import``, as a reader would skim it."""
    signer = result["signer"]
    lines = [f"{result['source']}: {result['kind'] or '?'} — {result['subject'] or '(không có trích yếu)'}",
             f"  Cơ quan ban hành: {result['issuer'] or '?'}; số, ký hiệu: {result['number'] or '…'}/"
             f"{result['notation'] or '…'}; ngày: {result['date'] or '…'} ({result['year'] or '?'})",
             f"  Kính gửi / nơi nhận: {'; '.join(result['recipients']) or '—'}",
             f"  Người ký: {signer['authority'] or ''} {signer['title'] or ''} {signer['name'] or '?'}".rstrip(),
             f"  {len(result['tasks'])} nhiệm vụ:"]
    for task in result["tasks"]:
        when = task["deadline"] or task["recurrence"] or "không hạn"
        lines.append(f"    {task['ref']:>5}  {', '.join(task['lead'])}"
                     f"{' (phối hợp: ' + ', '.join(task['coordinate']) + ')' if task['coordinate'] else ''} — {when}")
    lines += [f"  ! {warning}" for warning in result["warnings"]]
    return "\n".join(lines)


def register_commands(app: Flask) -> None:
    """Attach the commands to the app's CLI group."""

    START_ACCOUNT = "cv.lan"  # the demo's first step waits for this account

    @app.cli.command("demo")
    @click.option("--no-serve", is_flag=True, help="Chuẩn bị dữ liệu mẫu rồi thoát, không chạy máy chủ.")
    @click.option("--host", default="127.0.0.1", show_default=True)
    @click.option("--port", default=5000, show_default=True, type=int)
    def demo(no_serve: bool, host: str, port: int) -> None:
        """Create the database, deploy the catalogue, load the directory, demo users and seeds; then serve."""
        prepare_database()
        load_demo()
        click.echo(f"Cơ sở dữ liệu: {services().db.url}")
        click.echo(f"Tài khoản mẫu (mật khẩu chung: {DEMO_PASSWORD}):")
        print_users()
        click.echo(f"Bắt đầu với tài khoản {START_ACCOUNT} (chuyên viên Văn phòng): dự thảo văn bản mẫu 000 đang chờ "
                   "trong «Việc cần làm».")
        if not no_serve:
            serve_app(app, host, port)

    @app.cli.command("serve")
    @click.option("--host", default="127.0.0.1", show_default=True)
    @click.option("--port", default=5000, show_default=True, type=int)
    def serve(host: str, port: int) -> None:
        """Serve the web application (the schema is migrated first)."""
        prepare_database()
        serve_app(app, host, port)

    @app.cli.command("deploy")
    @click.option("--force", is_flag=True,
                  help="Triển khai cả tệp có phiên bản mới hơn do quản trị viên triển khai.")
    def deploy(force: bool) -> None:
        """Deploy the shipped catalogue (bpmn/): only changed files, never over an admin's version unless --force."""
        ready()
        for line in deploy_catalogue(force=force):
            click.echo(line.sentence())

    @app.cli.command("deadline")
    @click.argument("phrase")
    @click.option("--from", "base", default=None, help="Ngày tính mốc (YYYY-MM-DD), mặc định hôm nay.")
    def deadline(phrase: str, base: str | None) -> None:
        """Read a deadline phrase; print stated, due, recurrence and span as JSON."""
        try:
            start = date.fromisoformat(base) if base else services().clock.today()
        except ValueError:
            raise click.ClickException(f"Ngày «{base}» không đúng dạng YYYY-MM-DD.") from None
        with services().db.reader() as s:
            reader = deadline_reader(s, app.config)
        try:
            click.echo(json.dumps(reader.read(phrase, start).as_json(), ensure_ascii=False))
        except DeadlineError as exc:
            raise click.ClickException(exc.message) from None

    @app.cli.command("import")
    @click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
    @click.option("--json", "as_json_output", is_flag=True, help="In kết quả dạng JSON (khóa như tệp nhãn mẫu).")
    def import_command(path: Path, as_json_output: bool) -> None:
        """Read a directive (.txt, .docx, .pdf) and print the draft it proposes."""
        try:
            check_size(path.stat().st_size, path.name)
            text = extract_text(path.read_bytes(), path.name)
        except FileNotFoundError:
            raise click.ClickException(f"Không có tệp «{path}».") from None
        except OSError as exc:
            raise click.ClickException(f"Không đọc được tệp «{path}» ({exc.strerror or exc}).") from None
        except ImportRefused as exc:
            raise click.ClickException(exc.message) from None
        ready()
        with services().db.reader() as s:
            directory = Directory(s)
            parsed = parse_directive(text, directory if directory.entries else Directory.from_data(),
                                     deadline_reader(s, app.config), services().clock.today(), path.name)
        result = as_json(parsed)
        if as_json_output:
            click.echo(json.dumps(result, ensure_ascii=False, indent=1))
        else:
            click.echo(import_summary(result))

    @app.cli.command("worker")
    @click.option("--once", is_flag=True, help="Chạy mọi việc đến hạn một lần rồi thoát.")
    @click.option("--now", "moment", default=None,
                  help="Coi thời điểm này là «bây giờ» (ISO, ví dụ 2025-08-11T08:00+07:00).")
    @click.option("--interval", default=5.0, show_default=True, help="Số giây giữa hai lần chạy.")
    def worker(once: bool, moment: str | None, interval: float) -> None:
        """Run due jobs (timers, e-mail): once, or every INTERVAL seconds until stopped."""
        ready()
        if moment:
            try:
                when = datetime.fromisoformat(moment)
            except ValueError:
                raise click.ClickException(f"Thời điểm «{moment}» không đúng dạng ISO 8601.") from None
            with services().db.transaction() as s:
                travel_to(s, services().clock, when if when.tzinfo else when.replace(tzinfo=LOCAL_TZ), "worker")
        if once:
            ran = services().worker.tick_all()
            click.echo(f"Đã chạy {ran} việc đến hạn lúc {services().clock.now().isoformat()}.")
            return
        click.echo(f"Bộ xử lý việc hẹn giờ chạy mỗi {interval:g} giây (Ctrl+C để dừng).")
        services().worker.run_forever(interval)

    @app.cli.command("replay")
    @click.argument("instance_id")
    @click.option("--verify", "verify_only", is_flag=True, help="Chỉ in kết quả kiểm chứng, không in từng bước.")
    def replay(instance_id: str, verify_only: bool) -> None:
        """Replay one instance from its events; exit 0 when it verifies, 1 with the first divergence."""
        inspectable()
        with services().db.reader() as s:
            try:
                instance_id = resolve_instance(s, instance_id)
            except EngineError as exc:
                raise click.ClickException(exc.message) from None
            result = verify_instance(services().engine, s, instance_id, with_steps=not verify_only)
            if not verify_only:
                events = {e.seq: e for e in instance_events(s, instance_id)}
                for step in result.steps:
                    click.echo(step_line(events[step.seq], step))
        click.echo(result.sentence())
        sys.exit(0 if result.verified else 1)

    @app.cli.command("verify")
    @click.option("--all", "everything", is_flag=True, required=True, help="Kiểm chứng mọi phiên và mốc kiểm chứng.")
    @click.option("--witness", type=click.Path(dir_okay=False, exists=True),
                  help="Đối chiếu các mốc với bản sao tệp đối chứng này (bản thanh tra giữ) thay cho tệp của máy chủ.")
    def verify(everything: bool, witness: str | None) -> None:
        """Check every anchor and replay every instance; exit 0 when all verify, 1 with the findings."""
        inspectable()
        engine = services().engine
        copy = AnchorWitness(witness, engine.witness.database) if witness else None
        with services().db.reader() as s:
            report = verify_all(engine, s, witness=copy)
            anchors = latest_anchor(s) is not None
        for finding in report.findings:
            click.echo(finding.message)
        if report.events and not anchors:
            click.echo("Chưa có mốc kiểm chứng nào (bộ xử lý nền chưa chạy, hoặc các mốc và tệp đối chứng đã bị xóa): "
                       "chỉ chuỗi băm và thực thi lại được kiểm, không chứng minh được chưa có phiên nào bị xóa hay "
                       "lịch sử bị cắt đuôi.")
        adopted = (copy or engine.witness).adopted()
        if adopted:
            click.echo(f"Tệp đối chứng được bắt đầu khi cơ sở dữ liệu đã có {adopted} mốc (lệnh «chidao witness "
                       "start», xem nhật ký thao tác): các mốc ấy được nhận vào, không do tệp chứng kiến lúc lập.")
        if report.verified:
            click.echo(f"Đã kiểm chứng {report.instances} phiên, {report.events} sự kiện: lịch sử nguyên vẹn.")
        else:
            click.echo(f"Có {len(report.findings)} phát hiện trong {report.instances} phiên, {report.events} sự kiện.")
        sys.exit(0 if report.verified else 1)

    @app.cli.group("witness")
    def witness_group() -> None:
        """The anchors' witness file outside the database."""

    @witness_group.command("start")
    def witness_start() -> None:
        """Start the witness over the anchors the database holds now (the worker never does: a witness
        missing while anchors exist stays a finding until an administrator checks them and runs this)."""
        ready()
        engine = services().engine
        with services().db.transaction() as s:
            broken = check_anchors(s)
            if broken:
                for finding in broken:
                    click.echo(finding.message)
                click.echo("Các mốc kiểm chứng không nguyên vẹn: không bắt đầu tệp đối chứng từ chúng.")
                sys.exit(1)
            try:
                adopted = engine.witness.start(s)
            except WitnessRefused as exc:
                click.echo(str(exc))
                sys.exit(1)
            log_operation(s, SYSTEM, services().clock.now(), "witness_start", str(engine.witness.path),
                          adopted=adopted, database=engine.witness.database, os_user=getpass.getuser())
        click.echo(f"Đã bắt đầu tệp đối chứng {engine.witness.path} với {adopted} mốc có sẵn trong cơ sở dữ liệu "
                   "(ghi vào nhật ký thao tác); từ nay bộ xử lý nền chép thêm từng mốc mới.")

    @app.cli.command("edxml-worker")
    @click.option("--url", default="http://127.0.0.1:5000/engine-rest", show_default=True,
                  help="Địa chỉ REST API của hệ thống.")
    @click.option("--user", "username", default="admin", show_default=True,
                  help="Tài khoản quản trị quy trình của bộ kết nối (mật khẩu: biến CHIDAO_PASSWORD hoặc đầu vào).")
    @click.option("--outbox", default="edxml-outbox", show_default=True, type=click.Path(file_okay=False),
                  help="Thư mục đặt gói edXML cho bộ kết nối trục liên thông.")
    @click.option("--once", is_flag=True, help="Gửi mọi văn bản đang chờ một lần rồi thoát.")
    def edxml_worker(url: str, username: str, outbox: str, once: bool) -> None:
        """Hand distributed directives to the document-exchange axis as edXML (an external-task worker)."""
        password = os.environ.get("CHIDAO_PASSWORD") or sys.stdin.readline().rstrip("\r\n")
        worker = ExchangeWorker(url, username, password, Path(outbox))
        if once:
            try:
                sent = worker.run_once()
            except urllib.error.URLError as exc:
                raise click.ClickException(f"Không kết nối được {url}: {exc}") from None
            click.echo(f"Đã gửi {sent} văn bản điện tử vào {outbox}.")
            return
        click.echo(f"Bộ gửi văn bản điện tử lấy việc từ {url} (Ctrl+C để dừng).")
        worker.run_forever()

    @app.cli.group("db")
    def db() -> None:
        """Database schema."""

    @db.command("upgrade")
    def db_upgrade() -> None:
        """Migrate the schema to the newest revision."""
        upgrade(services().db)
        click.echo("Đã cập nhật cấu trúc cơ sở dữ liệu.")

    @app.cli.group("users")
    def users() -> None:
        """Manage users."""

    @users.command("add")
    @click.argument("username")
    @click.option("--agency", required=True, help="Mã cơ quan (ví dụ SCT, VPUBND).")
    @click.option("--role", "roles", required=True, multiple=True,
                  type=click.Choice(sorted(ROLES)), help="Vai trò; lặp lại để gán nhiều vai trò.")
    @click.option("--name", "full_name", default=None, help="Họ tên (mặc định: tên đăng nhập).")
    @click.option("--title", default=None, help="Chức danh, ví dụ «Phó Chủ tịch UBND tỉnh».")
    def users_add(username: str, agency: str, roles: tuple[str, ...], full_name: str | None,
                  title: str | None) -> None:
        """Add a user; the password is read from standard input."""
        ready()
        with services().db.transaction() as s:
            if not Directory(s).entries:
                load_directory(s)
        password = sys.stdin.readline().rstrip("\r\n")
        if len(password) < 8:
            raise click.ClickException("Mật khẩu phải có ít nhất 8 ký tự (đọc từ đầu vào chuẩn).")
        with services().db.transaction() as s:
            directory = Directory(s)
            if agency not in directory or directory.entries[agency].is_group:
                known = ", ".join(e.code for e in directory.agencies())
                raise click.ClickException(f"Không có cơ quan mã «{agency}». Các mã có: {known}")
            if s.get(User, username) is not None:
                raise click.ClickException(f"Tên đăng nhập «{username}» đã tồn tại.")
            user = User(username=username, full_name=full_name or username, title=title, org=agency,
                        roles=list(roles), created_at=services().clock.now(), active=True)
            user.set_password(password)
            s.add(user)
            log_operation(s, SYSTEM, services().clock.now(), "user_add", username, agency=agency, roles=list(roles))
        click.echo(f"Đã tạo người dùng {username} ({agency}: {', '.join(roles)}).")

    def _existing_user(s, username: str) -> User:
        user = s.get(User, username)
        if user is None:
            raise click.ClickException(f"Không có người dùng «{username}».")
        return user

    def _change_and_sign_out(username: str, action: str, change) -> int:
        """Change a user (one transaction, logged as ``action``), end every session of theirs and lift their
        sign-in lock; how many sessions ended."""
        now = services().clock.now()
        with services().db.transaction() as s:
            change(_existing_user(s, username))
            ended = user_sessions.end_all(s, username, now)
            login_throttle.unlock(s, username)
            log_operation(s, SYSTEM, now, action, username, sessions_ended=ended)
        return ended

    @users.command("passwd")
    @click.argument("username")
    def users_passwd(username: str) -> None:
        """Set a user's password (read from standard input) and end every session of theirs."""
        ready()
        password = sys.stdin.readline().rstrip("\r\n")
        if len(password) < 8:
            raise click.ClickException("Mật khẩu phải có ít nhất 8 ký tự (đọc từ đầu vào chuẩn).")
        ended = _change_and_sign_out(username, "user_password", lambda user: user.set_password(password))
        click.echo(f"Đã đặt mật khẩu mới cho {username}; {ended} phiên đăng nhập đã kết thúc.")

    @users.command("deactivate")
    @click.argument("username")
    def users_deactivate(username: str) -> None:
        """Stop a user signing in (history keeps them) and end every session of theirs."""
        ready()
        ended = _change_and_sign_out(username, "user_deactivate", lambda user: setattr(user, "active", False))
        click.echo(f"Đã ngừng tài khoản {username}; {ended} phiên đăng nhập đã kết thúc.")

    @users.command("activate")
    @click.argument("username")
    def users_activate(username: str) -> None:
        """Let a stopped user sign in again."""
        ready()
        with services().db.transaction() as s:
            _existing_user(s, username).active = True
            log_operation(s, SYSTEM, services().clock.now(), "user_activate", username)
        click.echo(f"Tài khoản {username} đăng nhập được trở lại.")

    @users.command("unlock")
    @click.argument("username")
    def users_unlock(username: str) -> None:
        """Lift the lock that failed sign-ins put on an account."""
        ready()
        with services().db.transaction() as s:
            lifted = login_throttle.unlock(s, username)
            if lifted:
                log_operation(s, SYSTEM, services().clock.now(), "user_unlock", username)
        click.echo(f"Đã mở khóa đăng nhập cho {username}." if lifted
                   else f"Tài khoản {username} không bị khóa đăng nhập.")

    @users.command("list")
    def users_list() -> None:
        """List users with their agency and roles."""
        ready()
        print_users()


def _create_app(*_args) -> Flask:
    from . import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=False, add_version_option=False,
             load_dotenv=False)
def main() -> None:
    """Chỉ đạo: directives of a provincial People's Committee on a BPMN engine."""
