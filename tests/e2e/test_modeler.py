"""In a real browser: an admin edits the directive process, sees a problem on the element, fixes it, deploys."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from engine.models import ProcessDefinition

from .test_agency_report import _sign_in

pytestmark = pytest.mark.browser


def _newest(app, key: str) -> ProcessDefinition:
    with app.extensions["chidao"].db.reader() as s:
        return s.scalars(select(ProcessDefinition).where(ProcessDefinition.key == key)
                         .order_by(ProcessDefinition.version.desc())).first()


def test_an_admin_adds_a_step_sees_its_problem_fixes_it_and_deploys_the_next_version(live_app, live_server, page,
                                                                                       artifacts):
    before = _newest(live_app, "directive")
    _sign_in(page, live_server, "admin")
    page.goto(f"{live_server}/admin/processes/{before.id}/edit")
    page.wait_for_selector("#modeler-page[data-ready=true]")
    new_id = page.evaluate("""() => {
        const m = window.chidaoModeler;
        const flow = m.get('elementRegistry').get('flow_register_number');
        const shape = m.get('elementFactory').createShape({ type: 'bpmn:UserTask' });
        const created = m.get('modeling').createShape(shape, { x: 1185, y: 700 }, flow);
        m.get('selection').select(created);
        return created.id;
    }""")
    page.fill("#prop-name", "Kiểm tra thể thức")
    page.press("#prop-name", "Tab")
    page.click("#validate")
    problem = page.locator(f'#problem-list li[data-element="{new_id}"]', has_text="chưa có người xử lý")
    problem.wait_for()
    assert page.locator(f'#canvas [data-element-id="{new_id}"].invalid').count() == 1
    page.screenshot(path=str(artifacts / "modeler-problem.png"), full_page=True)

    problem.click()
    page.fill("#prop-candidateGroups", "VPUBND:clerk")
    page.press("#prop-candidateGroups", "Tab")
    page.select_option("#prop-formKey", "directive_register")
    page.click("#validate")
    page.wait_for_selector("#modeler-status.pill.ok")
    assert page.locator("#canvas .invalid").count() == 0
    page.click("#deploy")
    page.wait_for_url(re.compile(r".*/admin/processes/directive:[^/]+$"))
    after = _newest(live_app, "directive")
    assert after.version == before.version + 1
    assert page.locator(f'#diff tr[data-change="added"]', has_text="Kiểm tra thể thức").count() == 1
    page.goto(f"{live_server}/admin/processes")
    assert page.locator(f'section[data-process="directive"] tr[data-version="{after.version}"]').count() == 1
    page.screenshot(path=str(artifacts / "modeler-deployed.png"), full_page=True)
