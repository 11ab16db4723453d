"""A passive scan in the spirit of OWASP ZAP's baseline (Debian carries no ``zaproxy`` package, and the
machines are offline): every page each role can reach by following links from its start page is
fetched and each answer is checked as ZAP's passive rules would check it."""
from __future__ import annotations

from urllib.parse import urljoin, urlsplit

import pytest
from lxml import html

from .conftest import login

#: A start page per role, and how many pages of each role the scan follows at most.
ROLES = {"cv.lan": "/tasks", "sct.cv": "/tasks", "admin": "/admin/processes", "thanhtra": "/audit/"}
MOST_PAGES = 60
#: Links the scan does not follow: leaving (logout) and switching the language.
NOT_FOLLOWED = ("/logout", "?lang=")


def problems_of(path: str, response, signed_in: bool) -> list[str]:
    """What ZAP's passive rules would flag on one answer."""
    found = []
    headers = response.headers
    if response.status_code >= 500:
        found.append(f"answered {response.status_code}")
    policy = headers.get("Content-Security-Policy", "")
    if not policy:
        found.append("no Content-Security-Policy")
    elif "unsafe-inline" in policy.split("script-src")[-1].split(";")[0] or "unsafe-eval" in policy:
        found.append(f"a script policy that runs inline code: {policy}")
    if "frame-ancestors 'none'" not in policy and headers.get("X-Frame-Options") != "DENY":
        found.append("may be framed (clickjacking)")
    if headers.get("X-Content-Type-Options") != "nosniff":
        found.append("no X-Content-Type-Options: nosniff")
    if not headers.get("Referrer-Policy"):
        found.append("no Referrer-Policy")
    if signed_in and response.mimetype == "text/html" and "no-store" not in headers.get("Cache-Control", ""):
        found.append("a signed-in page a shared computer could keep (no Cache-Control: no-store)")
    for banner in ("Server", "X-Powered-By"):
        if any(c.isdigit() for c in headers.get(banner, "")):
            found.append(f"{banner} tells the software's version: {headers[banner]}")
    for cookie in headers.getlist("Set-Cookie"):
        flags = cookie.lower()
        if "httponly" not in flags or "samesite" not in flags:
            found.append(f"a cookie scripts can read or other sites send: {cookie.split(';')[0]}")
    return [f"{path}: {problem}" for problem in found]


def links_of(path: str, response) -> list[str]:
    """The same-site pages an answer links to."""
    if response.mimetype != "text/html" or not response.data:
        return []
    document = html.fromstring(response.data)
    found = []
    for target in document.xpath("//a/@href | //link/@href | //script/@src | //img/@src"):
        absolute = urljoin(f"http://localhost{path}", target)
        parts = urlsplit(absolute)
        if parts.netloc == "localhost" and not any(skip in absolute for skip in NOT_FOLLOWED):
            found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def scan(client, start: str, signed_in: bool) -> tuple[list[str], int]:
    """Follow links from ``start`` (at most ``MOST_PAGES``); the problems found and how many pages were seen."""
    seen, queue, found = set(), [start], []
    while queue and len(seen) < MOST_PAGES:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path)
        found += problems_of(path, response, signed_in)
        queue += [link for link in links_of(path, response) if link not in seen]
    return found, len(seen)


def test_the_pages_before_signing_in_pass_the_passive_scan(client):
    found, pages = scan(client, "/login", signed_in=False)
    assert found == [] and pages >= 2


@pytest.mark.parametrize("username", ROLES)
def test_every_page_a_role_reaches_passes_the_passive_scan(client, lifecycle, username):
    lifecycle.distributed()  # something in every list: a directive, its tasks, its history
    response = client.post("/login", data={"username": username, "password": "demo123"})
    found = problems_of("/login (signing in)", response, signed_in=False)
    login(client, username)
    more, pages = scan(client, ROLES[username], signed_in=True)
    assert found + more == [] and pages >= 5
