"""The shipped catalogue is deployed only when it changed, and never over a version an admin deployed."""
from __future__ import annotations

import io
import shutil
from pathlib import Path

from lxml import etree
from sqlalchemy import select

from engine.models import ProcessDefinition, ProcessInstance
from web.catalogue import DEPLOYED, HELD_BACK, UNCHANGED, deploy_catalogue
from web.cli import prepare_database

from .conftest import draft_data, login

CATALOGUE = Path(__file__).parents[1] / "bpmn"
NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL", "camunda": "http://camunda.org/schema/1.0/bpmn"}


def receipt_with_filing() -> bytes:
    """The receipt process with a user task «Phân loại, chuyển xử lý» between acknowledgement and register."""
    root = etree.fromstring((CATALOGUE / "directive_receipt.bpmn").read_bytes())
    process = root.find("bpmn:process", NS)
    flow = process.find("bpmn:sequenceFlow[@sourceRef='acknowledge']", NS)
    target = flow.get("targetRef")
    flow.set("targetRef", "classify")
    task = etree.SubElement(process, f"{{{NS['bpmn']}}}userTask", id="classify", name="Phân loại, chuyển xử lý")
    task.set(f"{{{NS['camunda']}}}formKey", "directive_receipt")
    task.set(f"{{{NS['camunda']}}}candidateGroups", "${agency}:clerk, ${agency}:official")
    etree.SubElement(process, f"{{{NS['bpmn']}}}sequenceFlow", id="flow_classified", sourceRef="classify",
                     targetRef=target)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def renamed_acknowledgement() -> bytes:
    """The shipped receipt process as a later release might ship it: one step renamed."""
    text = (CATALOGUE / "directive_receipt.bpmn").read_text("utf-8")
    return text.replace("Xác nhận nhận văn bản", "Xác nhận đã nhận").encode("utf-8")


def newest(svc, key: str) -> ProcessDefinition:
    with svc.db.reader() as s:
        definition = svc.engine.latest_definition(s, key)
        s.expunge(definition)
        return definition


def catalogue_copy(tmp_path: Path, **changed: bytes) -> Path:
    """A copy of the catalogue folder with some files replaced."""
    folder = tmp_path / "bpmn"
    shutil.copytree(CATALOGUE, folder)
    for name, content in changed.items():
        (folder / f"{name}.bpmn").write_bytes(content)
    return folder


def outcomes(lines) -> dict[str, str]:
    return {line.key: line.outcome for line in lines}


def test_a_restart_keeps_the_version_an_admin_deployed_and_new_directives_run_it(app, client, svc, lifecycle):
    login(client, "admin")
    answer = client.post("/admin/processes/deploy", data=receipt_with_filing(), content_type="application/xml")
    assert answer.get_json()["version"] == 2
    with app.app_context():
        prepare_database()  # what `chidao serve` and `chidao demo` run at start-up
        prepare_database()
    assert (newest(svc, "directive_receipt").version, newest(svc, "directive_receipt").deployed_by) == (2, "admin")
    with app.app_context():
        (line,) = [line for line in deploy_catalogue() if line.key == "directive_receipt"]
    assert line.sentence() == ("directive_receipt.bpmn: không đổi so với lần triển khai trước của danh mục; "
                               "directive_receipt đang dùng phiên bản 2 do admin triển khai, mới hơn danh mục.")
    directive = lifecycle.distributed(draft_data())
    with svc.db.reader() as s:
        receipts = list(s.scalars(select(ProcessInstance).where(ProcessInstance.parent_instance_id == directive,
                                                                ProcessInstance.definition_id.like("directive_receipt:%"))))
        assert receipts and {r.definition.version for r in receipts} == {2}
    assert [t.element_id for t in lifecycle.human_tasks(receipts[0].id)] == ["acknowledge"]


def test_a_changed_catalogue_file_is_deployed_once_then_left_alone(app, svc, tmp_path):
    changed = renamed_acknowledgement()
    folder = catalogue_copy(tmp_path, directive_receipt=changed)
    with app.app_context():
        first = outcomes(deploy_catalogue(folder=folder))
        second = outcomes(deploy_catalogue(folder=folder))
    assert first == {"directive": UNCHANGED, "directive_receipt": DEPLOYED, "directive_report_period": UNCHANGED,
                     "directive_task": UNCHANGED}
    assert set(second.values()) == {UNCHANGED}
    assert newest(svc, "directive_receipt").version == 2


def test_a_changed_catalogue_file_waits_behind_an_admins_version_until_forced(app, client, svc, tmp_path):
    login(client, "admin")
    upload = client.post("/admin/processes/upload", content_type="multipart/form-data",
                         data={"file": (io.BytesIO(receipt_with_filing()), "tiep_nhan.bpmn")})
    assert upload.status_code == 303
    changed = renamed_acknowledgement()
    folder = catalogue_copy(tmp_path, directive_receipt=changed)
    with app.app_context():
        held = [line for line in deploy_catalogue(folder=folder) if line.key == "directive_receipt"]
        assert [line.outcome for line in held] == [HELD_BACK]
        assert "admin" in held[0].sentence() and "--force" in held[0].sentence()
        assert newest(svc, "directive_receipt").version == 2
        forced = outcomes(deploy_catalogue(force=True, folder=folder))
    assert forced["directive_receipt"] == DEPLOYED and forced["directive"] == UNCHANGED
    assert (newest(svc, "directive_receipt").version, newest(svc, "directive_receipt").deployed_by) == (3, "system")


def test_chidao_deploy_says_what_it_did_for_each_file(app):
    result = app.test_cli_runner().invoke(args=["deploy"])
    assert result.exit_code == 0, result.output
    assert "directive.bpmn: không đổi, directive giữ phiên bản 1." in result.output
    assert result.output.count("không đổi") == 4


def test_a_rest_redeploy_of_an_unchanged_file_with_duplicate_filtering_answers_the_existing_deployment(client):
    auth = {"Authorization": "Basic YWRtaW46ZGVtbzEyMw=="}  # admin:demo123
    files = {"deployment-name": "tiếp nhận", "enable-duplicate-filtering": "true",
             "data": (io.BytesIO(receipt_with_filing()), "receipt.bpmn")}
    first = client.post("/engine-rest/deployment/create", data=dict(files), headers=auth).get_json()
    files["data"] = (io.BytesIO(receipt_with_filing()), "receipt.bpmn")
    again = client.post("/engine-rest/deployment/create", data=files, headers=auth).get_json()
    assert first["id"] and again["id"] == first["id"] and again["deployedProcessDefinitions"] is None
    other = {"deployment-name": "tiếp nhận", "deployment-source": "khác", "deploy-changed-only": "true",
             "data": (io.BytesIO(receipt_with_filing()), "receipt.bpmn")}
    from_elsewhere = client.post("/engine-rest/deployment/create", data=other, headers=auth).get_json()
    assert from_elsewhere["id"] != first["id"] and len(from_elsewhere["deployedProcessDefinitions"]) == 1
