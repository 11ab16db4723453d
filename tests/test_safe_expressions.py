"""No model runs code on the server: every expression goes through the safe evaluator, hostile ones are
refused at deployment naming the element, and nothing they ask for ever happens at run time."""
from __future__ import annotations

import io
import uuid
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from engine.bpmn.expressions import ExpressionEngine
from engine.bpmn.safe_eval import ExpressionFailed, ExpressionRefused
from engine.models import Deployment

CANARY = Path("/tmp") / f"chidao-canary-{uuid.uuid4().hex}"

#: Known ways out of Python sandboxes, each of which would create CANARY (or read a file, or hang) if run.
HOSTILE = [
    f"__import__('os').system('touch {CANARY}') == 0",
    f"__import__('pathlib').Path('{CANARY}').touch()",
    "().__class__.__bases__[0].__subclasses__()",
    "''.__class__.__mro__[1].__subclasses__()",
    "[c for c in ().__class__.__base__.__subclasses__()]",
    "(lambda: 1)()",
    "getattr(1, '__class__')",
    "eval('1+1')",
    f"exec('open(\"{CANARY}\", \"w\")')",
    "open('/etc/passwd').read()",
    "compile('1', 'x', 'eval')",
    "globals()",
    "locals()['__builtins__']",
    "vars()",
    "signing_group.__globals__",
    "len.__self__",
    "type(lead)",
    "__builtins__",
    "_private",
    "lead.__class__",
    "'{0.__class__}'.format(lead)",
    "f'{lead.__class__}'",
    "(x := 1)",
    "lead.upper()",
    "execution.getVariable('lead')",
    "{**contribution}",
    "[*contributions]",
    "sorted.__call__([1])",
    "max(range(10**9))",
    "{c for c in 'ab'}",
    "(c for c in 'ab')",
    "b'bytes'",
    "1j",
    "...",
]
#: Expressions that are safe to compile but would exhaust the server if evaluated naively.
EXHAUSTING = [
    "'a' * 10**9",
    "[1] * 10**9",
    "10**10**10",
    "2 ** 100000",
    "'%*d' % (10**9, 1)",
    "sum([[1] * 1000] * 1000, [])",
    "int('9' * 5000)",
    "round(12345, -10**9)",
    "str([[1] * 99999] * 99999)",
    "[[lead] * 50000, [lead] * 50000, [lead] * 50000] == [[lead] * 50000] * 3",
    "sorted([[1] * 99999] * 99999)",
]
FUNCTIONS = {"signing_group": lambda authority: f"{authority}:leader"}
DATA = {"lead": "SCT", "contribution": {"agency": "STC"}, "contributions": [1, 2], "x": 1}


@pytest.fixture
def expressions() -> ExpressionEngine:
    return ExpressionEngine(FUNCTIONS)


@pytest.mark.parametrize("source", HOSTILE)
def test_a_hostile_expression_is_refused_and_never_runs(expressions, source):
    with pytest.raises(ExpressionRefused):
        expressions.compile(f"${{{source}}}")
    with pytest.raises((ExpressionRefused, ExpressionFailed)):
        expressions.evaluate_in(DATA, f"${{{source}}}")
    assert not CANARY.exists()


@pytest.mark.parametrize("source", EXHAUSTING)
def test_an_expression_that_would_exhaust_the_server_fails_in_a_sentence(expressions, source):
    with pytest.raises(ExpressionFailed):
        expressions.evaluate_in(DATA, f"${{{source}}}")


@pytest.mark.parametrize(("source", "value"), [
    ("${lead == 'SCT' && !(x > 1)}", True),
    ("${contribution.agency}", "STC"),
    ("${contribution['agency'] ne 'SCT'}", True),
    ("${len(contributions) gt 1 || false}", True),
    ("${empty contributions}", False),
    ("${null}", None),
    ("${signing_group('ubnd')}", "ubnd:leader"),
    ("${x + 1 if x else 0}", 2),
    ("${contributions[-1] * 3}", 6),
    ("${lead[0:2]}", "SC"),
    ("${[lead, 'STC']}", ["SCT", "STC"]),
    ("${lead in ('SCT', 'STC') and x is not None}", True),
])
def test_the_expressions_our_models_and_camunda_models_write_still_evaluate(expressions, source, value):
    assert expressions.evaluate_in(DATA, source) == value


