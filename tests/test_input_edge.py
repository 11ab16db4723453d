"""Input no view can take is refused at the edge with a 400 naming the field: NUL characters (which
PostgreSQL cannot store or search), pages and years out of range; no text in a search ever answers 500."""
from __future__ import annotations

import base64
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from engine.calendar import CalendarDay
from engine.models import ProcessDefinition, ProcessInstance
from workflows.demo import DEMO_PASSWORD

from .conftest import login
from .test_versions import DIRECTIVE

SEARCH_PAGES = ["/tasks", "/directives", "/admin/operations", "/audit/"]


def basic(username: str, password: str = DEMO_PASSWORD) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()}


@pytest.mark.parametrize("path", SEARCH_PAGES)
def test_a_nul_character_in_a_search_is_a_400_naming_the_field(client, path):
    login(client, "admin")
    response = client.get(path, query_string={"q": "Sở\x00Công Thương"})
    assert response.status_code == 400
    assert "Trường «q» chứa ký tự NUL" in response.get_data(as_text=True)


def test_a_nul_character_in_a_form_a_json_body_or_a_login_is_refused_before_any_view(client):
    response = client.post("/login", data={"username": "admin\x00", "password": "x"})
    assert response.status_code == 400 and "Trường «username»" in response.get_data(as_text=True)
    rest = client.post("/engine-rest/task", headers=basic("admin"), json={"nameLike": "a\x00b"})
    assert rest.status_code == 400 and rest.get_json()["type"] == "InvalidRequestException"
    assert "«nameLike»" in rest.get_json()["message"]
    nested = client.post("/engine-rest/process-definition/key/directive/start", headers=basic("admin"),
                         json={"variables": {"subject": {"value": "x\x00", "type": "String"}}})
    assert nested.status_code == 400 and "«variables.subject.value»" in nested.get_json()["message"]
    user = client.get("/engine-rest/task", headers=basic("adm\x00in"))
    assert user.status_code == 400 and "«Authorization»" in user.get_json()["message"]


@pytest.mark.parametrize("path", ["/tasks", "/directives", "/audit/"])
@pytest.mark.parametrize("page", ["99999999999999999999", "0", "-3", "hai", "10001"])
def test_a_page_out_of_range_is_a_400_naming_the_parameter(client, path, page):
    login(client, "admin")
    response = client.get(path, query_string={"page": page})
    assert response.status_code == 400 and "tham số page là số từ 1 đến 10000" in response.get_data(as_text=True)
    assert client.get(path, query_string={"page": "10000"}).status_code == 200  # the last page: empty, not an error


@pytest.mark.parametrize("year", ["99999", "-1", "1999", "2101", "năm nay"])
def test_a_calendar_year_out_of_range_is_a_400_naming_the_parameter(client, year):
    login(client, "admin")
    response = client.get("/admin/calendar", query_string={"year": year})
    assert response.status_code == 400 and "tham số year là năm từ 2000 đến 2100" in response.get_data(as_text=True)
    for edge in ("2000", "2100"):
        assert client.get("/admin/calendar", query_string={"year": edge}).status_code == 200


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=60), path=st.sampled_from(SEARCH_PAGES))
def test_no_search_text_answers_500(client, text, path):
    login(client, "admin")
    response = client.get(path, query_string={"q": text, "agency": text})
    assert response.status_code in (200, 400), (path, repr(text), response.status_code)


def test_a_multipart_part_without_a_name_is_no_server_error(client):
    body = (b"--b\r\nContent-Disposition: form-data\r\n\r\nabc\r\n"
            b"--b\r\nContent-Disposition: form-data\r\n\r\na\x00b\r\n--b--\r\n")
    response = client.post("/engine-rest/deployment/create", headers=basic("admin"), data=body,
                           content_type="multipart/form-data; boundary=b")
    assert response.status_code == 400 and "NUL" in response.get_json()["message"]
    clean = client.post("/engine-rest/deployment/create", headers=basic("admin"),
                        data=b"--b\r\nContent-Disposition: form-data\r\n\r\nabc\r\n--b--\r\n",
                        content_type="multipart/form-data; boundary=b")
    assert clean.status_code == 400  # no file to deploy, said as such


