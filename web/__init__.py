"""The Flask application: task lists, forms and directive pages for every agency."""
from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask, g, request, session
from flask_babel import Babel
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

from engine import Clock, Database, Engine, Worker
from engine.anchor_witness import AnchorWitness, database_name
from engine.simulated_time import follow
from workflows import directive_plugin

from .services import Services
from .settings import setting, tracking_settings

LANGUAGES = ("vi", "en")

csrf = CSRFProtect()
login_manager = LoginManager()
babel = Babel()


def _secret_key(instance_path: str) -> str:
    key = os.environ.get("CHIDAO_SECRET_KEY")
    if key:
        return key
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _locale() -> str:
    chosen = session.get("lang")
    if chosen in LANGUAGES:
        return chosen
    return "vi"


def create_app(config: dict[str, Any] | None = None, clock: Clock | None = None) -> Flask:
    """Build the application; ``config`` overrides settings (tests pass ``DATABASE_URL``)."""
    app = Flask(__name__, instance_path=os.environ.get("CHIDAO_INSTANCE", os.path.abspath("instance")))
    app.config.update(
        DATABASE_URL=None,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        MAX_CONTENT_LENGTH=25 * 1024 * 1024,
        MAX_FORM_MEMORY_SIZE=16 * 1024 * 1024,  # an imported directive's text travels in the review form
        BABEL_DEFAULT_LOCALE="vi",
        BABEL_DEFAULT_TIMEZONE="Asia/Ho_Chi_Minh",
        WTF_CSRF_TIME_LIMIT=None,
    )
    app.config.update(config or {})
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(app.instance_path)

    database = Database(app.config["DATABASE_URL"])
    plugin = directive_plugin(tracking_settings(app.config))
    witness = setting(app.config, "ANCHOR_WITNESS") or Path(app.instance_path) / "anchor-witness.jsonl"
    engine = Engine(database, plugin, clock or Clock(), witness=AnchorWitness(witness, database_name(database.url)))
    app.extensions["chidao"] = Services(database, engine, Worker(engine, plugin.job_handlers))

    csrf.init_app(app)
    babel.init_app(app, locale_selector=_locale)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None

    # modeler adds routes to the admin blueprint
    from . import (admin, audit, auth, directives, errors, filters, importing, input_guard,  # noqa: F401
                   modeler, rest, security_headers, tasks, tracking)

    app.register_blueprint(auth.bp)
    app.register_blueprint(tasks.bp)
    app.register_blueprint(directives.bp)
    app.register_blueprint(importing.bp)
    app.register_blueprint(tracking.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(audit.bp)
    rest.register(app)
    errors.register(app)
    input_guard.register(app)
    security_headers.register(app, setting(app.config, "SECURE_COOKIES") in (True, "1", "true", "yes"))
    filters.register(app)

    @app.before_request
    def _follow_simulated_time() -> None:
        if not engine.clock.frozen and request.endpoint != "static":
            with database.reader() as s:
                follow(s, engine.clock)

    @app.before_request
    def _remember_language() -> None:
        lang = request.args.get("lang")
        if lang in LANGUAGES:
            session["lang"] = lang
        g.lang = _locale()

    from .cli import register_commands

    register_commands(app)
    return app


@login_manager.user_loader
def _load_user(token: str):
    """The signed-in user of a session or remember-me cookie, while its server-side session is open."""
    from .auth import SessionUser
    from .services import services
    from .user_sessions import signed_in_user

    with services().db.reader() as s:
        user = signed_in_user(s, token)
        return SessionUser(user, token) if user is not None else None