def test_a_missing_variable_or_field_is_said_in_a_sentence(expressions):
    with pytest.raises(ExpressionFailed, match="không có biến «nobody»"):
        expressions.evaluate_in(DATA, "${nobody == 1}")
    with pytest.raises(ExpressionFailed, match="không có trường «name»"):
        expressions.evaluate_in(DATA, "${contribution.name}")
    with pytest.raises(ExpressionFailed, match="chỉ dùng được trên dữ liệu có tên trường"):
        expressions.evaluate_in(DATA, "${lead.name}")


TOKENS = st.sampled_from(["lead", "x", "contribution", "contributions", "len", "signing_group", "str", "sorted",
                          "__class__", "_", ".", "(", ")", "[", "]", "{", "}", ",", ":", "'a'", "1", "-1", "10",
                          "**", "*", "+", "%", "==", "!", "&&", "||", "not", "and", "lambda", "for", "in", "if",
                          "else", "import", "=", ":=", "@", "eq", "empty", "null", "true", "agency", "upper"])


@settings(max_examples=400, deadline=None)
@given(st.lists(TOKENS, min_size=1, max_size=14).map(" ".join))
def test_any_token_soup_is_refused_evaluated_or_failed_in_a_sentence_never_anything_else(source):
    engine = ExpressionEngine(FUNCTIONS)
    try:
        engine.evaluate_in(DATA, f"${{{source}}}")
    except (ExpressionRefused, ExpressionFailed):
        pass
    assert not CANARY.exists()


def model(element: str) -> bytes:
    """A process whose one step carries ``element`` (a user task attribute, a condition, a timer…)."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="t">
  <bpmn:process id="attack" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="gate"/>
    <bpmn:exclusiveGateway id="gate" default="f3"/>
    {element}
    <bpmn:sequenceFlow id="f3" sourceRef="gate" targetRef="work"/>
    <bpmn:userTask id="work" name="Xử lý" camunda:candidateGroups="VP:specialist" camunda:formKey="directive_draft"/>
    <bpmn:sequenceFlow id="f4" sourceRef="work" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>""".encode()


ATTACKS = {
    "condition": ('<bpmn:sequenceFlow id="f2" name="Lối tắt" sourceRef="gate" targetRef="end">'
                  '<bpmn:conditionExpression>${__import__(\'os\').system(\'id\')==0}</bpmn:conditionExpression>'
                  '</bpmn:sequenceFlow>', "Lối tắt"),
    "bare condition": ('<bpmn:sequenceFlow id="f2" name="Lối tắt" sourceRef="gate" targetRef="end">'
                       '<bpmn:conditionExpression>__import__("os").getcwd() == "/"</bpmn:conditionExpression>'
                       '</bpmn:sequenceFlow>', "Lối tắt"),
    "due date": ('<bpmn:userTask id="sneak" name="Hạn" camunda:candidateGroups="VP:specialist"'
                 ' camunda:formKey="directive_draft" camunda:dueDate="${().__class__.__bases__[0]}"/>'
                 '<bpmn:sequenceFlow id="f2" sourceRef="gate" targetRef="sneak">'
                 '<bpmn:conditionExpression>${x == 1}</bpmn:conditionExpression>'
                 '</bpmn:sequenceFlow><bpmn:sequenceFlow id="f5" sourceRef="sneak" targetRef="end"/>', "Hạn"),
    "timer": ('<bpmn:intermediateCatchEvent id="wait" name="Chờ"><bpmn:timerEventDefinition><bpmn:timeDuration>'
              '${open("/etc/passwd").read()}</bpmn:timeDuration></bpmn:timerEventDefinition>'
              '</bpmn:intermediateCatchEvent><bpmn:sequenceFlow id="f2" sourceRef="gate" targetRef="wait">'
              '<bpmn:conditionExpression>${x == 1}</bpmn:conditionExpression></bpmn:sequenceFlow>'
              '<bpmn:sequenceFlow id="f5" sourceRef="wait" targetRef="end"/>', "Chờ"),
    "script task": ('<bpmn:scriptTask id="script" name="Kịch bản" scriptFormat="python"><bpmn:script>'
                    'import os; os.system("id")</bpmn:script></bpmn:scriptTask><bpmn:sequenceFlow id="f2"'
                    ' sourceRef="gate" targetRef="script"><bpmn:conditionExpression>${x == 1}'
                    '</bpmn:conditionExpression></bpmn:sequenceFlow>'
                    '<bpmn:sequenceFlow id="f5" sourceRef="script" targetRef="end"/>', "Kịch bản"),
}


