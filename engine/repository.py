"""What the repository knows of earlier deployments: Camunda's duplicate filtering.

A resource (a file of a deployment) is a duplicate when the latest resource of the same
name, among earlier deployments of the same deployment name and the same source, has the
same content. Deployments from another source are never compared: an admin's deployment
from the modeler does not make the shipped catalogue's file a duplicate, nor the reverse.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import Deployment, ProcessDefinition


@dataclass
class DeploymentResult:
    """What a deployment did.

    ``deployment`` is the new deployment, or the existing one when duplicate filtering found
    nothing changed; ``definitions`` the versions it created; ``unchanged`` the files left out
    as duplicates.
    """

    deployment: Deployment | None
    definitions: list[ProcessDefinition] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def previous_resource(session: Session, name: str, source: str | None, resource: str) -> ProcessDefinition | None:
    """The latest definition deployed from ``resource`` by a deployment of this name and source."""
    same_source = Deployment.source.is_(None) if source is None else Deployment.source == source
    return session.scalars(
        select(ProcessDefinition).join(Deployment)
        .where(Deployment.name == name, same_source, ProcessDefinition.resource_name == resource)
        # versions only grow, whatever the clock said (a simulated moment can lie ahead of the next one)
        .order_by(ProcessDefinition.version.desc(), ProcessDefinition.deployed_at.desc()).limit(1)
    ).first()


def unchanged_resources(session: Session, name: str, source: str | None,
                        files: dict[str, bytes]) -> dict[str, ProcessDefinition]:
    """The files identical to their previous resource, each with the definition it matched."""
    found = {}
    for filename, content in files.items():
        last = previous_resource(session, name, source, filename)
        if last is not None and last.sha256 == hashlib.sha256(content).hexdigest():
            found[filename] = last
    return found


def latest_deployment(definitions: Iterable[ProcessDefinition]) -> Deployment:
    """The most recent of the deployments these definitions came from."""
    return max((d.deployment for d in definitions), key=lambda deployment: deployment.deployed_at)
