"""Shared fixtures: a real database (SQLite file, or PostgreSQL when DATABASE_URL says so),
the application with a settable clock, the demo directory and users, the shipped catalogue."""
from __future__ import annotations

import os
import secrets
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text
from werkzeug.serving import make_server

from engine import Clock, Database
from engine.clock import LOCAL_TZ
from engine.db import Base
from engine.identity import User
from engine.models import HumanTask
from web import create_app
from web.catalogue import deploy_catalogue
from web.migrate import upgrade
from workflows.agencies import load_directory
from workflows.demo import DEMO_PASSWORD, create_demo_users

#: Tables kept between tests (slow to fill: argon2 hashes of the demo users).
KEPT = {"app_user", "agency", "agency_group_member", "alembic_version"}

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=LOCAL_TZ)

#: The soak walks once with a fixed seed and once with this one (``SOAK_SEED`` replays a walk).
SOAK_RANDOM_SEED = int(os.environ.get("SOAK_SEED") or secrets.randbelow(10 ** 6))


def pytest_report_header(config) -> str:
    return f"soak: random seed {SOAK_RANDOM_SEED} (SOAK_SEED={SOAK_RANDOM_SEED} make soak walks it again)"


#: The anchors' witness of the test database (emptied with it), shared by every app over it.
WITNESS: dict[str, Path] = {}


def app_config(database_url: str, **config) -> dict[str, Any]:
    """The configuration of a test app over the test database and its anchor witness."""
    return {"DATABASE_URL": database_url, "TESTING": True, "SECRET_KEY": "test-secret",
            "ANCHOR_WITNESS": str(WITNESS[database_url]), **config}


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{tmp_path_factory.mktemp('db') / 'chidao.db'}"
    WITNESS[url] = tmp_path_factory.mktemp("witness") / "anchor-witness.jsonl"
    database = Database(url)
    if not database.is_sqlite:
        with database.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    upgrade(database)
    with database.transaction() as s:
        load_directory(s)
        create_demo_users(s, NOW)
    database.dispose()
    return url


@pytest.fixture
def clock() -> Clock:
    clock = Clock()
    clock.set(NOW)
    return clock


def fresh_app(database_url: str, clock: Clock, **config):
    """An application over an emptied database holding the directory, the demo users and the catalogue."""
    app = create_app(app_config(database_url, **config), clock=clock)
    WITNESS[database_url].unlink(missing_ok=True)  # the anchors it copied go with the emptied tables
    db = app.extensions["chidao"].db
    tables = [t for t in reversed(Base.metadata.sorted_tables) if t.name not in KEPT]
    with db.transaction() as s:
        if db.is_sqlite:
            for table in tables:
                s.execute(table.delete())
        else:
            s.execute(text("TRUNCATE " + ", ".join(t.name for t in tables) + " CASCADE"))
    with app.app_context():
        deploy_catalogue()
    return app


def another_process(database_url: str):
    """A second application over the same database and its data, on the system time (another server or
    a `chidao` command: nothing shared with the test's app but the database)."""
    return create_app(app_config(database_url, WTF_CSRF_ENABLED=False))


@pytest.fixture
def app(database_url, clock):
    app = fresh_app(database_url, clock, WTF_CSRF_ENABLED=False)
    yield app
    app.extensions["chidao"].db.dispose()


@pytest.fixture
def live_app(database_url, clock):
    app = fresh_app(database_url, clock)  # CSRF on, as in production
    yield app
    app.extensions["chidao"].db.dispose()


@pytest.fixture
def live_server(live_app):
    """The app served on a free local port, for browsers and HTTP clients."""
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(10)


@pytest.fixture
def svc(app):
    """The app's services, without pushing an app context (requests must get their own ``g``)."""
    return app.extensions["chidao"]


@pytest.fixture
def client(app):
    return app.test_client()


def login(client, username: str, password: str = DEMO_PASSWORD):
    """Sign ``client`` in as ``username``."""
    response = client.post("/login", data={"username": username, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


class Lifecycle:
    """Drives instances through the engine as the named demo users."""

    def __init__(self, svc):
        self.svc = svc

    def actor(self, username: str):
        with self.svc.db.reader() as s:
            return s.get(User, username).actor()

    def tasks(self, username: str, element_id: str | None = None, instance_id: str | None = None) -> list[HumanTask]:
        from engine.tasks import TaskFilter, list_tasks

        with self.svc.db.reader() as s:
            return list_tasks(s, TaskFilter(actor=self.actor(username), element_id=element_id,
                                            instance_id=instance_id), 0, 1000)

    def task(self, username: str, element_id: str, instance_id: str | None = None) -> HumanTask:
        tasks = self.tasks(username, element_id, instance_id)
        assert tasks, f"{username} has no «{element_id}» task"
        return tasks[0]

    def complete(self, username: str, element_id: str, data: dict[str, Any], instance_id: str | None = None):
        task = self.task(username, element_id, instance_id)
        with self.svc.db.transaction() as s:
            return self.svc.engine.complete_task(s, task.id, self.actor(username), data)

    def start(self, username: str = "cv.lan", subject: str = "") -> str:
        with self.svc.db.transaction() as s:
            return self.svc.engine.start(s, "directive", self.actor(username), {"subject": subject} if subject else {},
                                         business_key=f"VB-TEST-{subject[:8]}").id

    def signed(self, data: dict[str, Any] | None = None) -> str:
        """A new directive drafted, approved and signed: waiting for the clerk."""
        instance_id = self.start()
        self.complete("cv.lan", "draft", data or draft_data(), instance_id)
        self.complete("cvp", "review", {"review_decision": "approve"}, instance_id)
        self.complete("pct.hoang", "sign", {"sign_decision": "approve"}, instance_id)
        return instance_id

    def distributed(self, data: dict[str, Any] | None = None) -> str:
        """A new directive taken through registration and distribution."""
        instance_id = self.signed(data)
        self.complete("vanthu", "register", {"format_checked": True, "copies": 10}, instance_id)
        return instance_id

    def human_tasks(self, instance_id: str) -> list[HumanTask]:
        with self.svc.db.reader() as s:
            return list(s.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id)))


@pytest.fixture
def lifecycle(svc) -> Lifecycle:
    return Lifecycle(svc)


def draft_data(**overrides) -> dict[str, Any]:
    """A valid draft: two tasks, one with a coordinating agency."""
    data = {
        "kind": "cong_van", "field_code": "KT", "subject": "V/v phát triển khu công nghiệp sinh thái",
        "recipients": ["SCT", "BQLKKT"], "body": "Xét đề nghị của Ban Quản lý Khu kinh tế…",
        "signing_authority": "KT_CT", "signer": "pct.hoang",
        "tasks": [
            {"ref": "1", "summary": "Xây dựng chính sách ưu đãi", "lead": ["SCT"],
             "coordinate": ["BQLKKT", "G_SBN_DP_LQ"], "deadline": "2027-06-30"},
            {"ref": "2", "summary": "Hướng dẫn phát triển KCN sinh thái", "lead": ["BQLKKT"],
             "coordinate": [], "deadline": None},
        ],
    }
    data.update(overrides)
    return data
