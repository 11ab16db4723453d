"""Signing in and out."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import UserMixin, current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from engine import Actor, User
from engine.clock import to_local
from engine.oplog import log_operation
from workflows.queries import sees_province

from . import user_sessions
from .redirects import local_path
from .services import services
from .sign_in import check_credentials

bp = Blueprint("auth", __name__)


class SessionUser(UserMixin):
    """The signed-in user, detached from the database session."""

    def __init__(self, user: User, token: str):
        self.token = token  # the server-side session (``user_sessions``) the cookies carry
        self.username = user.username
        self.full_name = user.full_name
        self.title = user.title
        self.org = user.org
        self.roles = tuple(user.roles)

    def get_id(self) -> str:
        return self.token

    def actor(self) -> Actor:
        return Actor(self.username, self.org, self.roles, self.full_name)

    def has_role(self, *roles: str) -> bool:
        return any(r in self.roles for r in roles)

    @property
    def province_wide(self) -> bool:
        """Sees every directive (the Office, the leaders, admins, auditors)."""
        return sees_province(self.actor())


class PasswordForm(FlaskForm):
    current = PasswordField("Mật khẩu hiện tại", validators=[DataRequired("Hãy nhập mật khẩu hiện tại.")])
    new = PasswordField("Mật khẩu mới", validators=[
        DataRequired("Hãy nhập mật khẩu mới."), Length(min=8, max=200, message="Mật khẩu mới dài từ 8 đến 200 ký tự.")])
    confirm = PasswordField("Nhập lại mật khẩu mới", validators=[
        EqualTo("new", message="Hai lần nhập mật khẩu mới không giống nhau.")])


class LoginForm(FlaskForm):
    username = StringField("Tên đăng nhập", validators=[DataRequired("Hãy nhập tên đăng nhập.")])
    password = PasswordField("Mật khẩu", validators=[DataRequired("Hãy nhập mật khẩu.")])
    remember = BooleanField("Ghi nhớ đăng nhập")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("tasks.index"))
    form = LoginForm()
    error, status, headers = None, 200, {}
    if form.validate_on_submit():
        result = check_credentials(form.username.data, form.password.data, request.remote_addr)
        if result.user is not None:
            with services().db.transaction() as s:
                token = user_sessions.begin(s, result.user.username, services().clock.now())
            login_user(SessionUser(result.user, token), remember=form.remember.data)
            return redirect(local_path(request.args.get("next"), url_for("tasks.index")))
        if result.busy:
            error, status = busy_sentence(), 503
            headers["Retry-After"] = "1"
        elif result.locked is not None:
            error, status = locked_sentence(result.locked), 429
            headers["Retry-After"] = str(result.locked.retry_after(services().clock.now()))
        else:
            error, status = _("Tên đăng nhập hoặc mật khẩu không đúng."), 401
    return render_template("login.html", form=form, error=error), status, headers


def busy_sentence() -> str:
    """Why a sign-in was not checked now: too many were being checked at once."""
    return _("Máy chủ đang kiểm tra nhiều lượt đăng nhập cùng lúc; hãy thử lại sau một giây.")


def locked_sentence(lock) -> str:
    """Why a sign-in was refused before its password was looked at, and until when."""
    until = to_local(lock.until).strftime("%H:%M %d/%m/%Y")
    if lock.account:
        return _("Tài khoản này tạm khóa đăng nhập đến %(until)s vì nhập sai mật khẩu nhiều lần. Hãy thử lại "
                 "sau, hoặc nhờ quản trị viên mở khóa.", until=until)
    return _("Máy của bạn tạm bị chặn đăng nhập đến %(until)s vì có quá nhiều lần nhập sai mật khẩu từ địa "
             "chỉ này. Hãy thử lại sau, hoặc nhờ quản trị viên.", until=until)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    with services().db.transaction() as s:
        user_sessions.end(s, current_user.token, services().clock.now())
    logout_user()
    flash(_("Bạn đã đăng xuất."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """A person changes their own password: every other session of theirs (another browser, a phone, a
    remember-me cookie) ends; this one goes on."""
    form = PasswordForm()
    error = None
    if form.validate_on_submit():
        result = check_credentials(current_user.username, form.current.data, request.remote_addr)
        if result.user is None:
            error = busy_sentence() if result.busy else locked_sentence(result.locked) if result.locked \
                else _("Mật khẩu hiện tại không đúng.")
        else:
            now = services().clock.now()
            with services().db.transaction() as s:
                s.get(User, current_user.username).set_password(form.new.data)
                ended = user_sessions.end_all(s, current_user.username, now, keep=current_user.token)
                log_operation(s, current_user.actor(), now, "password_change", current_user.username,
                              sessions_ended=ended)
            flash(_("Đã đổi mật khẩu; %(n)s phiên đăng nhập khác của bạn đã kết thúc.", n=ended), "success")
            return redirect(url_for("tasks.index"), 303)
    return render_template("account_password.html", form=form, error=error), 400 if error or form.errors else 200