@pytest.mark.parametrize("place", ATTACKS)
def test_a_model_carrying_code_is_refused_at_deployment_naming_the_element(svc, place):
    element, name = ATTACKS[place]
    with svc.db.reader() as s:
        problems = svc.engine.validate(s, model(element), "attack.bpmn")
    assert problems, f"the {place} attack was called deployable"
    assert any(p.element_name == name for p in problems), [p.message for p in problems]
    assert not CANARY.exists()


def test_the_refusal_says_what_is_not_allowed(svc):
    with svc.db.reader() as s:
        (problem,) = svc.engine.validate(s, model(ATTACKS["condition"][0]), "attack.bpmn")
    assert problem.message.startswith("«Lối tắt»: biểu thức điều kiện «${__import__('os').system('id')==0}» "
                                      "không được gọi «__import__('os').system»")
    with svc.db.reader() as s:
        (problem,) = svc.engine.validate(s, model(ATTACKS["script task"][0]), "attack.bpmn")
    assert problem.element_id == "script" and "không được chạy trên máy chủ" in problem.message


def test_a_script_that_reaches_the_engine_runs_only_as_assignments_in_the_safe_language(expressions):
    with pytest.raises(ExpressionRefused, match="chỉ gồm các dòng gán"):
        expressions.environment.execute(f"open('{CANARY}', 'w')", {})
    data = {"a": 2}
    expressions.environment.execute("b = a * 3\nlabel = 'b là ' + str(b)", data)
    assert data == {"a": 2, "b": 6, "label": "b là 6"} and not CANARY.exists()


def script_model(script: str, language: str = "python") -> bytes:  # script: already XML-escaped
    """A process with one script task running ``script`` between its start and a user task."""
    step = (f'<bpmn:scriptTask id="script" name="Tính tổng" scriptFormat="{language}"><bpmn:script>{script}'
            '</bpmn:script></bpmn:scriptTask><bpmn:sequenceFlow id="f2" sourceRef="gate" targetRef="script">'
            '<bpmn:conditionExpression>${x == 1}</bpmn:conditionExpression></bpmn:sequenceFlow>'
            '<bpmn:sequenceFlow id="f5" sourceRef="script" targetRef="work"/>')
    return model(step)


def test_an_admin_allows_script_tasks_for_one_deployment_and_they_run_in_the_safe_language(client, svc):
    from engine.oplog import Operation

    from .test_rest import basic
    xml = script_model("total = a + b\nsummary = 'Tổng ' + str(total)")
    refused = client.post("/engine-rest/deployment/create", headers=basic("admin"), content_type="multipart/form-data",
                          data={"deployment-name": "kịch bản", "data": (io.BytesIO(xml), "script.bpmn")})
    assert refused.status_code == 400 and "quản trị viên cho phép tác vụ kịch bản" in refused.get_json()["message"]
    allowed = client.post("/engine-rest/deployment/create", headers=basic("admin"), content_type="multipart/form-data",
                          data={"deployment-name": "kịch bản", "enable-script-tasks": "true",
                                "data": (io.BytesIO(xml), "script.bpmn")})
    assert allowed.status_code == 200, allowed.get_json()
    started = client.post("/engine-rest/process-definition/key/attack/start", headers=basic("admin"), json={
        "variables": {"x": {"value": 1, "type": "Integer"}, "a": {"value": 2, "type": "Integer"},
                      "b": {"value": 5, "type": "Integer"}}}).get_json()
    variables = client.get(f"/engine-rest/process-instance/{started['id']}/variables",
                           headers=basic("admin")).get_json()
    assert variables["total"]["value"] == 7 and variables["summary"]["value"] == "Tổng 7"
    with svc.db.reader() as s:
        deployment = s.get(Deployment, allowed.get_json()["id"])
        logged = s.scalars(select(Operation).where(Operation.action == "deploy",
                                                   Operation.target == deployment.definitions[0].id)).one()
    assert deployment.scripts_enabled and logged.detail["scripts_enabled"] is True


