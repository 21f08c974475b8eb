"""Fan-out and fan-in on the job store: children are jobs, and the last one to finish
queues the parent's completion step, exactly once.

Why the store and not a Celery chord: the children are ordinary jobs (readable, retried,
swept like any other), nothing needs a result backend, and the one decision that must happen
once ("every child is done: complete the parent") is a single conditional update, which two
workers finishing the last two children at once cannot both win. ADR 0006 has the numbers.
"""

from collections.abc import Callable
from uuid import UUID, uuid5

from .kind import ChildOutcome, FanOut, JobFailedError
from .model import Job, JobStatus
from .store import JobStore

#: Publishes the message that runs a job on its queue (it may block briefly).
Send = Callable[[Job], None]

#: Children one fan-out may start; more is a design smell (fan out in stages instead).
MAX_CHILDREN = 1000


def child_id(parent_id: UUID, index: int) -> UUID:
    """The id of a parent's `index`-th child: the same on every run of the parent's work,
    so a parent re-run after a crash finds the children it already stored."""
    return uuid5(parent_id, f"child-{index}")


def children_of(parent: Job, fan_out: FanOut) -> list[Job]:
    """The child jobs `fan_out` describes, checked against their kinds."""
    if len(fan_out.children) > MAX_CHILDREN:
        raise JobFailedError(f"at most {MAX_CHILDREN} children, not {len(fan_out.children)}")
    children = []
    for index, child in enumerate(fan_out.children):
        tier = child.tier or child.kind.default_tier
        if tier not in child.kind.tiers:
            raise JobFailedError(f"child {index}: {child.kind.name} cannot run on {tier!r}")
        children.append(
            Job(
                id=child_id(parent.id, index),
                kind=child.kind.name,
                queue=tier,
                status=JobStatus.QUEUED,
                payload=child.payload.model_dump(mode="json"),
                parent_id=parent.id,
            )
        )
    return children


async def start_children(store: JobStore, parent: Job, fan_out: FanOut, send: Send) -> None:
    """Store the children, queue them, then let the parent wait for them.

    In that order, so a worker killed anywhere in between leaves the parent RUNNING, to be
    redelivered and run again: its children keep their ids, so they are stored once and,
    at worst, queued twice (a second message for a job is skipped or claimed harmlessly).
    """
    children = children_of(parent, fan_out)
    await store.add_children(children)
    for child in children:
        send(child)
    if await store.wait_for_children(parent.id, len(children)):
        # Children may have finished before the parent waited: then none of them could
        # complete it, and this is the call that must.
        await complete_parent_if_done(store, parent.id, send)


async def complete_parent_if_done(store: JobStore, parent_id: UUID, send: Send) -> None:
    """If every child of `parent_id` has finished, queue the parent's completion step."""
    parent = await store.complete_if_children_done(parent_id)
    if parent is not None:
        send(parent)


async def child_outcomes(store: JobStore, parent: Job) -> list[ChildOutcome]:
    """The outcome of each child, in the order the parent's work listed them."""
    by_id = {child.id: child for child in await store.children(parent.id)}
    outcomes = []
    for index in range(parent.children_total or 0):
        child = by_id.get(child_id(parent.id, index))
        if child is None:  # deleted by hand, or by a clean-up set shorter than the fan-out
            outcomes.append(
                ChildOutcome(child_id(parent.id, index), "", JobStatus.FAILED, None, "gone")
            )
        else:
            outcomes.append(
                ChildOutcome(child.id, child.kind, child.status, child.result, child.error)
            )
    return outcomes
