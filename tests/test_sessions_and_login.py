"""Sign-in sessions end when they should (sign-out, password change, deactivation), whatever cookie
still holds them; guessing passwords is stopped by locks held in the database; how a sign-in answers
never tells whether an account exists."""
from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from engine import User
from engine.oplog import Operation
from workflows.demo import DEMO_PASSWORD

from .conftest import another_process, login


def signed_in(client) -> bool:
    return client.get("/tasks").status_code == 200


def cookie(client, name: str) -> str:
    found = client.get_cookie(name)
    assert found is not None, f"no {name} cookie"
    return found.value


def replayed(app, **cookies: str):
    """A browser that never signed in, holding copies of someone's cookies."""
    other = app.test_client()
    for name, value in cookies.items():
        other.set_cookie(name, value)
    return other


def basic(username: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()}


def wrong(client, username: str, times: int) -> list[int]:
    return [client.post("/login", data={"username": username, "password": "sai-mat-khau"}).status_code
            for _ in range(times)]


@pytest.fixture
def restored(svc):
    """The demo users are kept between tests: whoever a test changes gets the demo password back, active."""
    yield
    with svc.db.transaction() as s:
        for user in s.scalars(select(User)):
            if not user.active or not user.check_password(DEMO_PASSWORD):
                user.active = True
                user.set_password(DEMO_PASSWORD)


def test_a_sign_out_ends_the_session_and_the_remember_me_cookie_kept_elsewhere(app):
    client = app.test_client()
    client.post("/login", data={"username": "cv.lan", "password": DEMO_PASSWORD, "remember": "y"})
    stolen = {"session": cookie(client, "session"), "remember_token": cookie(client, "remember_token")}
    assert signed_in(replayed(app, **stolen))
    client.post("/logout")
    assert not signed_in(client)
    assert not signed_in(replayed(app, **stolen))
    assert not signed_in(replayed(app, remember_token=stolen["remember_token"]))


def test_a_password_change_ends_every_other_session_and_keeps_this_one(app, svc, restored):
    here, there = login(app.test_client(), "cv.lan"), login(app.test_client(), "cv.lan")
    page = here.get("/account/password")
    assert page.status_code == 200 and "Đổi mật khẩu" in page.get_data(as_text=True)
    refused = here.post("/account/password", data={"current": "khong-dung", "new": "mat-khau-moi-2026",
                                                   "confirm": "mat-khau-moi-2026"})
    assert refused.status_code == 400 and "Mật khẩu hiện tại không đúng." in refused.get_data(as_text=True)
    short = here.post("/account/password", data={"current": DEMO_PASSWORD, "new": "ngan", "confirm": "ngan"})
    assert short.status_code == 400 and "Mật khẩu mới dài từ 8 đến 200 ký tự." in short.get_data(as_text=True)
    done = here.post("/account/password", data={"current": DEMO_PASSWORD, "new": "mat-khau-moi-2026",
                                                "confirm": "mat-khau-moi-2026"}, follow_redirects=True)
    assert "1 phiên đăng nhập khác của bạn đã kết thúc" in done.get_data(as_text=True)
    assert signed_in(here) and not signed_in(there)
    assert app.test_client().post("/login", data={"username": "cv.lan", "password": DEMO_PASSWORD}).status_code == 401
    login(app.test_client(), "cv.lan", "mat-khau-moi-2026")
    with svc.db.reader() as s:
        assert s.scalars(select(Operation.action).where(Operation.target == "cv.lan")).all() == ["password_change"]


def test_the_administrators_commands_end_sessions_and_lift_locks(app, svc, restored):
    runner = app.test_cli_runner()
    client = login(app.test_client(), "sct.cv")
    passwd = runner.invoke(args=["users", "passwd", "sct.cv"], input="mat-khau-moi-2026\n")
    assert passwd.exit_code == 0 and "1 phiên đăng nhập đã kết thúc" in passwd.output
    assert not signed_in(client)
    client = login(app.test_client(), "sct.cv", "mat-khau-moi-2026")
    assert runner.invoke(args=["users", "deactivate", "sct.cv"]).exit_code == 0
    assert not signed_in(client)
    assert app.test_client().post("/login", data={"username": "sct.cv",
                                                  "password": "mat-khau-moi-2026"}).status_code == 401
    assert runner.invoke(args=["users", "activate", "sct.cv"]).exit_code == 0
    login(app.test_client(), "sct.cv", "mat-khau-moi-2026")
    assert wrong(app.test_client(), "sct.cv", 6)[-1] == 401
    assert app.test_client().post("/login", data={"username": "sct.cv",
                                                  "password": "mat-khau-moi-2026"}).status_code == 429
    unlocked = runner.invoke(args=["users", "unlock", "sct.cv"])
    assert unlocked.exit_code == 0 and "Đã mở khóa đăng nhập cho sct.cv." in unlocked.output
    login(app.test_client(), "sct.cv", "mat-khau-moi-2026")
    assert runner.invoke(args=["users", "passwd", "khong-ai"], input="mat-khau-moi-2026\n").exit_code == 1
    with svc.db.reader() as s:
        actions = s.scalars(select(Operation.action).where(Operation.target == "sct.cv")
                            .order_by(Operation.id)).all()
    assert actions == ["user_password", "user_deactivate", "user_activate", "user_unlock"]


