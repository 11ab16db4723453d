"""What must hold of a database after any sequence of user actions (checked by the soak after each step)."""
from __future__ import annotations

from collections import Counter, defaultdict

from SpiffWorkflow.util.task import TaskState
from sqlalchemy import func, select

from engine.audit import verify_all
from engine.jobs import Job
from engine.models import HistoryEvent, HumanTask, ProcessInstance
from workflows.models import IncomingEntry, OutgoingEntry, RegisterCounter
from workflows.registers import incoming_register, outgoing_register

WAITS = TaskState.READY | TaskState.WAITING | TaskState.STARTED


def check_invariants(svc) -> list[str]:
    """Every broken invariant, in a sentence each (empty when all hold)."""
    with svc.db.reader() as s:
        return (proof_problems(svc, s) + register_problems(s) + completion_problems(s)
                + task_list_problems(svc, s))


def proof_problems(svc, session) -> list[str]:
    """`chidao verify --all`: no finding, and every instance replays to its stored state."""
    return [f"verify --all: {f.message}" for f in verify_all(svc.engine, session).findings]


def register_problems(session) -> list[str]:
    """Each register numbers 1, 2, 3… in its year: no gap, no number twice, the counter at the last one;
    a directive is registered once."""
    problems = []
    for rows, register_of in ((session.execute(select(OutgoingEntry.issuer, OutgoingEntry.year, OutgoingEntry.number)),
                               outgoing_register),
                              (session.execute(select(IncomingEntry.agency, IncomingEntry.year, IncomingEntry.number)),
                               incoming_register)):
        numbers = defaultdict(list)
        for owner, year, number in rows:
            numbers[(owner, year)].append(number)
        for (owner, year), used in numbers.items():
            if sorted(used) != list(range(1, len(used) + 1)):
                problems.append(f"register {register_of(owner)} {year} has numbers {sorted(used)}")
            counter = session.get(RegisterCounter, (register_of(owner), year))
            if counter is None or counter.last_number != len(used):
                problems.append(f"register {register_of(owner)} {year}: counter at "
                                f"{counter.last_number if counter else None}, {len(used)} entries")
    twice = session.execute(select(OutgoingEntry.directive_id).group_by(OutgoingEntry.directive_id)
                            .having(func.count() > 1)).scalars().all()
    problems.extend(f"directive {d} registered more than once" for d in twice)
    return problems


def completion_problems(session) -> list[str]:
    """No task is completed twice, and no completed task is still in anybody's list."""
    completed = Counter(session.scalars(select(HistoryEvent.task_id)
                                        .where(HistoryEvent.event_type == "task_completed")))
    problems = [f"task {t} completed {n} times" for t, n in completed.items() if n > 1]
    still_open = set(session.scalars(select(HumanTask.id))) & set(completed)
    problems.extend(f"task {t} is completed and still open" for t in sorted(still_open))
    return problems


def task_list_problems(svc, session) -> list[str]:
    """The task lists are exactly the waiting user tasks of running instances; a running instance waits
    for something; an ended one leaves nothing open and no timer armed."""
    problems = []
    open_tasks = defaultdict(set)
    for task in session.scalars(select(HumanTask)):
        open_tasks[task.instance_id].add(task.id)
    armed = set(session.scalars(select(Job.instance_id).where(Job.status == "waiting")))
    for instance in session.scalars(select(ProcessInstance)):
        if instance.status != "running":
            if open_tasks.get(instance.id) or instance.id in armed:
                problems.append(f"{instance.status} instance {instance.id} ({instance.definition_key}) still has "
                                "open tasks or armed timers")
            continue
        workflow = svc.engine.load_workflow(instance)
        ready = {str(t.id) for t in workflow.get_tasks(state=TaskState.READY, manual=True)}
        if ready != open_tasks.get(instance.id, set()):
            problems.append(f"instance {instance.id} ({instance.definition_key}) waits for people at {sorted(ready)}"
                            f" but the task lists hold {sorted(open_tasks.get(instance.id, set()))}")
        if workflow.is_completed() or not workflow.get_tasks(state=WAITS):
            problems.append(f"running instance {instance.id} ({instance.definition_key}) waits for nothing")
    known = set(session.scalars(select(ProcessInstance.id)))
    problems.extend(f"open tasks of a missing instance {i}" for i in open_tasks if i not in known)
    return problems
