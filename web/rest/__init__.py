"""The Camunda 7 REST API under ``/engine-rest``: the paths, parameters, JSON shapes, status codes
and error bodies Camunda's clients expect, over this engine. HTTP Basic with the web app's users;
the same authorization as the pages (an agency sees its own tasks, an auditor only reads)."""
from __future__ import annotations

from flask import Blueprint, g, jsonify, request
from werkzeug.exceptions import HTTPException

from engine import EngineError

from ..auth import busy_sentence, locked_sentence
from ..services import services
from ..sign_in import check_credentials

bp = Blueprint("rest", __name__, url_prefix="/engine-rest")

ERROR_TYPES = {400: "InvalidRequestException", 401: "AuthenticationException", 403: "AuthorizationException",
               404: "InvalidRequestException", 405: "RestException", 409: "OptimisticLockingException",
               413: "InvalidRequestException", 415: "InvalidRequestException"}


class RestError(Exception):
    """An answer with a Camunda error body: ``{"type": ..., "message": ...}``."""

    def __init__(self, status: int, message: str, kind: str | None = None, **extra):
        super().__init__(message)
        self.status, self.message, self.kind, self.extra = status, message, kind or ERROR_TYPES.get(status), extra


def error_body(status: int, message: str, kind: str | None = None, **extra):
    return jsonify({"type": kind or ERROR_TYPES.get(status, "RestException"), "message": message, **extra}), status


@bp.before_request
def authenticate():
    """HTTP Basic with the web app's users; every endpoint needs it."""
    auth = request.authorization
    if auth is None or auth.type != "basic" or not auth.username:
        response, status = error_body(401, "Cần xác thực HTTP Basic bằng tài khoản của hệ thống.")
        response.headers["WWW-Authenticate"] = 'Basic realm="engine-rest"'
        return response, status
    result = check_credentials(auth.username, auth.password or "", request.remote_addr)
    if result.busy:
        response, status = error_body(503, busy_sentence())
        response.headers["Retry-After"] = "1"
        return response, status
    if result.locked is not None:
        response, status = error_body(429, locked_sentence(result.locked))
        response.headers["Retry-After"] = str(result.locked.retry_after(services().clock.now()))
        return response, status
    g.rest_user = result.user.actor() if result.user is not None else None
    if g.rest_user is None:
        response, status = error_body(401, "Tên đăng nhập hoặc mật khẩu không đúng.")
        response.headers["WWW-Authenticate"] = 'Basic realm="engine-rest"'
        return response, status
    return None


@bp.errorhandler(RestError)
def rest_error(exc: RestError):
    return error_body(exc.status, exc.message, exc.kind, **exc.extra)


@bp.errorhandler(EngineError)
def engine_error(exc: EngineError):
    extra = {"errors": exc.errors} if getattr(exc, "errors", None) else {}
    return error_body(exc.status, exc.message, exc.camunda_type, **extra)


@bp.errorhandler(HTTPException)
def http_error(exc: HTTPException):
    return error_body(exc.code or 400, exc.description or exc.name)


def register(app) -> None:
    """Attach the API to the app: its routes, no CSRF (clients authenticate every request)."""
    from . import definitions, deployments, external, history, instances, jobs, openapi, tasks  # noqa: F401
    from .. import csrf

    csrf.exempt(bp)
    app.register_blueprint(bp)
