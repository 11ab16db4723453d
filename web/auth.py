"""Signing in and out."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import UserMixin, current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired

from engine import Actor, User
from workflows.queries import sees_province

from .redirects import local_path
from .services import services

bp = Blueprint("auth", __name__)


class SessionUser(UserMixin):
    """The signed-in user, detached from the database session."""

    def __init__(self, user: User):
        self.username = user.username
        self.full_name = user.full_name
        self.title = user.title
        self.org = user.org
        self.roles = tuple(user.roles)

    def get_id(self) -> str:
        return self.username

    def actor(self) -> Actor:
        return Actor(self.username, self.org, self.roles, self.full_name)

    def has_role(self, *roles: str) -> bool:
        return any(r in self.roles for r in roles)

    @property
    def province_wide(self) -> bool:
        """Sees every directive (the Office, the leaders, admins, auditors)."""
        return sees_province(self.actor())


class LoginForm(FlaskForm):
    username = StringField("Tên đăng nhập", validators=[DataRequired("Hãy nhập tên đăng nhập.")])
    password = PasswordField("Mật khẩu", validators=[DataRequired("Hãy nhập mật khẩu.")])
    remember = BooleanField("Ghi nhớ đăng nhập")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("tasks.index"))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        with services().db.reader() as s:
            user = s.get(User, form.username.data.strip())
            if user is not None and user.active and user.check_password(form.password.data):
                login_user(SessionUser(user), remember=form.remember.data)
                return redirect(local_path(request.args.get("next"), url_for("tasks.index")))
        error = _("Tên đăng nhập hoặc mật khẩu không đúng.")
    return render_template("login.html", form=form, error=error), (401 if error else 200)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()
    flash(_("Bạn đã đăng xuất."), "info")
    return redirect(url_for("auth.login"))