@pytest.mark.parametrize("path", ["/audit/", "/admin/operations"])
@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31", "1899-12-31"])
def test_a_searched_day_outside_the_years_a_clock_holds_is_a_400_naming_it(client, path, value):
    login(client, "admin")
    response = client.get(path, query_string={"since": value, "until": value})
    assert response.status_code == 400 and f"Ngày «{value}» nằm ngoài các năm 1900–2999." in response.get_data(
        as_text=True)


@pytest.mark.parametrize(("path", "name"), [("/engine-rest/task", "createdAfter"), ("/engine-rest/task", "dueBefore"),
                                            ("/engine-rest/history/process-instance", "startedAfter"),
                                            ("/engine-rest/deployment", "after"),
                                            ("/engine-rest/external-task", "lockExpirationAfter")])
@pytest.mark.parametrize("value", ["0001-01-01T00:00:00.000+0700", "9999-12-31T23:59:59.999-1200",
                                   "0001-01-01T00:00:00.000+1400"])
def test_a_rest_date_outside_the_years_a_clock_holds_is_a_400_naming_the_parameter(client, path, name, value):
    response = client.get(path, query_string={name: value}, headers=basic("admin"))
    assert response.status_code == 400 and f"parameter '{name}'" in response.get_json()["message"]
    posted = client.post("/engine-rest/task/count", json={"dueBefore": value}, headers=basic("admin"))
    assert posted.status_code == 400 and "'dueBefore'" in posted.get_json()["message"]


@pytest.mark.parametrize("character, code", [("\x1b", "U+001B"), ("\x0b", "U+000B"), ("\x7f", "U+007F"),
                                             ("\x85", "U+0085")])
def test_a_control_character_in_a_form_or_a_body_is_a_400_naming_the_field_and_the_character(
        client, svc, character, code):
    login(client, "admin")
    web = client.post("/admin/calendar", data={"day": "2027-02-10", "working": "0", "note": f"Tết{character}"})
    assert web.status_code == 400
    assert "Trường «note» chứa ký tự điều khiển" in web.get_data(as_text=True) and code in web.get_data(as_text=True)
    rest = client.post("/engine-rest/process-definition/key/directive/start", headers=basic("cv.lan"),
                       json={"variables": {"subject": {"value": f"V/v thử{character}", "type": "String"}}})
    assert rest.status_code == 400 and "«variables.subject.value»" in rest.get_json()["message"]
    with svc.db.reader() as s:
        assert s.scalar(select(func.count()).select_from(ProcessInstance)) == 0  # nothing was started


def test_a_lone_surrogate_in_a_json_body_is_a_400_not_a_500(client):
    raw = '{"variables": {"subject": {"value": "V/v \\ud800 thử", "type": "String"}}}'
    rest = client.post("/engine-rest/process-definition/key/directive/start", headers={
        **basic("cv.lan"), "Content-Type": "application/json"}, data=raw)
    assert rest.status_code == 400 and "U+D800" in rest.get_json()["message"]


def test_tabs_and_line_breaks_are_ordinary_text(client, lifecycle):
    draft = lifecycle.task("cv.lan", "draft", lifecycle.start())
    login(client, "cv.lan")
    page = client.post(f"/tasks/{draft.id}", data={"subject": "V/v\tthử", "body": "Dòng một\r\nDòng hai"})
    assert page.status_code == 400 and "ký tự điều khiển" not in page.get_data(as_text=True)  # the form's own errors


@pytest.mark.parametrize("pattern", ["abc\\", "\\", "%\\\\\\", "a\\%"])
def test_a_like_filter_ending_in_its_escape_character_is_no_server_error(client, lifecycle, pattern):
    lifecycle.start()
    for path, name in (("/engine-rest/task", "nameLike"), ("/engine-rest/process-definition", "nameLike"),
                       ("/engine-rest/history/process-instance", "processDefinitionNameLike"),
                       ("/engine-rest/process-instance", "businessKeyLike"),
                       ("/engine-rest/task", "candidateGroupLike")):
        response = client.get(path, headers=basic("admin"), query_string={name: pattern})
        assert response.status_code == 200, (path, response.get_json())
    variable = client.get("/engine-rest/process-instance", headers=basic("admin"),
                          query_string={"variables": f"subject_like_{pattern}"})
    assert variable.status_code == 200


