"""Where each network is warm (core.runs.warmth): the key a request's network is known by, and
the free worker a training of it is sent to."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from core.config import RunRequest
from core.runs.warmth import REMEMBERED, WarmPlaces, warmth_key


@dataclass
class Task:  # what WarmPlaces reads of the cluster's tasks
    worker: str | None = None
    bound: str | None = None
    submitted: threading.Event = field(default_factory=threading.Event)
    ended: threading.Event = field(default_factory=threading.Event)


def task(worker=None, bound=None, *, turn=True, ended=False) -> Task:
    made = Task(worker, bound)
    if turn:
        made.submitted.set()
    if ended:
        made.ended.set()
    return made


def test_the_key_follows_the_network_not_the_training_settings():
    base = RunRequest()
    same = [
        base.replace(train=base.train.replace(seed=7, learning_rate=0.003, epochs=12)),
        base.replace(horizon=90),
    ]
    other = [
        base.replace(model=base.model.replace(units=64)),
        base.replace(model=base.model.replace(family="gru")),
        base.replace(split=base.split.replace(lookback=60)),
        base.replace(train=base.train.replace(optimizer="sgd")),
        base.replace(data=base.data.replace(seed=1)),  # the input mode comes from the data
    ]
    assert all(warmth_key(request) == warmth_key(base) for request in same)
    assert len({warmth_key(request) for request in [base, *other]}) == 1 + len(other)


def test_a_network_goes_where_it_last_started_unless_a_task_holds_that_worker():
    places = WarmPlaces()
    assert places.preferred("lstm", {}) is None  # never seen: any free worker
    places.started("lstm", "tcp://a")
    places.started("gru", "tcp://b")
    places.started(None, "tcp://c")  # a task with no network names nothing
    assert places.preferred("lstm", {}) == "tcp://a"
    assert places.preferred(None, {}) is None
    # Busy: started there, or sent there and not started yet (its turn come, not ended).
    assert places.preferred("lstm", {1: task(worker="tcp://a")}) is None
    assert places.preferred("lstm", {}, {2: task(bound="tcp://a")}) is None
    # Free: a task there that has ended, one still waiting for its turn, one elsewhere.
    free = {1: task(worker="tcp://a", ended=True), 2: task(bound="tcp://a", turn=False)}
    assert places.preferred("lstm", free, {3: task(worker="tcp://b")}) == "tcp://a"
    places.started("lstm", "tcp://b")  # trained again elsewhere: warm there now
    assert places.preferred("lstm", {}) == "tcp://b"


def test_only_the_latest_networks_are_remembered():
    places = WarmPlaces()
    for number in range(REMEMBERED + 1):
        places.started(f"network {number}", "tcp://a")
    places.started("network 1", "tcp://a")  # started again: remembered as new
    places.started("one more", "tcp://a")
    assert places.preferred("network 0", {}) is None
    assert places.preferred("network 1", {}) == "tcp://a"
    assert places.preferred("network 2", {}) is None
