"""Schema migrations with Alembic, configured in code (no alembic.ini to carry around)."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from engine import Database

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(database: Database) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database.url.replace("%", "%%"))
    return config


def upgrade(database: Database) -> None:
    """Bring the database schema to the newest revision."""
    with database.engine.begin() as connection:
        config = alembic_config(database)
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def schema_problem(database: Database) -> str | None:
    """Why the database cannot be inspected as it is (None when it can): an SQLite file that does not
    exist (it is never created just to be read), a database without the schema or with an older one."""
    url = make_url(database.url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:") \
            and not Path(url.database).exists():
        return f"Không có tệp cơ sở dữ liệu {Path(url.database).resolve()} (DATABASE_URL có đúng không?)."
    try:
        with database.engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
    except OperationalError as exc:
        reason = str(exc.orig or exc).strip().splitlines()[0]
        return (f"Không kết nối được cơ sở dữ liệu {url.render_as_string(hide_password=True)} ({reason}); "
                "DATABASE_URL có đúng không?")
    if current is None:
        return (f"Cơ sở dữ liệu {url.render_as_string(hide_password=True)} chưa có bảng nào của Chỉ đạo "
                "(DATABASE_URL có đúng không?).")
    if current != ScriptDirectory.from_config(alembic_config(database)).get_current_head():
        return "Cấu trúc cơ sở dữ liệu cũ hơn phiên bản này; chạy «chidao db upgrade» trước."
    return None