def test_a_search_for_a_percent_sign_or_an_underscore_finds_it_literally(client, lifecycle):
    lifecycle.start(subject="V/v giảm 50% phí")
    lifecycle.start(subject="V/v giảm 50 lần phí")
    login(client, "cv.lan")
    page = client.get("/directives", query_string={"q": "50%"}).get_data(as_text=True)
    assert "giảm 50% phí" in page and "giảm 50 lần phí" not in page


LONG = "đ" * 5000


def _model(**renamed: str) -> bytes:
    """The directive model with some of its ids or names made longer than any column holds."""
    xml = DIRECTIVE
    for old, new in renamed.items():
        xml = xml.replace(old, new)
    return xml.encode()


@pytest.mark.parametrize("model, what", [
    (_model(**{'id="directive"': 'id="' + "p" * 80 + '"'}), "process id dài 80 ký tự"),
    (_model(**{'name="Vòng đời văn bản chỉ đạo"': f'name="{"n" * 201}"'}), "process name dài 201 ký tự"),
    (_model(**{'"draft"': '"' + "b" * 201 + '"'}), "id dài 201 ký tự"),
    (_model(**{'camunda:formKey="directive_review"': f'camunda:formKey="{"f" * 201}"'}), "formKey dài 201"),
])
def test_a_model_naming_more_than_a_column_holds_is_refused_at_upload_naming_it(client, svc, model, what):
    login(client, "admin")
    with svc.db.reader() as s:
        before = s.scalar(select(func.count()).select_from(ProcessDefinition))
    page = client.post("/admin/processes/upload", data={"file": (io.BytesIO(model), "dai.bpmn")},
                       content_type="multipart/form-data")
    assert page.status_code == 400 and what in page.get_data(as_text=True)
    with svc.db.reader() as s:
        assert s.scalar(select(func.count()).select_from(ProcessDefinition)) == before


def test_over_long_text_anywhere_is_a_400_naming_the_field_and_nothing_is_written(client, svc, lifecycle):
    login(client, "admin")
    with svc.db.reader() as s:
        before = s.scalar(select(func.count()).select_from(ProcessInstance))
    noted = client.post("/admin/calendar", data={"day": "2027-02-10", "working": "0", "note": LONG},
                        follow_redirects=True)
    assert "Lý do dài 5000 ký tự, quá giới hạn 300 ký tự" in noted.get_data(as_text=True)
    key = client.post("/admin/forms/" + "k" * 300, data={"schema": '{"type": "object", "properties": {}}'})
    assert key.status_code == 400 and "«key»" in key.get_data(as_text=True)
    started = client.post("/engine-rest/process-definition/key/directive/start", headers=basic("cv.lan"),
                          json={"businessKey": LONG})
    assert started.status_code == 400 and "«business_key»" in started.get_json()["message"]
    deployed = client.post("/engine-rest/deployment/create", headers=basic("admin"),
                           content_type="multipart/form-data", data={
                               "deployment-name": LONG, "data": (io.BytesIO(_model(**{
                                   "Khởi tạo văn bản": "Khởi tạo"})), "directive.bpmn")})
    assert deployed.status_code == 400 and "«name»" in deployed.get_json()["message"]
    with svc.db.reader() as s:
        assert s.scalar(select(func.count()).select_from(ProcessInstance)) == before
        assert s.scalar(select(func.count()).select_from(ProcessDefinition)) == 4  # the catalogue, as it was
        assert s.scalar(select(func.count()).select_from(CalendarDay)) == 0


@pytest.mark.parametrize("day", ["2027-02-31", "hôm-nay", "9" * 50])
def test_removing_a_calendar_day_that_cannot_exist_is_a_404(client, day):
    login(client, "admin")
    assert client.post(f"/admin/calendar/{day}/delete").status_code == 404


