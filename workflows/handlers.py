"""Service-task handlers of the directive process (``chidao:handler`` names).

Each runs inside the step's transaction and returns the variables it sets.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from engine import ServiceContext, User

from .agencies import ISSUING_SIDE, Directory
from .deadlines import DeadlineReader
from .edxml import exchange_header
from .models import IncomingEntry, OutgoingEntry
from .registers import format_number, incoming_register, notation_for, outgoing_register, take_number
from .signing import AUTHORITIES
from .tracking import Tracking, read_task_deadline

ISSUER = "UBND"


def register_outgoing(ctx: ServiceContext) -> dict[str, Any]:
    """Give the signed directive its number and date and write the outgoing register row."""
    v = ctx.variables
    issued_on = ctx.now.date()
    notation = notation_for(v["kind"], ISSUER, v.get("field_code"))
    number = take_number(ctx.session, outgoing_register(ISSUER), issued_on.year)
    signer = ctx.session.get(User, v["signer"])
    directory = Directory(ctx.session)
    ctx.session.add(OutgoingEntry(
        issuer=ISSUER, year=issued_on.year, number=number, notation=notation, directive_id=ctx.instance.id,
        kind=v["kind"], subject=v["subject"], issued_on=issued_on,
        signer=signer.full_name if signer else v["signer"],
        recipients="; ".join(directory.names(v["recipients"])), copies=v.get("copies"),
        registered_by=ctx.actor.username, registered_at=ctx.now,
    ))
    return {
        "number": number,
        "notation": notation,
        "number_text": format_number(number, notation),
        "issued_on": issued_on.isoformat(),
        "signer_name": signer.full_name if signer else None,
        "signer_title": signer.title if signer else None,
    }


def distribute(ctx: ServiceContext, reader: DeadlineReader) -> dict[str, Any]:
    """Fan recipients and task leads out to single agencies.

    Returns ``receipts`` (one per recipient agency outside the issuing side)
    and ``assignments`` (one per task and lead agency), the collections the
    process's multi-instance call activities iterate over. Deadlines written
    as phrases are read again from the issue date («kể từ ngày ban hành»).
    """
    v = ctx.variables
    directory = Directory(ctx.session)
    signer = ctx.session.get(User, v["signer"])
    supervisor = signer.username if signer is not None and signer.org == ISSUER else None
    issued_on = date.fromisoformat(v["issued_on"])
    common = {"directive_id": ctx.instance.id, "subject": v["subject"], "number_text": v["number_text"],
              "issued_on": v["issued_on"]}
    receipts = [
        {**common, "agency": code, "agency_name": directory.name(code)}
        for code in directory.expand(v["recipients"]) if code not in ISSUING_SIDE
    ]
    assignments = []
    for task in v["tasks"]:
        deadline = read_task_deadline(reader, task, issued_on)
        coordinate = task.get("coordinate") or []
        coordinating_agencies = directory.expand(coordinate)
        for lead in directory.expand(task["lead"]):
            assignments.append({
                **common,
                "ref": task["ref"],
                "summary": task["summary"],
                "lead": lead,
                "lead_name": directory.name(lead),
                "coordinate_text": "; ".join(directory.names(coordinate)),
                "contributions": [
                    {"agency": code, "agency_name": directory.name(code)}
                    for code in coordinating_agencies if code != lead
                ],
                **deadline,
                "deadline_phrase": task.get("deadline_phrase"),
                "tracker": v["initiator"],
                "supervisor": supervisor,
            })
    answer = {"receipts": receipts, "assignments": assignments, "send_edxml": bool(v.get("send_edxml"))}
    if answer["send_edxml"]:
        label = AUTHORITIES.get(v.get("signing_authority"), {}).get("label", "")
        answer["exchange"] = exchange_header(directory, signer, label, [r["agency"] for r in receipts])
    return answer


def register_incoming(ctx: ServiceContext) -> dict[str, Any]:
    """Enter the received directive in the recipient agency's incoming register."""
    v = ctx.variables
    year = ctx.now.year
    number = take_number(ctx.session, incoming_register(v["agency"]), year)
    ctx.session.add(IncomingEntry(
        agency=v["agency"], year=year, number=number, directive_id=v["directive_id"],
        sender_number=v.get("number_text"), subject=v["subject"],
        received_by=ctx.actor.username, received_at=ctx.now,
    ))
    return {"incoming_number": number, "received_on": date.isoformat(ctx.now.date())}


def lifecycle_handlers(tracking: Tracking) -> dict[str, Any]:
    """The handlers of the directive and receipt processes, bound to the tracking settings."""
    return {
        "directive.register_outgoing": register_outgoing,
        "directive.distribute": lambda ctx: distribute(ctx, tracking.reader(ctx.calendar)),
        "directive.register_incoming": register_incoming,
    }
