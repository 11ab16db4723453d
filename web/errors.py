"""Every error reaches the user as a sentence and a status, never as a stack trace."""
from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from engine import EngineError

log = logging.getLogger(__name__)


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json" or request.path.startswith("/engine-rest")


def _respond(status: int, message: str):
    if _wants_json():
        kind = {400: "InvalidRequestException", 401: "AuthenticationException", 403: "AuthorizationException",
                404: "RestException", 405: "RestException"}.get(status, "ProcessEngineException")
        return jsonify({"type": kind, "message": message}), status
    return render_template("error.html", status=status, message=message), status


def register(app: Flask) -> None:
    """Install the error handlers."""

    @app.errorhandler(EngineError)
    def engine_error(exc: EngineError):
        return _respond(exc.status, exc.message)

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        return _respond(400, _("Phiên làm việc của biểu mẫu đã hết hạn hoặc không hợp lệ (mã CSRF). "
                               "Hãy tải lại trang và gửi lại."))

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        defaults = {
            400: _("Yêu cầu không hợp lệ."),
            403: _("Bạn không có quyền xem hoặc thực hiện thao tác này."),
            404: _("Không tìm thấy trang bạn yêu cầu."),
            405: _("Thao tác này không được phép trên trang này."),
            413: _("Tệp gửi lên quá lớn (tối đa 25 MB)."),
        }
        description = exc.description if exc.description and not exc.description.startswith(
            ("The ", "You ", "Method ", "The server")) else None
        return _respond(exc.code or 500, description or defaults.get(exc.code, _("Đã có lỗi xảy ra.")))

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        log.exception("unexpected error")
        return _respond(500, _("Đã có lỗi ngoài dự kiến; thao tác chưa được ghi nhận. "
                               "Hãy thử lại hoặc báo cho quản trị hệ thống."))
