"""The model-based soak: random sequences of real use keep every promise, and tampering is found.

`make test` walks a bounded number of steps with a fixed seed and with a random one (printed in the
test header); `make soak` walks longer. ``SOAK_STEPS`` and ``SOAK_SEED`` set both.
"""
from __future__ import annotations

import os
import random
import uuid

import pytest
import SpiffWorkflow.task

from web import create_app
from web.catalogue import deploy_catalogue

from .conftest import SOAK_RANDOM_SEED, fresh_app
from .soak import Walk

FIXED_SEED = 20261202
STEPS = int(os.environ.get("SOAK_STEPS") or 60)


@pytest.fixture
def walk_factory(database_url, clock, monkeypatch):
    apps = []

    def seeded_ids(seed: int) -> None:
        """Ids drawn from the seed, so that the same seed walks the same way again."""
        draw = random.Random(seed)
        monkeypatch.setattr(uuid, "uuid4", lambda: uuid.UUID(int=draw.getrandbits(128), version=4))
        monkeypatch.setattr(SpiffWorkflow.task, "uuid4", uuid.uuid4)

    def restarted():
        """The server started again over the same database: migrations done, the catalogue deployed."""
        app = create_app({"DATABASE_URL": database_url, "TESTING": True, "SECRET_KEY": "test-secret",
                          "WTF_CSRF_ENABLED": False}, clock=clock)
        with app.app_context():
            deploy_catalogue()
        apps.append(app)
        return app

    def walk(seed: int) -> Walk:
        seeded_ids(seed)
        first = [fresh_app(database_url, clock, WTF_CSRF_ENABLED=False)]
        apps.append(first[0])
        return Walk(lambda: first.pop() if first else restarted(), clock, seed)

    yield walk
    for app in apps:
        app.extensions["chidao"].db.dispose()


@pytest.mark.parametrize("seed", [FIXED_SEED, SOAK_RANDOM_SEED], ids=["fixed-seed", "random-seed"])
def test_a_random_walk_of_real_use_keeps_every_invariant_after_every_step(walk_factory, seed, capsys):
    walk = walk_factory(seed)
    figures = walk.run(STEPS)
    with capsys.disabled():
        print(f"\nsoak seed {seed}: {figures.line()}")
    assert figures.steps == STEPS
