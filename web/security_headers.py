"""The headers every response carries (Flask-Talisman): a Content-Security-Policy with no inline or
evaluated script, no framing, no sniffing, a same-origin referrer, HSTS over HTTPS, and pages for a
signed-in user never stored by the browser or a proxy."""
from __future__ import annotations

from flask import Flask, Response, request
from flask_login import current_user
from flask_talisman import DENY, Talisman

#: Scripts only from our own files (bpmn-js and our modules are served locally); styles may be inline
#: (bpmn-js draws with style attributes); nothing is framed, posted or fetched elsewhere.
POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self' 'unsafe-inline'",
    "img-src": "'self' data: blob:",
    "font-src": "'self' data:",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
#: A file handed to the user to save (a model, an attachment): nothing in it may run or load anything.
DOWNLOAD_POLICY = {"default-src": "'none'", "frame-ancestors": "'none'", "sandbox": ""}

talisman = Talisman()


def register(app: Flask, secure_cookies: bool) -> None:
    """Install the headers; ``secure_cookies``: the session and remember-me cookies go over HTTPS only."""
    app.config.update(SESSION_COOKIE_SECURE=secure_cookies, REMEMBER_COOKIE_SECURE=secure_cookies)
    talisman.init_app(
        app, force_https=False, content_security_policy=POLICY, frame_options=DENY,
        referrer_policy="same-origin", session_cookie_secure=secure_cookies,
        session_cookie_samesite=app.config.get("SESSION_COOKIE_SAMESITE", "Lax"),
        permissions_policy={"camera": "()", "microphone": "()", "geolocation": "()"},
        strict_transport_security=True)

    @app.after_request
    def _not_stored(response: Response) -> Response:
        if request.endpoint != "static" and current_user and current_user.is_authenticated:
            response.headers["Cache-Control"] = "no-store"
        return response


def download(view):
    """Serve a view's answer as a file to save, under a policy that lets nothing in it run."""
    return talisman(content_security_policy=DOWNLOAD_POLICY)(view)
