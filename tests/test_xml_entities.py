"""A model that declares a DOCTYPE or entities is refused at every door (web upload, REST deployment,
the validator); one stored before that rule existed is shown without reading any entity."""
from __future__ import annotations

import base64
import io

import pytest
from sqlalchemy import select

from engine.models import ProcessDefinition
from workflows.demo import DEMO_PASSWORD

from .conftest import login
from .test_versions import DIRECTIVE

SECRET_FILE_LINE = "root:"  # the first line of /etc/passwd, which an external entity would pull in


def with_doctype(declaration: str, use: str = "") -> bytes:
    """The directive model with a DOCTYPE before its root, and ``use`` placed in its process name."""
    xml = DIRECTIVE.replace('<?xml version="1.0" encoding="UTF-8"?>', "", 1).lstrip()
    if use:
        xml = xml.replace('name="Vòng đời văn bản chỉ đạo"', f'name="Vòng đời {use}"', 1)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{declaration}\n{xml}'.encode()


HOSTILE = [
    with_doctype('<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', "&xxe;"),
    with_doctype('<!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
                 '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>', "&c;"),  # entity expansion
    with_doctype('<!DOCTYPE d SYSTEM "http://127.0.0.1:9/evil.dtd">'),  # a DTD fetched from elsewhere
]


def basic(username: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{username}:{DEMO_PASSWORD}".encode()).decode()}


def test_the_directive_model_names_itself_where_the_tests_put_an_entity():
    assert 'name="Vòng đời văn bản chỉ đạo"' in DIRECTIVE


@pytest.mark.parametrize("xml", HOSTILE)
def test_a_model_with_a_doctype_is_refused_at_upload_and_nothing_is_stored(client, svc, xml):
    login(client, "admin")
    with svc.db.reader() as s:
        before = len(s.scalars(select(ProcessDefinition)).all())
    page = client.post("/admin/processes/upload", data={"file": (io.BytesIO(xml), "directive.bpmn")},
                       content_type="multipart/form-data")
    assert page.status_code == 400 and "DOCTYPE" in page.get_data(as_text=True)
    assert SECRET_FILE_LINE not in page.get_data(as_text=True)
    validated = client.post("/admin/processes/validate", data=xml, content_type="application/xml")
    assert validated.status_code < 500 and "DOCTYPE" in validated.get_data(as_text=True)
    rest = client.post("/engine-rest/deployment/create", headers=basic("admin"), content_type="multipart/form-data",
                       data={"deployment-name": "xxe", "data": (io.BytesIO(xml), "directive.bpmn")})
    assert rest.status_code == 400 and "DOCTYPE" in rest.get_data(as_text=True)
    with svc.db.reader() as s:
        assert len(s.scalars(select(ProcessDefinition)).all()) == before


def test_a_version_stored_with_an_external_entity_is_shown_without_reading_it(client, svc, lifecycle):
    lifecycle.start()
    with svc.db.transaction() as s:
        newest = s.scalars(select(ProcessDefinition).where(ProcessDefinition.key == "directive")).first()
        newest.bpmn_xml = HOSTILE[0].decode()  # as a deployment made before DOCTYPEs were refused left it
    login(client, "admin")
    page = client.get(f"/admin/processes/{newest.id}")
    assert page.status_code == 200 and SECRET_FILE_LINE not in page.get_data(as_text=True)
    served = client.get(f"/definitions/{newest.id}.bpmn")
    assert served.headers["Content-Disposition"].startswith("attachment")
    activities = client.get("/engine-rest/history/activity-instance", headers=basic("admin"))
    assert activities.status_code == 200 and SECRET_FILE_LINE not in activities.get_data(as_text=True)
