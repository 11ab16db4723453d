"""After login and after an agency's request the browser is sent only to a path of this site, however
the target is written (an open redirect would land a signed-in official on a look-alike site)."""
from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from web.redirects import local_path
from workflows.demo import DEMO_PASSWORD

from .conftest import login
from .test_deadline_tracking import one_task

SITE = "http://chidao.local/login"


def where_a_browser_goes(location: str) -> str:
    """The host a browser reaches from a Location header: it drops tabs and line breaks and reads «\\»
    as «/» (the WHATWG URL parser)."""
    cleaned = "".join(c for c in location if c not in "\t\n\r").replace("\\", "/").strip()
    return urlsplit(urljoin(SITE, cleaned)).netloc


@pytest.mark.parametrize("target", ["/%09/evil.example", "//evil.example", "/\\evil.example", "https://evil.example",
                                    "/%0a/evil.example", "/ /evil.example", "javascript:alert(1)", "\\\\evil.example"])
def test_a_login_never_redirects_off_the_site(app, target):
    client = app.test_client()
    response = client.post(f"/login?next={target}", data={"username": "cv.lan", "password": DEMO_PASSWORD})
    assert response.status_code == 302 and where_a_browser_goes(response.headers["Location"]) == "chidao.local"


def test_a_login_goes_back_to_the_page_that_asked_for_it(app):
    response = app.test_client().post("/login?next=/directives?page=2",
                                      data={"username": "cv.lan", "password": DEMO_PASSWORD})
    assert response.headers["Location"] == "/directives?page=2"


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet="/\\\t\n\r :@.%?#evil09abcx\x00\x7f", max_size=24))
def test_no_target_leads_a_browser_elsewhere(target):
    assert where_a_browser_goes(local_path(target, "/tasks")) == "chidao.local"


def test_an_agencys_request_never_sends_the_browser_off_the_site(client, lifecycle):
    lifecycle.distributed(one_task("2026-12-15"))
    accept = lifecycle.task("sct.cv", "accept")
    page = login(client, "sct.cv").get(f"/tasks/{accept.id}").get_data(as_text=True)
    assignment = re.search(r'action="/assignments/([^/]+)/authority"', page).group(1)
    response = client.post(f"/assignments/{assignment}/authority", data={
        "authority_matter": "Đề nghị cho ý kiến về cơ chế hỗ trợ doanh nghiệp.", "back": "/\t/evil.example"})
    assert response.status_code in (302, 303) and where_a_browser_goes(response.headers["Location"]) == "chidao.local"