@pytest.mark.parametrize("source", HOSTILE)
def test_a_hostile_script_is_refused_even_where_scripts_are_allowed(svc, source):
    with svc.db.reader() as s:
        problems = svc.engine.validate(s, script_model(escape(f"x = {source}")), "s.bpmn", True)
    assert any(p.element_id == "script" for p in problems), source
    assert not CANARY.exists()


@pytest.mark.parametrize("script, language, reason", [
    ("import os", "python", "chỉ gồm các dòng gán «tên = biểu thức»"),
    ("x = 1\nfor i in range(9): x = i", "python", "dòng 2: kịch bản chỉ gồm các dòng gán"),
    ("__builtins__ = 1", "python", "không được gán cho «__builtins__»"),
    ("x = 1", "javascript", "viết bằng «javascript» không chạy được"),
    ("x = 1", "groovy", "viết bằng «groovy» không chạy được"),
])
def test_a_script_outside_the_safe_language_is_refused_naming_the_step(svc, script, language, reason):
    with svc.db.reader() as s:
        problems = svc.engine.validate(s, script_model(script, language), "s.bpmn", True)
    assert [p.element_id for p in problems] == ["script"] and reason in problems[0].message, problems


def test_a_call_asked_to_start_a_billion_children_is_refused_in_a_sentence(svc):
    from engine import SYSTEM, ExecutionError

    from .test_real_models import model as one_step_model
    call = ('<bpmn:callActivity id="w" name="Giao hàng loạt" calledElement="directive_receipt">'
            '<bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>'
            '<bpmn:multiInstanceLoopCharacteristics><bpmn:loopCardinality>${n}</bpmn:loopCardinality>'
            '</bpmn:multiInstanceLoopCharacteristics></bpmn:callActivity>')
    with svc.db.transaction() as s:
        svc.engine.deploy(s, "thử", {"p.bpmn": one_step_model(call)}, SYSTEM)
    with svc.db.transaction() as s, pytest.raises(ExecutionError, match="đòi mở hơn 1000 phiên con"):
        svc.engine.start(s, "p", SYSTEM, {"n": 10 ** 9})


def test_an_expression_in_an_attribute_the_engine_ignores_never_runs_and_does_not_refuse_the_model(svc):
    ignored = ('<bpmn:callActivity id="w" name="Gọi" calledElement="directive_receipt" '
               'camunda:calledElementTenantId="${ provider.resolveTenantId(execution) }">'
               '<bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:callActivity>')
    from .test_real_models import model as one_step_model
    with svc.db.reader() as s:
        assert svc.engine.validate(s, one_step_model(ignored), "p.bpmn") == []


LONG_KEYS = {"d": {"a" * 99999: 0}}


@pytest.mark.parametrize("source", [
    "${len(str(max([d] * 49000, key=str)))}",
    "sorted([{'a' * 99999: 0}] * 5000, key=str) == 0",
])
def test_a_list_repeating_a_mapping_with_a_long_key_is_refused_before_it_is_printed(expressions, source):
    with pytest.raises(ExpressionFailed, match="kết quả quá dài"):
        expressions.evaluate_in(LONG_KEYS, source)


def test_a_template_of_many_long_pieces_stops_before_it_adds_up(expressions):
    with pytest.raises(ExpressionFailed, match="kết quả quá dài"):
        expressions.render("${'a' * 99999}" * 3000, {})


def test_a_timer_repeating_without_pause_is_refused(svc):
    from engine.bpmn.timer_values import TimerValueError, cycle

    from .test_real_models import model as one_step_model
    from .test_real_models import timer
    with pytest.raises(TimerValueError, match="khoảng lặp phải từ 1 phút trở lên"):
        cycle("R/PT0S", svc.clock.now())
    with svc.db.reader() as s:
        problems = svc.engine.validate(s, one_step_model(timer("timeCycle", "R/PT0S")), "p.bpmn")
    assert [p.element_id for p in problems] == ["w"] and "khoảng lặp phải từ 1 phút" in problems[0].message


