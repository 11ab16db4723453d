"""The edXML worker: an external-task client of ``/engine-rest`` that hands distributed directives
to the document-exchange axis. It fetches tasks of topic ``edxml``, writes each envelope to its
outbox folder (where the axis connector picks it up) and completes the task; a failure is reported
with one retry fewer, so the last one becomes an incident an administrator sees."""
from __future__ import annotations

import base64
import json
import logging
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from .edxml import package

log = logging.getLogger(__name__)
TOPIC = "edxml"
RETRIES = 3
RETRY_AFTER_MS = 60_000


def plain(variables: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Values from Camunda's typed variables (a ``Json`` value is parsed)."""
    found = {}
    for name, variable in variables.items():
        value = variable.get("value")
        found[name] = json.loads(value) if variable.get("type") == "Json" and isinstance(value, str) else value
    return found


class ExchangeWorker:
    """Fetch, build, write, complete: one round with ``run_once``, or rounds until stopped."""

    def __init__(self, base_url: str, username: str, password: str, outbox: Path, worker_id: str = "chidao-edxml",
                 lock_ms: int = 60_000):
        self.base_url = base_url.rstrip("/")
        self.auth = "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()
        self.outbox = Path(outbox)
        self.worker_id = worker_id
        self.lock_ms = lock_ms

    def call(self, path: str, body: dict[str, Any], timeout: float = 70) -> Any:
        """POST JSON to the API; the answer's JSON (None for 204)."""
        request = urllib.request.Request(f"{self.base_url}{path}", data=json.dumps(body).encode(), method="POST",
                                         headers={"Content-Type": "application/json", "Authorization": self.auth})
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - the configured API
            content = response.read()
        return json.loads(content) if content else None

    def run_once(self, wait_ms: int = 0) -> int:
        """Hand over every task waiting now (waiting up to ``wait_ms`` for one); how many were sent."""
        tasks = self.call("/external-task/fetchAndLock", {
            "workerId": self.worker_id, "maxTasks": 10, "asyncResponseTimeout": wait_ms,
            "topics": [{"topicName": TOPIC, "lockDuration": self.lock_ms}]})
        sent = 0
        for task in tasks:
            try:
                self.send(task)
                sent += 1
            except (OSError, ValueError, KeyError) as exc:
                retries = (task["retries"] if task.get("retries") is not None else RETRIES) - 1
                log.warning("edXML task %s failed: %s", task["id"], exc)
                self.call(f"/external-task/{task['id']}/failure", {
                    "workerId": self.worker_id, "errorMessage": f"Không gửi được văn bản điện tử: {exc}",
                    "retries": max(retries, 0), "retryTimeout": RETRY_AFTER_MS})
        return sent

    def send(self, task: dict[str, Any]) -> Path:
        """Write the task's envelope to the outbox and complete the task."""
        variables = plain(task.get("variables") or {})
        content, result = package(variables, document_id=task["processInstanceId"])
        self.outbox.mkdir(parents=True, exist_ok=True)
        target = self.outbox / f"{task['processInstanceId']}.edxml"
        target.write_bytes(content)
        self.call(f"/external-task/{task['id']}/complete", {
            "workerId": self.worker_id,
            "variables": {name: {"value": value, "type": "String"} for name, value in result.items()}})
        return target

    def run_forever(self, wait_ms: int = 30_000) -> None:
        """Long-poll for work until interrupted; a connection error waits a little and tries again."""
        while True:
            try:
                self.run_once(wait_ms)
            except urllib.error.URLError as exc:
                log.warning("edXML worker cannot reach %s: %s", self.base_url, exc)
                time.sleep(5)
