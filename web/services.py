"""What the views share: the database and the engine of the running app."""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from engine import Database, Engine, Worker


@dataclass
class Services:
    db: Database
    engine: Engine
    worker: Worker

    @property
    def clock(self):
        return self.engine.clock


def services() -> Services:
    """The services of the current application."""
    return current_app.extensions["chidao"]