@pytest.mark.parametrize("depth", [40, 900, 3000])
def test_a_json_variable_nested_too_deep_is_a_400_and_nothing_is_kept(client, svc, lifecycle, depth):
    deep = "[" * depth + "]" * depth
    started = client.post("/engine-rest/process-definition/key/directive/start", headers=basic("cv.lan"),
                          json={"variables": {"tasks": {"value": deep, "type": "Json"}}})
    assert started.status_code == 400 and "nests more than 32 levels" in started.get_json()["message"]
    directive = lifecycle.start()
    put = client.put(f"/engine-rest/process-instance/{directive}/variables/zz", headers=basic("admin"),
                     json={"value": deep, "type": "Json"})
    assert put.status_code == 400 and "'zz'" in put.get_json()["message"]
    assert client.get(f"/engine-rest/process-instance/{directive}/variables", headers=basic("admin")).status_code == 200
    with svc.db.reader() as s:
        assert s.scalar(select(func.count()).select_from(ProcessInstance)) == 1


def test_a_json_variable_hiding_a_nul_in_an_escape_is_a_400(client, lifecycle):
    directive = lifecycle.start()
    put = client.put(f"/engine-rest/process-instance/{directive}/variables/zz", headers=basic("admin"),
                     json={"value": '{"a": "x\\u0000y"}', "type": "Json"})
    assert put.status_code == 400 and "U+0000" in put.get_json()["message"]


@pytest.mark.parametrize("path, query", [
    ("/engine-rest/task", {"nameLike": "a" * 50_001}), ("/engine-rest/process-definition", {"nameLike": "a" * 60_000}),
    ("/tasks", {"q": "a" * 60_000}), ("/audit/", {"q": "a" * 60_000}), ("/admin/operations", {"q": "a" * 60_000}),
])
def test_a_search_longer_than_any_search_is_a_400_naming_it(client, path, query):
    login(client, "admin")
    response = client.get(path, headers=basic("admin"), query_string=query)
    said = response.get_json()["message"] if path.startswith("/engine-rest") else response.get_data(as_text=True)
    assert response.status_code == 400 and f"«{next(iter(query))}»" in said
    body = client.post("/engine-rest/task", headers=basic("admin"), json={"nameLike": "a" * 60_000})
    assert body.status_code == 400 and "«nameLike»" in body.get_json()["message"]


def test_initiator_and_the_tracker_are_never_set_by_a_request_on_any_process(client, lifecycle):
    lifecycle.distributed()
    task = lifecycle.task("sct.cv", "accept")  # in a directive_task instance, which declares no initiator
    for name in ("initiator", "tracker"):
        put = client.put(f"/engine-rest/process-instance/{task.instance_id}/variables/{name}", headers=basic("admin"),
                         json={"value": "admin", "type": "String"})
        assert put.status_code == 400 and f"«{name}»" in put.get_json()["message"]
    message = client.post("/engine-rest/message", headers=basic("cv.lan"), json={
        "messageName": "Kết thúc theo dõi", "processInstanceId": task.instance_id,
        "processVariables": {"tracker": {"value": "admin", "type": "String"}}})
    assert message.status_code == 400


@pytest.mark.parametrize("path, body, named", [
    ("/engine-rest/process-definition/key/directive/start",
     {"startInstructions": [{"type": "startBeforeActivity", "activityId": "register"}]}, "startInstructions"),
    ("/engine-rest/process-definition/key/directive/start", {"bogusParam": 1}, "bogusParam"),
    ("/engine-rest/message", {"messageName": "Xin gia hạn", "processVariablesLocal": {
        "x": {"value": 1, "type": "Integer"}}}, "processVariablesLocal"),
    ("/engine-rest/message", {"messageName": "Xin gia hạn", "bogus": True}, "bogus"),
])
def test_a_body_parameter_that_is_unknown_or_not_supported_is_a_400_naming_it(client, svc, path, body, named):
    response = client.post(path, headers=basic("cv.lan"), json=body)
    assert response.status_code == 400 and f"'{named}'" in response.get_json()["message"]
    with svc.db.reader() as s:
        assert s.scalar(select(func.count()).select_from(ProcessInstance)) == 0