def multi_instance_model(loop: str) -> bytes:
    from .test_real_models import model as one_step_model
    return one_step_model(f'<bpmn:userTask id="w" name="Mỗi đơn vị" camunda:formKey="directive_receipt" '
                          f'camunda:candidateGroups="VPUBND:specialist"><bpmn:incoming>f1</bpmn:incoming>'
                          f'<bpmn:outgoing>f2</bpmn:outgoing>{loop}</bpmn:userTask>')


def test_a_multi_instance_step_asked_for_a_hundred_thousand_instances_is_refused_in_a_sentence(svc):
    from engine import SYSTEM, ExecutionError
    from engine.models import HumanTask
    xml = multi_instance_model('<bpmn:multiInstanceLoopCharacteristics><bpmn:loopCardinality>${n}'
                               '</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics>')
    with svc.db.transaction() as s:
        svc.engine.deploy(s, "thử", {"p.bpmn": xml}, SYSTEM)
    with svc.db.transaction() as s, pytest.raises(ExecutionError, match="«Mỗi đơn vị» đòi chạy 100000 lượt"):
        svc.engine.start(s, "p", SYSTEM, {"n": 100_000})
    with svc.db.transaction() as s:
        instance = svc.engine.start(s, "p", SYSTEM, {"n": 3})
    with svc.db.reader() as s:
        waiting = s.scalars(select(HumanTask).where(HumanTask.instance_id == instance.id)).all()
    assert len(waiting) == 3


@pytest.mark.parametrize(("loop", "what"), [
    ('<bpmn:multiInstanceLoopCharacteristics><bpmn:loopCardinality>__import__("os").getpid()'
     '</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics>', "số lần lặp"),
    ('<bpmn:multiInstanceLoopCharacteristics><bpmn:loopCardinality>3</bpmn:loopCardinality><bpmn:completionCondition>'
     '${open("/etc/passwd")}</bpmn:completionCondition></bpmn:multiInstanceLoopCharacteristics>', "điều kiện xong"),
])
def test_a_bare_count_or_completion_condition_carrying_code_is_refused(svc, loop, what):
    with svc.db.reader() as s:
        problems = svc.engine.validate(s, multi_instance_model(loop), "p.bpmn")
    assert any(p.element_id == "w" and f"biểu thức {what}" in p.message for p in problems), problems


def test_a_condition_mixing_an_expression_with_bare_code_is_refused_as_a_whole(svc):
    mixed = ATTACKS["condition"][0].replace("${__import__('os').system('id')==0}",
                                            "${a} and __import__('os').system('id')")
    with svc.db.reader() as s:
        problems = svc.engine.validate(s, model(mixed), "attack.bpmn")
    assert [p.element_name for p in problems] == ["Lối tắt"]


def test_a_step_that_fails_on_a_missing_variable_says_which(svc):
    from engine import SYSTEM, ExecutionError
    xml = model('<bpmn:sequenceFlow id="f2" name="Lối tắt" sourceRef="gate" targetRef="end">'
                '<bpmn:conditionExpression>${urgent == 1}</bpmn:conditionExpression></bpmn:sequenceFlow>')
    with svc.db.transaction() as s:
        svc.engine.deploy(s, "thử", {"attack.bpmn": xml}, SYSTEM)
    with svc.db.transaction() as s, pytest.raises(ExecutionError, match="không có biến «urgent»"):
        svc.engine.start(s, "attack", SYSTEM)


def test_the_upload_page_deploys_script_tasks_only_when_the_box_is_ticked(client):
    from .conftest import login
    login(client, "admin")
    xml = script_model("total = 1 + 2")
    page = client.post("/admin/processes/upload", data={"file": (io.BytesIO(xml), "s.bpmn")},
                       content_type="multipart/form-data")
    assert page.status_code == 400 and "cho phép tác vụ kịch bản" in page.get_data(as_text=True)
    ticked = client.post("/admin/processes/upload", data={"file": (io.BytesIO(xml), "s.bpmn"), "scripts": "1"},
                         content_type="multipart/form-data")
    assert ticked.status_code == 303
    assert "Cho phép tác vụ kịch bản" in client.get("/admin/processes").get_data(as_text=True)
