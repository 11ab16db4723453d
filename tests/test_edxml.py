"""A directive sent outside the province waits for the document-exchange worker: the edXML envelope
(QCVN 102:2016) is built from the directive, written to the outbox, and the directive goes on."""
from __future__ import annotations

from lxml import etree
from sqlalchemy import select

from engine.external import ExternalTask
from engine.models import ProcessInstance
from engine.replay import replay_instance
from workflows.demo import DEMO_PASSWORD
from workflows.edxml import NS
from workflows.exchange_worker import ExchangeWorker

from .conftest import Lifecycle, draft_data

EDXML = {"edXML": NS}


def exchange_tasks(svc) -> list[ExternalTask]:
    with svc.db.reader() as s:
        return list(s.scalars(select(ExternalTask)))


def test_a_directive_without_exchange_does_not_wait_for_the_axis(lifecycle, svc):
    lifecycle.distributed()
    assert exchange_tasks(svc) == []


def test_the_worker_writes_the_envelope_and_the_directive_goes_on(live_app, live_server, tmp_path):
    lifecycle = Lifecycle(live_app.extensions["chidao"])
    directive = lifecycle.distributed(draft_data(send_edxml=True))
    (waiting,) = exchange_tasks(live_app.extensions["chidao"])
    assert (waiting.topic, waiting.element_id, waiting.instance_id) == ("edxml", "exchange", directive)
    worker = ExchangeWorker(f"{live_server}/engine-rest", "admin", DEMO_PASSWORD, tmp_path / "outbox")
    assert worker.run_once() == 1
    envelope = etree.parse(str(tmp_path / "outbox" / f"{directive}.edxml"))
    header = envelope.find("edXML:edXMLHeader/edXML:MessageHeader", EDXML)
    assert header.findtext("edXML:Code/edXML:CodeNumber", namespaces=EDXML) == "01"
    assert header.findtext("edXML:Code/edXML:CodeNotation", namespaces=EDXML) == "UBND-KT"
    assert header.findtext("edXML:Subject", namespaces=EDXML) == draft_data()["subject"]
    assert header.findtext("edXML:SignerInfo/edXML:Competence", namespaces=EDXML) == "KT. CHỦ TỊCH"
    assert [t.findtext("edXML:OrganId", namespaces=EDXML) for t in header.findall("edXML:To", EDXML)] == [
        "SCT", "BQLKKT"]
    assert exchange_tasks(live_app.extensions["chidao"]) == []
    with live_app.extensions["chidao"].db.reader() as s:
        variables = live_app.extensions["chidao"].engine.variables(s, s.get(ProcessInstance, directive))
    assert len(variables["edxml_sha256"]) == 64
    with live_app.extensions["chidao"].db.reader() as s:
        replayed = replay_instance(live_app.extensions["chidao"].engine, s, directive)
    assert replayed.verified, replayed.sentence()