@pytest.mark.parametrize("username", ["cv.lan", "khong-co-ai"])
def test_wrong_passwords_lock_an_account_for_longer_each_time_known_or_not(app, clock, username):
    client = app.test_client()
    assert wrong(client, username, 6) == [401] * 6  # five free tries, the sixth failure locks
    locked = client.post("/login", data={"username": username, "password": DEMO_PASSWORD})
    assert locked.status_code == 429 and locked.headers["Retry-After"] == "61"
    assert "tạm khóa đăng nhập đến 09:01 23/11/2026" in locked.get_data(as_text=True)
    rest = client.get("/engine-rest/task", headers=basic(username, DEMO_PASSWORD))
    assert rest.status_code == 429 and "tạm khóa" in rest.get_json()["message"]
    clock.advance(timedelta(minutes=1, seconds=1))
    assert wrong(client, username, 1) == [401]  # the seventh failure: two minutes now
    assert client.post("/login", data={"username": username, "password": DEMO_PASSWORD}).status_code == 429
    clock.advance(timedelta(minutes=2, seconds=1))
    expected = 302 if username == "cv.lan" else 401
    assert client.post("/login", data={"username": username, "password": DEMO_PASSWORD}).status_code == expected


def test_a_success_forgets_the_accounts_failures(app):
    client = app.test_client()
    wrong(client, "cv.lan", 5)
    login(app.test_client(), "cv.lan")
    assert wrong(client, "cv.lan", 5) == [401] * 5  # five free tries again


def test_guesses_from_one_address_at_many_accounts_are_stopped_too(app):
    client = app.test_client()
    for number in range(51):
        assert client.post("/login", data={"username": f"thu-{number}", "password": "x"}).status_code == 401
    refused = client.post("/login", data={"username": "pct.hoang", "password": DEMO_PASSWORD})
    assert refused.status_code == 429 and "từ địa chỉ này" in refused.get_data(as_text=True)
    elsewhere = app.test_client()
    response = elsewhere.post("/login", data={"username": "pct.hoang", "password": DEMO_PASSWORD},
                              environ_base={"REMOTE_ADDR": "10.0.0.7"})
    assert response.status_code == 302  # another address signs in as usual


def test_a_lock_holds_in_every_server_process(app, database_url):
    wrong(app.test_client(), "cvp", 6)
    other = another_process(database_url)
    try:
        assert other.test_client().post("/login", data={"username": "cvp", "password": DEMO_PASSWORD}).status_code \
            in (429, 302)  # the other process runs on the system time, where the lock may have passed
    finally:
        other.extensions["chidao"].db.dispose()


def test_an_unknown_name_costs_the_same_password_check_as_a_known_one(app, monkeypatch):
    checks: list[str] = []
    verify = PasswordHasher.verify

    def counted(self, hash_, password):
        checks.append(password)
        return verify(self, hash_, password)

    monkeypatch.setattr(PasswordHasher, "verify", counted)
    client = app.test_client()
    known = client.post("/login", data={"username": "cv.lan", "password": "sai-1"})
    unknown = client.post("/login", data={"username": "khong-co-ai", "password": "sai-2"})
    assert checks == ["sai-1", "sai-2"]  # one argon2 check each
    assert (known.status_code, known.get_data(as_text=True).count("không đúng")) == \
        (unknown.status_code, unknown.get_data(as_text=True).count("không đúng"))


def test_a_deactivated_users_remember_me_cookie_no_longer_signs_in(app, svc, restored):
    client = app.test_client()
    client.post("/login", data={"username": "cv.lan", "password": DEMO_PASSWORD, "remember": "y"})
    kept = cookie(client, "remember_token")
    with svc.db.transaction() as s:
        s.get(User, "cv.lan").active = False
    assert not signed_in(replayed(app, remember_token=kept))


def test_a_burst_of_sign_ins_is_told_the_server_is_busy_instead_of_taking_the_pages_threads(app, monkeypatch):
    from web import sign_in
    monkeypatch.setattr(sign_in, "WAIT_FOR_A_CHECK", 0.01)
    client = app.test_client()
    assert client.get("/engine-rest/task", headers=basic("cv.lan", DEMO_PASSWORD)).status_code == 200
    held = [sign_in._checks.acquire(blocking=False) for _ in range(sign_in.PASSWORD_CHECKS)]
    try:
        assert all(held)  # every password check is taken, as by a burst of wrong passwords
        busy = client.get("/engine-rest/task", headers=basic("sct.cv", DEMO_PASSWORD))
        assert busy.status_code == 503 and busy.headers["Retry-After"] == "1"
        assert "nhiều lượt đăng nhập cùng lúc" in busy.get_json()["message"]
        page = client.post("/login", data={"username": "cvp", "password": DEMO_PASSWORD})
        assert page.status_code == 503 and "thử lại sau một giây" in page.get_data(as_text=True)
        again = client.get("/engine-rest/task", headers=basic("cv.lan", DEMO_PASSWORD))
        assert again.status_code == 200  # a name and password that just passed need no check
        assert client.get("/login").status_code == 200  # the pages do not wait for password checks
    finally:
        for _ in held:
            sign_in._checks.release()


def test_a_remembered_rest_sign_in_ends_with_a_password_change_or_a_deactivation(app, svc, restored):
    client = app.test_client()
    assert client.get("/engine-rest/task", headers=basic("cv.lan", DEMO_PASSWORD)).status_code == 200
    with svc.db.transaction() as s:
        s.get(User, "cv.lan").set_password("Mật khẩu mới 2027")
    assert client.get("/engine-rest/task", headers=basic("cv.lan", DEMO_PASSWORD)).status_code == 401
    assert client.get("/engine-rest/task", headers=basic("cv.lan", "Mật khẩu mới 2027")).status_code == 200
    with svc.db.transaction() as s:
        s.get(User, "cv.lan").active = False
    assert client.get("/engine-rest/task", headers=basic("cv.lan", "Mật khẩu mới 2027")).status_code == 401
